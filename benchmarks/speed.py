"""Speed: one epoch of a 784-128-10 ReLU MLP (softmax cross-entropy, plain SGD, η = 0.01) over
60,000 random examples, against the GEMM bound, PyTorch and scikit-learn, in the same run.

The GEMM bound is raw numpy doing only what no implementation of this training can avoid: the
epoch's shuffle and the five matrix products per batch,

    forward     z1 = X_b W1ᵀ          z2 = a1 W2ᵀ
    backward    ∂C/∂W2 = δ2ᵀ a1       ∂C/∂a1 = δ2 W2       ∂C/∂W1 = δ1ᵀ X_b

into preallocated buffers (out=). Everything else nnlab does per batch (bias, ReLU, softmax,
cross-entropy, the optimizer step, bookkeeping, Python calls) is overhead over that bound.
The loop the course teaches also computes ∂C/∂X_b = δ1 W1 (model.backward returns it), so its
yardstick is "bound + input grad", the bound plus that sixth product.

Run: python benchmarks/run.py --only speed   (or python benchmarks/speed.py)
"""

from __future__ import annotations

import math
import time
import warnings

import numpy as np

from _common import optional, race, ratio, sec, table, verdict

import nnlab as nl

N_IN, N_HIDDEN, N_OUT = 784, 128, 10
LR = 0.01
TARGETS = {128: 1.25, 16: 2.0}  # fit / GEMM bound, by batch size
HAND_TARGET = 1.25              # hand loop / (GEMM bound + input grad)


def make_data(n: int, dtype, seed: int = 0):
    """X ~ N(0, 1), shape (n, 784), and random labels 0..9: MNIST-sized, content irrelevant for speed."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, N_IN), dtype=np.dtype(dtype).type)
    y = rng.integers(0, N_OUT, size=n)
    return X, y


def blas_threads() -> int:
    """The number of threads numpy's BLAS uses (threadpoolctl if installed, else the CPU count)."""
    threadpoolctl = optional("threadpoolctl")
    if threadpoolctl is not None:
        for info in threadpoolctl.threadpool_info():
            if info.get("user_api") == "blas":
                return int(info["num_threads"])
    import os
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        if os.environ.get(var, "").isdigit():
            return int(os.environ[var])
    return os.cpu_count() or 1


# -- the GEMM bound --------------------------------------------------------------------------------

def gemm_bound(X, batch_size: int, rng, *, shuffle: str, input_grad: bool = False):
    """An epoch of only the shuffle and the 5 (or 6, with input_grad) products, as a callable.

    shuffle="take": one permutation, then np.take of each batch's rows into a preallocated batch.
    shuffle="copy": one permutation, one permuted copy of X into a preallocated array, then slices.
    """
    N, n_in = X.shape
    dt = X.dtype
    B = batch_size
    init = np.random.default_rng(1)
    W1 = (init.standard_normal((N_HIDDEN, n_in)) * math.sqrt(2 / n_in)).astype(dt)
    W2 = (init.standard_normal((N_OUT, N_HIDDEN)) * math.sqrt(2 / N_HIDDEN)).astype(dt)
    W1T, W2T = W1.T, W2.T
    dW1, dW2 = np.empty_like(W1), np.empty_like(W2)
    full = dict(x=np.empty((B, n_in), dt), a1=np.empty((B, N_HIDDEN), dt), z2=np.empty((B, N_OUT), dt),
                d1=np.empty((B, N_HIDDEN), dt), dx=np.empty((B, n_in), dt))
    last_n = N % B or B
    views = {B: tuple(full[k] for k in ("x", "a1", "z2", "d1", "dx")),
             last_n: tuple(full[k][:last_n] for k in ("x", "a1", "z2", "d1", "dx"))}
    batches = [(i, min(B, N - i)) for i in range(0, N, B)]
    Xp = np.empty_like(X) if shuffle == "copy" else None
    matmul, take = np.matmul, np.take

    def epoch():
        order = rng.permutation(N)
        if Xp is not None:
            take(X, order, axis=0, out=Xp, mode="clip")
        for i, n in batches:
            x, a1, z2, d1, dx = views[n]
            if Xp is None:
                take(X, order[i:i + n], axis=0, out=x, mode="clip")
            else:
                x = Xp[i:i + n]
            matmul(x, W1T, out=a1)      # z1 = X_b W1ᵀ (a1 stands in for ReLU(z1))
            matmul(a1, W2T, out=z2)     # z2 = a1 W2ᵀ
            matmul(z2.T, a1, out=dW2)   # ∂C/∂W2 = δ2ᵀ a1 (z2 stands in for δ2)
            matmul(z2, W2, out=d1)      # ∂C/∂a1 = δ2 W2
            matmul(d1.T, x, out=dW1)    # ∂C/∂W1 = δ1ᵀ X_b
            if input_grad:
                matmul(d1, W1, out=dx)  # ∂C/∂X_b = δ1 W1 (the hand loop's extra product)

    return epoch


# -- nnlab ---------------------------------------------------------------------------------------

def nnlab_net(dtype, seed: int = 0):
    rng = np.random.default_rng(seed)
    model = nl.Sequential(nl.Dense(N_IN, N_HIDDEN, rng=rng, dtype=dtype), nl.ReLU(),
                          nl.Dense(N_HIDDEN, N_OUT, rng=rng, dtype=dtype))
    loss = nl.SoftmaxCrossEntropy()
    opt = nl.SGD(model.parameters(), lr=LR, momentum=0.0)
    return model, loss, opt


def nnlab_fit(X, y, batch_size: int, seed: int = 0):
    model, loss, opt = nnlab_net(X.dtype, seed)
    rng = np.random.default_rng(seed)

    def epoch():
        history = nl.fit(model, loss, opt, X, y, epochs=1, batch_size=batch_size, rng=rng, progress=False)
        if history.stopped is not None or len(history) != 1:  # a cut-short epoch would look fast
            raise RuntimeError(f"nnlab.fit did not run a full epoch: {history.stopped}")

    return epoch


def _inline_minibatches(X, y, batch_size, *, rng):
    """nl.data.minibatches as the course defines it (used only if nnlab does not have it yet)."""
    order = rng.permutation(len(X))
    for i in range(0, len(X), batch_size):
        idx = order[i:i + batch_size]
        yield X.take(idx, axis=0), y.take(idx, axis=0)


def nnlab_hand_loop(X, y, batch_size: int, seed: int = 0):
    """The loop chapter 06 teaches, through the public (checked) methods."""
    model, loss, opt = nnlab_net(X.dtype, seed)
    rng = np.random.default_rng(seed)
    minibatches = getattr(nl.data, "minibatches", None) or _inline_minibatches

    def epoch():
        for xb, yb in minibatches(X, y, batch_size, rng=rng):
            z = model.forward(xb)
            C = loss.forward(z, yb)  # noqa: F841 (the course prints it now and then)
            model.zero_grad()
            model.backward(loss.backward())
            opt.step()

    return epoch


# -- peers ---------------------------------------------------------------------------------------

def torch_epoch(torch, X, y, batch_size: int, threads: int, seed: int = 0):
    """The same net and loop in PyTorch on the CPU (autograd; no gradient for the data)."""
    torch.set_num_threads(threads)
    tdtype = torch.float32 if X.dtype == np.float32 else torch.float64
    torch.manual_seed(seed)
    net = torch.nn.Sequential(torch.nn.Linear(N_IN, N_HIDDEN, dtype=tdtype), torch.nn.ReLU(),
                              torch.nn.Linear(N_HIDDEN, N_OUT, dtype=tdtype))
    criterion = torch.nn.CrossEntropyLoss()
    opt = torch.optim.SGD(net.parameters(), lr=LR, momentum=0.0)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))
    gen = torch.Generator().manual_seed(seed)
    N = len(X)

    def epoch():
        order = torch.randperm(N, generator=gen)
        for i in range(0, N, batch_size):
            idx = order[i:i + batch_size]
            xb, yb = Xt.index_select(0, idx), yt.index_select(0, idx)
            opt.zero_grad(set_to_none=True)
            C = criterion(net(xb), yb)
            C.backward()
            opt.step()

    return epoch


def sklearn_epoch(sklearn_nn, X, y, batch_size: int, seed: int = 0):
    """MLPClassifier for exactly one epoch of plain SGD (fit re-initialises: that is part of its cost)."""
    from sklearn.exceptions import ConvergenceWarning

    def epoch():
        clf = sklearn_nn.MLPClassifier(hidden_layer_sizes=(N_HIDDEN,), solver="sgd", batch_size=batch_size,
                                       max_iter=1, learning_rate_init=LR, momentum=0.0, alpha=0.0,
                                       shuffle=True, random_state=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X, y)

    return epoch


# -- the benchmark -------------------------------------------------------------------------------

def run(n: int = 60_000, repeat: int = 3, batch_sizes=(128, 16), dtypes=(np.float32, np.float64),
        peers: bool = True, log=print) -> dict:
    """Time every contender for every (batch, dtype); print and return the table's numbers."""
    torch = optional("torch") if peers else None
    sk_nn = optional("sklearn.neural_network") if peers else None
    threads = blas_threads()
    results = []
    for B in batch_sizes:
        for dt in dtypes:
            dt = np.dtype(dt)
            X, y = make_data(n, dt)
            contenders = {
                "bound take": gemm_bound(X, B, np.random.default_rng(0), shuffle="take"),
                "bound copy": gemm_bound(X, B, np.random.default_rng(0), shuffle="copy"),
                "bound+ take": gemm_bound(X, B, np.random.default_rng(0), shuffle="take", input_grad=True),
                "bound+ copy": gemm_bound(X, B, np.random.default_rng(0), shuffle="copy", input_grad=True),
                "fit": nnlab_fit(X, y, B),
                "hand": nnlab_hand_loop(X, y, B),
            }
            if torch is not None:
                contenders["torch"] = torch_epoch(torch, X, y, B, threads)
            if sk_nn is not None:
                contenders["sklearn"] = sklearn_epoch(sk_nn, X, y, B)
            t0 = time.perf_counter()
            best = race(contenders, repeat=repeat)
            shuffle = min(("take", "copy"), key=lambda s: best[f"bound {s}"])
            shuffle_plus = min(("take", "copy"), key=lambda s: best[f"bound+ {s}"])
            row = dict(batch=B, dtype=dt.name, bound=best[f"bound {shuffle}"], shuffle=shuffle,
                       bound_plus=best[f"bound+ {shuffle_plus}"], shuffle_plus=shuffle_plus,
                       fit=best["fit"], hand=best["hand"], torch=best.get("torch"),
                       sklearn=best.get("sklearn"), bound_take=best["bound take"], bound_copy=best["bound copy"])
            results.append(row)
            log(f"  batch {B:>3}, {dt.name}: timed in {time.perf_counter() - t0:.1f} s")
            del X, y, contenders
    log("")
    log(report(results, n, repeat, threads, torch, sk_nn, peers))
    return {"rows": results}


def row_verdict(r) -> tuple[bool, list[str]]:
    misses = []
    target = TARGETS.get(r["batch"], 2.0)
    if r["fit"] > target * r["bound"]:
        misses.append(f"fit>{target}x")
    if r["hand"] > HAND_TARGET * r["bound_plus"]:
        misses.append(f"hand>{HAND_TARGET}x")
    if r["torch"] is not None and r["fit"] >= r["torch"]:
        misses.append("slower than torch")
    return not misses, misses


def report(rows, n, repeat, threads, torch, sk_nn, peers=True) -> str:
    missing = "not installed" if peers else "skipped (--no-peers)"
    headers = ["batch", "dtype", "GEMM bound s", "fit s", "fit/bound", "hand loop s", "bound+in.grad s",
               "hand/bound+", "torch s", "fit/torch", "sklearn s", "verdict"]
    body = []
    for r in rows:
        ok, misses = row_verdict(r)
        body.append([str(r["batch"]), r["dtype"], sec(r["bound"]), sec(r["fit"]), ratio(r["fit"], r["bound"]),
                     sec(r["hand"]), sec(r["bound_plus"]), ratio(r["hand"], r["bound_plus"]),
                     sec(r["torch"]), ratio(r["fit"], r["torch"]), sec(r["sklearn"]),
                     verdict(ok) + ("" if ok else " (" + ", ".join(misses) + ")")])
    lines = [table(headers, body, title=f"1. Speed: one epoch, 784-128-10 ReLU MLP, softmax cross-entropy, "
                                       f"SGD η={LR}, N={n:,} (best of {repeat} after 1 warm-up)")]
    lines.append("")
    lines.append("targets: fit/bound ≤ " + ", ".join(f"{v}× at batch {k}" for k, v in TARGETS.items())
                 + f";  hand/bound+ ≤ {HAND_TARGET}×;  fit faster than torch")
    shuf = ", ".join(f"batch {r['batch']} {r['dtype']}: {r['shuffle']} ({sec(r['bound_take'])} take / "
                     f"{sec(r['bound_copy'])} copy)" for r in rows)
    lines.append("bound   = shuffle + the 5 products of training (X_b W1ᵀ, a1 W2ᵀ, δ2ᵀ a1, δ2 W2, δ1ᵀ X_b), "
                 "preallocated, out=; the cheaper shuffle per row:")
    lines.append(f"          {shuf}")
    lines.append("          take = rng.permutation + np.take of each batch into a buffer; "
                 "copy = one permuted copy of X, then slices")
    lines.append("bound+  = bound + the input gradient δ1 W1 that model.backward returns (the hand loop's yardstick)")
    lines.append("fit     = nl.fit(..., epochs=1, progress=False);  hand = the chapter-06 loop over "
                 "nl.data.minibatches with model.forward/loss.forward/model.backward/opt.step")
    lines.append(f"torch   = " + (f"PyTorch {torch.__version__} CPU, same net and loop, "
                                 f"torch.set_num_threads({threads})" if torch is not None else missing))
    if sk_nn is not None:
        import sklearn
        lines.append(f"sklearn = scikit-learn {sklearn.__version__} MLPClassifier(solver='sgd', max_iter=1, "
                     f"momentum=0, alpha=0), one epoch (its fit includes input checks and initialisation)")
    else:
        lines.append(f"sklearn = {missing}")
    return "\n".join(lines)


# -- where the time goes: a per-batch breakdown --------------------------------------------------

def breakdown(n: int = 60_000, batch_sizes=(128, 16), dtypes=(np.float32, np.float64), log=print) -> list:
    """µs per batch of each step of fit's inner loop (nnlab's kernels, timed one by one), next to
    the same steps of the bound's loop. Shows where nnlab spends time beyond the GEMM bound."""
    out = []
    for B in batch_sizes:
        for dt in dtypes:
            X, y = make_data(n, dt)
            steps = _time_fit_steps(X, y, B)
            raw = _time_raw_steps(X, B)
            out.append((B, np.dtype(dt).name, steps, raw, _fit_fixed_cost(X, y)))
            del X, y
    log(breakdown_report(out, n))
    return out


def _time_fit_steps(X, y, B, epochs: int = 2):
    """The body of nl.fit's loop (nnlab.training._train_epoch), statement by statement, each timed;
    best epoch per step. Keep in step with training.py when its loop changes."""
    model, loss, opt = nnlab_net(X.dtype)
    dense1, relu, dense2 = model.layers
    rng = np.random.default_rng(0)
    N = len(X)
    clock = time.perf_counter
    best = None
    for _ in range(epochs + 1):  # the first epoch warms up
        acc = dict.fromkeys(["shuffle+gather", "Dense1.forward", "ReLU.forward", "Dense2.forward",
                             "loss.forward", "zero_grad", "loss.backward", "Dense2.backward",
                             "ReLU.backward", "Dense1.backward", "opt.step", "bookkeeping"], 0.0)
        t = clock()
        order = rng.permutation(N)
        acc["shuffle+gather"] += clock() - t
        for i in range(0, N, B):
            t0 = clock()
            idx = order[i:i + B]
            xb, yb = X.take(idx, axis=0), y.take(idx, axis=0)
            t1 = clock()
            lr_now = opt.current_lr()  # noqa: F841
            t2 = clock()
            a1 = dense1._forward(xb)
            t3 = clock()
            h = relu._forward(a1)
            t4 = clock()
            z = dense2._forward(h)
            t5 = clock()
            C = loss._forward(z, yb)
            t6 = clock()
            finite = math.isfinite(C)  # noqa: F841
            t7 = clock()
            model.zero_grad()
            t8 = clock()
            g = loss.backward()
            t9 = clock()
            g = dense2._backward(g, True)
            t10 = clock()
            g = relu._backward(g, True)
            t11 = clock()
            dense1._backward(g, False)
            t12 = clock()
            opt.step()
            t13 = clock()
            correct = int(np.count_nonzero(z.argmax(axis=1) == yb))  # noqa: F841
            t14 = clock()
            acc["shuffle+gather"] += t1 - t0
            acc["bookkeeping"] += (t2 - t1) + (t7 - t6) + (t14 - t13)
            acc["Dense1.forward"] += t3 - t2
            acc["ReLU.forward"] += t4 - t3
            acc["Dense2.forward"] += t5 - t4
            acc["loss.forward"] += t6 - t5
            acc["zero_grad"] += t8 - t7
            acc["loss.backward"] += t9 - t8
            acc["Dense2.backward"] += t10 - t9
            acc["ReLU.backward"] += t11 - t10
            acc["Dense1.backward"] += t12 - t11
            acc["opt.step"] += t13 - t12
        best = acc if best is None else {k: min(best[k], acc[k]) for k in acc}
    n_batches = math.ceil(N / B)
    return {k: v / n_batches * 1e6 for k, v in best.items()}


def _time_raw_steps(X, B, epochs: int = 2):
    """The bound's loop (shuffle with np.take into a buffer, then the six products), statement by
    statement, each timed the same way as fit's: same data, same interleaving, best epoch per step."""
    N, n_in = X.shape
    dt = X.dtype
    init = np.random.default_rng(1)
    W1 = (init.standard_normal((N_HIDDEN, n_in)) * math.sqrt(2 / n_in)).astype(dt)
    W2 = (init.standard_normal((N_OUT, N_HIDDEN)) * math.sqrt(2 / N_HIDDEN)).astype(dt)
    W1T, W2T = W1.T, W2.T
    xbuf = np.empty((B, n_in), dt)
    a1b, z2b = np.empty((B, N_HIDDEN), dt), np.empty((B, N_OUT), dt)
    d1b, dxb = np.empty((B, N_HIDDEN), dt), np.empty((B, n_in), dt)
    dW1, dW2 = np.empty_like(W1), np.empty_like(W2)
    rng = np.random.default_rng(0)
    clock, matmul, take = time.perf_counter, np.matmul, np.take
    names = ["shuffle+gather", "X_b W1ᵀ", "a1 W2ᵀ", "δ2ᵀ a1", "δ2 W2", "δ1ᵀ X_b", "δ1 W1 (input grad)"]
    best = None
    for _ in range(epochs + 1):  # the first epoch warms up
        acc = dict.fromkeys(names, 0.0)
        t = clock()
        order = rng.permutation(N)
        acc["shuffle+gather"] += clock() - t
        for i in range(0, N, B):
            n = min(B, N - i)
            x, a1, z2, d1, dx = xbuf[:n], a1b[:n], z2b[:n], d1b[:n], dxb[:n]
            t0 = clock()
            take(X, order[i:i + n], axis=0, out=x, mode="clip")
            t1 = clock()
            matmul(x, W1T, out=a1)
            t2 = clock()
            matmul(a1, W2T, out=z2)
            t3 = clock()
            matmul(z2.T, a1, out=dW2)
            t4 = clock()
            matmul(z2, W2, out=d1)
            t5 = clock()
            matmul(d1.T, x, out=dW1)
            t6 = clock()
            matmul(d1, W1, out=dx)
            t7 = clock()
            for k, (u, v) in zip(names, ((t0, t1), (t1, t2), (t2, t3), (t3, t4), (t4, t5), (t5, t6), (t6, t7))):
                acc[k] += v - u
        best = acc if best is None else {k: min(best[k], acc[k]) for k in acc}
    n_batches = math.ceil(N / B)
    return {k: v / n_batches * 1e6 for k, v in best.items()}


def _fit_fixed_cost(X, y) -> float:
    """µs that every nl.fit call spends before its first batch: checking X and y, one permutation."""
    model, loss, _ = nnlab_net(X.dtype)
    from nnlab.training import _data
    best = float("inf")
    for _ in range(5):
        t = time.perf_counter()
        _data(model, loss, X, y, "nnlab.fit")
        np.random.default_rng(0).permutation(len(X))
        best = min(best, time.perf_counter() - t)
    return best * 1e6


def breakdown_report(out, n) -> str:
    blocks = []
    for B, dt, steps, raw, fixed in out:
        bound = {"shuffle+gather": raw["shuffle+gather"], "Dense1.forward": raw["X_b W1ᵀ"],
                 "Dense2.forward": raw["a1 W2ᵀ"], "Dense2.backward": raw["δ2ᵀ a1"] + raw["δ2 W2"],
                 "Dense1.backward": raw["δ1ᵀ X_b"]}
        rows = []
        for k, v in steps.items():
            g = bound.get(k)
            rows.append([k, f"{v:.1f}", "-" if g is None else f"{g:.1f}", f"{v - (g or 0.0):.1f}"])
        n_batches = math.ceil(n / B)
        rows.append(["fit() call: checks + permutation", f"{fixed / n_batches:.1f}", "-", f"{fixed / n_batches:.1f}"])
        total = sum(steps.values()) + fixed / n_batches
        btotal = sum(bound.values())
        rows.append(["total", f"{total:.1f}", f"{btotal:.1f}", f"{total - btotal:.1f}"])
        rows.append(["(input grad δ1 W1, hand loop only)", "-", f"{raw['δ1 W1 (input grad)']:.1f}", "-"])
        blocks.append(table(["step of fit's loop", "fit µs/batch", "bound µs/batch", "overhead µs"], rows,
                            title=f"batch {B}, {dt} (fit() fixed cost {fixed / 1e3:.1f} ms per call, "
                                  f"spread over {n_batches} batches):"))
    head = (f"1b. Where fit's time goes, µs per batch (N={n:,}; each statement of fit's loop and of the "
            "bound's loop timed on its own, best of 2 epochs)")
    return head + "\n\n" + "\n\n".join(blocks)


if __name__ == "__main__":
    from _common import machine_line
    print(machine_line())
    run()
    breakdown()
