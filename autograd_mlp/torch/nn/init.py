"""``torch.nn.init``: PyTorch's in-place ``*_`` initialisers over `autograd_mlp.nn.init`.

Each fills a tensor's array in place (no graph is recorded, as under
``no_grad`` in PyTorch) and returns the tensor. Draws come from the
generator `manual_seed` set, at the moment of the call, or ``generator=``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...nn import init as _init
from ...random import get_generator
from ...tensor import Tensor as _Tensor
from .._unsupported import module_getattr

__all__ = [
    "calculate_gain",
    "uniform_",
    "normal_",
    "constant_",
    "zeros_",
    "ones_",
    "eye_",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
]

calculate_gain = _init.calculate_gain


def _fill(tensor: Any, values: Any, who: str) -> _Tensor:
    if not isinstance(tensor, _Tensor):
        raise TypeError(f"nn.init.{who}: expected a tensor, got {type(tensor).__name__}")
    # In place, so modules and optimizers that hold this tensor see the new numbers.
    np.copyto(tensor.data, values, casting="unsafe")
    return tensor


def _fans(tensor: _Tensor, who: str) -> tuple[int, int]:
    """PyTorch's fan_in / fan_out: a (out, in) weight has fan_in = in, fan_out = out."""
    shape = tensor.data.shape
    if len(shape) < 2:
        raise ValueError(f"nn.init.{who}: fan in and fan out need a tensor with 2 or more dims, got shape {shape}")
    field = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * field, shape[0] * field


def uniform_(tensor: Any, a: float = 0.0, b: float = 1.0, generator: Any = None) -> _Tensor:
    return _fill(tensor, get_generator(generator).uniform(a, b, tensor.data.shape), "uniform_")


def normal_(tensor: Any, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> _Tensor:
    return _fill(tensor, get_generator(generator).normal(mean, std, tensor.data.shape), "normal_")


def constant_(tensor: Any, val: float) -> _Tensor:
    return _fill(tensor, val, "constant_")


def zeros_(tensor: Any) -> _Tensor:
    return _fill(tensor, 0, "zeros_")


def ones_(tensor: Any) -> _Tensor:
    return _fill(tensor, 1, "ones_")


def eye_(tensor: Any) -> _Tensor:
    if tensor.data.ndim != 2:
        raise ValueError(f"nn.init.eye_: needs a 2-D tensor, got shape {tensor.data.shape}")
    return _fill(tensor, np.eye(*tensor.data.shape), "eye_")


def xavier_uniform_(tensor: Any, gain: float = 1.0, generator: Any = None) -> _Tensor:
    fan_in, fan_out = _fans(tensor, "xavier_uniform_")
    values = _init.xavier_uniform(tensor.data.shape, fan_in, fan_out, gain=gain, rng=get_generator(generator))
    return _fill(tensor, values, "xavier_uniform_")


def xavier_normal_(tensor: Any, gain: float = 1.0, generator: Any = None) -> _Tensor:
    fan_in, fan_out = _fans(tensor, "xavier_normal_")
    values = _init.xavier_normal(tensor.data.shape, fan_in, fan_out, gain=gain, rng=get_generator(generator))
    return _fill(tensor, values, "xavier_normal_")


def _kaiming_std(tensor: _Tensor, a: float, mode: str, nonlinearity: str, who: str) -> float:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"nn.init.{who}: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _fans(tensor, who)
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(
    tensor: Any, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", generator: Any = None
) -> _Tensor:
    """U(-b, b) with b = gain * sqrt(3 / fan): PyTorch's defaults (leaky_relu with slope ``a``)."""
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity, "kaiming_uniform_")
    return _fill(tensor, get_generator(generator).uniform(-bound, bound, tensor.data.shape), "kaiming_uniform_")


def kaiming_normal_(
    tensor: Any, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", generator: Any = None
) -> _Tensor:
    std = _kaiming_std(tensor, a, mode, nonlinearity, "kaiming_normal_")
    return _fill(tensor, get_generator(generator).normal(0.0, std, tensor.data.shape), "kaiming_normal_")


__getattr__ = module_getattr("torch.nn.init")
