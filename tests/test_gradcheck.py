"""gradcheck / gradgradcheck and the public Hypothesis strategies: they must accept correct
gradients for Tensors and Values, and catch (and clearly report) wrong ones."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_mlp import Value
from autograd_mlp.gradcheck import GradcheckError, gradcheck, gradgradcheck
from autograd_mlp.graph import Op
from autograd_mlp.mathfn import raw
from autograd_mlp.tensor import Tensor, from_op
from autograd_mlp.testing import (
    arrays,
    away_from,
    axes,
    broadcastable_shapes,
    check_op_gradient,
    distinct_arrays,
    shapes,
    tensors,
)

SETTINGS = settings(max_examples=30, deadline=None)


def op_with_rule(name, forward, rule):
    """A one-input Tensor op made from a forward function and a backward rule (to plant bugs)."""
    op = Op(name, rule)
    return lambda x: from_op(forward(x.data), op, (x,))


cube = op_with_rule("cube", lambda a: a**3, lambda g, out, a: (g * 3 * a * a,))
cube_wrong_factor = op_with_rule("cube", lambda a: a**3, lambda g, out, a: (g * 2.9 * a * a,))
# right first derivative, but written on raw data: under create_graph it is a constant
cube_not_differentiable = op_with_rule("cube", lambda a: a**3, lambda g, out, a: (g * 3 * raw(a) ** 2,))
cube_wrong_shape = op_with_rule("cube", lambda a: a**3, lambda g, out, a: (np.zeros(a.shape + (1,)),))
cube_wrong_dtype = op_with_rule("cube", lambda a: a**3, lambda g, out, a: ((g * 3 * a * a).astype(np.float32),))


# ------------------------------------------------------------- correct gradients


def test_accepts_correct_gradients_of_tensors_values_arrays_and_floats():
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((3, 4)), rng.standard_normal((4, 2))
    assert gradcheck(lambda x, w: (x @ w).tanh(), x, w)  # numpy arrays
    assert gradcheck(lambda x, w: (x @ w).tanh(), Tensor(x, dtype=np.float32), Tensor(w))  # float32 checked in float64
    assert gradcheck(lambda a, b: (a * b + 1.0).tanh() * a, Value(0.3), Value(-1.2))
    assert gradcheck(lambda a: a.exp() * 2.0, 0.7)  # a Python float becomes a 0-d Tensor
    assert gradcheck(lambda a, b: [a * b, a + b, (a - b).relu()], Value(1.5), Value(-0.5))  # list of Values
    assert gradcheck(cube, x)


def test_unchecked_inputs_are_passed_through():
    labels = np.array([0, 2, 1])
    logits = np.random.default_rng(1).standard_normal((3, 4))

    def nll(z, y, reduction):
        assert y is labels and reduction == "mean"  # not converted, not copied
        picked = -z.log_softmax()[np.arange(3), y]
        return picked.mean()

    assert gradcheck(nll, logits, labels, "mean")
    assert gradcheck(lambda z, y: z[np.arange(3), y.data].sum(), logits, Tensor(labels))


def test_inputs_are_not_touched():
    x = Tensor(np.array([1.0, 2.0], np.float32), requires_grad=True)
    v = Value(0.5)
    array = np.array([0.1, 0.2])
    assert gradcheck(lambda x, a: (x * a).sum(), x, array)
    assert gradcheck(lambda v: v * v, v)
    assert x.grad is None and v.grad == 0.0
    np.testing.assert_array_equal(x.data, [1.0, 2.0])
    assert x.dtype == np.float32
    np.testing.assert_array_equal(array, [0.1, 0.2])


def test_a_function_that_ignores_its_input_has_zero_gradient():
    assert gradcheck(lambda x: Tensor(np.ones(3)), np.ones(3))
    assert gradgradcheck(lambda x: x * 2.0, np.ones(3))  # second derivative 0: h has no graph


# --------------------------------------------------------------- wrong gradients


def test_catches_a_wrong_gradient_and_reports_the_worst_element():
    x = np.array([[0.5, -1.0], [2.0, 0.1]])
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda a, b: (a * 3.0).sum() + cube_wrong_factor(b).sum(), np.ones(2), x)
    text = str(info.value)
    # the worst element: input 1 at (1, 0), where 3x**2 is largest (x = 2)
    assert "input 1" in text and "element (1, 0)" in text
    for word in ("analytic", "numeric", "abs error", "rel error"):
        assert word in text
    assert "11.6" in text and "12" in text  # 2.9 * 4 against 3 * 4
    assert isinstance(info.value, AssertionError)
    assert gradcheck(cube_wrong_factor, x, raise_exception=False) is False


def test_catches_wrong_shapes_and_dtypes():
    x = np.array([0.5, -1.0])
    # a rule's gradient of the wrong shape is named, with both shapes
    with pytest.raises(GradcheckError, match=r"input 0 \(Tensor of shape \(2,\)\): the analytic gradient has shape \(2, 1\)"):
        gradcheck(cube_wrong_shape, x)
    with pytest.raises(GradcheckError, match="dtype float32"):
        gradcheck(cube_wrong_dtype, x)


def test_non_scalar_outputs_are_checked_through_every_element():
    """A wrong derivative in one output element is caught through the random contraction."""
    wrong_last = op_with_rule(
        "bad", lambda a: a * 2, lambda g, out, a: (g * np.array([2.0, 2.0, 2.0, 2.1]),)
    )
    with pytest.raises(GradcheckError, match=r"input 0.*element \(3,\)"):
        gradcheck(wrong_last, np.ones(4))


def test_gradgradcheck_catches_a_rule_that_is_not_differentiable():
    x = np.array([0.5, -1.5, 2.0])
    assert gradcheck(cube_not_differentiable, x)  # first derivative is right
    assert gradgradcheck(cube, x)
    with pytest.raises(GradcheckError):
        gradgradcheck(cube_not_differentiable, x)


def test_gradgradcheck_with_values():
    assert gradgradcheck(lambda a, b: (a * b).tanh() + a.exp() * b, Value(0.4), Value(-0.8))


def test_bad_calls():
    with pytest.raises(TypeError, match="no input to check"):
        gradcheck(lambda n: Tensor(np.ones(n)), 3)
    with pytest.raises(TypeError, match="dtype (torch.)?int64"):
        gradcheck(lambda x: Tensor(np.arange(3)), np.ones(3))
    with pytest.raises(TypeError, match="must return"):
        gradcheck(lambda x: 1.0, np.ones(3))


# ------------------------------------------------------------ the strategies


@SETTINGS
@given(data=st.data())
def test_strategies_draw_what_they_promise(data):
    shape = data.draw(shapes(min_side=0))
    assert 0 <= len(shape) <= 3 and all(0 <= n <= 4 for n in shape)
    a_shape, b_shape = data.draw(broadcastable_shapes())
    np.broadcast_shapes(a_shape, b_shape)  # raises if they do not broadcast
    x = data.draw(arrays(shape))
    assert x.shape == shape and x.dtype == np.float64 and np.all(np.abs(x) <= 3)
    axis = data.draw(axes(len(shape)))
    np.sum(np.empty(shape), axis=axis)  # a valid axis argument for that shape
    kinked = data.draw(arrays((5,), elements=away_from([0.0, 1.0], 0.1)))
    assert np.all(np.abs(kinked) >= 0.1 - 1e-12) and np.all(np.abs(kinked - 1.0) >= 0.1 - 1e-12)
    distinct = data.draw(distinct_arrays((6,), spacing=0.05))
    gaps = np.diff(np.sort(distinct))
    assert np.all(gaps >= 0.05 - 1e-9)
    t = data.draw(tensors(shapes(max_dims=2)))
    assert isinstance(t, Tensor) and t.requires_grad


def test_the_strategies_produce_the_interesting_cases():
    """Scalars, size-1 axes and broadcasting pairs with a missing axis all appear."""
    seen = set()

    @settings(max_examples=200, deadline=None)
    @given(pair=broadcastable_shapes(), shape=shapes())
    def collect(pair, shape):
        a, b = pair
        if shape == ():
            seen.add("scalar")
        if 1 in a + b:
            seen.add("size-1 axis")
        if len(a) != len(b):
            seen.add("different ndim")
        if a != b:
            seen.add("broadcasting")

    collect()
    assert seen == {"scalar", "size-1 axis", "different ndim", "broadcasting"}


def test_check_op_gradient_catches_a_rule_that_aliases_its_input():
    aliasing = op_with_rule("alias", lambda a: a * 1.0, lambda g, out, a: (a,))  # wrong and aliased
    with pytest.raises(AssertionError):
        check_op_gradient(aliasing, np.ones(3))
    passthrough = op_with_rule("view", lambda a: a.copy(), lambda g, out, a: (g,))
    assert check_op_gradient(passthrough, np.array([1.0, 2.0]), second_order=True)
