"""Tensor losses: `MSELoss`, `BCELoss`, `BCEWithLogitsLoss`, `CrossEntropyLoss`, `NLLLoss`.

Each takes ``reduction`` = "mean" (default), "sum" or "none", as in PyTorch.
The cross-entropy and binary cross-entropy losses are single fused nodes:
their forward is computed in the stable form (log-sum-exp, clamped logs)
and their gradient is the short closed form (softmax - one_hot, p - y), so
extreme logits give finite values and gradients.

Unlike PyTorch, a prediction and a target of different shapes are an error,
not a broadcast: (N, 1) against (N,) would silently compare every
prediction with every target.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..graph import Op
from ..tensor import Tensor, _node
from .module import Module

__all__ = [
    "cross_entropy",
    "nll_loss",
    "MSELoss",
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "NLLLoss",
]

_REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction: str) -> str:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")
    return reduction


def _as_tensor(x: Any, name: str, like: Tensor | None = None) -> Tensor:
    if isinstance(x, Tensor):
        return x
    array = np.asarray(x)
    if like is not None and array.dtype.kind == "f":
        array = array.astype(like.dtype, copy=False)
    return Tensor(array)


def _prediction_and_target(loss: str, prediction: Any, target: Any) -> tuple[Tensor, Tensor]:
    """Both as Tensors (a float target takes the prediction's dtype), of the same shape."""
    prediction = _as_tensor(prediction, "prediction")
    target = _as_tensor(target, "target", like=prediction)
    _same_shape(loss, prediction, target)
    return prediction, target


def _same_shape(loss: str, prediction: Tensor, target: Tensor) -> None:
    if prediction.shape != target.shape:
        raise ValueError(
            f"{loss}: prediction of shape {prediction.shape} and target of shape {target.shape} differ "
            "(reshape one of them; broadcasting here is almost always a bug)"
        )


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


# Polymorphic helpers: rules see ndarrays, or Tensors under create_graph=True.
def _log(x: Any) -> Any:
    return x.log() if isinstance(x, Tensor) else np.log(x)


def _softmax(x: Any) -> Any:
    if isinstance(x, Tensor):
        return x.softmax(axis=-1)
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    e /= e.sum(axis=-1, keepdims=True)
    return e


# ------------------------------------------------------------ cross-entropy


def cross_entropy(logits: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Softmax cross-entropy of ``logits`` (N, C) against class indices (N,) or probabilities (N, C).

    With class indices it is one node: loss_i = logsumexp(z_i) - z_i[y_i],
    gradient softmax(z) - one_hot(y), both computed on z - max(z).
    """
    _check_reduction(reduction)
    logits = _as_tensor(logits, "logits")
    if logits.ndim != 2:
        raise ValueError(f"cross_entropy: logits must have shape (N, C), got {logits.shape}")
    n, classes = logits.shape
    target = _as_tensor(target, "target", like=logits)
    if target.dtype.kind == "f":  # probabilities (soft labels)
        _same_shape("cross_entropy", logits, target)
        return _reduce(-(target * logits.log_softmax(axis=-1)).sum(axis=-1), reduction)
    if target.dtype.kind not in "iu":
        raise TypeError(f"cross_entropy: target must hold class indices (integers) or probabilities, got {target.dtype}")
    labels = target.data
    if labels.shape != (n,):
        raise ValueError(f"cross_entropy: {n} rows of logits need {n} labels of shape ({n},), got shape {labels.shape}")
    if n and (labels.min() < 0 or labels.max() >= classes):
        bad = labels[(labels < 0) | (labels >= classes)]
        raise ValueError(f"cross_entropy: labels must be in [0, {classes - 1}], got {bad[:5].tolist()}")
    z = logits.data
    shifted = z - z.max(axis=1, keepdims=True)
    log_sum_exp = np.log(np.exp(shifted).sum(axis=1))
    losses = log_sum_exp - shifted[np.arange(n), labels]
    return _node(_reduced_array(losses, reduction), _CROSS_ENTROPY[reduction], (logits, target))


def _cross_entropy_rule(g: Any, out: Any, logits: Any, target: Any, *, reduction: str, needs_input_grad: Sequence[bool]) -> tuple:
    """d loss_i / d z_i = softmax(z_i) - one_hot(y_i)."""
    labels = target.data if isinstance(target, Tensor) else target
    n = labels.shape[0]
    rows = np.arange(n)
    factor = _spread(g, reduction, n)
    if reduction == "none":
        factor = factor.reshape(-1, 1)
    p = _softmax(logits)
    if isinstance(p, np.ndarray):
        p[rows, labels] -= 1  # our own temporary: change it in place
        p *= factor
        return p, None
    one_hot = np.zeros(p.shape, dtype=p.dtype)
    one_hot[rows, labels] = 1
    return (p - one_hot) * factor, None


_CROSS_ENTROPY = {
    r: Op("cross_entropy", lambda *a, r=r, **k: _cross_entropy_rule(*a, reduction=r, **k), skip_unneeded=True)
    for r in _REDUCTIONS
}


def nll_loss(log_probs: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood: -log_probs[i, y_i] (use after log_softmax)."""
    _check_reduction(reduction)
    log_probs = _as_tensor(log_probs, "log_probs")
    if log_probs.ndim != 2:
        raise ValueError(f"nll_loss: log_probs must have shape (N, C), got {log_probs.shape}")
    labels = target.data if isinstance(target, Tensor) else np.asarray(target)
    n, classes = log_probs.shape
    if labels.dtype.kind not in "iu" or labels.shape != (n,):
        raise ValueError(f"nll_loss: need {n} integer labels of shape ({n},), got {labels.dtype} of shape {labels.shape}")
    if n and (labels.min() < 0 or labels.max() >= classes):
        raise ValueError(f"nll_loss: labels must be in [0, {classes - 1}], got min {labels.min()}, max {labels.max()}")
    return _reduce(-log_probs[np.arange(n), labels], reduction)


# ------------------------------------------------------- binary cross-entropy


def _bce(p: Tensor, y: Tensor, reduction: str) -> Tensor:
    data = p.data
    if data.size and (np.nanmin(data) < 0 or np.nanmax(data) > 1):
        raise ValueError(
            f"BCELoss: inputs must be probabilities in [0, 1], got min {data.min():.4g}, max {data.max():.4g} "
            "(for raw scores use BCEWithLogitsLoss)"
        )
    with np.errstate(divide="ignore"):
        log_p = np.maximum(np.log(data), -100.0)  # PyTorch's clamp: log(0) counts as -100
        log_q = np.maximum(np.log1p(-data), -100.0)
    losses = -(y.data * log_p + (1 - y.data) * log_q)
    return _node(_reduced_array(losses.astype(data.dtype, copy=False), reduction), _BCE[reduction], (p, y))


def _bce_rule(g: Any, out: Any, p: Any, y: Any, *, reduction: str, needs_input_grad: Sequence[bool]) -> tuple:
    """d/dp = (p - y) / (p (1 - p)), with the denominator kept >= 1e-12 as PyTorch does."""
    factor = _spread(g, reduction, p.size if isinstance(p, np.ndarray) else p.data.size)
    gp = factor * (p - y) / (p * (1 - p)).clip(1e-12, None) if needs_input_grad[0] else None
    gy = None
    if needs_input_grad[1]:
        gy = factor * (_log((1 - p).clip(1e-44, None)) - _log(p.clip(1e-44, None)))
    return gp, gy


_BCE = {r: Op("bce", lambda *a, r=r, **k: _bce_rule(*a, reduction=r, **k), skip_unneeded=True) for r in _REDUCTIONS}


def _bce_with_logits(z: Tensor, y: Tensor, reduction: str) -> Tensor:
    x = z.data
    # log(1 + e^x) - y x, written so that exp never sees a positive argument
    losses = np.maximum(x, 0) - x * y.data + np.log1p(np.exp(-np.abs(x)))
    return _node(_reduced_array(losses.astype(x.dtype, copy=False), reduction), _BCE_LOGITS[reduction], (z, y))


def _sigmoid(x: Any) -> Any:
    if isinstance(x, Tensor):
        return x.sigmoid()
    return np.exp(-np.logaddexp(0, -x)).astype(x.dtype, copy=False)


def _bce_logits_rule(g: Any, out: Any, z: Any, y: Any, *, reduction: str, needs_input_grad: Sequence[bool]) -> tuple:
    """d/dz = sigmoid(z) - y;  d/dy = -z."""
    factor = _spread(g, reduction, z.size if isinstance(z, np.ndarray) else z.data.size)
    return (factor * (_sigmoid(z) - y) if needs_input_grad[0] else None, -factor * z if needs_input_grad[1] else None)


_BCE_LOGITS = {
    r: Op("bce_with_logits", lambda *a, r=r, **k: _bce_logits_rule(*a, reduction=r, **k), skip_unneeded=True)
    for r in _REDUCTIONS
}


# ------------------------------------------------------------------ modules


class _Loss(Module):
    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = _check_reduction(reduction)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class MSELoss(_Loss):
    """Mean squared error: (prediction - target)^2, reduced."""

    def forward(self, prediction: Tensor, target: Any) -> Tensor:
        prediction, target = _prediction_and_target("MSELoss", prediction, target)
        diff = prediction - target
        return _reduce(diff * diff, self.reduction)


class BCELoss(_Loss):
    """Binary cross-entropy of probabilities; logs clamped at -100 like PyTorch, so p = 0 or 1 stays finite."""

    def forward(self, probabilities: Tensor, target: Any) -> Tensor:
        probabilities, target = _prediction_and_target("BCELoss", probabilities, target)
        return _bce(probabilities, target, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid + binary cross-entropy in one stable step, on raw scores (logits)."""

    def forward(self, logits: Tensor, target: Any) -> Tensor:
        logits, target = _prediction_and_target("BCEWithLogitsLoss", logits, target)
        return _bce_with_logits(logits, target, self.reduction)


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy of logits (N, C) against class indices (N,) or probabilities (N, C)."""

    def forward(self, logits: Tensor, target: Any) -> Tensor:
        return cross_entropy(logits, target, self.reduction)


class NLLLoss(_Loss):
    """Negative log-likelihood of log-probabilities (N, C) against class indices (N,)."""

    def forward(self, log_probs: Tensor, target: Any) -> Tensor:
        return nll_loss(log_probs, target, self.reduction)
