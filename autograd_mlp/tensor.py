"""`Tensor`: a numpy array that remembers how it was computed. This file holds its operations.

The same node protocol as the scalar `Value` (``data``, ``grad``, ``_op``, ``_prev``,
``requires_grad``), walked by the same core in graph.py. Each operation is a method, and right
above it stands its backward rule ``rule(g, out, *inputs)`` with the formula in a comment:
``g`` is d(loss)/d(out) and the rule returns d(loss)/d(input) for each input. A rule that needs
a constant (an axis, a slope, an index) takes it as a keyword parameter, and the method records
``with_params(RULE, axis=...)`` (see op_params.py).

Rules are polymorphic. An ordinary backward pass calls them with raw numpy arrays (fast);
``backward(create_graph=True)`` calls them with the Tensor nodes themselves, so the very same
arithmetic records the gradient computation as a new graph and second derivatives need no extra
code. Rules therefore use only what both ndarray and Tensor support (``+ - * / **``, ``@``,
``.sum``, ``.reshape``, comparisons) plus `autograd_mlp.mathfn` and tensor_shapes.py, which
dispatch on type. Masks and other constants are computed on raw data (``raw``): no gradient
flows through a comparison.

Around the ops, in their own modules: tensor_convert.py (dtype rules, what becomes Tensor data),
tensor_shapes.py (unbroadcast, undoing reductions, indices), tensor_errors.py (messages),
tensor_create.py (zeros, randn, ...).

Conventions:

* dtype: Python data becomes float32 (as in PyTorch); arrays keep their dtype; a Python or
  numpy scalar combined with a float tensor takes the tensor's dtype. A leaf's gradient always
  has the leaf's shape and dtype.
* Broadcasting follows numpy; `unbroadcast` sums a gradient back to each input's shape.
* Numeric policy, as numpy and PyTorch: log of a negative number is nan, log(0) is -inf, 1/0 is
  inf, and no warning is printed: ``np.errstate`` is on inside the domain-sensitive ops (log,
  sqrt, /, ** with a non-integer or negative exponent, exp, softmax) and around every backward
  pass. Plain ``+ - * @`` that themselves turn infinities into nan (inf - inf, 0 * inf) or
  overflow still warn as numpy does: an errstate costs ~1.5 us, as much again as the op's own
  overhead. `autograd_mlp.check_finite` names the operation that made the first non-finite number.
* In place: ``x += y`` changes x itself, as in PyTorch (see `Tensor._in_place`); a version
  check at backward refuses a graph whose saved tensors were changed since.
* Comparisons (``==``, ``<``, ...) are elementwise and give a bool Tensor with no history.
  Hashing is by identity (the core keys dicts by node), so use ``is``, not ``==`` or ``in``, to
  find a tensor in a list.
"""

from __future__ import annotations

import operator as _operator
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple, Union

import numpy as np

from . import graph
from .dtypes import DType
from .dtypes import of as dtype_of
from .graph import Op
from .mathfn import exp as _exp
from .mathfn import log as _log
from .mathfn import raw as _raw
from .mathfn import sigmoid as _sigmoid
from .mathfn import sigmoid_array, softplus_array
from .mathfn import sign as _sign
from .op_params import with_params
from .tensor_convert import as_dtype, check_dtype, operand_array, to_array
from .tensor_errors import AxisError, axis_error, broadcast_error, check_axis, matmul_error, show_index, show_value
from .tensor_shapes import (
    Axis,
    Shape,
    axis_tuple,
    clean_index,
    expand,
    has_integer_array,
    kept_shape,
    normalized_axes,
    pick,
    reduce_to,
    reduced_count,
    scatter,
    unbroadcast,
)

__all__ = [
    "Tensor",
    "ValuesIndices",
    "from_op",
    "as_tensor",
    "tensor",
    "zeros",
    "ones",
    "empty",
    "full",
    "full_like",
    "zeros_like",
    "ones_like",
    "arange",
    "linspace",
    "eye",
    "randn",
    "rand",
    "unbroadcast",
    "matmul",
    "linear",
    "concatenate",
    "stack",
    "where",
    "maximum",
    "minimum",
]

# graph's public grad-mode state (``enabled``, ``scope``), read on the hot path: one attribute
# lookup per op instead of a call to graph.is_grad_enabled().
_mode = graph.state
_ndarray = np.ndarray
_new = object.__new__
_FLOAT32 = np.dtype(np.float32)
_BOTH = (True, True)  # `needs_input_grad` for callers that pass none: every input wants its gradient

ArrayLike = Union["Tensor", np.ndarray, float, int, Sequence[Any]]


class _InPlaceClock:
    """Counts in-place changes, the version counter of PyTorch made global.

    A tensor changed in place takes the new count as its ``_version``; a
    recorded node keeps the count at its making as its ``_stamp``. A node whose
    inputs (or itself) have a version above its stamp was changed after the
    node saved it, so its rule would compute with the wrong numbers: backward
    refuses it. Until the first in-place change nothing is checked.
    """

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0


_changes = _InPlaceClock()


def _quiet() -> np.errstate:
    """Silence numpy's floating-point warnings: inf and nan are values here (see check_finite)."""
    return np.errstate(all="ignore")


class ValuesIndices(NamedTuple):
    """What ``x.max(dim)`` and ``x.min(dim)`` return (PyTorch's ``torch.return_types.max``)."""

    values: Tensor
    indices: Tensor


class Tensor:
    """An n-dimensional array node of the computation graph.

    >>> w = Tensor([[1.0, 2.0]], requires_grad=True)
    >>> y = (w * w).sum()
    >>> y.backward()
    >>> w.grad
    Tensor([[2., 4.]])

    ``data`` is the numpy array (an ndarray passed in is used as is, not
    copied, when no dtype conversion is needed: like ``torch.as_tensor``).
    ``grad`` is None until a backward pass reaches the tensor; then (for a
    leaf) a Tensor of the same shape and dtype whose ``.data`` is the stored
    array (a node of the new graph under ``create_graph=True``).
    Results of operations record their inputs only while grad mode is on and
    some input requires grad; otherwise they are plain leaves.
    """

    # No __dict__: small nodes, and no attribute typos silently accepted.
    __slots__ = (
        "data", "_grad", "_grad_tensor", "label", "_op", "_prev", "_requires_grad", "_scope",
        "_version", "_stamp", "__weakref__",
    )

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, out: Any = None, **kwargs: Any) -> Any:
        """What numpy does with a Tensor operand.

        * ``ndarray + tensor`` (and the other operators): the Tensor operation, recorded.
        * Writing into an array, ``p.data -= lr * p.grad``: computed on the raw arrays.
        * Any other numpy function on a tensor that requires grad is refused (it would
          silently drop the graph: use the method, ``x.exp()``); on other tensors it runs
          on ``.data`` and gives an array (``np.isfinite(w.grad)``).
        """
        routed = _ROUTED_UFUNCS.get(ufunc)
        if routed is not None and method == "__call__" and out is None and not kwargs and len(inputs) == 2:
            a, b = _pair(*inputs)
            return routed(a, b)
        raw_inputs = [x.data if isinstance(x, Tensor) else x for x in inputs]
        if out is None and _mode.enabled and any(isinstance(x, Tensor) and x._requires_grad for x in inputs):
            raise TypeError(
                f"numpy's {ufunc.__name__} on a Tensor that requires grad would drop the graph; "
                "use the Tensor method (e.g. x.exp()) or apply it to x.data"
            )
        if out is not None:
            kwargs["out"] = tuple([o.data if isinstance(o, Tensor) else o for o in out])
        return getattr(ufunc, method)(*raw_inputs, **kwargs)

    # Nodes are dict keys in the core; `==` is elementwise (see module docstring).
    __hash__ = object.__hash__

    def __init__(
        self,
        data: ArrayLike,
        *more: Any,
        requires_grad: bool = False,
        dtype: Any = None,
        label: str = "",
    ) -> None:
        if more:  # Tensor(2, 3): PyTorch's uninitialised 2x3, here a mistake rather than a silent 0-d 2
            raise TypeError(
                f"Tensor(data) takes one data argument, got {1 + len(more)} positional arguments; "
                f"for a tensor of shape {(data, *more)!r} use autograd_mlp.tensor.zeros(...) or empty(...) "
                "(autograd_mlp.torch.Tensor(*shape) follows PyTorch), and pass requires_grad=/dtype= by name"
            )
        self.data: np.ndarray = to_array(data.data if isinstance(data, Tensor) else data, dtype)
        self._grad: Any = None
        self._grad_tensor: Tensor | None = None
        self.label = label
        self._op: Op | None = None
        self._prev: tuple[Tensor, ...] = ()
        self._requires_grad = False
        self._scope = _mode.scope
        self._version = 0
        self._stamp = 0
        if requires_grad:
            self.requires_grad = True  # validates the dtype

    # ------------------------------------------------------------- basics

    @property
    def grad(self) -> Any:
        """d(root)/d(self) after ``backward``: None before, then (for a leaf) a Tensor of self's shape and dtype.

        As in PyTorch, the Tensor shares memory with the stored gradient, so
        ``w.grad.zero_()`` clears it, ``w.grad.data`` is the numpy array and
        ``w.grad = None`` forgets it. Under ``create_graph=True`` it is a node
        of the new graph. A tensor made by an operation holds the raw array of
        the latest pass (the core reads it during its walk).
        """
        g = self._grad
        if g is None or self._op is not None:
            return g
        if type(g) is not _ndarray:
            if isinstance(g, Tensor):  # a node of the graph create_graph=True recorded
                return g
            g = self._grad = np.asarray(g)  # ops on 0-d arrays give numpy scalars
        view = self._grad_tensor
        if view is None or view.data is not g:
            view = self._grad_tensor = _leaf(g)
        return view

    @grad.setter
    def grad(self, value: Any) -> None:
        if value is None:
            self._grad = None
            return
        if type(value) is not _ndarray:
            if isinstance(value, Tensor):
                # a node (create_graph) stays a node; a plain tensor gives its array (shared, as PyTorch)
                value = value if value._requires_grad else value.data
            elif isinstance(value, np.generic):
                value = np.asarray(value)
            else:
                raise TypeError(f"grad must be None, a Tensor or a numpy array, got {show_value(value)}")
        if value.shape != self.data.shape:
            raise ValueError(
                f"grad: a gradient of shape {value.shape} cannot be assigned to a tensor of shape {self.data.shape}"
            )
        self._grad = value

    @property
    def requires_grad(self) -> bool:
        """Whether gradients flow to this tensor (settable on leaves, float dtypes only)."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        flag = bool(flag)
        if self._op is not None and flag != self._requires_grad:
            raise RuntimeError(
                "requires_grad can only be changed on leaf tensors; "
                "use .detach() to get a leaf with the same data"
            )
        if flag and self.data.dtype.kind != "f":
            raise TypeError(
                f"requires_grad=True needs a floating-point tensor, got dtype {self.data.dtype} "
                "(integers and bools have no gradient)"
            )
        self._requires_grad = flag

    def requires_grad_(self, flag: bool = True) -> Tensor:
        """Set ``requires_grad`` and return self (for chaining)."""
        self.requires_grad = flag
        return self

    @property
    def shape(self) -> Shape:
        return self.data.shape

    @property
    def dtype(self) -> DType:
        """The element type, printed as PyTorch does (``torch.float32``); it compares equal to
        numpy's dtype and works wherever numpy takes one (``np.zeros(3, x.dtype)``)."""
        return dtype_of(self.data.dtype)

    @property
    def ndim(self) -> int:
        return self.data.ndim

    def size(self, dim: int | None = None) -> Any:
        """The shape as a tuple (PyTorch's ``size()``), or the length of one dim: ``size(0)``."""
        shape = self.data.shape
        if dim is None:
            return shape
        return shape[check_axis("size", dim, len(shape), shape)] if shape else 1

    def numel(self) -> int:
        """The number of elements."""
        return self.data.size

    def dim(self) -> int:
        """The number of dimensions (``ndim``)."""
        return self.data.ndim

    @property
    def op(self) -> str:
        """Name of the operation that made this tensor ('' for a leaf)."""
        return self._op.name if self._op is not None else ""

    @property
    def parents(self) -> tuple[Tensor, ...]:
        """The input nodes of the operation that made this tensor."""
        return self._prev

    @property
    def is_leaf(self) -> bool:
        return self._op is None

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.data)

    def __iter__(self) -> Iterator[Tensor]:
        for i in range(len(self)):
            yield self[i]

    def item(self) -> float | int | bool:
        """The single element as a Python number."""
        if self.data.size != 1:
            raise ValueError(f"item() needs a tensor with exactly one element, got shape {self.data.shape}")
        return self.data.item()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __bool__(self) -> bool:
        """``data != 0`` for a one-element tensor (as Value and PyTorch); ambiguous for more."""
        if self.data.size != 1:
            raise RuntimeError(
                f"bool() of a tensor with {self.data.size} elements (shape {self.data.shape}) is ambiguous; "
                "use .any() or .all() on the comparison, e.g. (x > 0).all()"
            )
        return bool(self.data.reshape(()) != 0)

    def any(self) -> bool:
        """True when some element is non-zero."""
        return bool(self.data.any())

    def all(self) -> bool:
        """True when every element is non-zero."""
        return bool(self.data.all())

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied)."""
        return self.data

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        if dtype is not None and dtype != self.data.dtype:
            return self.data.astype(dtype)
        return self.data.copy() if copy else self.data

    def tolist(self) -> Any:
        return self.data.tolist()

    def detach(self) -> Tensor:
        """A new leaf sharing this tensor's data, with no history and no gradient."""
        out = _leaf(self.data)
        out.label = self.label
        return out

    def zero_grad(self) -> None:
        """Forget the gradient (set it to None, as PyTorch's ``set_to_none``)."""
        self._grad = None
        self._grad_tensor = None

    def __repr__(self) -> str:
        data = self.data
        parts = [np.array2string(data, separator=", ", prefix="Tensor(")]
        if data.size > np.get_printoptions()["threshold"]:
            parts.append(f"shape={data.shape}")
        if data.dtype != _FLOAT32:
            parts.append(f"dtype={data.dtype}")
        if self._op is not None:
            parts.append(f"op={self._op.name!r}")
        elif self._requires_grad:
            parts.append("requires_grad=True")
        if self.label:
            parts.append(f"label={self.label!r}")
        return f"Tensor({', '.join(parts)})"

    def __setitem__(self, index: Any, value: Any) -> None:
        raise TypeError(
            "Tensor does not support item assignment: the graph records no in-place changes. "
            "Build a new tensor (where, concatenate), or change .data under no_grad()."
        )

    # ------------------------------------------------------------ in place
    # x += y changes x itself (PyTorch's semantics). Without a graph to record
    # (no_grad, or nothing requires grad) the array is changed in place: the
    # tutorial update `with no_grad(): w -= lr * w.grad`. While recording, a
    # leaf that requires grad refuses (its gradient would be of a value that
    # no longer exists); any other tensor becomes the recorded result, and its
    # old self moves to a fresh node that the new one consumes.

    def __iadd__(self, other: ArrayLike) -> Tensor:
        return self._in_place(np.add, "add", self._ADD, other)

    def __isub__(self, other: ArrayLike) -> Tensor:
        return self._in_place(np.subtract, "subtract", self._SUB, other)

    def __imul__(self, other: ArrayLike) -> Tensor:
        return self._in_place(np.multiply, "multiply", self._MUL, other)

    def __itruediv__(self, other: ArrayLike) -> Tensor:
        with _quiet():
            return self._in_place(np.true_divide, "divide", self._DIV, other)

    def add_(self, other: ArrayLike) -> Tensor:
        """In-place ``self += other``; returns self."""
        return self.__iadd__(other)

    def sub_(self, other: ArrayLike) -> Tensor:
        """In-place ``self -= other``; returns self."""
        return self.__isub__(other)

    def mul_(self, other: ArrayLike) -> Tensor:
        """In-place ``self *= other``; returns self."""
        return self.__imul__(other)

    def div_(self, other: ArrayLike) -> Tensor:
        """In-place ``self /= other``; returns self."""
        return self.__itruediv__(other)

    def zero_(self) -> Tensor:
        """Set every element to 0 in place; returns self (``w.grad.zero_()``)."""
        return self.fill_(0)

    def fill_(self, value: float) -> Tensor:
        """Set every element to ``value`` in place; returns self."""
        if isinstance(value, Tensor):
            value = value.item()
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number, np.bool_)):
            raise TypeError(f"fill_: value must be a number, got {show_value(value)}")
        if _mode.enabled and self._requires_grad:
            raise RuntimeError(
                "fill_/zero_: a tensor that requires grad cannot be overwritten while the graph is recorded; "
                "do it inside `with no_grad():`"
            )
        self._write(lambda data: data.fill(value), "fill_")
        return self

    def _in_place(self, ufunc: Any, name: str, op: Op, other: ArrayLike) -> Tensor:
        other = _operand(other, self)
        if _mode.enabled and (self._requires_grad or other._requires_grad):
            if self._op is None and self._requires_grad:
                raise RuntimeError(
                    f"a leaf Tensor that requires grad is being used in an in-place operation ({name}); "
                    "update parameters inside `with no_grad():`, or write x = x ... to make a new tensor"
                )
            old = _leaf(self.data)  # self's state so far, as a node of its own
            old._grad, old._op, old._prev, old._requires_grad = self._grad, self._op, self._prev, self._requires_grad
            old.label, old._scope, old._version, old._stamp = self.label, self._scope, self._version, self._stamp
            _changes.count += 1
            out = _binary(ufunc, name, op, old, old if other is self else other)  # x *= x: old * old
            if out.data.shape != self.data.shape:
                raise ValueError(
                    f"{name} in place: the result of shape {out.data.shape} does not fit the tensor of shape "
                    f"{self.data.shape} (the other operand has shape {other.data.shape})"
                )
            self.data, self._op, self._prev, self._requires_grad = out.data, out._op, out._prev, out._requires_grad
            self._grad, self._grad_tensor, self._stamp = None, None, out._stamp
            self._version = _changes.count
            return self
        b = other.data
        self._write(lambda data: ufunc(data, b, out=data), name, b)
        return self

    def _write(self, change: Any, name: str, other: np.ndarray | None = None) -> None:
        """Run ``change(self.data)`` (which writes into the array) and mark self as changed."""
        data = self.data
        try:
            change(data)
        except (TypeError, ValueError) as exc:  # numpy's UFuncTypeError is a TypeError
            if not data.flags.writeable:
                raise ValueError(f"{name} in place: the tensor's array is read-only (a broadcast view?)") from None
            if other is not None and isinstance(exc, TypeError):
                raise TypeError(
                    f"{name} in place: a result of dtype {np.result_type(data, other)} cannot be stored in a "
                    f"tensor of dtype {data.dtype}; convert first (x = x.float())"
                ) from None
            if other is not None:
                raise ValueError(
                    f"{name} in place: an operand of shape {other.shape} does not fit a tensor of shape {data.shape}"
                ) from None
            raise
        _changes.count += 1
        self._version = _changes.count

    # ---------------------------------------------------------- backward

    def backward(self, gradient: ArrayLike | None = None, *, create_graph: bool = False) -> None:
        """Fill ``.grad`` of every tensor this one depends on with d(self)/d(tensor).

        ``gradient`` is d(loss)/d(self): required (same shape) unless this
        tensor holds a single element. Leaves accumulate across calls (call
        ``zero_grad`` between steps); intermediate tensors hold the latest
        pass. With ``create_graph=True`` the gradients are Tensors that can be
        differentiated again.
        """
        data = self.data
        if gradient is None:
            if data.size != 1:
                raise RuntimeError(
                    f"grad can be implicitly created only for scalar outputs: this tensor has shape "
                    f"{data.shape}; call .sum() first or pass backward(gradient=...) of that shape"
                )
            seed: Any = np.ones(data.shape, data.dtype)
        elif isinstance(gradient, Tensor) and create_graph:
            seed = gradient
        else:
            given = _raw(gradient)
            if isinstance(given, (str, bytes)) or (isinstance(given, np.ndarray) and given.dtype.kind not in "biuf"):
                raise TypeError(f"backward: gradient must be numbers of shape {data.shape}, got {show_value(gradient)}")
            try:
                seed = np.array(given, dtype=data.dtype)  # a copy: the root's grad must be ours
            except (TypeError, ValueError):
                raise TypeError(
                    f"backward: gradient must be numbers of shape {data.shape}, got {show_value(gradient)}"
                ) from None
        if seed.shape != data.shape:
            raise ValueError(f"backward: gradient has shape {seed.shape} but the tensor has shape {data.shape}")
        if not self._requires_grad:
            raise RuntimeError(
                "backward: this tensor does not require grad and has no history (it was made from "
                "tensors with requires_grad=False, or inside no_grad())"
            )
        if create_graph and not isinstance(seed, Tensor):
            seed = _leaf(seed)
        if _changes.count:
            _check_unchanged(self)
        with _quiet():  # 0 * inf and friends in rules: values, not warnings
            graph.backward(self, seed, create_graph=create_graph)

    # ------------------------------------------------------- comparisons
    # Elementwise, bool results with no history: no gradient flows through them.

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _compare(np.equal, "==", self, other)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _compare(np.not_equal, "!=", self, other)

    def __lt__(self, other: Any) -> Tensor:
        return _compare(np.less, "<", self, other)

    def __le__(self, other: Any) -> Tensor:
        return _compare(np.less_equal, "<=", self, other)

    def __gt__(self, other: Any) -> Tensor:
        return _compare(np.greater, ">", self, other)

    def __ge__(self, other: Any) -> Tensor:
        return _compare(np.greater_equal, ">=", self, other)

    def __and__(self, other: Any) -> Tensor:
        return _compare(np.logical_and, "&", self, other)

    def __or__(self, other: Any) -> Tensor:
        return _compare(np.logical_or, "|", self, other)

    def __invert__(self) -> Tensor:
        return _leaf(np.asarray(~self.data))

    def argmax(self, dim: int | None = None, keepdim: bool = False, *, axis: int | None = None, keepdims: bool | None = None) -> Tensor:
        """Index of the largest element (of all, flattened; or along ``dim``): an int64 tensor, no gradient."""
        return self._arg("argmax", dim, keepdim, axis, keepdims)

    def argmin(self, dim: int | None = None, keepdim: bool = False, *, axis: int | None = None, keepdims: bool | None = None) -> Tensor:
        """Index of the smallest element (of all, flattened; or along ``dim``): an int64 tensor, no gradient."""
        return self._arg("argmin", dim, keepdim, axis, keepdims)

    def _arg(self, name: str, dim: Any, keepdim: bool, axis: Any, keepdims: Any) -> Tensor:
        dim = pick(name, "axis", axis, "dim", dim, None)
        keep = bool(pick(name, "keepdims", keepdims, "keepdim", keepdim if keepdim else None, False))
        x = self.data
        if dim is not None:
            dim = check_axis(name, dim, x.ndim, x.shape) if x.ndim else None
        if x.size == 0:
            raise ValueError(f"{name}: the tensor of shape {x.shape} has no elements (an {name} of nothing is undefined)")
        return _leaf(np.asarray(getattr(x, name)(axis=dim, keepdims=keep), dtype=np.int64))

    # --------------------------------------------------------- arithmetic
    # Each gradient is reduced to its input's shape and dtype by `reduce_to`
    # and skipped when the core says the input needs none.

    # d(a+b)/da = d(a+b)/db = 1
    _ADD = Op(
        "+",
        lambda g, out, a, b, needs_input_grad=_BOTH: (
            reduce_to(g, a) if needs_input_grad[0] else None,
            reduce_to(g, b) if needs_input_grad[1] else None,
        ),
        skip_unneeded=True,
    )

    def __add__(self, other: ArrayLike) -> Tensor:
        return _binary(np.add, "add", self._ADD, self, _operand(other, self))

    def __radd__(self, other: ArrayLike) -> Tensor:
        return _binary(np.add, "add", self._ADD, _operand(other, self), self)

    # d(a-b)/da = 1, d(a-b)/db = -1
    _SUB = Op(
        "-",
        lambda g, out, a, b, needs_input_grad=_BOTH: (
            reduce_to(g, a) if needs_input_grad[0] else None,
            reduce_to(-g, b) if needs_input_grad[1] else None,
        ),
        skip_unneeded=True,
    )

    def __sub__(self, other: ArrayLike) -> Tensor:
        return _binary(np.subtract, "subtract", self._SUB, self, _operand(other, self))

    def __rsub__(self, other: ArrayLike) -> Tensor:
        return _binary(np.subtract, "subtract", self._SUB, _operand(other, self), self)

    # d(a*b)/da = b, d(a*b)/db = a
    _MUL = Op(
        "*",
        lambda g, out, a, b, needs_input_grad=_BOTH: (
            reduce_to(g * b, a) if needs_input_grad[0] else None,
            reduce_to(g * a, b) if needs_input_grad[1] else None,
        ),
        skip_unneeded=True,
    )

    def __mul__(self, other: ArrayLike) -> Tensor:
        return _binary(np.multiply, "multiply", self._MUL, self, _operand(other, self))

    def __rmul__(self, other: ArrayLike) -> Tensor:
        return _binary(np.multiply, "multiply", self._MUL, _operand(other, self), self)

    # d(a/b)/da = 1/b, d(a/b)/db = -a/b**2 = -out/b
    _DIV = Op(
        "/",
        lambda g, out, a, b, needs_input_grad=_BOTH: (
            reduce_to(g / b, a) if needs_input_grad[0] else None,
            reduce_to(-g * out / b, b) if needs_input_grad[1] else None,
        ),
        skip_unneeded=True,
    )

    def __truediv__(self, other: ArrayLike) -> Tensor:
        other = _operand(other, self)
        if other.data.ndim == 0 and other.data != 0:  # x / n: no warning possible, skip errstate
            return _binary(np.true_divide, "divide", self._DIV, self, other)
        with _quiet():
            return _binary(np.true_divide, "divide", self._DIV, self, other)

    def __rtruediv__(self, other: ArrayLike) -> Tensor:
        with _quiet():
            return _binary(np.true_divide, "divide", self._DIV, _operand(other, self), self)

    # d(-a)/da = -1
    _NEG = Op("neg", lambda g, out, a: (-g,))

    def __neg__(self) -> Tensor:
        return _node(-self.data, self._NEG, (self,))

    def __pos__(self) -> Tensor:
        return self

    # d(a**n)/da = n a**(n-1) for a constant n (a**0 is constant: 0, not 0 * 0**-1 = nan at 0).
    # The exponent sits in the graph as a constant leaf and gets no gradient; `raw` keeps it a
    # number under create_graph, so the second derivative is again a power with a constant
    # exponent, never a log of the base.
    _POW_CONST = Op(
        "**", lambda g, out, a, n: ((g * 0.0) if _raw(n) == 0 else g * (_raw(n) * a ** (_raw(n) - 1)), None)
    )

    # d(a**b)/da = b a**(b-1); d(a**b)/db = a**b ln a (taken as 0 where a == 0, the limit for b > 0)
    _POW = Op(
        "**",
        lambda g, out, a, b, needs_input_grad=_BOTH: (
            reduce_to(g * b * a ** (b - 1), a) if needs_input_grad[0] else None,
            reduce_to(_where(_raw(a) == 0, 0.0, g * out * _log(a)), b) if needs_input_grad[1] else None,
        ),
        skip_unneeded=True,
    )

    def __pow__(self, exponent: ArrayLike) -> Tensor:
        """``a ** n`` for a number n, or ``a ** b`` for a tensor b."""
        if isinstance(exponent, (int, float, np.generic)) or (
            type(exponent) is _ndarray and exponent.ndim == 0
        ):
            n: Any = exponent
            if isinstance(n, (np.generic, np.ndarray)):  # np.float64 is also a float: test this first
                check_dtype(n.dtype)
                n = n.item()  # a Python number: float32 stays float32 (NEP 50)
            exponent = n
            if n >= 0 and float(n).is_integer():  # x**2: no domain trouble, skip errstate
                data = self.data**exponent
            else:
                with _quiet():
                    data = self.data**exponent
            constant = _leaf(np.asarray(exponent, dtype=data.dtype))
            return _node(data, self._POW_CONST, (self, constant))
        return _power(self, _operand(exponent, self))

    def __rpow__(self, base: ArrayLike) -> Tensor:
        return _power(_operand(base, self), self)

    # ------------------------------------------------------------- matmul

    def __matmul__(self, other: ArrayLike) -> Tensor:
        return matmul(self, _operand(other, self))

    def __rmatmul__(self, other: ArrayLike) -> Tensor:
        return matmul(_operand(other, self), self)

    # ---------------------------------------------------------- functions

    # d(e**a)/da = e**a = out
    _EXP = Op("exp", lambda g, out, a: (g * out,))

    def exp(self) -> Tensor:
        """e**x; overflows to inf (no warning) past ~88.7 in float32, ~709.8 in float64."""
        with _quiet():
            data = np.exp(self.data)
        return _node(data, self._EXP, (self,))

    # d(ln a)/da = 1/a
    _LOG = Op("log", lambda g, out, a: (g / a,))

    def log(self) -> Tensor:
        """Natural logarithm: nan for x < 0 and -inf at 0, without a warning (as numpy and PyTorch)."""
        with _quiet():
            data = np.log(self.data)
        return _node(data, self._LOG, (self,))

    # d(sqrt a)/da = 1 / (2 sqrt a) = 0.5 / out (inf at 0)
    _SQRT = Op("sqrt", lambda g, out, a: (g * 0.5 / out,))

    def sqrt(self) -> Tensor:
        """Square root: nan for x < 0 (no warning); the derivative 1/(2 sqrt x) is inf at 0."""
        with _quiet():
            data = np.sqrt(self.data)
        return _node(data, self._SQRT, (self,))

    # d|a|/da = sign(a), taken as 0 at exactly 0 (as PyTorch)
    _ABS = Op("abs", lambda g, out, a: (g * _sign(a),))

    def abs(self) -> Tensor:
        """|x|; the derivative at exactly 0 is taken as 0 (sign(0) = 0, as in PyTorch)."""
        return _node(np.abs(self.data), self._ABS, (self,))

    __abs__ = abs

    # d tanh(a)/da = 1 - tanh(a)**2 = 1 - out**2
    _TANH = Op("tanh", lambda g, out, a: (g * (1.0 - out * out),))

    def tanh(self) -> Tensor:
        """Hyperbolic tangent."""
        return _node(np.tanh(self.data), self._TANH, (self,))

    # d sigmoid(a)/da = s (1 - s) with s = out
    _SIGMOID = Op("sigmoid", lambda g, out, a: (g * out * (1.0 - out),))

    def sigmoid(self) -> Tensor:
        """1 / (1 + e**-x), with no overflow for any x."""
        return _node(sigmoid_array(self.data), self._SIGMOID, (self,))

    # d softplus(a)/da = d log(1 + e**a)/da = sigmoid(a)
    _SOFTPLUS = Op("softplus", lambda g, out, a: (g * _sigmoid(a),))

    def softplus(self) -> Tensor:
        """log(1 + e**x), stable for large |x|."""
        return _node(softplus_array(self.data), self._SOFTPLUS, (self,))

    # d log(sigmoid(a))/da = 1 - sigmoid(a) = sigmoid(-a)
    _LOG_SIGMOID = Op("log_sigmoid", lambda g, out, a: (g * _sigmoid(-a),))

    def log_sigmoid(self) -> Tensor:
        """log(sigmoid(x)) = -softplus(-x), finite where the naive form is log(0)."""
        x = self.data
        return _node(np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x))), self._LOG_SIGMOID, (self,))

    # d relu(a)/da = 1 where a > 0, else 0 (0 at exactly 0: the mask decides, not maximum's tie rule)
    _RELU = Op("relu", lambda g, out, a: (g * (_raw(a) > 0),))

    def relu(self) -> Tensor:
        """max(0, x); the gradient at exactly 0 is 0."""
        # np.maximum for the value (nan stays nan, so check_finite sees it).
        return _node(np.maximum(self.data, 0), self._RELU, (self,))

    # d leaky_relu(a)/da = 1 where a > 0, else slope
    _LEAKY_RELU = Op("leaky_relu", lambda g, out, a, *, slope: (_where(_raw(a) > 0, g, g * slope),))

    def leaky_relu(self, slope: float = 0.01) -> Tensor:
        """x for x > 0, slope * x otherwise (gradient: 1 or slope; slope at exactly 0)."""
        x = self.data
        data = np.where(x > 0, x, x * slope)
        return _node(data, with_params(self._LEAKY_RELU, slope=slope), (self,))

    # d clamp(a)/da = 1 where min <= a <= max (the value was not moved: out == a), else 0
    _CLAMP = Op("clamp", lambda g, out, a: (g * (_raw(a) == _raw(out)),))

    def clamp(self, min: float | None = None, max: float | None = None) -> Tensor:
        """Limit values to [min, max] (None: unbounded); gradient 1 on the bounds too, as PyTorch's clamp."""
        if min is None and max is None:
            raise ValueError("clamp: give min, max or both")
        for name, bound in (("min", min), ("max", max)):
            if bound is not None and (isinstance(bound, bool) or not isinstance(bound, (int, float, np.number))):
                raise TypeError(f"clamp: {name} must be a number or None, got {show_value(bound)}")
        return _node(np.clip(self.data, min, max), self._CLAMP, (self,))

    clip = clamp

    # ds_i/da_j = s_i (delta_ij - s_j), so da = s * (g - sum(g * s)) along the axis, s = out
    _SOFTMAX = Op("softmax", lambda g, out, a, *, axis: (out * (g - (g * out).sum(axis=axis, keepdims=True)),))

    def softmax(self, dim: int | None = None, *, axis: int | None = None) -> Tensor:
        """e**x / sum(e**x) along ``dim`` (default -1), computed on x - max(x) so no exponent overflows.

        A row of all -inf has no softmax: nan for that row, without a warning (as PyTorch).
        """
        x = self.data
        axis = pick("softmax", "axis", axis, "dim", dim, -1)
        check_axis("softmax", axis, x.ndim, x.shape)
        with _quiet():  # -inf - -inf in an all -inf row: nan, silently
            e = x - x.max(axis=axis, keepdims=True, initial=-np.inf)  # initial: empty axes allowed
            np.exp(e, out=e)  # in place on our own temporary
            e /= e.sum(axis=axis, keepdims=True)
        return _node(e, with_params(self._SOFTMAX, axis=axis), (self,))

    # d(a_i - lse(a))/da_j = delta_ij - softmax_j, so da = g - e**out * sum(g) along the axis
    _LOG_SOFTMAX = Op("log_softmax", lambda g, out, a, *, axis: (g - _exp(out) * g.sum(axis=axis, keepdims=True),))

    def log_softmax(self, dim: int | None = None, *, axis: int | None = None) -> Tensor:
        """x - log(sum(e**x)) along ``dim`` (default -1), stable for any finite logits (log-sum-exp on x - max).

        A row of all -inf gives nan for that row, without a warning (as PyTorch).
        """
        x = self.data
        axis = pick("log_softmax", "axis", axis, "dim", dim, -1)
        check_axis("log_softmax", axis, x.ndim, x.shape)
        with _quiet():
            shifted = x - x.max(axis=axis, keepdims=True, initial=-np.inf)
            lse = np.log(np.exp(shifted).sum(axis=axis, keepdims=True))  # the sum is >= 1 (or nan): log is safe
        shifted -= lse
        return _node(shifted, with_params(self._LOG_SOFTMAX, axis=axis), (self,))

    # d clone(a)/da = 1
    _CLONE = Op("clone", lambda g, out, a: (g,))

    def clone(self) -> Tensor:
        """A copy with its own memory; the gradient passes through (as PyTorch's clone)."""
        return _node(self.data.copy(), self._CLONE, (self,))

    def pow(self, exponent: ArrayLike) -> Tensor:
        """``self ** exponent`` (see `__pow__`)."""
        return self ** exponent

    # d astype(a)/da = 1, cast back to a's dtype
    _ASTYPE = Op("astype", lambda g, out, a: (g.astype(a.dtype),))

    def astype(self, dtype: Any) -> Tensor:
        """A copy converted to ``dtype``; differentiable between float dtypes, a plain leaf otherwise."""
        dtype = as_dtype(dtype, "astype")
        data = self.data.astype(dtype)
        if dtype.kind != "f":
            return _leaf(data)
        return _node(data, self._ASTYPE, (self,))

    # ---------------------------------------------------------- reductions

    # d sum/da = 1 for every summed element: g copied back over the axis
    _SUM = Op("sum", lambda g, out, a, *, axis, keepdims: (expand(g, a.shape, axis, keepdims),))

    def sum(self, axis: Axis = None, keepdims: bool = False, *, dim: Axis = None, keepdim: bool | None = None) -> Tensor:
        """Sum over ``axis`` or ``dim`` (None: all; int, negative int or tuple)."""
        axis = axis_tuple(pick("sum", "axis", axis, "dim", dim, None))
        keepdims = bool(pick("sum", "keepdims", keepdims if keepdims else None, "keepdim", keepdim, False))
        try:
            data = self.data.sum(axis=axis, keepdims=keepdims)
        except (ValueError, TypeError) as exc:
            raise axis_error("sum", axis, self.data, exc) from None
        return _node(data, with_params(self._SUM, axis=axis, keepdims=keepdims), (self,))

    # d mean/da = 1/count for every averaged element: g / count copied back over the axis
    _MEAN = Op(
        "mean",
        lambda g, out, a, *, axis, keepdims: (expand(g / reduced_count(a.shape, axis), a.shape, axis, keepdims),),
    )

    def mean(self, axis: Axis = None, keepdims: bool = False, *, dim: Axis = None, keepdim: bool | None = None) -> Tensor:
        """Mean over ``axis`` or ``dim``; nan (no warning) over an empty axis."""
        axis = axis_tuple(pick("mean", "axis", axis, "dim", dim, None))
        keepdims = bool(pick("mean", "keepdims", keepdims if keepdims else None, "keepdim", keepdim, False))
        try:
            total = self.data.sum(axis=axis, keepdims=keepdims)
        except (ValueError, TypeError) as exc:
            raise axis_error("mean", axis, self.data, exc) from None
        count = reduced_count(self.data.shape, axis)
        if count:
            data = total / count
        else:
            with _quiet():
                data = total / count
        return _node(data, with_params(self._MEAN, axis=axis, keepdims=keepdims), (self,))

    @staticmethod
    def _extreme_rule(g: Any, out: Any, a: Any, *, axis: Any, keepdims: bool) -> tuple:
        """d max/da_i = 1/k where a_i is one of the k tied maxima (or minima), else 0."""
        x, best = _raw(a), _raw(out)
        if not keepdims:
            best = best.reshape(kept_shape(x.shape, axis))
        hit = (x == best).astype(x.dtype)  # float mask: a bool/int count would upcast float32 to float64
        share = hit / hit.sum(axis=axis, keepdims=True)
        return (expand(g, x.shape, axis, keepdims) * share,)

    _MAX = Op("max", _extreme_rule)
    _MIN = Op("min", _extreme_rule)

    def amax(self, dim: Axis = None, keepdim: bool = False, *, axis: Axis = None, keepdims: bool | None = None) -> Tensor:
        """Largest element over ``dim``/``axis`` (None: all; int or tuple). Tied maxima share the gradient equally."""
        return self._extreme(self._MAX, dim, keepdim, axis, keepdims)

    def amin(self, dim: Axis = None, keepdim: bool = False, *, axis: Axis = None, keepdims: bool | None = None) -> Tensor:
        """Smallest element over ``dim``/``axis``. Tied minima share the gradient equally."""
        return self._extreme(self._MIN, dim, keepdim, axis, keepdims)

    def max(self, dim: Any = None, keepdim: bool = False, *, axis: Axis = None, keepdims: bool | None = None) -> Any:
        """PyTorch's three meanings, plus numpy's ``axis=``:

        * ``x.max()``: the largest element (a 0-d tensor);
        * ``x.max(dim)`` / ``x.max(dim=1, keepdim=...)``: a named tuple ``(values, indices)``;
          the gradient goes to the element each index names (as PyTorch);
        * ``x.max(other_tensor)``: the elementwise `maximum`;
        * ``x.max(axis=...)`` (numpy's spelling): the values only, as `amax` (ties share the gradient).
        """
        if isinstance(dim, Tensor):
            return maximum(self, dim)
        if dim is None:
            return self._extreme(self._MAX, None, None, axis, keepdims)
        return self._extreme_at(self._MAX_AT, "argmax", dim, keepdim)

    def min(self, dim: Any = None, keepdim: bool = False, *, axis: Axis = None, keepdims: bool | None = None) -> Any:
        """As `max`, for the smallest element: ``min()``, ``min(dim)`` -> (values, indices), ``min(other)``, ``min(axis=)``."""
        if isinstance(dim, Tensor):
            return minimum(self, dim)
        if dim is None:
            return self._extreme(self._MIN, None, None, axis, keepdims)
        return self._extreme_at(self._MIN_AT, "argmin", dim, keepdim)

    def _extreme_at(self, op: Op, arg: str, dim: Any, keepdim: bool) -> ValuesIndices:
        """(values, indices) along one dim: the values are gathered at the indices (one getitem-like node)."""
        x = self.data
        name = op.name
        axis = check_axis(name, dim, x.ndim, x.shape)
        if x.ndim == 0:
            return ValuesIndices(_node(x.copy(), self._CLONE, (self,)), _leaf(np.zeros((), np.int64)))
        if x.shape[axis] == 0:
            raise ValueError(f"{name}: the tensor of shape {x.shape} has no elements along dim {dim}")
        indices = getattr(x, arg)(axis=axis, keepdims=bool(keepdim))
        out_ndim = indices.ndim
        index = []
        for i, n in enumerate(x.shape):
            if i == axis:
                index.append(indices)
                continue
            at = i if keepdim or i < axis else i - 1  # where dim i sits in the result
            index.append(np.arange(n).reshape([n if j == at else 1 for j in range(out_ndim)]))
        index_tuple = tuple(index)
        values = _node(x[index_tuple], with_params(op, index=index_tuple, accumulate=False), (self,))
        return ValuesIndices(values, _leaf(indices.astype(np.int64, copy=False)))

    def _extreme(self, op: Op, dim: Axis, keepdim: Any, axis: Axis, keepdims: Any) -> Tensor:
        axis = axis_tuple(pick(op.name, "axis", axis, "dim", dim, None))
        keepdims = bool(pick(op.name, "keepdims", keepdims, "keepdim", keepdim if keepdim else None, False))
        try:
            data = getattr(self.data, op.name)(axis=axis, keepdims=keepdims)
        except (ValueError, TypeError) as exc:
            if self.data.size == 0 and not isinstance(exc, AxisError):
                raise ValueError(
                    f"{op.name}: the tensor of shape {self.data.shape} has no elements along axis {axis} "
                    "(a max/min of nothing is undefined)"
                ) from None
            raise axis_error(op.name, axis, self.data, exc) from None
        return _node(data, with_params(op, axis=axis, keepdims=keepdims), (self,))

    # ---------------------------------------------------------------- shape

    # d reshape(a)/da: g reshaped back to a's shape
    _RESHAPE = Op("reshape", lambda g, out, a: (g.reshape(a.shape),))

    def reshape(self, *shape: Any) -> Tensor:
        """The same elements in a new shape (a tuple or separate ints; one entry may be -1)."""
        return self._reshaped("reshape", shape)

    def view(self, *shape: Any) -> Tensor:
        """PyTorch's name for `reshape` (numpy arrays need no contiguity, so every view works)."""
        return self._reshaped("view", shape)

    def _reshaped(self, name: str, shape: tuple) -> Tensor:
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        for side in shape:
            if isinstance(side, bool) or not isinstance(side, (int, np.integer)):
                raise TypeError(f"{name}: the shape must be ints, got {show_value(side)} in {show_value(shape)}")
        try:
            data = self.data.reshape(shape)
        except ValueError:
            raise ValueError(
                f"{name}: shape {shape} is invalid for a tensor of shape {self.data.shape} "
                f"({self.data.size} elements)"
            ) from None
        return _node(data, self._RESHAPE, (self,))

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge axes start_dim..end_dim into one (PyTorch's semantics: flatten() is 1-D, flatten(1) keeps the batch axis)."""
        shape = self.data.shape
        if not shape:
            return self.reshape(1)  # as torch: a 0-d tensor flattens to shape (1,)
        ndim = len(shape)
        try:
            start, end = range(ndim)[start_dim], range(ndim)[end_dim]
        except IndexError:
            raise IndexError(f"flatten: dims ({start_dim}, {end_dim}) out of range for a tensor of shape {shape}") from None
        if start > end:
            raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim} for shape {shape}")
        merged = int(np.prod(shape[start : end + 1]))
        return self.reshape(shape[:start] + (merged,) + shape[end + 1 :])

    def squeeze(self, dim: Axis = None, *, axis: Axis = None) -> Tensor:
        """Drop size-1 dims (all of them, or those in ``dim``/``axis``; a named dim must have size 1)."""
        axis = pick("squeeze", "axis", axis, "dim", dim, None)
        shape = self.data.shape
        if axis is None:
            return self.reshape(tuple([n for n in shape if n != 1]))
        axes: Any = axis_tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
        if any(isinstance(a, bool) or not isinstance(a, (int, np.integer)) for a in axes):
            raise TypeError(f"squeeze: dim must be an int or a tuple of ints, got {show_value(axis)}")
        if any(not -len(shape) <= a < len(shape) for a in axes):
            raise AxisError(f"squeeze: axis {axis} is out of range for a tensor of shape {shape}")
        axes = normalized_axes(axes, len(shape))
        if any(shape[a] != 1 for a in axes):
            raise ValueError(f"squeeze: axis {axis} of a tensor of shape {shape} does not have size 1")
        return self.reshape(tuple([n for i, n in enumerate(shape) if i not in axes]))

    def unsqueeze(self, dim: int | None = None, *, axis: int | None = None) -> Tensor:
        """Insert a size-1 dim at position ``dim`` (negative counts from the new end)."""
        axis = pick("unsqueeze", "axis", axis, "dim", dim, None)
        if axis is None:
            raise TypeError("unsqueeze: give the position, e.g. unsqueeze(0)")
        ndim = self.data.ndim + 1
        if not -ndim <= axis < ndim:
            raise AxisError(f"unsqueeze: axis {axis} is out of range for a tensor of shape {self.data.shape}")
        axis %= ndim
        shape = self.data.shape
        return self.reshape(shape[:axis] + (1,) + shape[axis:])

    # d transpose(a, perm)/da: g transposed by the inverse permutation
    _TRANSPOSE = Op("transpose", lambda g, out, a, *, perm: (_permuted(g, tuple(np.argsort(perm).tolist())),))

    def permute(self, *dims: Any) -> Tensor:
        """The dims in a new order: ``permute(2, 0, 1)`` (a full permutation, numpy's ``transpose(axes)``)."""
        if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
            dims = tuple(dims[0])
        ndim = self.data.ndim
        for d in dims:
            if isinstance(d, bool) or not isinstance(d, (int, np.integer)):
                raise TypeError(f"permute: dims must be ints, got {show_value(d)} in {show_value(dims)}")
        perm = tuple([int(d) % ndim if -ndim <= d < ndim else int(d) for d in dims]) if ndim else tuple(dims)
        if sorted(perm) != list(range(ndim)):
            raise ValueError(
                f"permute: dims {dims} are not a permutation of the {ndim} dims of a tensor of shape {self.data.shape}"
            )
        return _node(self.data.transpose(perm), with_params(self._TRANSPOSE, perm=perm), (self,))

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        """Swap two dims (PyTorch's ``transpose(dim0, dim1)``); `permute` reorders all of them."""
        ndim = self.data.ndim
        a = check_axis("transpose", dim0, ndim, self.data.shape) if ndim else 0
        b = check_axis("transpose", dim1, ndim, self.data.shape) if ndim else 0
        perm = list(range(ndim))
        if ndim:
            perm[a], perm[b] = b, a
        return self.permute(perm)

    swapaxes = transpose  # numpy's name for the same swap

    def t(self) -> Tensor:
        """The transpose of a matrix (a tensor of at most 2 dims, as PyTorch)."""
        if self.data.ndim > 2:
            raise ValueError(
                f"t: needs a tensor of at most 2 dims, got shape {self.data.shape}; use transpose(dim0, dim1) or permute"
            )
        return self.permute(tuple(range(self.data.ndim - 1, -1, -1)))

    @property
    def T(self) -> Tensor:
        """All dims reversed (for a matrix, the transpose)."""
        return self.permute(tuple(range(self.data.ndim - 1, -1, -1)))

    # d broadcast_to(a)/da: g summed back over the repeated axes
    _BROADCAST_TO = Op("broadcast_to", lambda g, out, a: (unbroadcast(g, a.shape),))

    def broadcast_to(self, shape: Sequence[int]) -> Tensor:
        """Repeat along size-1 / new leading axes to ``shape``."""
        shape = tuple(shape)
        try:
            data = np.broadcast_to(self.data, shape)
        except ValueError:
            raise ValueError(f"broadcast_to: cannot broadcast a tensor of shape {self.data.shape} to {shape}") from None
        return _node(data, self._BROADCAST_TO, (self,))

    # ------------------------------------------------------------ indexing

    # d a[index]/da: g scattered into zeros at index (added up where an integer array repeats an element)
    _GETITEM = Op("getitem", lambda g, out, a, *, index, accumulate: (_scatter(g, a.shape, index, accumulate),))

    # max(dim) / min(dim) values: the elements the indices name, gathered as getitem gathers them
    _MAX_AT = Op("max", _GETITEM.rule)
    _MIN_AT = Op("min", _GETITEM.rule)

    def __getitem__(self, index: Any) -> Tensor:
        """numpy indexing: ints, slices, None, Ellipsis, bool masks, integer arrays/lists."""
        index = clean_index(index, Tensor)
        try:
            data = self.data[index]
        except IndexError as exc:
            raise IndexError(f"index {show_index(index)} is invalid for a tensor of shape {self.data.shape}: {exc}") from None
        if type(data) is not _ndarray:
            data = np.asarray(data)  # an element comes back as a numpy scalar
        op = with_params(self._GETITEM, index=index, accumulate=has_integer_array(index))
        return _node(data, op, (self,))

    # d scatter(a)/da: g picked at index (scatter is getitem's gradient, recorded under create_graph)
    _SCATTER = Op("scatter", lambda g, out, a, *, index: (g[index],))

    def _scatter_into(self, shape: Shape, index: Any, accumulate: bool) -> Tensor:
        """zeros(shape) with self added at ``index``: getitem's gradient as a Tensor op."""
        return _node(scatter(self.data, shape, index, accumulate), with_params(self._SCATTER, index=index), (self,))

    # ---------------------------------------------------------- conversions
    # Last in the class: `float`, `int`, `bool` and `type` are method names from here on.

    def cpu(self) -> Tensor:
        """Self: every tensor lives in main memory."""
        return self

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """``to(dtype)``, ``to('cpu')``, ``to(other_tensor)`` (its dtype), ``to(device, dtype)``, ``to(dtype=...)``."""
        dtype = kwargs.pop("dtype", None)
        device = kwargs.pop("device", None)
        kwargs.pop("copy", None)
        kwargs.pop("non_blocking", None)
        if kwargs:
            raise TypeError(f"to: unknown arguments {sorted(kwargs)}")
        for arg in args:
            if isinstance(arg, Tensor):
                dtype = arg.data.dtype
            elif isinstance(arg, str) or type(arg).__name__ == "device":
                device = arg
            else:
                dtype = arg
        if device is not None and str(device).split(":")[0] != "cpu":
            raise RuntimeError(f"to: only the 'cpu' device exists here, got {device!r} (see docs/from-pytorch.md)")
        if dtype is None or as_dtype(dtype, "to") == self.data.dtype:
            return self
        return self.astype(dtype)

    def float(self) -> Tensor:
        """A float32 copy (self when already float32)."""
        return self if self.data.dtype == _FLOAT32 else self.astype(np.float32)

    def double(self) -> Tensor:
        """A float64 copy (self when already float64)."""
        return self if self.data.dtype == np.float64 else self.astype(np.float64)

    def long(self) -> Tensor:
        """An int64 copy (no gradient)."""
        return self if self.data.dtype == np.int64 else self.astype(np.int64)

    def int(self) -> Tensor:
        """An int32 copy (no gradient)."""
        return self if self.data.dtype == np.int32 else self.astype(np.int32)

    def bool(self) -> Tensor:
        """A bool copy (no gradient)."""
        return self if self.data.dtype == np.bool_ else self.astype(np.bool_)

    def type(self, dtype: Any = None) -> Any:
        """With no argument the dtype's name (e.g. 'float32'); with one, the tensor converted to it."""
        if dtype is None:
            return str(self.data.dtype)
        return self.to(dtype)


# ------------------------------------------------------------- free functions
# Operations on several tensors, each with its rule right above it.


def _matmul_rule(g: Any, out: Any, a: Any, b: Any, needs_input_grad: tuple = _BOTH) -> tuple:
    """For C = A @ B: dA = G @ B^T, dB = A^T @ G, with vectors lifted to matrices and batch axes summed back."""
    if a.ndim == 2 and b.ndim == 2:  # the common case: one product per gradient, no reshapes
        return (
            reduce_to(g @ b.T, a) if needs_input_grad[0] else None,
            reduce_to(a.T @ g, b) if needs_input_grad[1] else None,
        )
    if a.ndim == 1 and b.ndim == 1:  # dot product: out is a scalar
        return (reduce_to(g * b, a) if needs_input_grad[0] else None, reduce_to(g * a, b) if needs_input_grad[1] else None)
    # numpy treats a vector a as a (1, k) matrix and a vector b as (k, 1), then drops that axis from out.
    A = a.reshape((1,) + a.shape) if a.ndim == 1 else a
    B = b.reshape(b.shape + (1,)) if b.ndim == 1 else b
    G = g
    if a.ndim == 1:
        G = G.reshape(G.shape[:-1] + (1, G.shape[-1]))
    if b.ndim == 1:
        G = G.reshape(G.shape + (1,))
    ga = _shaped(reduce_to(G @ B.swapaxes(-1, -2), A), a.shape) if needs_input_grad[0] else None
    gb = _shaped(reduce_to(A.swapaxes(-1, -2) @ G, B), b.shape) if needs_input_grad[1] else None
    return (ga, gb)


_MATMUL = Op("@", _matmul_rule, skip_unneeded=True)


def matmul(a: ArrayLike, b: ArrayLike) -> Tensor:
    """a @ b with numpy's rules: 1-D operands are vectors, leading axes are broadcast batch axes."""
    a, b = as_tensor(a), as_tensor(b)
    try:
        data = a.data @ b.data
    except ValueError:
        raise matmul_error(a.data.shape, b.data.shape) from None
    if type(data) is not _ndarray:
        data = np.asarray(data)
    return _node(data, _MATMUL, (a, b))


def _linear_rule(g: Any, out: Any, x: Any, w: Any, b: Any = None, needs_input_grad: tuple = (True, True, True)) -> tuple:
    """dx = g @ W, dW = g^T @ x (batch axes flattened into one), db = g summed over the batch."""
    gx = reduce_to(g @ w, x) if needs_input_grad[0] else None
    gw = None
    if needs_input_grad[1]:
        g2 = g.reshape((-1, g.shape[-1]))
        x2 = x.reshape((-1, x.shape[-1]))
        # One sample: an outer product by broadcasting. OpenBLAS runs the
        # (out, 1) @ (1, in) product several times slower than this.
        gw = reduce_to(g2.T * x2 if x2.shape[0] == 1 else g2.T @ x2, w)
    if b is None:
        return (gx, gw)
    gb = None
    if needs_input_grad[2]:
        # the usual (out,) bias: one sum over the batch rows, no general unbroadcast
        gb = g.reshape((-1, g.shape[-1])).sum(axis=0) if b.ndim == 1 else g
        gb = reduce_to(gb, b)
    return (gx, gw, gb)


_LINEAR = Op("linear", _linear_rule, skip_unneeded=True)  # with or without the bias input


def linear(x: ArrayLike, weight: ArrayLike, bias: ArrayLike | None = None) -> Tensor:
    """``x @ weight.T + bias`` as ONE fused node, with PyTorch's layout: weight is (out, in).

    The fast path `nn.Linear` uses: the same numbers and gradients as writing
    ``x @ weight.T + bias``, but one node instead of three, and the weight's
    gradient ``g.T @ x`` comes out in the weight's own layout (the three-node
    form makes it as a transposed view, which the core must copy before a leaf
    keeps it). A picture shows it as one `linear` box.
    ``x`` may be (in,) or (..., in); ``bias`` (out,) or None.
    """
    x, weight = as_tensor(x), as_tensor(weight)
    if weight.data.ndim != 2 or x.data.ndim == 0 or x.data.shape[-1] != weight.data.shape[1]:
        raise ValueError(
            f"linear: input of shape {x.data.shape} does not fit a weight of shape {weight.data.shape} "
            "(the weight is (out, in), with in = the input's last axis)"
        )
    data = x.data @ weight.data.T
    if bias is None:
        return _node(data, _LINEAR, (x, weight))
    bias = as_tensor(bias)
    try:
        if bias.data.dtype == data.dtype and bias.data.ndim == 1:
            data += bias.data  # in place on our own product: one array fewer per layer
        else:
            data = data + bias.data
    except ValueError:
        raise ValueError(f"linear: bias of shape {bias.data.shape} does not fit an output of shape {data.shape}") from None
    return _node(data, _LINEAR, (x, weight, bias))


def _power(a: Tensor, b: Tensor) -> Tensor:
    """a ** b for two tensors (its rule, Tensor._POW, sits above Tensor.__pow__)."""
    with _quiet():
        try:
            data = a.data**b.data
        except ValueError:
            raise broadcast_error("power", a.data.shape, b.data.shape) from None
    return _node(data, Tensor._POW, (a, b))


def _concatenate_rule(g: Any, out: Any, *parts: Any, axis: int) -> tuple:
    """d concatenate(parts)/d part = the slice of g where that part sits."""
    axis %= out.ndim
    before = (slice(None),) * axis
    grads, start = [], 0
    for p in parts:
        stop = start + p.shape[axis]
        grads.append(reduce_to(g[before + (slice(start, stop),)], p))
        start = stop
    return tuple(grads)


_CONCATENATE = Op("concatenate", _concatenate_rule)


def concatenate(tensors: Sequence[ArrayLike], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis."""
    parts = tuple([as_tensor(t) for t in tensors])
    if not parts:
        raise ValueError("concatenate: needs at least one tensor")
    try:
        data = np.concatenate([t.data for t in parts], axis=axis)
    except (ValueError, TypeError) as exc:
        shapes = ", ".join(str(t.data.shape) for t in parts)
        raise ValueError(f"concatenate: cannot join tensors of shapes {shapes} along axis {axis}: {exc}") from None
    return _node(data, with_params(_CONCATENATE, axis=axis), parts)


# d stack(parts)/d part_i = g[..., i, ...] (index i along the new axis)
_STACK = Op(
    "stack",
    lambda g, out, *parts, axis: tuple(
        [reduce_to(g[(slice(None),) * (axis % out.ndim) + (i,)], p) for i, p in enumerate(parts)]
    ),
)


def stack(tensors: Sequence[ArrayLike], axis: int = 0) -> Tensor:
    """Join same-shape tensors along a new axis."""
    parts = tuple([as_tensor(t) for t in tensors])
    if not parts:
        raise ValueError("stack: needs at least one tensor")
    try:
        data = np.stack([t.data for t in parts], axis=axis)
    except (ValueError, TypeError) as exc:
        shapes = ", ".join(str(t.data.shape) for t in parts)
        raise ValueError(f"stack: cannot stack tensors of shapes {shapes} along axis {axis}: {exc}") from None
    return _node(data, with_params(_STACK, axis=axis), parts)


# d where(c, a, b)/da = g where c holds, else 0; d/db = g where it does not; the condition gets none
_WHERE = Op(
    "where",
    lambda g, out, cond, a, b, needs_input_grad=(False, True, True): (
        None,
        reduce_to(_where(_raw(cond), g, 0), a) if needs_input_grad[1] else None,
        reduce_to(_where(_raw(cond), 0, g), b) if needs_input_grad[2] else None,
    ),
    skip_unneeded=True,
)


def where(condition: ArrayLike, a: ArrayLike, b: ArrayLike) -> Tensor:
    """a where ``condition`` holds, else b (broadcast). ``condition`` is a bool array or Tensor: no gradient."""
    cond = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != np.bool_:
        raise TypeError(f"where: condition must be boolean, got dtype {cond.dtype} (compare first, e.g. x > 0)")
    a, b = _pair(a, b)
    try:
        data = np.where(cond, a.data, b.data)
    except ValueError:
        raise ValueError(
            f"where: shapes {cond.shape} (condition), {a.data.shape} and {b.data.shape} cannot be broadcast together"
        ) from None
    return _node(data, _WHERE, (_leaf(cond), a, b))


def _choice_rule(g: Any, out: Any, a: Any, b: Any, needs_input_grad: tuple = _BOTH) -> tuple:
    """d maximum(a, b)/da = 1 where a was chosen, 1/2 on a tie, else 0 (and the same for b)."""
    x, y, chosen = _raw(a), _raw(b), _raw(out)
    share_a = (x == chosen).astype(chosen.dtype)
    share_b = (y == chosen).astype(chosen.dtype)
    tie = share_a * share_b
    share_a -= tie * 0.5  # fresh arrays of our own: changing them in place is safe
    share_b -= tie * 0.5
    return (
        reduce_to(g * share_a, a) if needs_input_grad[0] else None,
        reduce_to(g * share_b, b) if needs_input_grad[1] else None,
    )


_MAXIMUM = Op("maximum", _choice_rule, skip_unneeded=True)
_MINIMUM = Op("minimum", _choice_rule, skip_unneeded=True)


def maximum(a: ArrayLike, b: ArrayLike) -> Tensor:
    """Elementwise larger of a and b (broadcast); where they tie, each gets half the gradient (as PyTorch)."""
    a, b = _pair(a, b)
    return _binary(np.maximum, "maximum", _MAXIMUM, a, b)


def minimum(a: ArrayLike, b: ArrayLike) -> Tensor:
    """Elementwise smaller of a and b (broadcast); where they tie, each gets half the gradient."""
    a, b = _pair(a, b)
    return _binary(np.minimum, "minimum", _MINIMUM, a, b)


# numpy ufuncs met as `ndarray <op> tensor`: the Tensor operation records the graph
_ROUTED_UFUNCS: dict[Any, Any] = {
    np.add: _operator.add,
    np.subtract: _operator.sub,
    np.multiply: _operator.mul,
    np.true_divide: _operator.truediv,
    np.power: _operator.pow,
    np.matmul: _operator.matmul,
    np.equal: _operator.eq,
    np.not_equal: _operator.ne,
    np.less: _operator.lt,
    np.less_equal: _operator.le,
    np.greater: _operator.gt,
    np.greater_equal: _operator.ge,
    np.maximum: maximum,
    np.minimum: minimum,
}


# ------------------------------------------------------------ making nodes


def from_op(data: ArrayLike, op: Op, inputs: Sequence[Tensor]) -> Tensor:
    """The output of your own operation: ``data`` computed from ``inputs``, differentiated by ``op``.

    ``op = Op(name, rule)`` where ``rule(g, out, *inputs)`` returns one
    gradient per input (see graph.py). Write the rule with operations that
    work on both arrays and Tensors and second derivatives come for free::

        CUBE = Op("cube", lambda g, out, x: (g * 3 * x * x,))
        y = from_op(x.data ** 3, CUBE, [x])
    """
    if not isinstance(op, Op):
        raise TypeError(f"from_op: op must be an autograd_mlp.Op, got {type(op).__name__}")
    inputs = tuple(inputs)
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor):
            raise TypeError(f"from_op: input {i} is a {type(t).__name__}, not a Tensor")
    if type(data) is not _ndarray:
        data = to_array(data.data if isinstance(data, Tensor) else data, None)
    return _node(data, op, inputs)


def as_tensor(x: Any) -> Tensor:
    """``x`` itself when it is a Tensor, else a Tensor sharing the array (Python data: float32)."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray):
        check_dtype(x.dtype)
        return _leaf(x)
    return Tensor(x)


def _leaf(data: np.ndarray) -> Tensor:
    """A tensor with no history, made without the constructor's checks (data is already an ndarray)."""
    t = _new(Tensor)
    t.data = data
    t._grad = None
    t._grad_tensor = None
    t.label = ""
    t._op = None
    t._prev = ()
    t._requires_grad = False
    t._scope = _mode.scope
    t._version = 0
    t._stamp = 0
    return t


def _node(data: Any, op: Op, prev: tuple) -> Tensor:
    """The result of an op: it records ``op`` and ``prev`` only when grad mode is on and an input requires grad."""
    if type(data) is not _ndarray:
        data = np.asarray(data)  # 0-d operands give numpy scalars; .data is always an ndarray
    t = _new(Tensor)
    t.data = data
    t._grad = None
    t._grad_tensor = None
    t.label = ""
    t._scope = _mode.scope
    t._version = 0
    t._stamp = _changes.count
    if _mode.enabled:
        for p in prev:
            if p._requires_grad:
                t._op = op
                t._prev = prev
                t._requires_grad = True
                return t
    t._op = None
    t._prev = ()
    t._requires_grad = False
    return t


def _check_unchanged(root: Tensor) -> None:
    """Refuse a backward pass through a node whose saved tensors were changed in place since it was made."""
    seen = {root}
    stack = [root]
    while stack:
        node = stack.pop()
        if node._op is None:  # a leaf saved nothing
            continue
        stamp = node._stamp
        for p in (node, *node._prev):
            if p._version > stamp:
                raise RuntimeError(
                    f"backward: a tensor of shape {p.data.shape} that '{node._op.name}' saved for its gradient "
                    "was changed in place after it was used (+=, -=, *=, /=, add_, zero_, fill_ ...); "
                    "make the change on a copy (x = x + ...), or compute the result again after the change"
                )
            if p._prev and p not in seen:
                seen.add(p)
                stack.append(p)


def _binary(ufunc: Any, name: str, op: Op, a: Tensor, b: Tensor) -> Tensor:
    try:
        data = ufunc(a.data, b.data)
    except ValueError:
        raise broadcast_error(name, a.data.shape, b.data.shape) from None
    return _node(data, op, (a, b))


def _compare(ufunc: Any, symbol: str, a: Tensor, other: Any) -> Any:
    if type(other) is not Tensor:
        try:
            other = _operand(other, a)
        except TypeError:
            return NotImplemented  # x == None is False, x < None a TypeError, as for other objects
    try:
        return _leaf(np.asarray(ufunc(a.data, other.data)))
    except ValueError:
        raise broadcast_error(f"compare ({symbol})", a.data.shape, other.data.shape) from None


def _operand(x: Any, like: Tensor) -> Tensor:
    """``x`` as a Tensor operand of an op with ``like``: numbers become constant leaves of like's dtype."""
    if type(x) is Tensor or isinstance(x, Tensor):
        return x
    return _leaf(operand_array(x, like.data.dtype))


def _pair(a: Any, b: Any) -> tuple[Tensor, Tensor]:
    """Two operands as Tensors; a number takes the dtype of the tensor beside it."""
    if isinstance(a, Tensor):
        return a, _operand(b, a)
    if isinstance(b, Tensor):
        return _operand(a, b), b
    a = as_tensor(a)
    return a, _operand(b, a)


def _shaped(g: Any, shape: Shape) -> Any:
    """g.reshape(shape) only when the shape differs: a reshape is a view, which the core copies for a leaf."""
    return g if g.shape == shape else g.reshape(shape)


# Rules see arrays in an ordinary pass and Tensors under create_graph=True: these two pick.


def _where(cond: Any, a: Any, b: Any) -> Any:
    if type(a) is Tensor or type(b) is Tensor:
        return where(cond, a, b)
    return np.where(cond, a, b)


def _permuted(g: Any, perm: tuple) -> Any:
    return g.permute(perm) if type(g) is Tensor else g.transpose(perm)


def _scatter(g: Any, shape: Shape, index: Any, accumulate: bool) -> Any:
    if type(g) is Tensor:
        return g._scatter_into(shape, index, accumulate)
    return scatter(g, shape, index, accumulate)


# The constructors live in tensor_create.py; they are part of this module's public names.
from .tensor_create import (  # noqa: E402
    arange,
    empty,
    eye,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    rand,
    randn,
    tensor,
    zeros,
    zeros_like,
)
