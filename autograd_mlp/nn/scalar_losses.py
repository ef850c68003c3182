"""Losses on lists of scalar `Value` nodes (or plain numbers): each returns one Value.

Predictions and targets are sequences of the same length (a lone Value or
number counts as a sequence of one). Targets are usually plain numbers;
they may be Values too. ``reduction`` is "mean" (default) or "sum".

    mse_loss                          mean((p - t)**2)
    binary_cross_entropy              mean(-(t log p + (1 - t) log(1 - p))), logs clamped at -100
    binary_cross_entropy_with_logits  the same from logits z, via log_sigmoid (never log(0))
    hinge_loss                        mean(relu(1 - y * score)), y in {-1, +1}: micrograd's moons loss
    l2_penalty                        alpha * sum(p**2) over parameters
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from typing import Any, Union

from ..value import Value

__all__ = [
    "mse_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "hinge_loss",
    "l2_penalty",
]

Scalar = Union[Value, float, int]
Scalars = Union[Sequence[Scalar], Scalar]

# PyTorch clamps each log in binary cross-entropy at -100 so p = 0 or 1 gives
# a finite loss (100 per wrong-and-certain point) instead of inf.
LOG_CLAMP = -100.0
_CLAMP_BELOW = math.exp(LOG_CLAMP)


def mse_loss(predictions: Scalars, targets: Scalars, reduction: str = "mean") -> Value:
    """Mean squared error: mean((p - t)**2)."""
    pairs = _pairs(predictions, targets, "mse_loss")
    terms = []
    for p, t in pairs:
        d = _value(p) - t
        terms.append(d * d)
    return _reduce(terms, reduction)


def binary_cross_entropy(probabilities: Scalars, targets: Scalars, reduction: str = "mean") -> Value:
    """-(t log p + (1 - t) log(1 - p)) for probabilities p in [0, 1] and targets t in [0, 1].

    Each log is clamped below at -100 (as PyTorch does), so p = 0 or 1 gives
    a finite loss; where the clamp acts, that term is a constant and passes
    no gradient. For a model that ends in a sigmoid, prefer
    `binary_cross_entropy_with_logits` on the logit: it never saturates.
    """
    terms = []
    for p, t in _pairs(probabilities, targets, "binary_cross_entropy"):
        p = _value(p)
        if not 0.0 <= p.data <= 1.0:
            raise ValueError(f"binary_cross_entropy: probabilities must lie in [0, 1], got {p.data!r}")
        # A plain 0/1 target leaves one term: fewer nodes, the same numbers.
        if _is_number(t, 1.0):
            terms.append(-_clamped_log(p))
        elif _is_number(t, 0.0):
            terms.append(-_clamped_log(1.0 - p))
        else:
            terms.append(-(t * _clamped_log(p) + (1.0 - t) * _clamped_log(1.0 - p)))
    return _reduce(terms, reduction)


def binary_cross_entropy_with_logits(logits: Scalars, targets: Scalars, reduction: str = "mean") -> Value:
    """Binary cross-entropy of sigmoid(z), written as -(t log_sigmoid(z) + (1 - t) log_sigmoid(-z)).

    log(1 - sigmoid(z)) = log_sigmoid(-z), and log_sigmoid is computed
    without ever forming sigmoid(z), so large |z| costs no precision and
    never reaches log(0).
    """
    terms = []
    for z, t in _pairs(logits, targets, "binary_cross_entropy_with_logits"):
        z = _value(z)
        if _is_number(t, 1.0):
            terms.append(-z.log_sigmoid())
        elif _is_number(t, 0.0):
            terms.append(-(-z).log_sigmoid())
        else:
            terms.append(-(t * z.log_sigmoid() + (1.0 - t) * (-z).log_sigmoid()))
    return _reduce(terms, reduction)


def hinge_loss(scores: Scalars, targets: Scalars, reduction: str = "mean") -> Value:
    """Max-margin loss mean(relu(1 - y * score)) for labels y in {-1, +1} (micrograd's moons demo).

    A point costs nothing once its score has the right sign with a margin
    of at least 1.
    """
    terms = []
    for s, y in _pairs(scores, targets, "hinge_loss"):
        label = y.data if isinstance(y, Value) else y
        if label not in (-1, 1):
            raise ValueError(f"hinge_loss: labels must be -1 or +1, got {label!r} (map 0/1 labels with 2*y - 1)")
        terms.append((1.0 - y * _value(s)).relu())
    return _reduce(terms, reduction)


def l2_penalty(params: Iterable[Value], alpha: float) -> Value:
    """alpha * sum(p**2): weight decay written into the loss (micrograd uses alpha = 1e-4).

    With plain SGD this is the same as the optimizer's ``weight_decay=2*alpha``.
    """
    squares = [p * p for p in params]
    if not squares:
        return Value(0.0)
    return alpha * _sum(squares)


# ---------------------------------------------------------------- helpers


def _clamped_log(p: Value) -> Value:
    if p.data <= _CLAMP_BELOW:
        return Value(LOG_CLAMP)
    return p.log()


def _pairs(predictions: Scalars, targets: Scalars, who: str) -> list[tuple[Any, Any]]:
    predictions, targets = _as_list(predictions), _as_list(targets)
    if len(predictions) != len(targets):
        raise ValueError(f"{who}: {len(predictions)} predictions but {len(targets)} targets")
    if not predictions:
        raise ValueError(f"{who}: no predictions (the mean of nothing is undefined)")
    # numpy scalars become floats: np.float64 * Value would be numpy's business, not Value's.
    return [(_number_or_value(p), _number_or_value(t)) for p, t in zip(predictions, targets)]


def _as_list(x: Scalars) -> list[Any]:
    if isinstance(x, (Value, numbers.Real)):
        return [x]
    return list(x)  # type: ignore[arg-type]  # a sequence: numbers were handled above


def _number_or_value(x: Any) -> Any:
    if isinstance(x, Value):
        return x
    if isinstance(x, numbers.Real):
        return float(x)
    raise TypeError(f"expected a number or a Value, got {type(x).__name__} {x!r}")


def _value(x: Scalar) -> Value:
    return x if isinstance(x, Value) else Value(x)


def _is_number(x: Any, number: float) -> bool:
    return not isinstance(x, Value) and x == number


def _sum(terms: list[Value]) -> Value:
    # Starting from the first term, not from 0 as sum() does, keeps a
    # constant 0 node out of the graph (and out of every picture).
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return total


def _reduce(terms: list[Value], reduction: str) -> Value:
    if reduction == "sum":
        return _sum(terms)
    if reduction == "mean":
        return _sum(terms) * (1.0 / len(terms))
    raise ValueError(f"reduction must be 'mean' or 'sum', got {reduction!r}")
