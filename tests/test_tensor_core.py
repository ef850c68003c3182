"""Tensor as a node: construction and dtype policy, attributes, repr, backward semantics
(accumulation, twice, no_grad, needs-mask), and every promised error message."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_mlp.graph as graph
from autograd_mlp import Value, no_grad
from autograd_mlp.tensor import (
    Tensor,
    concatenate,
    linear,
    maximum,
    ones,
    randn,
    stack,
    tensor,
    where,
    zeros,
)
from autograd_mlp.testing import arrays, broadcastable_shapes, shapes

SETTINGS = settings(max_examples=25, deadline=None)


# ----------------------------------------------------------- construction


@pytest.mark.parametrize(
    "data, dtype",
    [
        ([1.0, 2.0], np.float32),
        ([1, 2], np.float32),  # Python data is float32, ints too (as torch.tensor with floats)
        (3.5, np.float32),
        (np.array([1.0], np.float64), np.float64),  # arrays keep their dtype
        (np.array([1.0], np.float32), np.float32),
        (np.array([1, 2]), np.int64),  # labels may be held
        (np.array([True, False]), np.bool_),
        (np.float64(2.0), np.float64),
    ],
)
def test_dtype_policy(data, dtype):
    assert Tensor(data).dtype == dtype


def test_explicit_dtype_and_copies():
    assert Tensor([1, 2], dtype=np.int32).dtype == np.int32
    assert Tensor(np.ones(2), dtype="float32").dtype == np.float32
    array = np.ones(3, np.float32)
    assert Tensor(array).data is array  # shared, like torch.as_tensor
    assert not np.shares_memory(tensor(array).data, array)  # tensor() copies, like torch.tensor
    t = Tensor(array, requires_grad=True)
    assert Tensor(t).data is array and not Tensor(t).requires_grad


@pytest.mark.parametrize("bad", [np.array(["a", "b"]), np.array([1 + 2j]), np.array([object()]), ["x"], [1j]])
def test_unsupported_dtypes_raise_type_error_naming_the_dtype(bad):
    with pytest.raises(TypeError, match="unsupported dtype"):
        Tensor(bad)


@pytest.mark.parametrize("dtype", ["complex64", np.str_, object])
def test_unsupported_explicit_dtype(dtype):
    with pytest.raises(TypeError, match=str(np.dtype(dtype))):
        Tensor([1.0], dtype=dtype)


def test_requires_grad_needs_a_float_dtype():
    with pytest.raises(TypeError, match="int64"):
        Tensor(np.array([1, 2]), requires_grad=True)
    labels = Tensor(np.array([1, 2]))
    with pytest.raises(TypeError, match="floating-point"):
        labels.requires_grad = True


def test_ragged_data_is_a_clear_value_error():
    with pytest.raises(ValueError, match="Tensor"):
        Tensor([[1.0, 2.0], [3.0]])


def test_a_value_is_not_tensor_data():
    with pytest.raises(TypeError, match="Value"):
        Tensor(Value(1.0))
    with pytest.raises(TypeError, match="Value"):
        Tensor([1.0]) + Value(1.0)


def test_constructors():
    assert zeros((2, 3)).shape == (2, 3) and zeros(2).dtype == np.float32 and not zeros(2).data.any()
    assert ones(3, dtype=np.float64, requires_grad=True).requires_grad
    a, b = randn((4, 5), rng=0), randn((4, 5), rng=0)
    np.testing.assert_array_equal(a.data, b.data)
    assert a.dtype == np.float32 and a.shape == (4, 5)
    assert not np.array_equal(randn(5, rng=1).data, randn(5, rng=2).data)


# ------------------------------------------------------------- attributes


def test_attributes():
    t = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True, label="w")
    assert (t.shape, t.ndim, t.numel(), t.size(), t.size(-1), t.dim(), len(t), t.label) == ((2, 3), 2, 6, (2, 3), 3, 2, 2, "w")
    assert t.numpy() is t.data and t.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    assert t.grad is None and t.is_leaf and t.op == "" and t.parents == ()
    assert Tensor(2.5).item() == 2.5 and float(Tensor([[2.5]])) == 2.5
    with pytest.raises(ValueError, match=r"one element.*\(2, 3\)"):
        t.item()
    with pytest.raises(TypeError, match="0-d"):
        len(Tensor(1.0))
    assert [row.shape for row in t] == [(3,), (3,)]
    y = t * 2
    assert y.requires_grad and not y.is_leaf and y.op == "*" and y.parents[0] is t
    np.testing.assert_array_equal(np.asarray(t), t.data)


def test_requires_grad_is_settable_on_leaves_only():
    t = Tensor([1.0])
    assert not t.requires_grad
    assert t.requires_grad_() is t and t.requires_grad
    with pytest.raises(RuntimeError, match="leaf"):
        (t * 2).requires_grad = False


def test_detach_shares_data_and_drops_history():
    x = Tensor([1.0, 2.0], requires_grad=True)
    d = (x * 3).detach()
    assert d.is_leaf and not d.requires_grad and d.parents == ()
    assert x.detach().data is x.data


def test_zero_grad_forgets_the_gradient():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    assert x.grad is not None
    x.zero_grad()
    assert x.grad is None


def test_repr():
    assert repr(Tensor([[1.0, 2.0]], requires_grad=True)) == "Tensor([[1., 2.]], requires_grad=True)"
    assert repr(Tensor([1.0]) * 2) == "Tensor([2.])"  # no history without requires_grad
    y = Tensor([1.0], requires_grad=True) * 2
    assert "op='*'" in repr(y)
    assert "dtype=int64" in repr(Tensor(np.arange(3)))
    assert "label='w'" in repr(Tensor([1.0], label="w"))
    big = repr(Tensor(np.zeros((100, 100)), requires_grad=True))
    assert "..." in big and "shape=(100, 100)" in big and len(big) < 1000


def test_hash_is_identity_and_comparisons_are_elementwise():
    a, b = Tensor([1.0, 2.0]), Tensor([1.0, 2.0])
    assert len({a: 1, b: 2}) == 2  # identity hashing: equal data, two keys
    eq = a == b
    assert isinstance(eq, Tensor) and eq.dtype == np.bool_ and eq.data.all() and not eq.requires_grad
    x = Tensor([-1.0, 0.0, 2.0], requires_grad=True)
    np.testing.assert_array_equal((x > 0).data, [False, False, True])
    np.testing.assert_array_equal((x <= 0).data, [True, True, False])
    np.testing.assert_array_equal(((x > -2) & (x < 1)).data, [True, True, False])
    np.testing.assert_array_equal((~(x > 0)).data, [True, True, False])
    assert (x == None) is False  # noqa: E711 (unknown types compare unequal, as for any object)


def test_scope_is_recorded_at_creation():
    x = Tensor([1.0], requires_grad=True)
    with graph.name_scope("layers"), graph.name_scope("0"):
        y = x * 2
    assert y._scope == "layers.0" and x._scope == "" and (y + 1)._scope == ""


def test_item_assignment_is_refused_with_advice():
    with pytest.raises(TypeError, match="in-place"):
        Tensor([1.0])[0] = 2.0


def test_numpy_functions_do_not_silently_drop_the_graph():
    with pytest.raises(TypeError):
        np.exp(Tensor([1.0], requires_grad=True))


# ------------------------------------------------------------ graph recording


def test_nodes_are_recorded_only_when_needed():
    x = Tensor([1.0, 2.0], requires_grad=True)
    c = Tensor([3.0, 4.0])
    assert (x * c).requires_grad and (x * c)._prev == (x, c)
    constant = c * c
    assert not constant.requires_grad and constant._prev == () and constant._op is None
    with no_grad():
        y = x * x
    assert not y.requires_grad and y._prev == ()
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.sum().backward()


def test_skip_unneeded_skips_gradients_nobody_wants():
    """x @ W must not compute the gradient of the input batch (it costs as much as the forward)."""
    x = Tensor(np.ones((4, 3), np.float32))
    w = Tensor(np.ones((3, 2), np.float32), requires_grad=True)
    out = x @ w
    assert out._op.skip_unneeded
    g = np.ones(out.shape, np.float32)
    grads = out._op.rule(g, out.data, x.data, w.data, needs_input_grad=[False, True])
    assert grads[0] is None and grads[1].shape == (3, 2)
    out = linear(x, Tensor(np.ones((2, 3), np.float32), requires_grad=True))
    assert out._op.rule(g, out.data, x.data, out._prev[1].data, needs_input_grad=[False, True])[0] is None
    out.sum().backward()
    assert x.grad is None


def test_x_at_w_transposed_records_what_was_written():
    """x @ W.T is a transpose node and a matmul node, so a held W.T gets its own gradient."""
    x = Tensor(np.ones((4, 3)), requires_grad=True)
    w = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    wt = w.T
    out = x @ wt
    assert out.op == "@" and out._prev == (x, wt) and wt.op == "transpose" and wt._prev == (w,)
    out.sum().backward()
    np.testing.assert_allclose(w.grad, np.full((2, 3), 4.0))
    np.testing.assert_allclose(wt.grad, np.full((3, 2), 4.0))
    np.testing.assert_allclose(x.grad, np.tile(w.data.sum(axis=0), (4, 1)))
    fused = linear(x, w)  # the named fast path: one node, the same numbers
    assert fused.op == "linear" and fused._prev == (x, w)
    np.testing.assert_allclose(fused.data, out.data)


# ------------------------------------------------------------------ backward


def test_non_scalar_backward_needs_a_gradient():
    y = Tensor(np.ones((2, 3)), requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"only for scalar outputs.*\(2, 3\)"):
        y.backward()
    with pytest.raises(ValueError, match=r"\(3,\).*\(2, 3\)"):
        y.backward(np.ones(3))
    y.backward(np.ones((2, 3)))
    np.testing.assert_array_equal(y.parents[0].grad, np.full((2, 3), 2.0))
    z = Tensor([[3.0]], requires_grad=True) * 2  # one element: implicit gradient allowed, as in PyTorch
    z.backward()
    assert z.parents[0].grad.shape == (1, 1)


def test_backward_on_a_leaf_and_gradient_copies():
    x = Tensor([1.0, 2.0], requires_grad=True)
    seed = np.array([5.0, 6.0], np.float32)
    x.backward(seed)
    np.testing.assert_array_equal(x.grad, seed)
    assert not np.shares_memory(x.grad.data, seed)
    x.backward(Tensor([1.0, 1.0]))
    np.testing.assert_array_equal(x.grad, [6.0, 7.0])


@SETTINGS
@given(x=arrays(shapes()))
def test_reused_tensors_accumulate(x):
    t = Tensor(x, requires_grad=True)
    (t * t).sum().backward()
    np.testing.assert_allclose(t.grad, 2 * x)
    u = Tensor(x, requires_grad=True)
    (u + u).sum().backward()
    np.testing.assert_allclose(u.grad, np.full(x.shape, 2.0))
    v = Tensor(x, requires_grad=True)
    (v * 3 + v.exp() - v).sum().backward()
    np.testing.assert_allclose(v.grad, 2 + np.exp(x))


def test_backward_twice_matches_value_semantics():
    """Leaves accumulate across calls; intermediate nodes hold the latest pass (graph.backward)."""
    for make in (lambda v: Value(v), lambda v: Tensor(np.float64(v), requires_grad=True)):
        x = make(3.0)
        h = x * x
        y = h * 2
        y.backward()
        y.backward()
        assert float(x.grad) == pytest.approx(2 * 12.0)
        assert float(h.grad) == pytest.approx(2.0)


@SETTINGS
@given(data=st.data())
def test_inputs_are_not_mutated_and_leaf_grads_do_not_share_memory(data):
    shape_a, shape_b = data.draw(broadcastable_shapes())
    a_data, b_data = data.draw(arrays(shape_a)), data.draw(arrays(shape_b))
    a, b = Tensor(a_data.copy(), requires_grad=True), Tensor(b_data.copy(), requires_grad=True)
    # ops whose rules pass g through unchanged or as views: the riskiest for aliasing
    out = (a + b) + (a - b).reshape(-1).reshape((a + b).shape) + a[...] * 1.0
    out.backward(np.ones(out.shape))
    np.testing.assert_array_equal(a.data, a_data)
    np.testing.assert_array_equal(b.data, b_data)
    assert not np.shares_memory(a.grad.data, b.grad)
    for t in (a, b):
        assert t.grad.data.flags.writeable and not np.shares_memory(t.grad.data.data, out.grad)


def test_gradient_of_a_0d_tensor_is_an_array():
    x = Tensor(np.float32(2.0), requires_grad=True)
    (x * x * x).backward()
    assert type(x.grad.data) is np.ndarray and x.grad.shape == () and x.grad.dtype == np.float32
    assert x.grad == 12.0


@SETTINGS
@given(data=st.data())
def test_second_derivative_of_cube_is_6x(data):
    x = Tensor(data.draw(arrays(shapes())), requires_grad=True)
    (dy,) = graph.grad((x**3).sum(), [x], create_graph=True)
    assert isinstance(dy, Tensor)
    np.testing.assert_allclose(dy.data, 3 * x.data**2)
    (d2y,) = graph.grad(dy.sum(), [x])
    np.testing.assert_allclose(d2y, 6 * x.data)
    assert x.grad is None  # graph.grad leaves .grad alone


def test_mixed_second_derivative():
    x = Tensor(np.array([1.5, -2.0]), requires_grad=True)
    y = Tensor(np.array([0.5, 3.0]), requires_grad=True)
    (dx,) = graph.grad((x * x * y).sum(), [x], create_graph=True)  # 2xy
    (dxdy,) = graph.grad(dx.sum(), [y])  # 2x
    np.testing.assert_allclose(dxdy, 2 * x.data)


# ------------------------------------------------------------------ errors


def test_matmul_errors_name_both_shapes():
    a, b = Tensor(np.ones((3, 4))), Tensor(np.ones((5, 2)))
    with pytest.raises(ValueError, match=r"^matmul: shapes \(3, 4\) and \(5, 2\) are not aligned \(4 != 5\)$"):
        a @ b
    with pytest.raises(ValueError, match=r"matmul: shapes \(3,\) and \(4,\) are not aligned \(3 != 4\)"):
        Tensor(np.ones(3)) @ Tensor(np.ones(4))
    with pytest.raises(ValueError, match=r"matmul: batch shapes \(2,\) and \(3,\)"):
        Tensor(np.ones((2, 3, 4))) @ Tensor(np.ones((3, 4, 5)))
    with pytest.raises(ValueError, match="at least 1 dimension"):
        Tensor(2.0) @ Tensor(np.ones(3))
    with pytest.raises(ValueError, match=r"linear: input of shape \(4, 3\).*\(2, 5\)"):
        linear(np.ones((4, 3)), np.ones((2, 5)))


@pytest.mark.parametrize(
    "op, name",
    [
        (lambda a, b: a + b, "add"),
        (lambda a, b: a - b, "subtract"),
        (lambda a, b: a * b, "multiply"),
        (lambda a, b: a / b, "divide"),
        (lambda a, b: a**b, "power"),
        (lambda a, b: b + a.data, "add"),
        (lambda a, b: a < b, "compare"),
    ],
)
def test_broadcast_errors_name_the_op_and_both_shapes(op, name):
    with pytest.raises(ValueError, match=rf"{name}.*\(3, 4\).*\(5, 2\)|{name}.*\(5, 2\).*\(3, 4\)"):
        op(Tensor(np.ones((3, 4))), Tensor(np.ones((5, 2))))


@pytest.mark.parametrize(
    "index, shown",
    [(5, r"\[5\]"), ((0, 7), r"\[0, 7\]"), ((slice(None), [0, 9]), r"\[:, \[0, 9\]\]"),
     ((0, 0, 0), r"\[0, 0, 0\]"), (np.array([True, False]), r"\[\[True, False\]\]"), (1.5, r"\[1.5\]")],
)
def test_index_errors_name_the_index_and_the_shape(index, shown):
    with pytest.raises(IndexError, match=shown + r".*\(3, 4\)"):
        Tensor(np.ones((3, 4)))[index]


def test_shape_and_axis_errors():
    t = Tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"reshape: shape \(4,\) is invalid for a tensor of shape \(2, 3\)"):
        t.reshape(4)
    with pytest.raises(ValueError, match=r"sum.*axis 2.*\(2, 3\)"):
        t.sum(axis=2)
    with pytest.raises(ValueError, match=r"mean.*\(2, 3\)"):
        t.mean(axis=(0, 0))
    with pytest.raises(ValueError, match=r"max.*no elements"):
        Tensor(np.ones((0, 3))).max()
    with pytest.raises(ValueError, match=r"softmax: dim 2 is out of range for a tensor of shape \(2, 3\)"):
        t.softmax(axis=2)
    with pytest.raises(ValueError, match=r"permute: dims \(0, 0\) are not a permutation"):
        t.permute(0, 0)
    with pytest.raises(IndexError, match=r"transpose: dim 2 is out of range for a tensor of shape \(2, 3\)"):
        t.transpose(0, 2)
    with pytest.raises(TypeError, match=r"Tensor\(data\) takes one data argument.*zeros"):
        Tensor(2, 2)
    with pytest.raises(ValueError, match=r"concatenate.*\(2, 3\), \(3, 2\)"):
        concatenate([t, Tensor(np.ones((3, 2)))], axis=0)
    with pytest.raises(ValueError, match="stack"):
        stack([t, Tensor(np.ones((3, 2)))])
    with pytest.raises(ValueError, match="squeeze"):
        t.squeeze(0)
    with pytest.raises(ValueError, match=r"broadcast_to.*\(2, 3\).*\(4, 3\)"):
        t.broadcast_to((4, 3))
    with pytest.raises(TypeError, match="boolean"):
        where(np.ones(3), t, t)
    with pytest.raises(TypeError, match="unsupported operand"):
        t + "a"


# --------------------------------------------------- domain policy (no warnings)


def test_domain_policy_nan_and_inf_without_warnings():
    """Tensor follows numpy/PyTorch, as Value does: nan/inf values, no warning."""
    x = Tensor([-1.0, 0.0, 4.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any RuntimeWarning fails the test
        y = x.log()
        assert np.isnan(y.data[0]) and y.data[1] == -np.inf and y.data[2] == pytest.approx(np.log(4))
        assert np.isnan(x.sqrt().data[0])
        assert (x / 0.0).data[2] == np.inf and (1.0 / x).data[1] == np.inf
        assert (x * 1000).exp().data[2] == np.inf
        assert np.isnan((x ** Tensor([0.5, 0.5, 0.5])).data[0])
        (y.sum() + x.sqrt().sum() + (1.0 / x).sum()).backward()  # rules divide by 0: quiet too
        assert np.isnan(x.grad.data[0])
        with pytest.raises(FloatingPointError, match="'log'"):
            graph.check_finite(y.sum())
    assert math.isnan(Value(-1.0).log().data)  # the scalar engine follows the same policy (docs/numerics.md)


def test_stable_softmax_sigmoid_at_extremes():
    logits = Tensor(np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]], np.float32), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = logits.softmax(axis=-1)
        lp = logits.log_softmax(axis=-1)
        sig = logits.sigmoid()
        for t in (s, lp, sig):
            assert np.isfinite(t.data).all() and t.dtype == np.float32
        np.testing.assert_allclose(s.data.sum(axis=-1), 1.0, rtol=1e-6)
        np.testing.assert_allclose(lp.data[0], [0.0, -2e4, -1e4])
        np.testing.assert_allclose(lp.data[1], np.log(1 / 3), rtol=1e-6)
        np.testing.assert_array_equal(sig.data[0], [1.0, 0.0, 0.5])
        (s * np.arange(3.0)).sum().backward()
        (lp[:, 0].sum() + sig.sum() + logits.softplus().sum() + logits.log_sigmoid().sum()).backward()
        assert np.isfinite(logits.grad.data).all()


@SETTINGS
@given(x=arrays(shapes(min_dims=1), elements=st.floats(-50, 50)))
def test_log_softmax_agrees_with_the_naive_formula(x):
    t = Tensor(x)
    naive = x - np.log(np.exp(x).sum(axis=-1, keepdims=True))
    np.testing.assert_allclose(t.log_softmax().data, naive, atol=1e-10)
    np.testing.assert_allclose(t.softmax().data, np.exp(naive), atol=1e-12)


def test_ties_share_the_gradient():
    """max/min split g equally between tied elements (like torch.amax); maximum splits ties in half."""
    x = Tensor(np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]]), requires_grad=True)
    x.max(axis=1).sum().backward()
    np.testing.assert_allclose(x.grad, [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])
    y = Tensor(np.array([1.0, 1.0]), requires_grad=True)
    y.min().backward()
    np.testing.assert_allclose(y.grad, [0.5, 0.5])
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([1.0, 0.0], requires_grad=True)
    maximum(a, b).sum().backward()
    np.testing.assert_allclose(a.grad, [0.5, 1.0])
    np.testing.assert_allclose(b.grad, [0.5, 0.0])


def test_kinks_follow_the_documented_choices():
    x = Tensor([-1.0, 0.0, 1.0, 2.0], requires_grad=True)
    x.relu().sum().backward()
    np.testing.assert_array_equal(x.grad, [0, 0, 1, 1])  # relu'(0) = 0
    x.zero_grad()
    x.abs().sum().backward()
    np.testing.assert_array_equal(x.grad, [-1, 0, 1, 1])  # abs'(0) = 0
    x.zero_grad()
    x.clip(0.0, 1.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [0, 1, 1, 0])  # bounds included, as torch.clamp
    x.zero_grad()
    x.leaky_relu(0.1).sum().backward()
    np.testing.assert_allclose(x.grad, [0.1, 0.1, 1, 1])
