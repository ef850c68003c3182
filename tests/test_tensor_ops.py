"""Every Tensor op, property-tested: Hypothesis draws shapes (broadcastable pairs, size-1
and empty axes, 0-d scalars), values inside the op's smooth domain and axes; the engine's
gradient must match finite differences in float64 and keep every invariant that
`check_op_gradient` asserts (grad shape and dtype, no shared memory, inputs untouched)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd_mlp.gradcheck import gradgradcheck
from autograd_mlp.tensor import (
    Tensor,
    concatenate,
    linear,
    maximum,
    minimum,
    stack,
    unbroadcast,
    where,
)
from autograd_mlp.testing import (
    arrays,
    away_from,
    axes,
    broadcastable_shapes,
    check_op_gradient,
    distinct_arrays,
    floats,
    shapes,
)

SETTINGS = settings(max_examples=30, deadline=None)
FEW = settings(max_examples=15, deadline=None)
SECOND_ORDER = settings(max_examples=6, deadline=None)  # each example differentiates a backward pass


def grid(offset: int) -> st.SearchStrategy[float]:
    """Multiples of 0.05, shifted by offset * 0.025: grid(0) and grid(1) never meet (no ties)."""
    return st.integers(-60, 60).map(lambda k: 0.05 * k + 0.025 * offset)


# ------------------------------------------------------------------ unary

UNARY = {
    "neg": (lambda x: -x, floats()),
    "exp": (Tensor.exp, floats()),
    "log": (Tensor.log, floats(0.1, 3.0)),
    "sqrt": (Tensor.sqrt, floats(0.1, 3.0)),
    "abs": (Tensor.abs, away_from([0.0])),
    "tanh": (Tensor.tanh, floats()),
    "sigmoid": (Tensor.sigmoid, floats(-6.0, 6.0)),
    "softplus": (Tensor.softplus, floats(-6.0, 6.0)),
    "log_sigmoid": (Tensor.log_sigmoid, floats(-6.0, 6.0)),
    "relu": (Tensor.relu, away_from([0.0])),
    "leaky_relu": (lambda x: x.leaky_relu(0.1), away_from([0.0])),
    "clip": (lambda x: x.clip(-1.0, 1.0), away_from([-1.0, 1.0])),
    "clamp_min": (lambda x: x.clamp(min=0.5), away_from([0.5])),
    "clamp_max": (lambda x: x.clamp(max=-0.5), away_from([-0.5])),
    "clone": (lambda x: x.clone() * x, floats()),
    "pow_method": (lambda x: x.pow(3), floats()),
    "square": (lambda x: x**2, floats()),
    "cube": (lambda x: x**3, floats()),
    "pow_half": (lambda x: x**0.5, floats(0.1, 3.0)),
    "pow_negative": (lambda x: x**-1.5, floats(0.1, 3.0)),
    "pow_numpy_scalar": (lambda x: x ** np.float64(2.5), floats(0.1, 3.0)),
    "x_times_x": (lambda x: x * x, floats()),
    "x_plus_x": (lambda x: x + x, floats()),
    "numbers_around": (lambda x: 2.0 - 3 * x + 1, floats()),
    "divide_by_number": (lambda x: x / 4.0, floats()),
    "number_over_x": (lambda x: 2.0 / x, away_from([0.0], 0.5)),
    "number_to_the_x": (lambda x: 2.0**x, floats()),
}


@SETTINGS
@pytest.mark.parametrize("name", sorted(UNARY))
@given(data=st.data())
def test_unary_gradient(name, data):
    fn, elements = UNARY[name]
    x = data.draw(arrays(shapes(min_side=0), elements=elements), label="x")
    check_op_gradient(fn, x)


@FEW
@pytest.mark.parametrize("name", sorted(UNARY))
@given(data=st.data())
def test_unary_keeps_float32(name, data):
    fn, elements = UNARY[name]
    x = Tensor(data.draw(arrays(shapes(), elements=elements, dtype=np.float32)), requires_grad=True)
    y = fn(x)
    assert y.dtype == np.float32
    y.backward(np.ones(y.shape, np.float32))
    assert x.grad.dtype == np.float32 and x.grad.shape == x.shape


# ----------------------------------------------------------------- binary

BINARY = {
    "add": (lambda a, b: a + b, floats(), floats()),
    "subtract": (lambda a, b: a - b, floats(), floats()),
    "multiply": (lambda a, b: a * b, floats(), floats()),
    "divide": (lambda a, b: a / b, floats(), away_from([0.0], 0.5)),
    "power": (lambda a, b: a**b, floats(0.5, 3.0), floats(-2.0, 2.0)),
    "maximum": (maximum, grid(0), grid(1)),
    "minimum": (minimum, grid(0), grid(1)),
}


@SETTINGS
@pytest.mark.parametrize("name", sorted(BINARY))
@given(data=st.data())
def test_binary_gradient_with_broadcasting(name, data):
    fn, elements_a, elements_b = BINARY[name]
    shape_a, shape_b = data.draw(broadcastable_shapes(min_side=0), label="shapes")
    a = data.draw(arrays(shape_a, elements=elements_a), label="a")
    b = data.draw(arrays(shape_b, elements=elements_b), label="b")
    check_op_gradient(fn, a, b)


@FEW
@pytest.mark.parametrize("name", sorted(BINARY))
@given(data=st.data())
def test_binary_keeps_float32(name, data):
    fn, elements_a, elements_b = BINARY[name]
    shape_a, shape_b = data.draw(broadcastable_shapes())
    a = Tensor(data.draw(arrays(shape_a, elements=elements_a, dtype=np.float32)), requires_grad=True)
    b = Tensor(data.draw(arrays(shape_b, elements=elements_b, dtype=np.float32)), requires_grad=True)
    y = fn(a, b)
    assert y.dtype == np.float32
    y.backward(np.ones(y.shape, np.float32))
    for t in (a, b):
        assert t.grad.dtype == np.float32 and t.grad.shape == t.shape


@SETTINGS
@pytest.mark.parametrize(
    "fn",
    [
        lambda a, c: a + c,
        lambda a, c: c + a,
        lambda a, c: c - a,
        lambda a, c: c * a,
        lambda a, c: a / (c * c + 1.0),
        lambda a, c: (c * c + 1.0) / (a * a + 1.0),
        lambda a, c: maximum(c, a),
        lambda a, c: where(c > 0, a, c),
    ],
    ids=["tensor+array", "array+tensor", "array-tensor", "array*tensor", "tensor/array", "array/tensor",
         "maximum(array, tensor)", "where(mask, tensor, array)"],
)
@given(data=st.data())
def test_numpy_array_on_either_side(fn, data):
    shape_a, shape_c = data.draw(broadcastable_shapes())
    a = data.draw(arrays(shape_a, elements=grid(0)))
    c = data.draw(arrays(shape_c, elements=grid(1)))  # a constant: only a is checked
    check_op_gradient(lambda a: fn(a, c), a)


@SETTINGS
@given(data=st.data())
def test_where_gradient(data):
    shape_c, shape_a, shape_b = data.draw(broadcastable_shapes(3, min_side=0))
    condition = data.draw(hnp.arrays(np.bool_, shape_c))
    a, b = data.draw(arrays(shape_a)), data.draw(arrays(shape_b))
    check_op_gradient(lambda a, b: where(condition, a, b), a, b)
    check_op_gradient(lambda a: where(Tensor(condition), 0.5, a * a), a)


# -------------------------------------------------------------- reductions


@SETTINGS
@pytest.mark.parametrize("name", ["sum", "mean"])
@given(data=st.data())
def test_sum_and_mean(name, data):
    x = data.draw(arrays(shapes(min_side=0)), label="x")
    axis = data.draw(axes(x.ndim), label="axis")
    keepdims = data.draw(st.booleans(), label="keepdims")
    check_op_gradient(lambda t: getattr(t, name)(axis=axis, keepdims=keepdims), x)


@SETTINGS
@pytest.mark.parametrize("name", ["max", "min"])
@given(data=st.data())
def test_max_and_min_without_ties(name, data):
    x = data.draw(distinct_arrays(shapes()), label="x")
    axis = data.draw(axes(x.ndim), label="axis")
    keepdims = data.draw(st.booleans(), label="keepdims")
    check_op_gradient(lambda t: getattr(t, name)(axis=axis, keepdims=keepdims), x)


@SETTINGS
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@given(data=st.data())
def test_softmax_and_log_softmax(name, data):
    x = data.draw(arrays(shapes(min_dims=1), elements=floats(-5.0, 5.0)), label="x")
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1), label="axis")
    check_op_gradient(lambda t: getattr(t, name)(axis), x)


# ------------------------------------------------------------------ matmul


@st.composite
def matmul_shapes(draw):
    """Operand shapes for a @ b: vectors, matrices and broadcast batch axes, k = 0 included."""
    n, k, m = draw(st.integers(1, 3)), draw(st.integers(0, 3)), draw(st.integers(1, 3))
    batch_a, batch_b = draw(broadcastable_shapes(min_dims=1, max_dims=2, max_side=3))
    kinds = st.sampled_from(["vector", "matrix", "batched"])  # an explicit draw: each kind is common
    kind_a, kind_b = draw(kinds), draw(kinds)
    a = {"vector": (k,), "matrix": (n, k), "batched": batch_a + (n, k)}[kind_a]
    b = {"vector": (k,), "matrix": (k, m), "batched": batch_b + (k, m)}[kind_b]
    return a, b


@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_matmul_gradient(data):
    shape_a, shape_b = data.draw(matmul_shapes(), label="shapes")
    a, b = data.draw(arrays(shape_a)), data.draw(arrays(shape_b))
    check_op_gradient(lambda a, b: a @ b, a, b)


@SETTINGS
@given(data=st.data())
def test_matmul_with_transposed_matrix_and_linear(data):
    """x @ W.T (recorded as one linear node) and linear(x, W, b) against finite differences."""
    batch = data.draw(shapes(max_dims=2, max_side=3))
    n_in, n_out = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))
    x = data.draw(arrays(batch + (n_in,)))
    w = data.draw(arrays((n_out, n_in)))
    bias = data.draw(arrays((n_out,)))
    check_op_gradient(lambda x, w: x @ w.T, x, w)
    check_op_gradient(lambda x, w, b: linear(x, w, b), x, w, bias)
    check_op_gradient(lambda x, w: linear(x, w), x, w)


# ------------------------------------------------------------- indexing


@st.composite
def indexed_arrays(draw):
    """An array and an index of one kind: basic (ints, slices, None, ...), integer arrays, list, mask, mixed."""
    shape = draw(shapes(min_dims=1, max_side=4))
    kind = draw(st.sampled_from(["basic", "integer arrays", "list", "bool mask", "slice + integer array"]))
    if kind == "basic":
        index = draw(hnp.basic_indices(shape, allow_newaxis=True, allow_ellipsis=True))
    elif kind == "integer arrays":
        index = draw(hnp.integer_array_indices(shape, result_shape=shapes(max_dims=2, max_side=5)))
    elif kind == "list":
        index = draw(st.lists(st.integers(-shape[0], shape[0] - 1), max_size=6))
    elif kind == "bool mask":
        index = draw(hnp.arrays(np.bool_, shape))
    else:
        rows = draw(hnp.arrays(np.intp, draw(st.integers(0, 5)), elements=st.integers(0, shape[-1] - 1)))
        index = (Ellipsis, rows)
    return draw(arrays(shape)), index


@SETTINGS
@given(case=indexed_arrays())
def test_getitem_gradient(case):
    x, index = case
    check_op_gradient(lambda t: t[index], x)


@SETTINGS
@given(data=st.data())
def test_getitem_repeated_indices_accumulate(data):
    x = data.draw(arrays((4,)))
    index = data.draw(st.lists(st.integers(0, 3), min_size=1, max_size=8))
    t = Tensor(x, requires_grad=True)
    t[index].sum().backward()
    expected = np.bincount(index, minlength=4)  # each pick adds one
    np.testing.assert_array_equal(t.grad, expected)


# ----------------------------------------------------- joining tensors


@st.composite
def concatenation_cases(draw):
    base = draw(shapes(min_dims=1))
    axis = draw(st.integers(-len(base), len(base) - 1))
    sizes = draw(st.lists(st.integers(0, 3), min_size=1, max_size=3))
    parts = [base[: axis % len(base)] + (s,) + base[axis % len(base) + 1 :] for s in sizes]
    return [draw(arrays(shape)) for shape in parts], axis


@SETTINGS
@given(case=concatenation_cases())
def test_concatenate_gradient(case):
    parts, axis = case
    check_op_gradient(lambda *xs: concatenate(xs, axis=axis), *parts)


@SETTINGS
@given(data=st.data())
def test_stack_gradient(data):
    shape = data.draw(shapes(min_side=0))
    count = data.draw(st.integers(1, 3))
    parts = [data.draw(arrays(shape)) for _ in range(count)]
    axis = data.draw(st.integers(-len(shape) - 1, len(shape)))
    check_op_gradient(lambda *xs: stack(xs, axis=axis), *parts)


# ---------------------------------------------------------- shape ops


@SETTINGS
@given(data=st.data())
def test_reshape_gradient(data):
    x = data.draw(arrays(shapes(min_side=0)))
    target = data.draw(st.sampled_from([x.shape[::-1], (-1,), (1,) + x.shape, (x.size, 1)]))
    check_op_gradient(lambda t: t.reshape(target), x)
    check_op_gradient(lambda t: t.reshape(*target) * 2.0, x)


@SETTINGS
@given(data=st.data())
def test_transpose_gradient(data):
    x = data.draw(arrays(shapes()))
    perm = data.draw(st.permutations(range(x.ndim)))
    written = [p - x.ndim if data.draw(st.booleans()) else p for p in perm]  # negative axes too
    check_op_gradient(lambda t: t.permute(*written), x)
    check_op_gradient(lambda t: t.T * t.T, x)
    if x.ndim:
        i, j = data.draw(st.integers(-x.ndim, x.ndim - 1)), data.draw(st.integers(-x.ndim, x.ndim - 1))
        check_op_gradient(lambda t: t.transpose(i, j), x)  # PyTorch's two-dim swap
    if x.ndim <= 2:
        check_op_gradient(lambda t: t.t() * 2.0, x)


@SETTINGS
@given(data=st.data())
def test_max_and_min_along_a_dim_return_values_and_indices(data):
    """max(dim)/min(dim): the values are gathered at the indices; the gradient goes to those elements."""
    x = data.draw(distinct_arrays(shapes(min_dims=1)))
    dim = data.draw(st.integers(-x.ndim, x.ndim - 1))
    keepdim = data.draw(st.booleans())
    for name in ("max", "min"):
        values, indices = getattr(Tensor(x), name)(dim, keepdim=keepdim)
        expected = getattr(x, name)(axis=dim, keepdims=keepdim)
        np.testing.assert_array_equal(values.data, expected)
        np.testing.assert_array_equal(indices.data, getattr(x, "arg" + name)(axis=dim, keepdims=keepdim))
        assert indices.dtype == np.int64
        check_op_gradient(lambda t, name=name: getattr(t, name)(dim=dim, keepdim=keepdim).values * 1.5, x,
                          second_order=True)
        check_op_gradient(lambda t, name=name: getattr(t, "a" + name)(dim=dim, keepdim=keepdim), x)


@SETTINGS
@given(data=st.data())
def test_in_place_arithmetic_while_recording_is_an_op(data):
    """acc += x, acc *= y on tensors that are not leaves requiring grad: recorded like acc = acc + x."""
    shape_a, shape_b = data.draw(broadcastable_shapes())
    x = data.draw(arrays(shape_a))
    y = data.draw(arrays(shape_b, elements=away_from([0.0], 0.5)))

    def accumulate(a: Tensor, b: Tensor) -> Tensor:
        acc = a * 1.0
        acc += b
        acc *= a
        acc -= 2.0
        acc /= b
        return acc

    if np.broadcast_shapes(shape_a, shape_b) == shape_a:  # in place needs the result to fit acc
        check_op_gradient(accumulate, x, y)


@SETTINGS
@given(data=st.data())
def test_swapaxes_flatten_squeeze_unsqueeze(data):
    x = data.draw(arrays(shapes(min_dims=1, min_side=0)))
    ndim = x.ndim
    i, j = data.draw(st.integers(-ndim, ndim - 1)), data.draw(st.integers(-ndim, ndim - 1))
    start = data.draw(st.integers(0, ndim - 1))
    end = data.draw(st.integers(start, ndim - 1))
    new_axis = data.draw(st.integers(-ndim - 1, ndim))
    check_op_gradient(lambda t: t.swapaxes(i, j), x)
    check_op_gradient(lambda t: t.flatten(start, end), x)
    check_op_gradient(lambda t: t.unsqueeze(new_axis).squeeze(new_axis), x)
    check_op_gradient(lambda t: t.squeeze(), x)


@SETTINGS
@given(data=st.data())
def test_broadcast_to_gradient(data):
    drawn = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
    x = data.draw(arrays(drawn.input_shapes[0]))
    check_op_gradient(lambda t: t.broadcast_to(drawn.result_shape), x)


# ------------------------------------------------------ unbroadcast itself


@SETTINGS
@given(data=st.data())
def test_unbroadcast_sums_the_upstream_gradient(data):
    """Each input's gradient has its shape and the same total as the broadcast upstream gradient."""
    shape_a, shape_b = data.draw(broadcastable_shapes(min_side=0))
    a = Tensor(data.draw(arrays(shape_a)), requires_grad=True)
    b = Tensor(data.draw(arrays(shape_b)), requires_grad=True)
    out = a + b
    upstream = data.draw(arrays(out.shape))
    out.backward(upstream)
    for t in (a, b):
        assert t.grad.shape == t.shape
        np.testing.assert_allclose(t.grad.sum(), upstream.sum(), atol=1e-9)
        # the helper works on arrays and Tensors alike, with the same numbers
        np.testing.assert_allclose(unbroadcast(Tensor(upstream), t.shape).data, unbroadcast(upstream, t.shape))


# ------------------------------------------------------ second derivatives
# Every rule is also run on Tensors (create_graph=True): its own derivative must be right.


@SECOND_ORDER
@pytest.mark.parametrize("name", sorted(UNARY))
@given(data=st.data())
def test_unary_second_derivative(name, data):
    fn, elements = UNARY[name]
    x = data.draw(arrays(shapes(max_side=3), elements=elements), label="x")
    gradgradcheck(fn, x)


@SECOND_ORDER
@pytest.mark.parametrize("name", sorted(BINARY))
@given(data=st.data())
def test_binary_second_derivative(name, data):
    fn, elements_a, elements_b = BINARY[name]
    shape_a, shape_b = data.draw(broadcastable_shapes(max_side=3))
    gradgradcheck(fn, data.draw(arrays(shape_a, elements=elements_a)), data.draw(arrays(shape_b, elements=elements_b)))


STRUCTURAL = {
    "sum": lambda x: (x.sum(axis=0) ** 2).sum(),
    "mean": lambda x: x.mean(axis=-1, keepdims=True) * x,
    "max": lambda x: x.max(axis=0) ** 3,
    "min": lambda x: x.min() * x,
    "softmax": lambda x: x.softmax(axis=-1),
    "log_softmax": lambda x: x.log_softmax(axis=0),
    "matmul": lambda x: x @ x.T,
    "matmul_vector": lambda x: (x[0] @ x) * x[:, 0],
    "linear": lambda x: linear(x, x * x, x[0]),
    "getitem": lambda x: x[[0, 0, -1]] * x[..., -1] + x[0, None],
    "bool_mask": lambda x: x[x.data > 0] ** 2,
    "concatenate": lambda x: concatenate([x, x * x], axis=-1),
    "stack": lambda x: stack([x, x.exp()], axis=1),
    "where": lambda x: where(x.data > 0, x * x, x**3),
    "reshape_transpose": lambda x: x.reshape(-1).reshape(x.shape).T * x.T,
    "broadcast_to": lambda x: x.broadcast_to((2,) + x.shape) ** 2,
}


@SECOND_ORDER
@pytest.mark.parametrize("name", sorted(STRUCTURAL))
@given(x=st.integers(1, 3).flatmap(lambda n: distinct_arrays((n, n))))
def test_structural_second_derivative(name, x):
    # square, no ties, and no element at 0, where the masks of "where" and "bool_mask" switch
    gradgradcheck(STRUCTURAL[name], x + 0.005)
