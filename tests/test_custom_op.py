"""A user's own operation, defined with Op and from_op, is differentiated like a built-in."""

import numpy as np
import pytest
from hypothesis import given, settings

import autograd_mlp as am
from autograd_mlp import Op, Tensor, Value
from autograd_mlp.tensor import from_op as tensor_from_op
from autograd_mlp.testing import arrays, shapes
from autograd_mlp.value import from_op as value_from_op

# d(x**3)/dx = 3x^2, written so it works on arrays and on Tensors / Values
CUBE = Op("cube", lambda g, out, x: (g * 3 * x * x,))


def tensor_cube(x: Tensor) -> Tensor:
    return tensor_from_op(x.data**3, CUBE, [x])


@settings(max_examples=25, deadline=None)
@given(arrays(shapes(max_dims=3, max_side=4)))
def test_a_custom_tensor_op_passes_gradcheck(data):
    x = Tensor(data, requires_grad=True)
    assert am.gradcheck(tensor_cube, x)


def test_custom_ops_get_second_derivatives_for_free():
    x = Tensor(np.array([1.0, -2.0, 0.5]), requires_grad=True)
    (d1,) = am.grad(tensor_cube(x).sum(), [x], create_graph=True)
    (d2,) = am.grad(d1.sum(), [x])
    np.testing.assert_allclose(d2, 6 * x.data)
    v = Value(2.0)
    (g1,) = am.grad(value_from_op(v.data**3, CUBE, [v]), [v], create_graph=True)
    (g2,) = am.grad(g1, [v])
    assert (g1.data, g2) == (12.0, 12.0)


def test_from_op_checks_its_arguments():
    with pytest.raises(TypeError, match="must be an autograd_mlp.Op"):
        tensor_from_op(1.0, lambda g: g, [Tensor(1.0)])
    with pytest.raises(TypeError, match="input 0 is a float, not a Tensor"):
        tensor_from_op(1.0, CUBE, [1.0])
    with pytest.raises(TypeError, match="input 0 is a float, not a Value"):
        value_from_op(1.0, CUBE, [1.0])
