"""Digits accuracy: nnlab's recipe against scikit-learn's MLPClassifier() on the same five splits.

The 1797 8×8 digits that ship with nnlab, a stratified 75/25 train/test split per seed 0–4. The
recipe below sees only the training part; the test part is used once, to score the trained model.

Target: mean test accuracy ≥ 98.2 % over the five seeds, with ≤ 1 s of training per run.

Run: python benchmarks/run.py --only digits   (or python benchmarks/digits.py)
"""

from __future__ import annotations

import math
import time
import warnings

import numpy as np

from _common import optional, sec, table, verdict

import nnlab as nl


def nnlab_digits_recipe(X_train, y_train, rng):
    """Train nnlab's network for the digits and return it: an nl.Sequential taking raw pixels.

    64-256-10 ReLU MLP in float32, inputs standardised with the training mean and std, Gaussian
    input noise σ = 0.5 (in standardised units, drawn afresh every epoch: data augmentation),
    Adam with a cosine-decayed learning rate 3e-3 → 0 over 60 epochs of batch 64, no dropout.
    The standardisation is folded into the first layer at the end (W ← W/σ, b ← b − W μ/σ), so
    the returned model takes the same [0, 1] pixels as the test set.

    Tuned on the training splits only (five seeds × three training seeds); the test part is never
    seen here. Noise helped most (+0.5 points); dropout 0.1–0.2, ELU, wider (512) layers, and ±1-pixel
    shifts (np.roll) did not help on 8×8 images; a 2-net ensemble gave the same accuracy for
    twice the time.
    """
    dtype = np.float32
    hidden, epochs, batch_size, lr0, noise = 256, 60, 64, 3e-3, 0.5

    X_train = np.asarray(X_train, dtype=np.float64)
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std = np.where(std < 1e-8, 1.0, std)  # constant pixels (always blank) are only centred
    Xs = ((X_train - mean) / std).astype(dtype)

    first = nl.Dense(64, hidden, rng=rng, dtype=dtype)
    model = nl.Sequential(first, nl.ReLU(), nl.Dense(hidden, 10, rng=rng, dtype=dtype))
    loss = nl.SoftmaxCrossEntropy()
    steps = epochs * math.ceil(len(Xs) / batch_size)
    opt = nl.Adam(model.parameters(), lr=nl.schedules.cosine_decay(lr0, steps))
    for _ in range(epochs):
        Xn = Xs + rng.standard_normal(Xs.shape, dtype=dtype) * dtype(noise)
        nl.fit(model, loss, opt, Xn, y_train, epochs=1, batch_size=batch_size, rng=rng, progress=False)

    # z = ((x − μ)/σ) Wᵀ + b = x (W/σ)ᵀ + (b − (W/σ) μ): the model then takes raw pixels.
    W = first.W.data.astype(np.float64) / std
    first.b.data[...] = first.b.data - W @ mean
    first.W.data[...] = W
    return model


# -- the benchmark -------------------------------------------------------------------------------

SEEDS = (0, 1, 2, 3, 4)
TARGET_ACC, TARGET_TIME = 0.982, 1.0


def stratified_split(X, y, test_fraction: float, rng):
    """(X_train, y_train), (X_test, y_test): nl.data.split(..., stratify=True), or the same inline."""
    split = getattr(nl.data, "split", None)
    if split is not None:
        try:
            return split(X, y, (1 - test_fraction, test_fraction), rng=rng, stratify=True)
        except TypeError:  # an older split without stratify
            pass
    train, test = [], []
    for c in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == c))
        n_test = int(round(test_fraction * len(members)))
        test.append(members[:n_test])
        train.append(members[n_test:])
    tr, te = rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))
    return (X[tr], y[tr]), (X[te], y[te])


def sklearn_digits(sk_nn, X_train, y_train, seed):
    from sklearn.exceptions import ConvergenceWarning

    clf = sk_nn.MLPClassifier(max_iter=200, random_state=seed)  # defaults: 100 ReLU, Adam 1e-3, batch 200
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_train, y_train)
    return clf.predict


def run(seeds=SEEDS, peers: bool = True, log=print) -> dict:
    X, y = nl.data.load_digits()
    sk_nn = optional("sklearn.neural_network") if peers else None
    rows = []
    for seed in seeds:
        (Xtr, ytr), (Xte, yte) = stratified_split(X, y, 0.25, np.random.default_rng(seed))
        start = time.perf_counter()
        model = nnlab_digits_recipe(Xtr, ytr, np.random.default_rng(seed))
        t_nl = time.perf_counter() - start
        acc_nl = float(np.mean(nl.predict(model, Xte).argmax(axis=1) == yte))
        acc_sk = t_sk = None
        if sk_nn is not None:
            start = time.perf_counter()
            sk_predict = sklearn_digits(sk_nn, Xtr, ytr, seed)
            t_sk = time.perf_counter() - start
            acc_sk = float(np.mean(sk_predict(Xte) == yte))
        rows.append(dict(seed=seed, n_train=len(ytr), n_test=len(yte), acc=acc_nl, time=t_nl,
                         sk_acc=acc_sk, sk_time=t_sk))
    log(report(rows, sk_nn, peers))
    return {"rows": rows}


def _pct(x):
    return "-" if x is None else f"{100 * x:.2f}"


def report(rows, sk_nn, peers=True) -> str:
    def mean(key):
        vals = [r[key] for r in rows if r[key] is not None]
        return sum(vals) / len(vals) if vals else None

    body = [[str(r["seed"]), _pct(r["acc"]), sec(r["time"]), _pct(r["sk_acc"]), sec(r["sk_time"])] for r in rows]
    body.append(["mean", _pct(mean("acc")), sec(mean("time")), _pct(mean("sk_acc")), sec(mean("sk_time"))])
    r0 = rows[0]
    title = (f"2. Digits: test accuracy (%) and training time (s), stratified 75/25 split "
             f"({r0['n_train']} train / {r0['n_test']} test), seeds {rows[0]['seed']}–{rows[-1]['seed']}")
    lines = [table(["seed", "nnlab acc", "nnlab time", "sklearn acc", "sklearn time"], body, title=title)]
    ok_acc = mean("acc") >= TARGET_ACC
    ok_time = max(r["time"] for r in rows) <= TARGET_TIME
    lines.append("")
    lines.append(f"target: mean accuracy ≥ {100 * TARGET_ACC:.1f} %: {verdict(ok_acc)};  "
                 f"training ≤ {TARGET_TIME:.1f} s per run (slowest {max(r['time'] for r in rows):.3f} s): "
                 f"{verdict(ok_time)}")
    lines.append("nnlab   = nnlab_digits_recipe in benchmarks/digits.py (" +
                 " ".join((nnlab_digits_recipe.__doc__ or "").split("\n\n")[1].split()) + ")")
    if sk_nn is not None:
        import sklearn
        lines.append(f"sklearn = scikit-learn {sklearn.__version__} MLPClassifier() defaults (100 ReLU units, "
                     f"Adam, max_iter=200, random_state=seed) on the same [0, 1] pixels")
    else:
        lines.append("sklearn = " + ("not installed" if peers else "skipped (--no-peers)"))
    return "\n".join(lines)


if __name__ == "__main__":
    run()
