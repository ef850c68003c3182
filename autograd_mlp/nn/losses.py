"""Tensor losses: `MSELoss`, `BCELoss`, `BCEWithLogitsLoss`, `CrossEntropyLoss`, `NLLLoss`.

Each takes ``reduction`` = "mean" (default), "sum" or "none", as in PyTorch.
The cross-entropy and binary cross-entropy losses are single fused nodes
(`tensor.from_op`): their forward is computed in the stable form (log-sum-exp,
clamped logs) and their gradient is the short closed form (softmax - one_hot,
p - y), so extreme logits give finite values and gradients. Each rule sits
right above the function that records it; the reduction is a keyword
constant of the rule (`with_params`), as every constant of every rule is.

Targets are checked at the door: class labels must be integers in range
(float labels get a message saying so), BCELoss's predictions and targets
must be probabilities in [0, 1] (NaN refused). A row of logits that is all
-inf has no softmax: its loss is nan, silently (as PyTorch).

Unlike PyTorch, a prediction and a target of different shapes are an error,
not a broadcast: (N, 1) against (N,) would silently compare every
prediction with every target.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..checks import one_of
from ..graph import Op
from ..mathfn import log as _log
from ..mathfn import raw as _raw
from ..mathfn import sigmoid as _sigmoid
from ..mathfn import softplus_array
from ..op_params import with_params
from ..tensor import Tensor, from_op
from .module import Module

__all__ = [
    "cross_entropy",
    "nll_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "mse_loss",
    "MSELoss",
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "NLLLoss",
]

_REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction: str, who: str) -> str:
    return one_of(reduction, _REDUCTIONS, "reduction", who=who)


def _as_tensor(x: Any, like: Tensor | None = None) -> Tensor:
    if isinstance(x, Tensor):
        return x
    array = np.asarray(x)
    if like is not None and array.dtype.kind == "f":
        array = array.astype(like.dtype, copy=False)
    return Tensor(array)


def _prediction_and_target(loss: str, prediction: Any, target: Any) -> tuple[Tensor, Tensor]:
    """Both as Tensors (a float target takes the prediction's dtype), of the same shape."""
    prediction = _as_tensor(prediction)
    target = _as_tensor(target, like=prediction)
    _same_shape(loss, prediction, target)
    return prediction, target


def _same_shape(loss: str, prediction: Tensor, target: Tensor) -> None:
    if prediction.shape != target.shape:
        raise ValueError(
            f"{loss}: prediction of shape {prediction.shape} and target of shape {target.shape} differ "
            "(reshape one of them; broadcasting here is almost always a bug)"
        )


def _class_labels(loss: str, rows: str, target: Any, n: int, classes: int) -> np.ndarray:
    """The integer labels (N,) in [0, classes), or an error saying what was wrong with them."""
    labels = target.data if isinstance(target, Tensor) else np.asarray(target)
    if labels.dtype.kind == "f":
        raise TypeError(
            f"{loss}: class labels must be integers, got dtype {labels.dtype}; "
            "convert them with .long() (or .astype(np.int64))"
        )
    if labels.dtype.kind not in "iu":
        raise TypeError(f"{loss}: class labels must be integers, got dtype {labels.dtype}")
    if labels.shape != (n,):
        raise ValueError(f"{loss}: {n} rows of {rows} need {n} labels of shape ({n},), got shape {labels.shape}")
    if n and (labels.min() < 0 or labels.max() >= classes):
        bad = labels[(labels < 0) | (labels >= classes)]
        raise ValueError(f"{loss}: labels must be in [0, {classes - 1}], got {bad[:5].tolist()} ({classes} classes)")
    return labels


def _in_unit_interval(loss: str, name: str, x: Tensor) -> None:
    """``x`` holds probabilities: every element in [0, 1] and none NaN."""
    data = x.data
    if not data.size:
        return
    lo, hi = data.min(), data.max()  # NaN anywhere makes both NaN
    if not (lo >= 0 and hi <= 1):
        if np.isnan(lo):
            raise ValueError(f"{loss}: {name} contains NaN (at flat index {int(np.flatnonzero(np.isnan(data))[0])})")
        hint = " (for raw scores use BCEWithLogitsLoss)" if name == "prediction" else ""
        raise ValueError(f"{loss}: {name} must be probabilities in [0, 1], got min {lo:.4g}, max {hi:.4g}{hint}")


def _reduce(losses: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    return losses


def _reduced_array(losses: np.ndarray, reduction: str) -> np.ndarray:
    if reduction == "mean":  # sum / n: ndarray.mean goes through a slow Python wrapper; empty -> nan
        return np.asarray(losses.sum() / losses.size if losses.size else np.nan, dtype=losses.dtype)
    if reduction == "sum":
        return np.asarray(losses.sum(), dtype=losses.dtype)
    return losses


def _spread(g: Any, reduction: str, count: int) -> Any:
    """The upstream gradient of a reduced loss as a per-element factor."""
    if reduction == "mean":
        return g / count
    return g


def _softmax_rows(z: Any) -> Any:
    """softmax over the last axis (the array kernel for rules; a Tensor uses its own op)."""
    if isinstance(z, Tensor):
        return z.softmax(axis=-1)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    e /= e.sum(axis=-1, keepdims=True)
    return e


# ------------------------------------------------------------ cross-entropy


def _cross_entropy_rule(g: Any, out: Any, logits: Any, target: Any, *, reduction: str, needs_input_grad: Sequence[bool]) -> tuple:
    """d loss_i / d z_i = softmax(z_i) - one_hot(y_i) (times g, / N for the mean)."""
    labels = _raw(target)
    n = labels.shape[0]
    rows = np.arange(n)
    factor = _spread(g, reduction, n)
    if reduction == "none":
        factor = factor.reshape(-1, 1)
    p = _softmax_rows(logits)
    if isinstance(p, np.ndarray):
        p[rows, labels] -= 1  # our own temporary: change it in place
        p *= factor
        return p, None
    one_hot = np.zeros(p.shape, dtype=p.dtype)
    one_hot[rows, labels] = 1
    return (p - one_hot) * factor, None


_CROSS_ENTROPY = Op("cross_entropy", _cross_entropy_rule, skip_unneeded=True)


def cross_entropy(logits: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Softmax cross-entropy of ``logits`` (N, C) against class indices (N,) or probabilities (N, C).

    With class indices it is one node: loss_i = logsumexp(z_i) - z_i[y_i],
    computed on z - max(z). A row of all -inf logits gives nan.
    """
    _check_reduction(reduction, "cross_entropy")
    logits = _as_tensor(logits)
    if logits.ndim != 2:
        raise ValueError(f"cross_entropy: logits must have shape (N, C), got {logits.shape}")
    n, classes = logits.shape
    target = _as_tensor(target, like=logits)
    if target.dtype.kind == "f" and target.shape == logits.shape:  # probabilities (soft labels)
        return _reduce(-(target * logits.log_softmax(axis=-1)).sum(axis=-1), reduction)
    labels = _class_labels("cross_entropy", "logits", target, n, classes)
    z = logits.data
    with np.errstate(invalid="ignore"):  # a row of all -inf: -inf - -inf is nan, silently
        shifted = z - z.max(axis=1, keepdims=True)
        log_sum_exp = np.log(np.exp(shifted).sum(axis=1))
    losses = log_sum_exp - shifted[np.arange(n), labels]
    return from_op(_reduced_array(losses, reduction), with_params(_CROSS_ENTROPY, reduction=reduction), (logits, target))


def nll_loss(log_probs: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood: -log_probs[i, y_i] (use after log_softmax)."""
    _check_reduction(reduction, "nll_loss")
    log_probs = _as_tensor(log_probs)
    if log_probs.ndim != 2:
        raise ValueError(f"nll_loss: log_probs must have shape (N, C), got {log_probs.shape}")
    n, classes = log_probs.shape
    labels = _class_labels("nll_loss", "log_probs", target, n, classes)
    return _reduce(-log_probs[np.arange(n), labels], reduction)


# ------------------------------------------------------- binary cross-entropy


def _bce_rule(g: Any, out: Any, p: Any, y: Any, *, reduction: str, needs_input_grad: Sequence[bool]) -> tuple:
    """d/dp = (p - y) / (p (1 - p)), with the denominator kept >= 1e-12 as PyTorch does; d/dy = log(1-p) - log(p)."""
    factor = _spread(g, reduction, _raw(p).size)
    gp = factor * (p - y) / (p * (1 - p)).clip(1e-12, None) if needs_input_grad[0] else None
    gy = None
    if needs_input_grad[1]:
        gy = factor * (_log((1 - p).clip(1e-44, None)) - _log(p.clip(1e-44, None)))
    return gp, gy


_BCE = Op("bce", _bce_rule, skip_unneeded=True)


def binary_cross_entropy(probabilities: Any, target: Any, reduction: str = "mean") -> Tensor:
    """-(y log p + (1 - y) log(1 - p)), logs clamped at -100 like PyTorch, so p = 0 or 1 stays finite."""
    _check_reduction(reduction, "BCELoss")
    p, y = _prediction_and_target("BCELoss", probabilities, target)
    _in_unit_interval("BCELoss", "prediction", p)
    _in_unit_interval("BCELoss", "target", y)
    data = p.data
    with np.errstate(divide="ignore"):
        log_p = np.maximum(np.log(data), -100.0)  # PyTorch's clamp: log(0) counts as -100
        log_q = np.maximum(np.log1p(-data), -100.0)
    losses = -(y.data * log_p + (1 - y.data) * log_q)
    return from_op(_reduced_array(losses.astype(data.dtype, copy=False), reduction), with_params(_BCE, reduction=reduction), (p, y))


def _bce_logits_rule(g: Any, out: Any, z: Any, y: Any, *, reduction: str, needs_input_grad: Sequence[bool]) -> tuple:
    """d/dz = sigmoid(z) - y;  d/dy = -z."""
    factor = _spread(g, reduction, _raw(z).size)
    return (factor * (_sigmoid(z) - y) if needs_input_grad[0] else None, -factor * z if needs_input_grad[1] else None)


_BCE_LOGITS = Op("bce_with_logits", _bce_logits_rule, skip_unneeded=True)


def binary_cross_entropy_with_logits(logits: Any, target: Any, reduction: str = "mean") -> Tensor:
    """Sigmoid + binary cross-entropy in one stable step: log(1 + e**z) - y z."""
    _check_reduction(reduction, "BCEWithLogitsLoss")
    z, y = _prediction_and_target("BCEWithLogitsLoss", logits, target)
    _in_unit_interval("BCEWithLogitsLoss", "target", y)
    x = z.data
    losses = softplus_array(x) - x * y.data  # exp never sees a positive argument
    return from_op(
        _reduced_array(losses.astype(x.dtype, copy=False), reduction),
        with_params(_BCE_LOGITS, reduction=reduction),
        (z, y),
    )


def mse_loss(prediction: Any, target: Any, reduction: str = "mean") -> Tensor:
    """(prediction - target)**2, reduced (recorded as ordinary ops: -, *, mean)."""
    _check_reduction(reduction, "MSELoss")
    prediction, target = _prediction_and_target("MSELoss", prediction, target)
    diff = prediction - target
    return _reduce(diff * diff, reduction)


# ------------------------------------------------------------------ modules


class _Loss(Module):
    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = _check_reduction(reduction, type(self).__name__)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class MSELoss(_Loss):
    """Mean squared error: (prediction - target)^2, reduced."""

    def forward(self, prediction: Tensor, target: Any) -> Tensor:
        return mse_loss(prediction, target, self.reduction)


class BCELoss(_Loss):
    """Binary cross-entropy of probabilities; logs clamped at -100 like PyTorch, so p = 0 or 1 stays finite."""

    def forward(self, probabilities: Tensor, target: Any) -> Tensor:
        return binary_cross_entropy(probabilities, target, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid + binary cross-entropy in one stable step, on raw scores (logits)."""

    def forward(self, logits: Tensor, target: Any) -> Tensor:
        return binary_cross_entropy_with_logits(logits, target, self.reduction)


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy of logits (N, C) against class indices (N,) or probabilities (N, C)."""

    def forward(self, logits: Tensor, target: Any) -> Tensor:
        return cross_entropy(logits, target, self.reduction)


class NLLLoss(_Loss):
    """Negative log-likelihood of log-probabilities (N, C) against class indices (N,)."""

    def forward(self, log_probs: Tensor, target: Any) -> Tensor:
        return nll_loss(log_probs, target, self.reduction)
