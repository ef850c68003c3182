"""Tensor in use: agreement with the scalar Value on the same formulas, a small MLP
that keeps float32 end to end, and memory that stays flat over 1,000 training steps."""

import gc
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_mlp.graph as graph
from autograd_mlp import Value, no_grad
from autograd_mlp.tensor import Tensor, linear
from autograd_mlp.testing import arrays, away_from, floats

SETTINGS = settings(max_examples=40, deadline=None)

# The same formula written once, run on Values and on 0-d float64 Tensors.
FORMULAS = {
    "tanh neuron": lambda x, w, b: (x * w + b).tanh(),
    "sigmoid neuron": lambda x, w, b: (x * w + b).sigmoid(),
    "relu neuron": lambda x, w, b: (x * w + b).relu(),
    "exp and log": lambda x, w, b: (x.exp() + 1.0).log() * (w * w + 1.0).log() - b.exp(),
    "powers and division": lambda x, w, b: x**3 / (w * w + 1.0) - b**2 + (b * b + 0.5) ** 0.5,
    "tensor exponent": lambda x, w, b: (w * w + 1.0) ** x + 2.0**b,
    "softplus and log_sigmoid": lambda x, w, b: x.softplus() * w.log_sigmoid() + abs(b),
    "leaky relu": lambda x, w, b: (x - w * b).leaky_relu(0.2) * 3.0,
    "subtraction and negation": lambda x, w, b: -(x - w) * (1.0 - b) / (2.0 + x * x),
}


@SETTINGS
@pytest.mark.parametrize("name", sorted(FORMULAS))
@given(values=st.tuples(away_from([0.0], 0.05), away_from([0.0], 0.05), away_from([0.0], 0.05)))
def test_tensor_and_value_agree(name, values):
    formula = FORMULAS[name]
    scalars = [Value(v) for v in values]
    tensors = [Tensor(np.float64(v), requires_grad=True) for v in values]
    y_value, y_tensor = formula(*scalars), formula(*tensors)
    if "relu" in name and abs(values[0] * values[1] + values[2]) < 1e-3:
        return  # at the kink either side is right
    assert y_tensor.item() == pytest.approx(y_value.data, rel=1e-12, abs=1e-12)
    y_value.backward()
    y_tensor.backward()
    for s, t in zip(scalars, tensors):
        assert t.grad.shape == () and t.grad.dtype == np.float64
        assert float(t.grad) == pytest.approx(s.grad, rel=1e-9, abs=1e-12)


@SETTINGS
@given(values=st.tuples(floats(-2, 2), floats(-2, 2), floats(-2, 2)))
def test_second_derivatives_agree_with_value(values):
    formula = FORMULAS["tanh neuron"]
    scalars = [Value(v) for v in values]
    tensors = [Tensor(np.float64(v), requires_grad=True) for v in values]
    (ds,) = graph.grad(formula(*scalars), scalars[:1], create_graph=True)
    (dt,) = graph.grad(formula(*tensors), tensors[:1], create_graph=True)
    (d2s,) = graph.grad(ds, scalars[:1])
    (d2t,) = graph.grad(dt, tensors[:1])
    assert float(d2t) == pytest.approx(d2s, rel=1e-9, abs=1e-12)


@settings(max_examples=20, deadline=None)
@given(x=arrays((5,), elements=floats(-2, 2)), w=floats(-2, 2), b=floats(-2, 2))
def test_vector_formula_agrees_with_a_list_of_values(x, w, b):
    """sum_i tanh(x_i w + b) as one Tensor expression and as a sum of scalar Values."""
    xs, ws, bs = [Value(v) for v in x], Value(w), Value(b)
    total = sum(((xi * ws + bs).tanh() for xi in xs), Value(0.0))
    total.backward()
    xt = Tensor(x, requires_grad=True)
    wt, bt = Tensor(np.float64(w), requires_grad=True), Tensor(np.float64(b), requires_grad=True)
    out = (xt * wt + bt).tanh().sum()
    out.backward()
    assert out.item() == pytest.approx(total.data, rel=1e-12)
    np.testing.assert_allclose(xt.grad, [v.grad for v in xs], rtol=1e-10)
    assert float(wt.grad) == pytest.approx(ws.grad, rel=1e-10)
    assert float(bt.grad) == pytest.approx(bs.grad, rel=1e-10)


# -------------------------------------------------------------- a small MLP


def make_mlp(sizes, dtype=np.float32, seed=0):
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1 / np.sqrt(fan_in)
        params.append(Tensor(rng.uniform(-bound, bound, (fan_out, fan_in)).astype(dtype), requires_grad=True))
        params.append(Tensor(rng.uniform(-bound, bound, fan_out).astype(dtype), requires_grad=True))
    return params


def mlp_loss(params, x, labels, fused=True):
    h = Tensor(x)
    layers = len(params) // 2
    for i in range(layers):
        w, b = params[2 * i], params[2 * i + 1]
        h = linear(h, w, b) if fused else h @ w.T + b
        if i < layers - 1:
            h = h.relu()
    log_probs = h.log_softmax(axis=1)
    return -log_probs[np.arange(len(labels)), labels].mean()


def sgd_step(params, x, labels, lr=0.1):
    for p in params:
        p.zero_grad()
    loss = mlp_loss(params, x, labels)
    loss.backward()
    with no_grad():
        for p in params:
            p.data -= lr * p.grad
    return loss


@pytest.mark.parametrize("fused", [True, False])
def test_float32_is_kept_through_an_mlp(fused):
    rng = np.random.default_rng(0)
    params = make_mlp([12, 8, 6, 3])
    x = rng.standard_normal((5, 12)).astype(np.float32)
    loss = mlp_loss(params, x, rng.integers(0, 3, 5), fused=fused)
    loss.backward()
    nodes = graph.topological_order(loss)
    assert len(nodes) > 10
    for node in nodes:
        if node.dtype.kind == "f":
            assert node.dtype == np.float32, node
            if node.grad is not None:
                assert node.grad.dtype == np.float32 and node.grad.shape == node.shape, node
    for p in params:
        assert p.grad.dtype == np.float32 and p.grad.shape == p.shape


def test_the_mlp_gradient_matches_finite_differences():
    from autograd_mlp.gradcheck import gradcheck

    rng = np.random.default_rng(1)
    params = make_mlp([4, 5, 3], dtype=np.float64)
    x = rng.standard_normal((6, 4))
    labels = rng.integers(0, 3, 6)
    assert gradcheck(lambda *ps: mlp_loss(list(ps), x, labels, fused=False), *params)
    assert gradcheck(lambda *ps: mlp_loss(list(ps), x, labels, fused=True), *params)


def test_training_lowers_the_loss():
    rng = np.random.default_rng(2)
    params = make_mlp([2, 16, 2], seed=2)
    x = rng.standard_normal((64, 2)).astype(np.float32)
    labels = (x[:, 0] * x[:, 1] > 0).astype(np.int64)  # XOR-like quadrants
    first = sgd_step(params, x, labels, lr=0.5).item()
    for _ in range(300):
        last = sgd_step(params, x, labels, lr=0.5).item()
    assert last < 0.5 * first


def test_memory_stays_flat_over_1000_training_steps():
    rng = np.random.default_rng(3)
    params = make_mlp([16, 12, 4])
    x = rng.standard_normal((8, 16)).astype(np.float32)
    labels = rng.integers(0, 4, 8)
    gc.collect()
    tracemalloc.start()
    try:
        for _ in range(20):
            sgd_step(params, x, labels, lr=0.01)
        early, _ = tracemalloc.get_traced_memory()
        for _ in range(1000):
            sgd_step(params, x, labels, lr=0.01)
        late, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert late - early < 32 * 1024, f"memory grew by {late - early} bytes over 1,000 steps"
    assert gc.collect() == 0  # nodes are freed by reference counting: no cycles left for the collector
