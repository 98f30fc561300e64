"""Sequential models: whole-network gradient checks, independent references (Nielsen-style loops and
torch autograd), a hand-worked 2-2-1 network, modes, dtype, invariants.

Chapters 03, 07, 09, 10.
"""

import math

import numpy as np
import pytest

import nnlab as nl
from nnlab.gradcheck import check_model
from helpers import away_from_kinks, central_diff, param_grad_numeric, rel_err


@pytest.fixture
def rng():
    return np.random.default_rng(31337)


def randomize_biases(model, rng, scale=0.5):
    for p in model.parameters():
        if p.name.endswith(".b"):
            p.data[...] = scale * rng.standard_normal(p.shape)
    return model


def mlp_several_activations(rng, n_in=5, n_out=3):
    return randomize_biases(nl.Sequential(
        nl.Dense(n_in, 6, rng=rng, init="xavier"), nl.Tanh(),
        nl.Dense(6, 6, rng=rng), nl.ReLU(),
        nl.Dense(6, 5, rng=rng), nl.ELU(alpha=0.8),
        nl.Dense(5, 4, rng=rng, init="xavier"), nl.Sigmoid(),
        nl.Dense(4, n_out, rng=rng),
    ), rng)


def residual_net(rng, n_in=4, n_out=3):
    return randomize_biases(nl.Sequential(
        nl.Dense(n_in, 5, rng=rng), nl.Tanh(),
        nl.Residual(nl.Dense(5, 5, rng=rng), nl.ReLU()),
        nl.Residual(nl.Dense(5, 7, rng=rng), nl.ELU(), nl.Dense(7, 5, rng=rng)),
        nl.Dense(5, n_out, rng=rng),
    ), rng)


def dropout_net(rng, n_in=4, n_out=3):
    return randomize_biases(nl.Sequential(
        nl.Dense(n_in, 8, rng=rng), nl.ReLU(), nl.Dropout(0.3, rng=rng),
        nl.Dense(8, 6, rng=rng), nl.Tanh(), nl.Dropout(0.5, rng=rng),
        nl.Dense(6, n_out, rng=rng),
    ), rng)


def softmax_out_net(rng, n_in=4, n_out=3):
    return randomize_biases(nl.Sequential(nl.Dense(n_in, 5, rng=rng), nl.Sigmoid(),
                                          nl.Dense(5, n_out, rng=rng), nl.Softmax()), rng)


NETS = {"mlp": mlp_several_activations, "residual": residual_net, "dropout": dropout_net,
        "softmax_out": softmax_out_net}


def targets(loss_name, rng, N, K):
    if loss_name == "cross_entropy":
        return nl.SoftmaxCrossEntropy(), rng.integers(0, K, size=N)
    return nl.SquaredError(), rng.standard_normal((N, K))


# --------------------------------------------------------------------------------------------
# whole-model gradient checks
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("net", sorted(NETS))
@pytest.mark.parametrize("loss_name", ["cross_entropy", "squared"])
def test_check_model_full(net, loss_name, rng):
    model = NETS[net](rng)
    n_in = model.n_in
    x = away_from_kinks(rng, (6, n_in))
    loss, y = targets(loss_name, rng, 6, 3)
    report = check_model(model, loss, x, y)
    assert report.ok, str(report)
    assert report.worst < 1e-6, str(report)
    labels = [r[0] for r in report.rows]
    assert len(labels) == len(model.parameters()) + 1 and labels[-1] == "input x"
    assert labels[0].startswith("[0] Dense(")


@pytest.mark.parametrize("net", sorted(NETS))
@pytest.mark.parametrize("loss_name", ["cross_entropy", "squared"])
def test_check_model_direction(net, loss_name, rng):
    model = NETS[net](rng)
    x = away_from_kinks(rng, (6, model.n_in))
    loss, y = targets(loss_name, rng, 6, 3)
    report = check_model(model, loss, x, y, rng=rng, method="direction")
    assert len(report.rows) == 1
    assert report.ok and report.worst < 1e-6, str(report)


@pytest.mark.parametrize("net", sorted(NETS))
def test_model_gradients_against_independent_central_differences(net, rng):
    """The same comparison as check_model but written here, through the public API only."""
    model = NETS[net](rng)
    drops = [l for l in model.layers if isinstance(l, nl.Dropout)]
    states = [d.rng.bit_generator.state for d in drops]
    x = away_from_kinks(rng, (4, model.n_in))
    y = rng.integers(0, 3, size=4)

    def C(xx):
        for d, s in zip(drops, states):
            d.rng.bit_generator.state = s
        return nl.SoftmaxCrossEntropy().forward(model.forward(xx), y)

    loss = nl.SoftmaxCrossEntropy()
    for d, s in zip(drops, states):
        d.rng.bit_generator.state = s
    loss.forward(model.forward(x), y)
    model.zero_grad()
    dx = model.backward(loss.backward())
    grads = [p.grad.copy() for p in model.parameters()]
    assert rel_err(dx, central_diff(C, x)) < 1e-7
    for p, g in zip(model.parameters(), grads):
        assert rel_err(g, param_grad_numeric(lambda: C(x), p.data)) < 1e-7, p.name


# --------------------------------------------------------------------------------------------
# an independent reference: Nielsen's backprop, one example at a time, column vectors
# --------------------------------------------------------------------------------------------

def sigma(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigma_prime(z):
    return sigma(z) * (1.0 - sigma(z))


def nielsen_backprop(weights, biases, X, Y, funcs, output_delta):
    """Feedforward and backprop per example with explicit loops over layers (network.py style).

    funcs[l] = (f, f′) for layer l; output_delta(a_L, z_L, y) = δ^L.  Returns the outputs, the
    mean nabla_w / nabla_b over the batch and the mean ∂C/∂x (δ¹ pushed through W¹).
    """
    nabla_w = [np.zeros(w.shape) for w in weights]
    nabla_b = [np.zeros(b.shape) for b in biases]
    outputs, dxs = [], []
    L = len(weights)
    for x, y in zip(X, Y):
        activation = x.reshape(-1, 1)
        activations = [activation]
        zs = []
        for (w, b), (f, _) in zip(zip(weights, biases), funcs):
            z = np.dot(w, activation) + b.reshape(-1, 1)       # z^l = w^l a^{l−1} + b^l
            zs.append(z)
            activation = f(z)                                   # a^l = σ(z^l)
            activations.append(activation)
        outputs.append(activation.ravel())
        delta = output_delta(activations[-1], zs[-1], y)       # BP1
        nabla_b[-1] += delta.ravel()                           # BP3
        nabla_w[-1] += np.dot(delta, activations[-2].T)        # BP4
        for l in range(2, L + 1):
            f_prime = funcs[-l][1]
            delta = np.dot(weights[-l + 1].T, delta) * f_prime(zs[-l])   # BP2
            nabla_b[-l] += delta.ravel()
            nabla_w[-l] += np.dot(delta, activations[-l - 1].T)
        dxs.append(np.dot(weights[0].T, delta).ravel())
    N = len(X)
    return (np.array(outputs), [nw / N for nw in nabla_w], [nb / N for nb in nabla_b],
            np.array(dxs) / N)


def test_sigmoid_mlp_against_nielsen_loops(rng):
    # Nielsen's first network: sigmoid everywhere, quadratic cost C = (1/N) Σ_x ½‖a^L − y‖²
    sizes = [4, 6, 5, 3]
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        layers += [nl.Dense(n_in, n_out, rng=rng, init="standard"), nl.Sigmoid()]
    model = randomize_biases(nl.Sequential(*layers), rng, scale=1.0)
    dense = [l for l in model.layers if isinstance(l, nl.Dense)]
    weights = [d.W.data.copy() for d in dense]
    biases = [d.b.data.copy() for d in dense]
    X = rng.standard_normal((7, 4))
    Y = rng.uniform(size=(7, 3))

    out, nabla_w, nabla_b, dx_ref = nielsen_backprop(
        weights, biases, X, Y, [(sigma, sigma_prime)] * 3,
        lambda a, z, y: (a - y.reshape(-1, 1)) * sigma_prime(z))
    C_ref = np.mean([0.5 * np.sum((o - y) ** 2) for o, y in zip(out, Y)])

    loss = nl.SquaredError()
    a = model.forward(X)
    C = loss.forward(a, Y)
    model.zero_grad()
    dx = model.backward(loss.backward())
    np.testing.assert_allclose(a, out, rtol=1e-13)
    assert C == pytest.approx(C_ref, rel=1e-13)
    np.testing.assert_allclose(dx, dx_ref, rtol=1e-11, atol=1e-16)
    for d, nw, nb in zip(dense, nabla_w, nabla_b):
        np.testing.assert_allclose(d.W.grad, nw, rtol=1e-11, atol=1e-16)
        np.testing.assert_allclose(d.b.grad, nb, rtol=1e-11, atol=1e-16)


def test_mixed_mlp_with_cross_entropy_against_nielsen_loops(rng):
    model = randomize_biases(nl.Sequential(
        nl.Dense(3, 5, rng=rng), nl.Tanh(), nl.Dense(5, 4, rng=rng), nl.ReLU(),
        nl.Dense(4, 6, rng=rng), nl.ELU(alpha=0.5), nl.Dense(6, 4, rng=rng)), rng)
    dense = [l for l in model.layers if isinstance(l, nl.Dense)]
    weights = [d.W.data.copy() for d in dense]
    biases = [d.b.data.copy() for d in dense]
    funcs = [(np.tanh, lambda z: 1 - np.tanh(z) ** 2),
             (lambda z: np.maximum(z, 0), lambda z: (z > 0) * 1.0),
             (lambda z: np.where(z > 0, z, 0.5 * (np.exp(z) - 1)), lambda z: np.where(z > 0, 1.0, 0.5 * np.exp(z))),
             (lambda z: z, lambda z: np.ones_like(z))]   # logits: no activation on the last layer
    X = away_from_kinks(rng, (9, 3))
    y = rng.integers(0, 4, size=9)

    def output_delta(zL, _z, label):  # δ^L = softmax(z^L) − onehot(y) for cross-entropy
        e = np.exp(zL - zL.max())
        s = e / e.sum()
        s[label] -= 1.0
        return s

    out, nabla_w, nabla_b, dx_ref = nielsen_backprop(weights, biases, X, y, funcs, output_delta)
    loss = nl.SoftmaxCrossEntropy()
    z = model.forward(X)
    C = loss.forward(z, y)
    model.zero_grad()
    dx = model.backward(loss.backward())
    np.testing.assert_allclose(z, out, rtol=1e-12, atol=1e-15)
    C_ref = np.mean([np.log(np.sum(np.exp(o))) - o[t] for o, t in zip(out, y)])
    assert C == pytest.approx(C_ref, rel=1e-12)
    np.testing.assert_allclose(dx, dx_ref, rtol=1e-10, atol=1e-15)
    for d, nw, nb in zip(dense, nabla_w, nabla_b):
        np.testing.assert_allclose(d.W.grad, nw, rtol=1e-10, atol=1e-15)
        np.testing.assert_allclose(d.b.grad, nb, rtol=1e-10, atol=1e-15)


# --------------------------------------------------------------------------------------------
# an independent reference: torch autograd in float64 (optional)
# --------------------------------------------------------------------------------------------

def torch_forward(torch, model, x, params):
    """Run nnlab `model`'s architecture in torch with torch tensors `params` (one per Parameter)."""
    F = torch.nn.functional
    it = iter(params)

    def run(layer, a):
        if isinstance(layer, nl.Sequential):
            for child in layer.layers:
                a = run(child, a)
            return a
        if isinstance(layer, nl.Residual):
            return a + run(layer.block, a)
        if isinstance(layer, nl.Dense):
            W, b = next(it), next(it)
            return a @ W.T + b
        if isinstance(layer, nl.Dropout):  # nnlab's last mask, held fixed
            return a * torch.tensor(layer.mask, dtype=torch.float64) / (1 - layer.p_drop)
        return {nl.Tanh: torch.tanh, nl.Sigmoid: torch.sigmoid, nl.ReLU: torch.relu,
                nl.Softmax: lambda t: torch.softmax(t, dim=1),
                nl.ELU: lambda t: F.elu(t, alpha=getattr(layer, "alpha", 1.0))}[type(layer)](a)

    return run(model, x)


@pytest.mark.parametrize("net", sorted(NETS))
@pytest.mark.parametrize("loss_name", ["cross_entropy", "squared"])
def test_against_torch_autograd(net, loss_name, rng):
    torch = pytest.importorskip("torch")
    model = NETS[net](rng)
    X = away_from_kinks(rng, (5, model.n_in))
    loss, y = targets(loss_name, rng, 5, 3)
    z = model.forward(X)  # draws the dropout masks that torch then reuses
    C = loss.forward(z, y)
    model.zero_grad()
    dx = model.backward(loss.backward())

    params = [torch.tensor(p.data, dtype=torch.float64, requires_grad=True) for p in model.parameters()]
    xt = torch.tensor(X, dtype=torch.float64, requires_grad=True)
    zt = torch_forward(torch, model, xt, params)
    if loss_name == "cross_entropy":
        Ct = torch.nn.functional.cross_entropy(zt, torch.tensor(y))
    else:
        Ct = 0.5 * ((zt - torch.tensor(y)) ** 2).sum() / X.shape[0]
    Ct.backward()

    np.testing.assert_allclose(z, zt.detach().numpy(), rtol=1e-12, atol=1e-14)
    assert C == pytest.approx(Ct.item(), rel=1e-12)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-9, atol=1e-14)
    for p, pt in zip(model.parameters(), params):
        np.testing.assert_allclose(p.grad, pt.grad.numpy(), rtol=1e-9, atol=1e-14, err_msg=p.name)


# --------------------------------------------------------------------------------------------
# golden: a 2-2-1 sigmoid network worked out by hand
# --------------------------------------------------------------------------------------------

def test_two_two_one_sigmoid_network_by_hand():
    """x = [1, 2], target y = 1, quadratic cost.

    hidden:  W¹ = [[ln 3, 0], [1, −0.5]], b¹ = [0, 0]
             z¹ = [ln 3·1 + 0·2, 1·1 − 0.5·2] = [ln 3, 0]
             a¹ = [σ(ln 3), σ(0)] = [1/(1 + 1/3), 1/2] = [0.75, 0.5]
    output:  W² = [[2, −1]], b² = [−1]
             z² = 2·0.75 − 1·0.5 − 1 = 0,   a² = σ(0) = 0.5
    cost:    C = ½ (0.5 − 1)² = 0.125
    BP1:     δ² = (a² − y) σ′(z²) = (−0.5)(0.25) = −0.125
    BP3/4:   ∂C/∂b² = −0.125;   ∂C/∂W² = δ² a¹ = [−0.125·0.75, −0.125·0.5] = [−0.09375, −0.0625]
    BP2:     δ¹ = (W²ᵀ δ²) ⊙ σ′(z¹) = [2·(−0.125), −1·(−0.125)] ⊙ [0.75·0.25, 0.5·0.5]
                = [−0.25·0.1875, 0.125·0.25] = [−0.046875, 0.03125]
    BP3/4:   ∂C/∂b¹ = δ¹;  ∂C/∂W¹ = δ¹ xᵀ = [[−0.046875, −0.09375], [0.03125, 0.0625]]
    input:   ∂C/∂x = W¹ᵀ δ¹ = [ln 3·(−0.046875) + 1·0.03125, 0 − 0.5·0.03125]
                   = [0.03125 − 0.046875 ln 3, −0.015625]
    """
    r = np.random.default_rng(0)
    hidden, out = nl.Dense(2, 2, rng=r), nl.Dense(2, 1, rng=r)
    model = nl.Sequential(hidden, nl.Sigmoid(), out, nl.Sigmoid())
    hidden.W.data[...] = [[math.log(3), 0.0], [1.0, -0.5]]
    hidden.b.data[...] = [0.0, 0.0]
    out.W.data[...] = [[2.0, -1.0]]
    out.b.data[...] = [-1.0]
    x = np.array([[1.0, 2.0]])
    y = np.array([[1.0]])

    a = model.forward(x)
    np.testing.assert_allclose(a, [[0.5]], atol=1e-15)
    np.testing.assert_allclose(model[1]._a, [[0.75, 0.5]], atol=1e-15)
    loss = nl.SquaredError()
    assert loss.forward(a, y) == pytest.approx(0.125, abs=1e-15)
    model.zero_grad()
    dx = model.backward(loss.backward())
    np.testing.assert_allclose(out.b.grad, [-0.125], atol=1e-15)
    np.testing.assert_allclose(out.W.grad, [[-0.09375, -0.0625]], atol=1e-15)
    np.testing.assert_allclose(hidden.b.grad, [-0.046875, 0.03125], atol=1e-15)
    np.testing.assert_allclose(hidden.W.grad, [[-0.046875, -0.09375], [0.03125, 0.0625]], atol=1e-15)
    np.testing.assert_allclose(dx, [[0.03125 - 0.046875 * math.log(3), -0.015625]], atol=1e-15)


def test_stacked_linear_layers_collapse_to_one(rng):
    # chapter 02: without a non-linearity, W²(W¹a + b¹) + b² = (W²W¹) a + (W²b¹ + b²)
    model = randomize_biases(nl.Sequential(nl.Dense(3, 5, rng=rng), nl.Dense(5, 2, rng=rng)), rng)
    (d1, d2) = model.layers
    single = nl.Dense(3, 2, rng=rng)
    single.W.data[...] = d2.W.data @ d1.W.data
    single.b.data[...] = d2.W.data @ d1.b.data + d2.b.data
    x = rng.standard_normal((6, 3))
    np.testing.assert_allclose(model.forward(x), single.forward(x), rtol=1e-12, atol=1e-14)


# --------------------------------------------------------------------------------------------
# Sequential mechanics
# --------------------------------------------------------------------------------------------

def test_forward_is_the_composition_of_layer_forwards(rng):
    model = mlp_several_activations(rng)
    x = rng.standard_normal((4, 5))
    a = x
    for layer in model.layers:
        a = layer.forward(a)
    np.testing.assert_array_equal(model.forward(x), a)
    np.testing.assert_array_equal(model(x), a)


def test_hand_written_backward_layer_by_layer_after_model_forward(rng):
    """Chapter 07's hand-written pass: model.forward, then each layer's backward in reverse order.

    Must agree with model.backward (and not claim that forward never ran).
    """
    model = residual_net(rng)
    x = away_from_kinks(rng, (5, 4))
    y = rng.integers(0, 3, size=5)
    loss = nl.SoftmaxCrossEntropy()

    loss.forward(model.forward(x), y)
    model.zero_grad()
    dx_model = model.backward(loss.backward())
    grads_model = [p.grad.copy() for p in model.parameters()]

    loss.forward(model.forward(x), y)
    model.zero_grad()
    g = loss.backward()
    for layer in reversed(model.layers):
        g = layer.backward(g)
    np.testing.assert_allclose(g, dx_model, rtol=1e-14)
    for p, gm in zip(model.parameters(), grads_model):
        np.testing.assert_allclose(p.grad, gm, rtol=1e-14)


def test_layer_backward_checks_the_batch_of_the_latest_forward(rng):
    # the layer ran alone on 5 examples, then inside the model on 3: its backward takes 3
    model = nl.Sequential(nl.Dense(2, 3, rng=rng), nl.Tanh())
    model[0].forward(rng.standard_normal((5, 2)))
    model.forward(rng.standard_normal((3, 2)))
    g = model[1].backward(np.ones((3, 3)))
    assert model[0].backward(g).shape == (3, 2)


def test_parameters_order_counts_and_containers(rng):
    d1, d2 = nl.Dense(64, 128, rng=rng), nl.Dense(128, 10, rng=rng)
    model = nl.Sequential(d1, nl.ReLU(), d2)
    assert model.parameters() == [d1.W, d1.b, d2.W, d2.b]
    assert model.n_params == 64 * 128 + 128 + 128 * 10 + 10 == 9610
    assert model.n_in == 64 and model.n_out == 10
    assert len(model) == 3 and model[1].__class__ is nl.ReLU and list(model) == model.layers
    same = nl.Sequential([d1, nl.ReLU(), d2])
    assert same.parameters() == model.parameters()
    text = model.summary()
    assert "9,610" in text and "8,320" in text and "1,290" in text
    assert "(N, 128)" in text and "(N, 10)" in text
    assert text.splitlines()[-1].startswith("total")
    assert repr(model).startswith("Sequential(\n    Dense(n_in=64, n_out=128),")


def test_leading_width_keeping_layers(rng):
    model = nl.Sequential(nl.Tanh(), nl.Dense(3, 2, rng=rng))
    assert model.n_in == 3 and model.n_out == 2
    only_act = nl.Sequential(nl.ReLU(), nl.Sigmoid())
    assert only_act.n_in is None and only_act.n_out is None
    np.testing.assert_allclose(only_act.forward(np.array([[-1.0, 0.0, 2.0]])),
                               [[0.5, 0.5, 1 / (1 + math.exp(-2))]], rtol=1e-15)


def test_width_mismatch_raises_at_construction(rng):
    with pytest.raises(ValueError, match=r"Sequential: layer 2 \(Dense\(n_in=4, n_out=1\)\) must take 3 "
                                         r"inputs.*got n_in=4"):
        nl.Sequential(nl.Dense(2, 3, rng=rng), nl.ReLU(), nl.Dense(4, 1, rng=rng))


def test_train_eval_propagate_into_nested_containers(rng):
    inner_drop = nl.Dropout(0.5, rng=rng)
    outer_drop = nl.Dropout(0.5, rng=rng)
    res = nl.Residual(nl.Dense(4, 4, rng=rng), nl.ReLU(), inner_drop)
    model = nl.Sequential(nl.Dense(4, 4, rng=rng), outer_drop, res, nl.Sequential(nl.Tanh()))
    leaves = [outer_drop, inner_drop, res, res.block, model[3], model[3][0], model[0]]
    assert model.eval() is model
    assert not model.training and all(not l.training for l in leaves)
    x = rng.standard_normal((10, 4))
    np.testing.assert_array_equal(model.forward(x), model.forward(x))  # eval: deterministic
    assert model.train() is model
    assert model.training and all(l.training for l in leaves)
    assert not np.array_equal(model.forward(x), model.forward(x))  # train: fresh masks


def test_eval_mode_dropout_net_equals_the_net_without_dropout(rng):
    model = dropout_net(rng)
    plain = nl.Sequential(*[l for l in model.layers if not isinstance(l, nl.Dropout)])
    x = rng.standard_normal((7, 4))
    model.eval()
    np.testing.assert_array_equal(model.forward(x), plain.forward(x))


def test_model_backward_twice_accumulates_and_zero_grad_resets(rng):
    model = residual_net(rng)
    x = rng.standard_normal((5, 4))
    y = rng.integers(0, 3, size=5)
    loss = nl.SoftmaxCrossEntropy()
    loss.forward(model.forward(x), y)
    model.zero_grad()
    g = loss.backward()
    model.backward(g)
    once = [p.grad.copy() for p in model.parameters()]
    model.backward(g)
    for p, o in zip(model.parameters(), once):
        np.testing.assert_allclose(p.grad, 2 * o, rtol=1e-13, atol=1e-16)
    model.zero_grad()
    for p in model.parameters():
        np.testing.assert_array_equal(p.grad, np.zeros(p.shape))
    model.backward(g)
    for p, o in zip(model.parameters(), once):
        np.testing.assert_allclose(p.grad, o, rtol=1e-14)


def test_float32_model_stays_float32(rng):
    model = nl.Sequential(nl.Dense(4, 6, rng=rng, dtype=np.float32), nl.ReLU(),
                          nl.Residual(nl.Dense(6, 6, rng=rng, dtype=np.float32), nl.Tanh()),
                          nl.Dropout(0.2, rng=rng), nl.Dense(6, 6, rng=rng, dtype=np.float32),
                          nl.ELU(), nl.Dense(6, 3, rng=rng, dtype=np.float32), nl.Sigmoid())
    assert model.dtype == np.float32
    x = rng.standard_normal((5, 4))  # float64 in: cast once at the boundary
    a = model.forward(x)
    assert a.dtype == np.float32
    loss = nl.SquaredError()
    loss.forward(a, np.zeros((5, 3)))
    g = loss.backward()
    assert g.dtype == np.float32
    dx = model.backward(g)
    assert dx.dtype == np.float32
    assert all(p.grad.dtype == np.float32 and p.data.dtype == np.float32 for p in model.parameters())
    ce = nl.SoftmaxCrossEntropy()
    ce.forward(a, np.array([0, 1, 2, 0, 1]))
    assert model.backward(ce.backward()).dtype == np.float32


def test_float32_and_float64_models_agree_to_float32_precision():
    m64 = mlp_several_activations(np.random.default_rng(1))
    r = np.random.default_rng(1)
    m32 = nl.Sequential(*[nl.Dense(l.n_in, l.n_out, rng=r, dtype=np.float32) if isinstance(l, nl.Dense) else l
                          for l in m64.layers])
    for p64, p32 in zip(m64.parameters(), m32.parameters()):
        p32.data[...] = p64.data
    x = np.random.default_rng(2).standard_normal((4, 5))
    np.testing.assert_allclose(m32.forward(x), m64.forward(x), rtol=1e-4, atol=1e-5)


def test_model_forward_backward_do_not_modify_inputs(rng):
    model = dropout_net(rng)
    x = rng.standard_normal((5, 4))
    x0 = x.copy()
    out = model.forward(x)
    G = rng.standard_normal(out.shape)
    G0 = G.copy()
    model.backward(G)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(G, G0)


@pytest.mark.parametrize("method", ["full", "direction"])
@pytest.mark.parametrize("loss_name", ["cross_entropy", "squared"])
def test_check_model_does_not_modify_inputs_or_parameters(method, loss_name, rng):
    model = dropout_net(rng)
    x = away_from_kinks(rng, (4, 4))
    loss, y = targets(loss_name, rng, 4, 3)
    x0, y0 = x.copy(), y.copy()
    params0 = [p.data.copy() for p in model.parameters()]
    check_model(model, loss, x, y, rng=rng, method=method)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(y, y0)
    for p, d0 in zip(model.parameters(), params0):
        np.testing.assert_array_equal(p.data, d0)


def test_check_model_on_a_single_layer_and_labels_as_list(rng):
    d = randomize_biases(nl.Dense(3, 4, rng=rng), rng)
    report = check_model(d, nl.SoftmaxCrossEntropy(), rng.standard_normal((5, 3)), [0, 1, 2, 3, 0])
    assert report.ok and report.worst < 1e-6, str(report)
    assert [r[0] for r in report.rows] == ["[0] Dense(3, 4).W", "[0] Dense(3, 4).b", "input x"]
