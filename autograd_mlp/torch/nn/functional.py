"""``torch.nn.functional`` (``F``): the native ops and losses with PyTorch's signatures."""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import functional as _F
from ...checks import probability
from ...nn import losses as _losses
from ...nn.layers import Dropout as _Dropout
from ...tensor import Tensor as _Tensor
from .._functions import _t
from .._unsupported import module_getattr

__all__ = [
    "relu",
    "leaky_relu",
    "sigmoid",
    "tanh",
    "softmax",
    "log_softmax",
    "linear",
    "dropout",
    "mse_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "nll_loss",
]


def relu(input: Any, inplace: bool = False) -> _Tensor:
    _no_inplace(inplace, "relu")
    return _t(input).relu()


def leaky_relu(input: Any, negative_slope: float = 0.01, inplace: bool = False) -> _Tensor:
    _no_inplace(inplace, "leaky_relu")
    return _t(input).leaky_relu(negative_slope)


def sigmoid(input: Any) -> _Tensor:
    return _t(input).sigmoid()


def tanh(input: Any) -> _Tensor:
    return _t(input).tanh()


def softmax(input: Any, dim: int = -1, dtype: Any = None) -> _Tensor:
    x = _t(input) if dtype is None else _t(input).astype(np.dtype(dtype))
    return x.softmax(dim)


def log_softmax(input: Any, dim: int = -1, dtype: Any = None) -> _Tensor:
    x = _t(input) if dtype is None else _t(input).astype(np.dtype(dtype))
    return x.log_softmax(dim)


def linear(input: Any, weight: Any, bias: Any = None) -> _Tensor:
    """input @ weight.T + bias, weight of shape (out_features, in_features)."""
    return _F.linear(_t(input), weight, bias)


def dropout(input: Any, p: float = 0.5, training: bool = True, inplace: bool = False) -> _Tensor:
    """Zero each element with probability ``p`` (when ``training``), from the default generator."""
    _no_inplace(inplace, "dropout")
    layer = _Dropout(probability(p, "p", who="dropout"))
    layer.training = bool(training)
    return layer(_t(input))


def mse_loss(input: Any, target: Any, reduction: str = "mean") -> _Tensor:
    return _losses.MSELoss(reduction)(input, target)


def binary_cross_entropy(input: Any, target: Any, reduction: str = "mean") -> _Tensor:
    return _losses.BCELoss(reduction)(input, target)


def binary_cross_entropy_with_logits(input: Any, target: Any, reduction: str = "mean") -> _Tensor:
    return _losses.BCEWithLogitsLoss(reduction)(input, target)


def cross_entropy(input: Any, target: Any, reduction: str = "mean") -> _Tensor:
    """Softmax cross-entropy of logits (N, C) against class indices (N,) or probabilities (N, C)."""
    return _losses.CrossEntropyLoss(reduction)(input, target)


def nll_loss(input: Any, target: Any, reduction: str = "mean") -> _Tensor:
    return _losses.NLLLoss(reduction)(input, target)


def _no_inplace(inplace: bool, who: str) -> None:
    if inplace:
        raise NotImplementedError(
            f"F.{who}(..., inplace=True): in-place activations are not supported (the result is returned "
            "instead; see docs/from-pytorch.md)"
        )


__getattr__ = module_getattr("torch.nn.functional")
