"""What the grader reads of a submission, and which of its code it runs.

Everything here runs in the grader's own process on untrusted text, so nothing is executed and
everything is bounded:

- `read_notebook(path)` opens a regular file only (no symbolic link, device or folder), reads at
  most `MAX_NOTEBOOK_BYTES`, parses the JSON with a nesting limit and returns the cells as plain
  strings, or the reason it cannot.
- `select_definitions(cells)` decides which top-level statements a part runner executes: imports,
  function and class definitions, assignments without calls (as before), and — so that what passes
  in the notebook passes in the grader — every top-level statement that binds or fills a name the
  functions use, such as `LIMIT = float(np.log(np.finfo(float).max))` used inside `sigmoid`
  (followed transitively). Everything else (checks, plots, training runs, loops that define
  nothing the functions need) is skipped.
- `reaches_into(...)` finds code that reaches into nnlab's checks, the grader or the solutions;
  `REFERENCES` names nnlab's own implementation of each part (the runner watches for calls to it).
"""

from __future__ import annotations

import ast
import json
import os
import stat
import unicodedata

MAX_NOTEBOOK_BYTES = 20 * 2**20
MAX_JSON_DEPTH = 64
MAX_CELLS = 2000
MAX_CELL_CHARS = 2 * 2**20
MAX_ANSWER_CHARS = 5000

#: nnlab's own implementation of each part: a call into any of these (functions, or every method
#: of a class) while the part runs is reported as reuse of the reference.
REFERENCES = {
    "sigmoid": ("nnlab.activations.sigmoid", "nnlab.activation_layers.Sigmoid"),
    "neuron_forward": ("nnlab.neuron.Neuron",),
    "neuron_forward_bias_trick": ("nnlab.neuron.Neuron", "nnlab.neuron.with_bias_input",
                                  "nnlab.neuron.absorb_bias"),
    "sigmoid_prime": ("nnlab.activations.sigmoid_prime", "nnlab.activation_layers.Sigmoid"),
    "tanh_prime": ("nnlab.activations.tanh_prime", "nnlab.activation_layers.Tanh"),
    "relu": ("nnlab.activations.relu", "nnlab.activation_layers.ReLU"),
    "relu_prime": ("nnlab.activations.relu_prime", "nnlab.activation_layers.ReLU"),
    "elu": ("nnlab.activations.elu", "nnlab.activation_layers.ELU"),
    "softmax": ("nnlab.activations.softmax", "nnlab.activations.log_softmax",
                "nnlab.activation_layers.Softmax"),
    "dense_forward": ("nnlab.dense.Dense",),
    "feedforward": ("nnlab.model.Sequential",),
    "squared_error": ("nnlab.losses.SquaredError",),
    "squared_error_grad": ("nnlab.losses.SquaredError",),
    "softmax_cross_entropy": ("nnlab.losses.SoftmaxCrossEntropy",),
    "softmax_cross_entropy_grad": ("nnlab.losses.SoftmaxCrossEntropy",),
    "sgd_step": ("nnlab.optim.SGD",),
    "step_decay": ("nnlab.schedules.step_decay", "nnlab.schedules.Schedule"),
    "gradient_descent": ("nnlab.descent.descend",),
    "minibatches": ("nnlab.data.batching.minibatches",),
    "momentum_step": ("nnlab.optim.SGD",),
    "adam_step": ("nnlab.optim.Adam",),
    "numeric_grad": ("nnlab.gradcheck.numeric_grad",),
    "dense_backward": ("nnlab.dense.Dense",),
    "two_layer_backward": ("nnlab.dense.Dense", "nnlab.model.Sequential"),
    "accuracy": ("nnlab.metrics.accuracy",),
    "confusion_matrix": ("nnlab.metrics.confusion_matrix",),
    "dropout_mask": ("nnlab.dropout.Dropout",),
    "dropout_forward": ("nnlab.dropout.Dropout",),
    "dropout_backward": ("nnlab.dropout.Dropout",),
    "early_stopping": ("nnlab.training.EarlyStopping",),
    "residual_forward": ("nnlab.residual.Residual",),
    "residual_backward": ("nnlab.residual.Residual",),
    "layer_gradient_norms": ("nnlab.diagnostics.gradient_norms",),
    "rnn_forward": ("nnlab.recurrent.RNN",),
    "rnn_backward": ("nnlab.recurrent.RNN",),
    "lstm_cell_forward": ("nnlab.recurrent.LSTM",),
    "mul_backward": ("nnlab.autograd.value.Value", "nnlab.autograd.tensor.Tensor"),
    "tanh_backward": ("nnlab.autograd.value.Value", "nnlab.autograd.tensor.Tensor"),
    "exp_backward": ("nnlab.autograd.value.Value", "nnlab.autograd.tensor.Tensor"),
    # the graph parts get Value nodes: only nnlab's own graph walk counts as reuse
    "perceptron_step": ("nnlab.neuron.train_perceptron",),
    "train_perceptron": ("nnlab.neuron.train_perceptron",),
    "stratified_split": ("nnlab.data.preprocessing.split",),
    "standardize": ("nnlab.data.preprocessing.standardize",),
    "topological_order": ("nnlab.autograd._graph.topological_order",),
    "backward": ("nnlab.autograd._graph.backpropagate",),
}
#: Modules no graded code has a reason to touch.
PRIVATE_MODULES = ("nnlab.checks", "nnlab.grading")


class Unreadable(ValueError):
    """A submission file the grader refuses or cannot read; str() is the reason for the report."""


# ----------------------------------------------------------------------------------------------
# reading a notebook file

def read_bytes(path, limit: int = MAX_NOTEBOOK_BYTES) -> bytes:
    """The bytes of a regular file, never following a symbolic link, at most `limit` of them."""
    try:
        info = os.lstat(path)
    except OSError as err:
        raise Unreadable(f"cannot read it ({err.strerror})") from None
    if stat.S_ISLNK(info.st_mode):
        raise Unreadable("refused: a symbolic link, not a notebook file (submit the file itself)")
    if not stat.S_ISREG(info.st_mode):
        raise Unreadable("refused: not a regular file")
    if info.st_size > limit:
        raise Unreadable(f"refused: {info.st_size / 2**20:.1f} MB, larger than the "
                         f"{limit // 2**20} MB a notebook may have")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError as err:
        raise Unreadable(f"cannot read it ({err.strerror})") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise Unreadable("refused: not a regular file")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(2**20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    if size > limit:
        raise Unreadable(f"refused: larger than the {limit // 2**20} MB a notebook may have")
    return b"".join(chunks)


def _depth(text: str) -> int:
    """The deepest nesting of JSON brackets outside strings (a linear scan, no recursion)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _text(source) -> str:
    if isinstance(source, list):
        source = "".join(s for s in source if isinstance(s, str))
    return source if isinstance(source, str) else ""


def parse_notebook(data: bytes) -> dict:
    """A clean notebook (cells: type, source, the nnlab metadata) from untrusted bytes."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Unreadable("not a readable notebook (not UTF-8 text)") from None
    if _depth(text) > MAX_JSON_DEPTH:
        raise Unreadable(f"not a readable notebook (JSON nested deeper than {MAX_JSON_DEPTH})")
    try:
        nb = json.loads(text)
    except (ValueError, RecursionError) as err:
        raise Unreadable(f"not a readable notebook ({type(err).__name__})") from None
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        raise Unreadable("not a readable notebook (no list of cells)")
    if len(cells) > MAX_CELLS:
        raise Unreadable(f"refused: {len(cells)} cells, more than {MAX_CELLS}")
    clean = []
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            continue
        source = _text(cell.get("source", ""))
        if len(source) > MAX_CELL_CHARS:
            raise Unreadable(f"refused: a cell of {len(source)} characters")
        meta = cell.get("metadata")
        nnlab = meta.get("nnlab") if isinstance(meta, dict) else None
        kept = {k: v for k, v in nnlab.items() if k in ("part", "check", "question", "points")
                and isinstance(v, (str, int, float))} if isinstance(nnlab, dict) else {}
        clean.append({"cell_type": cell["cell_type"], "source": source,
                      "metadata": {"nnlab": kept} if kept else {}})
    return {"cells": clean}


def notebook_for_kernel(nb: dict) -> str:
    """The clean notebook as nbformat 4 JSON, without any stored output, for the executor."""
    cells = []
    for cell in nb["cells"]:
        c = {"cell_type": cell["cell_type"], "source": cell["source"], "metadata": cell["metadata"]}
        if cell["cell_type"] == "code":
            c.update(outputs=[], execution_count=None)
        cells.append(c)
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 4})


def code_and_answers(nb: dict) -> tuple[list[str], dict]:
    code = [c["source"] for c in nb["cells"] if c["cell_type"] == "code"]
    answers = {}
    for c in nb["cells"]:
        question = c["metadata"].get("nnlab", {}).get("question")
        if c["cell_type"] == "markdown" and isinstance(question, str):
            answers[question] = c["source"][:MAX_ANSWER_CHARS]
    return code, answers


# ----------------------------------------------------------------------------------------------
# which statements the runner executes

def strip_magics(source: str) -> str | None:
    """IPython magics and shell escapes → `pass`; a cell magic (%%...) skips the whole cell."""
    if source.lstrip().startswith("%%"):
        return None
    lines = []
    for line in source.split("\n"):
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")):
            line = line[:len(line) - len(stripped)] + "pass"
        lines.append(line)
    return "\n".join(lines)


def parse_cell(source: str):
    """The module AST of a code cell (magics neutralised), None for a cell magic; raises on errors."""
    source = strip_magics(source)
    return None if source is None else ast.parse(source)


_DEFINES = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_ACTIONS = (ast.Call, ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr)


def _loads(node) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _binds(node, constants: set[str]) -> set[str]:
    """Names a top-level statement binds, or fills when they are constants (`TABLE[k] = …`,
    `TABLE.update(…)` fill TABLE; `np.ones(…)` does not fill np)."""
    names, filled = set(), set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
            names.add(n.id)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(n.name)
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in n.names)
        elif isinstance(n, (ast.Subscript, ast.Attribute)) and isinstance(n.ctx, ast.Store):
            base = n.value
            while isinstance(base, (ast.Subscript, ast.Attribute)):
                base = base.value
            if isinstance(base, ast.Name):
                filled.add(base.id)
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and \
                isinstance(n.func.value, ast.Name):
            filled.add(n.func.value.id)
    return names | (filled & constants)


def _free_names(node) -> set[str]:
    """Names a def, class or lambda reads that it does not bind itself: the globals it may need.

    An approximation over the whole subtree (a name bound anywhere inside counts as local),
    except names declared `global`, which are always free."""
    local = {a.arg for a in ast.walk(node) if isinstance(a, ast.arg)}
    for n in ast.walk(node):
        if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
            local.add(n.id)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n is not node:
            local.add(n.name)
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            local.update((a.asname or a.name).split(".")[0] for a in n.names)
    declared = {name for n in ast.walk(node) if isinstance(n, (ast.Global, ast.Nonlocal)) for name in n.names}
    return (_loads(node) - local) | declared


def _uses_of_definitions(node) -> set[str]:
    """Global names a def/class (or a lambda in an assignment) may read when it is called."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return _free_names(node)
    used = set()
    for n in ast.walk(node):
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            used |= _free_names(n)
    return used


def select_definitions(cells: list[str]) -> tuple[list[list[int]], list[str], list]:
    """For each cell, the indices of its top-level statements the runner executes; the problems
    met (syntax errors); and the executed statements themselves (for `reaches_into`)."""
    trees, problems = [], []
    for i, source in enumerate(cells):
        try:
            tree = parse_cell(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError) as err:
            problems.append(f"cell {i}: {type(err).__name__}: {getattr(err, 'msg', err)} "
                            f"(line {getattr(err, 'lineno', '?')}); its definitions are skipped")
            tree = None
        trees.append(tree.body if tree is not None else [])
    statements = [(i, k, node) for i, body in enumerate(trees) for k, node in enumerate(body)]
    plain, assigned = {}, set()
    for i, k, node in statements:
        if isinstance(node, _DEFINES):
            plain[(i, k)] = True
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None and \
                not any(isinstance(n, _ACTIONS) for n in ast.walk(node.value)):
            plain[(i, k)] = True
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            assigned |= _binds(node, set())
    needed = set()
    for i, k, node in statements:
        if plain.get((i, k)) or isinstance(node, (ast.Assign, ast.AnnAssign)):
            needed |= _uses_of_definitions(node)
    chosen = {key for key, ok in plain.items() if ok}
    changed = True
    while changed:  # statements that bind a needed name, and what they need in turn
        changed = False
        for i, k, node in statements:
            if (i, k) in chosen or isinstance(node, ast.Expr) and not _fills(node, needed & assigned):
                continue
            binds = _binds(node, assigned)
            if isinstance(node, (ast.Expr, ast.For, ast.While, ast.AsyncFor)):
                binds &= assigned  # a loop counts only if it fills a constant the functions use
            if binds & needed:
                chosen.add((i, k))
                needed |= _loads(node)
                changed = True
    selected = [[k for k in range(len(body)) if (i, k) in chosen] for i, body in enumerate(trees)]
    executed = [node for i, k, node in statements if (i, k) in chosen]
    return selected, problems, executed


def _fills(node: ast.Expr, names: set[str]) -> bool:
    call = node.value
    return isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and \
        isinstance(call.func.value, ast.Name) and call.func.value.id in names


# ----------------------------------------------------------------------------------------------
# reaching into the checks, the grader or the solutions (a static look at the executed code)

def _dotted(node) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def reaches_into(executed: list) -> list[str]:
    """What the executed statements take from nnlab.checks, nnlab.grading or the solutions."""
    aliases = {"nnlab"}
    found = []
    for node in executed:
        for n in ast.walk(node):
            if isinstance(n, ast.Import):
                for a in n.names:
                    if a.name == "nnlab" or a.name.startswith("nnlab."):
                        aliases.add(a.asname or "nnlab")
    for node in executed:
        for n in ast.walk(node):
            name = None
            if isinstance(n, ast.Import):
                name = next((a.name for a in n.names if a.name.startswith(PRIVATE_MODULES)), None)
            elif isinstance(n, ast.ImportFrom) and n.module:
                if n.module.startswith(PRIVATE_MODULES):
                    name = n.module
                elif n.module == "nnlab":
                    hit = [a.name for a in n.names if a.name in ("checks", "grading")]
                    name = f"nnlab.{hit[0]}" if hit else None
            elif isinstance(n, ast.Attribute):
                dotted = _dotted(n)
                if dotted and "." in dotted:
                    head, rest = dotted.split(".", 1)
                    if head in aliases and rest.split(".")[0] in ("checks", "grading"):
                        name = f"nnlab.{rest}"
            elif isinstance(n, ast.Constant) and isinstance(n.value, str):
                text = n.value
                if any(m in text for m in PRIVATE_MODULES) or "solutions/" in text or \
                        "BEGIN " + "SOLUTION" in text:
                    name = f"the text {text[:60]!r}"
            if name and name not in found:
                found.append(name)
    return found[:10]


# ----------------------------------------------------------------------------------------------
# names

def student_name(raw: str) -> str:
    """A student's name as given (NFC-normalised), with control characters removed."""
    text = unicodedata.normalize("NFC", raw)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C").strip()
    return text[:120] or "student"


def file_stem(name: str) -> str:
    """A file-name-safe form of a student name that keeps its letters (any script)."""
    out = []
    for ch in name:
        if ch.isalnum() or ch in "-_.":
            out.append(ch)
        else:
            out.append("_")
    stem = "".join(out).strip("._")[:80]
    return stem or "student"
