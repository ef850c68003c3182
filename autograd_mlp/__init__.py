"""autograd_mlp: a small, fast and exact automatic-differentiation library.

    import autograd_mlp as am
    x = am.Value(2.0)
    y = (x * x).tanh()
    y.backward()
    x.grad

The graph core (graph.py) is shared by the scalar `Value` (value.py) and the
numpy `Tensor` (tensor.py); `nn` and `optim` build on both.
"""

from . import data, nn, optim, viz
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .graph import (
    Op,
    check_finite,
    enable_grad,
    find_nonfinite,
    grad,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
    topological_order,
)
from .random import manual_seed
from .tensor import Tensor
from .value import Value

__version__ = "0.1.0"

__all__ = [
    "Op",
    "Value",
    "Tensor",
    "manual_seed",
    "gradcheck",
    "gradgradcheck",
    "GradcheckError",
    "nn",
    "optim",
    "data",
    "viz",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "is_grad_enabled",
    "grad",
    "topological_order",
    "check_finite",
    "find_nonfinite",
]
