"""LSTM speed: nl.LSTM forward + backward against torch.nn.LSTM on the CPU in float64, same run.

N = 64 sequences of T = 50 steps, n_in = 16, n_hidden = 64; the backward pass takes a random
upstream gradient ∂C/∂h for every step and computes ∂C/∂x as well as the weight gradients, on both
sides (torch: the input has requires_grad=True). Both are timed round-robin, best of k after a
warm-up, with torch.set_num_threads equal to numpy's BLAS threads.

Target: nnlab ≤ 2 × torch.  Without torch, nnlab's times are printed alone.

Run: python benchmarks/run.py --only lstm   (or python benchmarks/lstm.py)
"""

from __future__ import annotations

import numpy as np

from _common import optional, race, ratio, table, verdict

import nnlab as nl

N, T, N_IN, N_HIDDEN = 64, 50, 16, 64
TARGET = 2.0


def contenders(torch, threads: int, seed: int = 0) -> dict:
    """Zero-argument callables: nnlab's forward+backward (public methods), its kernels alone, torch's."""
    rng = np.random.default_rng(seed)
    lstm = nl.LSTM(N_IN, N_HIDDEN, rng=rng)
    x = rng.standard_normal((N, T, N_IN))
    G = rng.standard_normal((N, T, N_HIDDEN))

    def nnlab_step():
        lstm.forward(x)
        lstm.zero_grad()
        lstm.backward(G)

    def nnlab_forward():
        lstm.forward(x)

    out = {"nnlab": nnlab_step, "nnlab forward": nnlab_forward}
    if torch is not None:
        torch.set_num_threads(threads)
        ref = torch.nn.LSTM(N_IN, N_HIDDEN, batch_first=True, dtype=torch.float64)
        with torch.no_grad():                   # the same weights (b split as b_ih = b, b_hh = 0)
            ref.weight_ih_l0.copy_(torch.from_numpy(lstm.W_x.data))
            ref.weight_hh_l0.copy_(torch.from_numpy(lstm.W_h.data))
            ref.bias_ih_l0.copy_(torch.from_numpy(lstm.b.data))
            ref.bias_hh_l0.zero_()
        xt = torch.from_numpy(x.copy()).requires_grad_()
        Gt = torch.from_numpy(G.copy())

        def torch_step():
            ref.zero_grad(set_to_none=True)
            xt.grad = None
            h, _ = ref(xt)
            h.backward(Gt)

        def torch_forward():
            with torch.no_grad():
                ref(xt)

        out["torch"] = torch_step
        out["torch forward"] = torch_forward
    return out


def run(repeat: int = 20, peers: bool = True, log=print) -> dict:
    from speed import blas_threads

    torch = optional("torch") if peers else None
    threads = blas_threads()
    best = race(contenders(torch, threads), repeat=repeat, warmup=2)
    t_nn, t_torch = best["nnlab"], best.get("torch")
    ok = t_torch is None or t_nn <= TARGET * t_torch
    rows = [["forward + backward", f"{1e3 * t_nn:.2f}", "-" if t_torch is None else f"{1e3 * t_torch:.2f}",
             ratio(t_nn, t_torch), f"≤ {TARGET}", verdict(ok) if t_torch is not None else "-"],
            ["forward only", f"{1e3 * best['nnlab forward']:.2f}",
             "-" if t_torch is None else f"{1e3 * best['torch forward']:.2f}",
             ratio(best["nnlab forward"], best.get("torch forward")), "", ""]]
    missing = "not installed" if peers else "skipped (--no-peers)"
    lines = [table(["pass", "nl.LSTM ms", "torch.nn.LSTM ms", "nnlab/torch", "target", "result"], rows,
                   title=f"5. LSTM: N={N}, T={T}, n_in={N_IN}, n_hidden={N_HIDDEN}, float64, "
                         f"best of {repeat} in turns")]
    lines.append("forward + backward = forward, then backward with a random ∂C/∂h for every step "
                 "(weight gradients and ∂C/∂x, both sides)")
    lines.append("torch = " + (f"PyTorch {torch.__version__} CPU, torch.set_num_threads({threads})"
                               if torch is not None else missing))
    log("\n".join(lines))
    return {"nnlab": t_nn, "torch": t_torch, "ok": ok}


if __name__ == "__main__":
    from _common import machine_line
    print(machine_line())
    run()
