"""Tensor layers and losses: gradients by gradcheck, values against numpy formulas,
Dropout statistics, PyTorch-style state dicts, and a short MNIST run on the sample."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_mlp as am
from autograd_mlp import Tensor, nn, optim
from autograd_mlp.gradcheck import gradcheck
from autograd_mlp.nn.layers import linear
from autograd_mlp.nn.losses import cross_entropy, nll_loss


def t64(rng, *shape, lo=-2.0, hi=2.0, grad=True):
    return Tensor(rng.uniform(lo, hi, shape), requires_grad=grad)


# ------------------------------------------------------------------ layers


@settings(max_examples=25, deadline=None)
@given(
    batch_shape=st.sampled_from([(), (1,), (3,), (2, 3)]),
    n_in=st.integers(1, 5),
    n_out=st.integers(1, 4),
    bias=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_linear_gradient(batch_shape, n_in, n_out, bias, seed):
    rng = np.random.default_rng(seed)
    x = t64(rng, *batch_shape, n_in)
    w = t64(rng, n_out, n_in)
    b = t64(rng, n_out) if bias else None
    out = linear(x, w, b)
    assert out.shape == (*batch_shape, n_out)
    expected = x.data @ w.data.T + (b.data if bias else 0)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12)
    inputs = (x, w, b) if bias else (x, w)
    assert gradcheck(lambda *a: linear(*a), *inputs)


def test_linear_skips_the_input_gradient_nobody_wants():
    x = Tensor(np.ones((2, 3)))  # requires_grad=False: the batch of data
    layer = nn.Linear(3, 2, dtype=np.float64)
    layer(x).sum().backward()
    assert x.grad is None
    np.testing.assert_allclose(layer.weight.grad, np.full((2, 3), 2.0))
    np.testing.assert_allclose(layer.bias.grad, [2.0, 2.0])


def test_linear_layout_and_default_init_match_pytorch():
    layer = nn.Linear(784, 256, rng=0)
    assert layer.weight.shape == (256, 784) and layer.bias.shape == (256,)
    assert layer.weight.dtype == np.float32
    bound = 1 / np.sqrt(784)
    assert np.abs(layer.weight.data).max() <= bound and np.abs(layer.weight.data).max() > 0.9 * bound
    assert np.abs(layer.bias.data).max() <= bound
    with pytest.raises(ValueError, match="does not fit a weight of shape"):
        layer(Tensor(np.ones((2, 783), np.float32)))
    with pytest.raises(ValueError, match="in_features must be a positive int"):
        nn.Linear(0, 3)


@pytest.mark.parametrize(
    "module, lo, hi",
    [
        (nn.ReLU(), 0.05, 2.0),
        (nn.LeakyReLU(0.2), -2.0, -0.05),
        (nn.Sigmoid(), -3.0, 3.0),
        (nn.Tanh(), -3.0, 3.0),
        (nn.Softmax(dim=1), -3.0, 3.0),
        (nn.LogSoftmax(dim=1), -3.0, 3.0),
        (nn.Flatten(), -1.0, 1.0),
        (nn.Identity(), -1.0, 1.0),
    ],
)
def test_activation_modules_gradients(module, lo, hi):
    rng = np.random.default_rng(3)
    x = t64(rng, 3, 2, 2, lo=lo, hi=hi) if isinstance(module, nn.Flatten) else t64(rng, 3, 4, lo=lo, hi=hi)
    assert gradcheck(lambda a: module(a), x)


def test_flatten_keeps_the_batch_axis():
    x = Tensor(np.zeros((5, 1, 28, 28), np.float32))
    assert nn.Flatten()(x).shape == (5, 784)


def test_dropout_statistics_scaling_and_eval_mode():
    drop = nn.Dropout(0.3, rng=0)
    x = Tensor(np.ones((400, 500), np.float32), requires_grad=True)
    y = drop(x)
    zero_fraction = float(np.mean(y.data == 0))
    assert abs(zero_fraction - 0.3) < 0.01
    kept = y.data[y.data != 0]
    np.testing.assert_allclose(kept, 1 / 0.7, rtol=1e-6)
    assert abs(float(y.data.mean()) - 1.0) < 0.01  # expectation preserved
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, y.data)  # the gradient is the same mask and scale
    drop.eval()
    assert drop(x) is x
    with pytest.raises(ValueError, match=r"Dropout: p must be a number in \[0, 1\], got 1.5"):
        nn.Dropout(1.5)


def test_dropout_is_reproducible_with_a_seed():
    x = Tensor(np.ones((10, 10), np.float32))
    a = nn.Dropout(0.5, rng=42)(x).data
    b = nn.Dropout(0.5, rng=42)(x).data
    np.testing.assert_array_equal(a, b)


def test_mlp_builder_state_dict_keys_like_pytorch(tmp_path):
    model = nn.sequential_mlp([4, 3, 2], dropout=0.1, rng=0)
    assert list(model.state_dict()) == ["0.weight", "0.bias", "3.weight", "3.bias"]
    assert [type(m).__name__ for m in model] == ["Linear", "ReLU", "Dropout", "Linear"]
    path = model.save(tmp_path / "m.npz")
    other = nn.sequential_mlp([4, 3, 2], dropout=0.1, rng=1)
    assert not np.array_equal(other[0].weight.data, model[0].weight.data)
    other.load(path)
    for (k1, v1), (k2, v2) in zip(model.state_dict().items(), other.state_dict().items()):
        assert k1 == k2 and np.array_equal(v1, v2)
    wrong = nn.sequential_mlp([4, 5, 2])
    with pytest.raises(ValueError, match="0.weight"):
        wrong.load_state_dict(model.state_dict())


def test_sequential_indexing_and_errors():
    seq = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    assert len(seq) == 2 and isinstance(seq[1], nn.ReLU)
    with pytest.raises(IndexError, match="index 5 is out of range for 2 modules"):
        seq[5]
    with pytest.raises(TypeError, match="not a Module"):
        nn.Sequential(nn.ReLU(), "relu")


# ------------------------------------------------------------------ losses


def _reduce(values, reduction):
    return {"mean": values.mean(), "sum": values.sum(), "none": values}[reduction]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_value_and_gradient(reduction):
    rng = np.random.default_rng(0)
    logits = t64(rng, 6, 4, lo=-5, hi=5)
    labels = rng.integers(0, 4, 6)
    loss = nn.CrossEntropyLoss(reduction)(logits, labels)
    z = logits.data
    expected = np.log(np.exp(z).sum(1)) - z[np.arange(6), labels]
    np.testing.assert_allclose(loss.data, _reduce(expected, reduction), rtol=1e-12)
    assert gradcheck(lambda a: cross_entropy(a, labels, reduction), logits)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_with_probability_targets(reduction):
    rng = np.random.default_rng(1)
    logits = t64(rng, 5, 3)
    target = rng.dirichlet(np.ones(3), size=5)
    z = logits.data
    log_p = z - np.log(np.exp(z).sum(1, keepdims=True))
    expected = -(target * log_p).sum(1)
    np.testing.assert_allclose(cross_entropy(logits, target, reduction).data, _reduce(expected, reduction), rtol=1e-12)
    assert gradcheck(lambda a: cross_entropy(a, target, reduction), logits)


def test_cross_entropy_extreme_logits_are_finite():
    for dtype in (np.float32, np.float64):
        logits = Tensor(np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]], dtype), requires_grad=True)
        loss = cross_entropy(logits, np.array([1, 2]))
        loss.backward()
        assert np.isfinite(loss.data) and np.all(np.isfinite(logits.grad.data))
        assert loss.dtype == dtype and logits.grad.dtype == dtype
        np.testing.assert_allclose(logits.grad[0], [0.5, -0.5, 0.0], atol=1e-6)


def test_cross_entropy_bad_labels():
    logits = Tensor(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"labels must be in \[0, 2\], got \[3\]"):
        cross_entropy(logits, np.array([0, 3]))
    with pytest.raises(ValueError, match="2 rows of logits need 2 labels"):
        cross_entropy(logits, np.array([0, 1, 2]))
    with pytest.raises(ValueError, match=r"logits must have shape \(N, C\)"):
        cross_entropy(Tensor(np.zeros(3)), np.array([0]))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_nll_loss_after_log_softmax_equals_cross_entropy(reduction):
    rng = np.random.default_rng(2)
    logits = t64(rng, 4, 5)
    labels = rng.integers(0, 5, 4)
    a = nn.NLLLoss(reduction)(logits.log_softmax(axis=1), labels)
    b = cross_entropy(logits, labels, reduction)
    np.testing.assert_allclose(a.data, b.data, rtol=1e-12)
    assert gradcheck(lambda z: nll_loss(z.log_softmax(axis=1), labels, reduction), logits)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_loss(reduction):
    rng = np.random.default_rng(4)
    p, y = t64(rng, 3, 2), rng.normal(size=(3, 2))
    np.testing.assert_allclose(nn.MSELoss(reduction)(p, y).data, _reduce((p.data - y) ** 2, reduction))
    assert gradcheck(lambda a: nn.MSELoss(reduction)(a, y), p)
    with pytest.raises(ValueError, match=r"prediction of shape \(3, 2\) and target of shape \(3,\) differ"):
        nn.MSELoss()(p, y[:, 0])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce_loss_value_gradient_and_clamp(reduction):
    rng = np.random.default_rng(5)
    p = t64(rng, 8, lo=0.02, hi=0.98)
    y = rng.integers(0, 2, 8).astype(np.float64)
    expected = -(y * np.log(p.data) + (1 - y) * np.log(1 - p.data))
    np.testing.assert_allclose(nn.BCELoss(reduction)(p, y).data, _reduce(expected, reduction), rtol=1e-12)
    assert gradcheck(lambda a: nn.BCELoss(reduction)(a, y), p)
    # p exactly 0 or 1: PyTorch's clamp makes log(0) count as -100, finite value and gradient
    edge = Tensor(np.array([0.0, 1.0, 0.0, 1.0]), requires_grad=True)
    loss = nn.BCELoss("sum")(edge, np.array([1.0, 0.0, 0.0, 1.0]))
    loss.backward()
    assert loss.item() == pytest.approx(200.0)
    assert np.all(np.isfinite(edge.grad.data))
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\]"):
        nn.BCELoss()(Tensor(np.array([1.5])), np.array([1.0]))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce_with_logits(reduction):
    rng = np.random.default_rng(6)
    z = t64(rng, 7, lo=-6, hi=6)
    y = rng.integers(0, 2, 7).astype(np.float64)
    s = 1 / (1 + np.exp(-z.data))
    expected = -(y * np.log(s) + (1 - y) * np.log(1 - s))
    np.testing.assert_allclose(nn.BCEWithLogitsLoss(reduction)(z, y).data, _reduce(expected, reduction), rtol=1e-10)
    assert gradcheck(lambda a: nn.BCEWithLogitsLoss(reduction)(a, y), z)
    big = Tensor(np.array([1e4, -1e4], np.float32), requires_grad=True)
    loss = nn.BCEWithLogitsLoss()(big, np.array([0.0, 1.0], np.float32))
    loss.backward()
    assert loss.item() == pytest.approx(1e4) and np.all(np.isfinite(big.grad.data))


def test_second_derivative_through_the_fused_losses():
    rng = np.random.default_rng(7)
    z = t64(rng, 3, 4)
    labels = np.array([0, 3, 1])
    (g,) = am.grad(cross_entropy(z, labels, "sum"), [z], create_graph=True)
    (h,) = am.grad((g * g).sum(), [z])
    eps = 1e-6
    numeric = np.zeros_like(z.data)
    for idx in np.ndindex(z.shape):
        for sign in (1, -1):
            shifted = z.data.copy()
            shifted[idx] += sign * eps
            zz = Tensor(shifted, requires_grad=True)
            cross_entropy(zz, labels, "sum").backward()
            numeric[idx] += sign * float((zz.grad**2).sum()) / (2 * eps)
    np.testing.assert_allclose(h, numeric, atol=1e-6)


# ------------------------------------------------------- a short MNIST run


def test_short_mnist_training_on_the_shipped_sample_beats_88_percent():
    from autograd_mlp.data import DataLoader, load_mnist_splits

    train, test = load_mnist_splits(normalize=True, flatten=True, download=False, quiet=True)
    model = nn.sequential_mlp([784, 128, 10], rng=0)
    opt = optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    for xb, yb in DataLoader(train.images, train.labels, batch_size=64, shuffle=True, seed=0):
        opt.zero_grad()
        loss_fn(model(Tensor(xb)), yb).backward()
        opt.step()
    model.eval()
    with am.no_grad():
        predictions = model(Tensor(test.images)).data.argmax(axis=1)
    accuracy = float(np.mean(predictions == test.labels))
    assert accuracy > 0.88, accuracy


def test_sequential_applies_a_repeated_module_each_time():
    double = nn.Linear(1, 1, bias=False, dtype=np.float64)
    double.weight.data[...] = 2.0
    seq = nn.Sequential(double, double)
    assert len(seq) == 2
    assert seq(Tensor(np.array([[3.0]]))).item() == 12.0
