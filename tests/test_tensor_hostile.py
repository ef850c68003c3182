"""Bad input to Tensor, its constructors and the tensor losses, as a table: each case names the call,
the exception type and a pattern its message must match, or the IEEE value it must give without a
numpy warning. Every raised error must come from the library's own frame, never numpy's."""

from __future__ import annotations

import traceback
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import autograd_mlp
from autograd_mlp import Tensor, nn, no_grad
from autograd_mlp.nn.losses import cross_entropy, nll_loss
from autograd_mlp.random import manual_seed
from autograd_mlp.tensor import arange, linspace, randn, zeros

PACKAGE = Path(autograd_mlp.__file__).resolve().parent


def leaf(*values: float) -> Tensor:
    return Tensor(list(values), requires_grad=True)


def assign_grad(value: Any) -> None:
    leaf(1.0, 2.0).grad = value


def in_place_on_a_parameter() -> None:
    w = leaf(1.0, 2.0)
    w += 1


def saved_then_changed() -> None:
    w, x = leaf(1.0, 2.0), Tensor([3.0, 4.0])
    y = (w * x).sum()
    x *= 2  # '*' saved x for w's gradient
    y.backward()


def int_tensor_plus_half() -> None:
    t = Tensor(np.arange(3))
    t += 0.5


def misfit_in_place() -> None:
    t = Tensor(np.ones(2))
    t += np.ones((3, 2))


M = Tensor(np.arange(6.0).reshape(2, 3))
LOGITS = Tensor(np.zeros((2, 3), np.float32))

RAISES: list[tuple[str, Callable[[], Any], type[BaseException], str]] = [
    ("reshape of a string", lambda: M.reshape("a"), TypeError, r"^reshape: the shape must be ints, got 'a'"),
    ("view of a wrong size", lambda: M.view(4), ValueError, r"^view: shape \(4,\) is invalid for a tensor of shape \(2, 3\) \(6 elements\)$"),
    ("backward(gradient='ab')", lambda: (leaf(1.0, 2.0) * 2).backward(gradient="ab"), TypeError, r"^backward: gradient must be numbers of shape \(2,\), got 'ab'$"),
    ("backward(gradient=[object])", lambda: (leaf(1.0) * 2).backward(gradient=[object()]), TypeError, r"^backward: gradient must be numbers"),
    (".grad of the wrong shape", lambda: assign_grad(np.ones(3)), ValueError, r"^grad: a gradient of shape \(3,\) cannot be assigned to a tensor of shape \(2,\)$"),
    (".grad of the wrong type", lambda: assign_grad("x"), TypeError, r"^grad must be None, a Tensor or a numpy array, got 'x'$"),
    ("Tensor(2, 2)", lambda: Tensor(2, 2), TypeError, r"^Tensor\(data\) takes one data argument.*zeros"),
    ("Tensor('abc')", lambda: Tensor("abc"), TypeError, r"^Tensor: data must be a number, nested lists of numbers or an array, got 'abc'$"),
    ("Tensor(None)", lambda: Tensor(None), TypeError, r"^Tensor: data must be"),
    ("dtype='nope'", lambda: Tensor([1.0], dtype="nope"), TypeError, r"^Tensor: dtype='nope' is not a dtype"),
    ("bool() of two elements", lambda: bool(Tensor([1.0, 2.0])), RuntimeError, r"^bool\(\) of a tensor with 2 elements \(shape \(2,\)\) is ambiguous"),
    ("dim= and axis= together", lambda: M.sum(dim=1, axis=1), TypeError, r"^sum: give dim= or axis=, not both"),
    ("max(dim) out of range", lambda: M.max(5), IndexError, r"^max: dim 5 is out of range for a tensor of shape \(2, 3\)"),
    ("max(dim) of a string", lambda: M.max("a"), TypeError, r"^max: dim must be an int, got 'a'$"),
    ("transpose out of range", lambda: M.transpose(0, 9), IndexError, r"^transpose: dim 9 is out of range"),
    ("permute not a permutation", lambda: M.permute(0, 0), ValueError, r"^permute: dims \(0, 0\) are not a permutation"),
    ("t() of 3 dims", lambda: Tensor(np.ones((2, 2, 2))).t(), ValueError, r"^t: needs a tensor of at most 2 dims"),
    ("size(dim) out of range", lambda: M.size(2), IndexError, r"^size: dim 2 is out of range"),
    ("clamp()", lambda: M.clamp(), ValueError, r"^clamp: give min, max or both$"),
    ("clamp(min='a')", lambda: M.clamp(min="a"), TypeError, r"^clamp: min must be a number or None, got 'a'$"),
    ("fill_('a')", lambda: Tensor([1.0]).fill_("a"), TypeError, r"^fill_: value must be a number, got 'a'$"),
    ("argmax of nothing", lambda: Tensor(np.zeros(0)).argmax(), ValueError, r"^argmax: the tensor of shape \(0,\) has no elements"),
    ("in place on a parameter", in_place_on_a_parameter, RuntimeError, r"^a leaf Tensor that requires grad is being used in an in-place operation \(add\)"),
    ("saved tensor changed in place", saved_then_changed, RuntimeError, r"^backward: a tensor of shape \(2,\) that '\*' saved for its gradient was changed in place"),
    ("int tensor += 0.5", int_tensor_plus_half, TypeError, r"^add in place: a result of dtype float64 cannot be stored in a tensor of dtype int64"),
    ("in place that does not fit", misfit_in_place, ValueError, r"^add in place: an operand of shape \(3, 2\) does not fit a tensor of shape \(2,\)$"),
    ("numpy exp of a parameter", lambda: np.exp(leaf(1.0)), TypeError, r"^numpy's exp on a Tensor that requires grad would drop the graph"),
    ("to('cuda')", lambda: M.to("cuda"), RuntimeError, r"^to: only the 'cpu' device exists here, got 'cuda'"),
    ("zeros(-1)", lambda: zeros(-1), ValueError, r"^zeros: shape sides must be >= 0, got -1"),
    ("zeros('a')", lambda: zeros("a"), TypeError, r"^zeros: the shape must be ints, got 'a'"),
    ("randn(2, 3.5)", lambda: randn(2, 3.5), TypeError, r"^randn: the shape must be ints, got 3.5"),
    ("randn with a string rng", lambda: randn(2, rng="x"), TypeError, r"^rng must be a numpy Generator, an int seed or None, got str 'x'$"),
    ("arange step 0", lambda: arange(0, 1, 0), ValueError, r"^arange: step must not be 0$"),
    ("linspace steps -1", lambda: linspace(0, 1, -1), ValueError, r"^linspace: steps must be an int >= 0, got -1$"),
    # losses: targets' kind and range
    ("cross_entropy of float labels", lambda: cross_entropy(LOGITS, np.array([0.0, 1.0])), TypeError, r"^cross_entropy: class labels must be integers, got dtype float32; convert them with \.long\(\)"),
    ("cross_entropy label out of range", lambda: cross_entropy(LOGITS, np.array([0, 3])), ValueError, r"^cross_entropy: labels must be in \[0, 2\], got \[3\] \(3 classes\)$"),
    ("cross_entropy negative label", lambda: cross_entropy(LOGITS, np.array([-1, 0])), ValueError, r"labels must be in \[0, 2\], got \[-1\]"),
    ("nll_loss of float labels", lambda: nll_loss(LOGITS, np.array([0.5, 1.0])), TypeError, r"^nll_loss: class labels must be integers"),
    ("reduction='avg'", lambda: nn.CrossEntropyLoss(reduction="avg"), ValueError, r"^CrossEntropyLoss: unknown reduction 'avg'; use one of 'mean', 'sum', 'none'$"),
    ("BCELoss target above 1", lambda: nn.BCELoss()(Tensor([0.5, 0.5]), np.array([1.0, 2.0])), ValueError, r"^BCELoss: target must be probabilities in \[0, 1\], got min 1, max 2$"),
    ("BCELoss negative target", lambda: nn.BCELoss()(Tensor([0.5]), np.array([-0.5])), ValueError, r"^BCELoss: target must be probabilities"),
    ("BCELoss prediction above 1", lambda: nn.BCELoss()(Tensor([1.5]), np.array([1.0])), ValueError, r"^BCELoss: prediction must be probabilities in \[0, 1\].*BCEWithLogitsLoss"),
    ("BCELoss NaN prediction", lambda: nn.BCELoss()(Tensor([0.5, np.nan]), np.array([1.0, 0.0])), ValueError, r"^BCELoss: prediction contains NaN \(at flat index 1\)$"),
    ("BCEWithLogitsLoss target above 1", lambda: nn.BCEWithLogitsLoss()(Tensor([3.0]), np.array([5.0])), ValueError, r"^BCEWithLogitsLoss: target must be probabilities"),
    ("MSELoss shapes differ", lambda: nn.MSELoss()(Tensor(np.ones((3, 1))), np.ones(3)), ValueError, r"^MSELoss: prediction of shape \(3, 1\) and target of shape \(3,\) differ"),
    ("Dropout(p=2)", lambda: nn.Dropout(2.0), ValueError, r"^Dropout: p must be a number in \[0, 1\], got 2.0$"),
]


@pytest.mark.parametrize("call, kind, pattern", [case[1:] for case in RAISES], ids=[case[0] for case in RAISES])
def test_bad_input_raises_a_clear_error_from_our_own_frame(call, kind, pattern):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(kind, match=pattern) as info:
            call()
    last = traceback.extract_tb(info.value.__traceback__)[-1]
    assert Path(last.filename).resolve().is_relative_to(PACKAGE), f"raised in {last.filename}:{last.lineno}"


NAN, INF = np.nan, np.inf


def ce_of_an_all_minus_inf_row() -> Any:
    return cross_entropy(Tensor(np.array([[-INF, -INF], [0.0, 1.0]])), np.array([0, 1]), reduction="none").data


# (call, expected value): IEEE results, compared with nan == nan, and no numpy warning allowed
VALUES: list[tuple[str, Callable[[], Any], Any]] = [
    ("softmax of an all -inf row", lambda: Tensor([[-INF, -INF], [0.0, -INF]]).softmax(dim=1).data, [[NAN, NAN], [1.0, 0.0]]),
    ("log_softmax of an all -inf row", lambda: Tensor([[-INF, -INF], [0.0, -INF]]).log_softmax(dim=1).data, [[NAN, NAN], [0.0, -INF]]),
    ("cross_entropy of an all -inf row", ce_of_an_all_minus_inf_row, [NAN, np.log1p(np.exp(-1.0))]),
    ("log(0), log(-1)", lambda: Tensor([0.0, -1.0]).log().data, [-INF, NAN]),
    ("sqrt(-1)", lambda: Tensor([-1.0]).sqrt().data, [NAN]),
    ("1/0, -1/0, 0/0", lambda: (Tensor([1.0, -1.0, 0.0]) / 0.0).data, [INF, -INF, NAN]),
    ("0 ** 0", lambda: (Tensor(0.0) ** 0).data, 1.0),
    ("exp overflow", lambda: Tensor([100.0]).exp().data, [INF]),
    ("NaN propagates", lambda: (Tensor([NAN]) * 2 + 1).data, [NAN]),
    ("bool(Tensor(0.0))", lambda: bool(Tensor(0.0)), False),
    ("bool(Tensor([3.0]))", lambda: bool(Tensor([3.0])), True),
    ("bool(Tensor(nan)) is data != 0", lambda: bool(Tensor(NAN)), True),
]


@pytest.mark.parametrize("call, expected", [case[1:] for case in VALUES], ids=[case[0] for case in VALUES])
def test_numeric_policy_gives_ieee_values_without_warnings(call, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = call()
    if isinstance(expected, bool):
        assert got is expected
    else:
        np.testing.assert_allclose(np.asarray(got, np.float64), np.asarray(expected, np.float64), rtol=1e-6)


def test_gradients_at_the_policy_points_without_warnings():
    """d sqrt/dx at 0 is inf; d(x**0)/dx is 0 (also at 0); an all -inf softmax row has a nan gradient."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = leaf(0.0, 4.0)
        x.sqrt().sum().backward()
        np.testing.assert_array_equal(x.grad.data, [INF, 0.25])
        y = leaf(0.0, 2.0)
        (y**0).sum().backward()
        np.testing.assert_array_equal(y.grad.data, [0.0, 0.0])
        z = Tensor([[-INF, -INF], [0.0, 1.0]], requires_grad=True)
        (z.softmax(dim=1) * Tensor([[1.0, 2.0], [1.0, 2.0]])).sum().backward()
        assert np.isnan(z.grad.data[0]).all() and np.isfinite(z.grad.data[1]).all()


def test_manual_seed_governs_random_tensors_and_dropout_built_before_it():
    drop = nn.Dropout(0.5)  # built before the seed: it must follow it anyway
    x = Tensor(np.ones((4, 5)))

    def draw() -> tuple[np.ndarray, np.ndarray]:
        manual_seed(7)
        return randn(3, 2).data, drop(x).data

    first, second = draw(), draw()
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    manual_seed(8)
    assert not np.array_equal(randn(3, 2).data, first[0])
    # an explicit rng wins and never touches the default stream
    np.testing.assert_array_equal(randn(2, rng=3).data, randn((2,), rng=3).data)


def test_grad_is_a_tensor_sharing_the_stored_array():
    w = leaf(1.0, 2.0)
    (w * w).sum().backward()
    g = w.grad
    assert isinstance(g, Tensor) and w.grad is g  # cached while the stored array is the same
    assert type(g.data) is np.ndarray and g.shape == w.shape and w.grad.sum().item() == 6.0
    g.zero_()
    np.testing.assert_array_equal(w.grad.data, [0.0, 0.0])
    w.grad = np.array([5.0, 6.0], np.float32)
    assert w.grad.tolist() == [5.0, 6.0]
    w.grad = Tensor([1.0, 1.0])
    (w * w).sum().backward()  # accumulates onto the assigned gradient
    assert w.grad.tolist() == [3.0, 5.0]
    w.grad = None
    assert w.grad is None
    with no_grad():
        w -= 0.5 * Tensor([2.0, 2.0])  # the tutorial update keeps w the same parameter
    assert w.is_leaf and w.requires_grad and w.tolist() == [0.0, 1.0]


def test_a_parameter_updated_in_place_before_the_forward_pass_is_fine():
    """The version check refuses only changes made after a node saved the tensor."""
    w = leaf(1.0)
    with no_grad():
        w += 1  # before any graph: nothing saved it
    w.backward()  # backward of a leaf itself
    (w * w).sum().backward()
    assert w.grad.tolist() == [5.0]  # 1 (the leaf's own pass) + 2 * 2
