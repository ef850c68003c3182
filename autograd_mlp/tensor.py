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
* Comparisons (``==``, ``<``, ...) are elementwise and give a bool Tensor with no history.
  Hashing is by identity (the core keys dicts by node), so use ``is``, not ``==`` or ``in``, to
  find a tensor in a list.
"""

from __future__ import annotations

from typing import Any, Iterator, Sequence, Union

import numpy as np

from . import graph
from .graph import Op
from .mathfn import exp as _exp
from .mathfn import log as _log
from .mathfn import raw as _raw
from .mathfn import sigmoid as _sigmoid
from .mathfn import sigmoid_array, softplus_array
from .mathfn import sign as _sign
from .op_params import with_params
from .tensor_convert import as_dtype, check_dtype, is_value, operand_array, to_array
from .tensor_errors import AxisError, axis_error, broadcast_error, check_axis, matmul_error, show_index
from .tensor_shapes import (
    Axis,
    Shape,
    axis_tuple,
    clean_index,
    expand,
    has_integer_array,
    kept_shape,
    normalized_axes,
    reduce_to,
    reduced_count,
    scatter,
    unbroadcast,
)

__all__ = [
    "Tensor",
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

# The grad-mode state, read directly on the hot path (one attribute lookup per op); the only
# place in the Tensor code that touches graph's internals.
_mode = graph._mode
_ndarray = np.ndarray
_new = object.__new__
_FLOAT32 = np.dtype(np.float32)
_BOTH = (True, True)  # `needs_input_grad` for callers that pass none: every input wants its gradient

ArrayLike = Union["Tensor", np.ndarray, float, int, Sequence[Any]]


def _quiet() -> np.errstate:
    """Silence numpy's floating-point warnings: inf and nan are values here (see check_finite)."""
    return np.errstate(all="ignore")


class Tensor:
    """An n-dimensional array node of the computation graph.

    >>> w = Tensor([[1.0, 2.0]], requires_grad=True)
    >>> y = (w * w).sum()
    >>> y.backward()
    >>> w.grad
    array([[2., 4.]], dtype=float32)

    ``data`` is the numpy array (an ndarray passed in is used as is, not
    copied, when no dtype conversion is needed: like ``torch.as_tensor``).
    ``grad`` is None until a backward pass reaches the tensor; then an array
    of the same shape and dtype (a Tensor under ``create_graph=True``).
    Results of operations record their inputs only while grad mode is on and
    some input requires grad; otherwise they are plain leaves.
    """

    # No __dict__: small nodes, and no attribute typos silently accepted.
    __slots__ = ("data", "_grad", "label", "_op", "_prev", "_requires_grad", "_scope", "__weakref__")

    # numpy must not treat a Tensor as an array-like inside its own operators:
    # `ndarray * Tensor` then returns NotImplemented and Tensor.__rmul__ runs.
    __array_ufunc__ = None
    # Nodes are dict keys in the core; `==` is elementwise (see module docstring).
    __hash__ = object.__hash__

    def __init__(
        self,
        data: ArrayLike,
        requires_grad: bool = False,
        dtype: Any = None,
        label: str = "",
    ) -> None:
        self.data = to_array(data.data if isinstance(data, Tensor) else data, dtype)
        self._grad: Any = None
        self.label = label
        self._op: Op | None = None
        self._prev: tuple[Tensor, ...] = ()
        self._requires_grad = False
        self._scope = _mode.scope
        if requires_grad:
            self.requires_grad = True  # validates the dtype

    # ------------------------------------------------------------- basics

    @property
    def grad(self) -> Any:
        """d(root)/d(self) after ``backward`` (None before; zero_grad() resets it)."""
        g = self._grad
        if type(g) is _ndarray or g is None:
            return g
        if isinstance(g, np.generic):  # ops on 0-d arrays give numpy scalars: hand out an array
            g = self._grad = np.asarray(g)
        return g

    @grad.setter
    def grad(self, value: Any) -> None:
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
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

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
        return bool(self.data)  # numpy's "truth value is ambiguous" error for several elements

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
            seed = np.array(_raw(gradient), dtype=data.dtype)  # a copy: the root's grad must be ours
        if seed.shape != data.shape:
            raise ValueError(f"backward: gradient has shape {seed.shape} but the tensor has shape {data.shape}")
        if not self._requires_grad:
            raise RuntimeError(
                "backward: this tensor does not require grad and has no history (it was made from "
                "tensors with requires_grad=False, or inside no_grad())"
            )
        if create_graph and not isinstance(seed, Tensor):
            seed = _leaf(seed)
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

    def argmax(self, axis: int | None = None) -> Tensor:
        """Index of the largest element (no gradient: an integer tensor)."""
        return _leaf(np.asarray(self.data.argmax(axis=axis)))

    def argmin(self, axis: int | None = None) -> Tensor:
        """Index of the smallest element (no gradient: an integer tensor)."""
        return _leaf(np.asarray(self.data.argmin(axis=axis)))

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
            if isinstance(exponent, (np.generic, np.ndarray)):  # np.float64 is also a float: test this first
                check_dtype(exponent.dtype)
                exponent = exponent.item()  # a Python number: float32 stays float32 (NEP 50)
            if exponent >= 0 and float(exponent).is_integer():  # x**2: no domain trouble, skip errstate
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

    # d clip(a)/da = 1 where lo <= a <= hi (the value was not moved: out == a), else 0
    _CLIP = Op("clip", lambda g, out, a: (g * (_raw(a) == _raw(out)),))

    def clip(self, lo: float | None = None, hi: float | None = None) -> Tensor:
        """Limit values to [lo, hi] (None: unbounded); gradient 1 on the bounds too, as PyTorch's clamp."""
        if lo is None and hi is None:
            raise ValueError("clip: give lo, hi or both")
        return _node(np.clip(self.data, lo, hi), self._CLIP, (self,))

    # ds_i/da_j = s_i (delta_ij - s_j), so da = s * (g - sum(g * s)) along the axis, s = out
    _SOFTMAX = Op("softmax", lambda g, out, a, *, axis: (out * (g - (g * out).sum(axis=axis, keepdims=True)),))

    def softmax(self, axis: int = -1) -> Tensor:
        """e**x / sum(e**x) along ``axis``, computed on x - max(x) so no exponent overflows."""
        x = self.data
        check_axis("softmax", axis, x.ndim, x.shape)
        e = x - x.max(axis=axis, keepdims=True, initial=-np.inf)  # initial: empty axes allowed
        np.exp(e, out=e)  # in place on our own temporary
        e /= e.sum(axis=axis, keepdims=True)
        return _node(e, with_params(self._SOFTMAX, axis=axis), (self,))

    # d(a_i - lse(a))/da_j = delta_ij - softmax_j, so da = g - e**out * sum(g) along the axis
    _LOG_SOFTMAX = Op("log_softmax", lambda g, out, a, *, axis: (g - _exp(out) * g.sum(axis=axis, keepdims=True),))

    def log_softmax(self, axis: int = -1) -> Tensor:
        """x - log(sum(e**x)) along ``axis``, stable for any finite logits (log-sum-exp on x - max)."""
        x = self.data
        check_axis("log_softmax", axis, x.ndim, x.shape)
        shifted = x - x.max(axis=axis, keepdims=True, initial=-np.inf)
        lse = np.log(np.exp(shifted).sum(axis=axis, keepdims=True))  # the sum is >= 1: log is safe
        shifted -= lse
        return _node(shifted, with_params(self._LOG_SOFTMAX, axis=axis), (self,))

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

    def sum(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Sum over ``axis`` (None: all; int, negative int or tuple)."""
        axis = axis_tuple(axis)
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

    def mean(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Mean over ``axis``; nan (no warning) over an empty axis."""
        axis = axis_tuple(axis)
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

    def max(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Largest element over ``axis``. Tied maxima share the gradient equally (like torch.amax)."""
        return self._extreme(self._MAX, axis, keepdims)

    def min(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Smallest element over ``axis``. Tied minima share the gradient equally (like torch.amin)."""
        return self._extreme(self._MIN, axis, keepdims)

    def _extreme(self, op: Op, axis: Axis, keepdims: bool) -> Tensor:
        axis = axis_tuple(axis)
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
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        try:
            data = self.data.reshape(shape)
        except ValueError:
            raise ValueError(
                f"reshape: cannot reshape a tensor of shape {self.data.shape} "
                f"({self.data.size} elements) into {shape}"
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

    def squeeze(self, axis: Axis = None) -> Tensor:
        """Drop size-1 axes (all of them, or those in ``axis``)."""
        shape = self.data.shape
        if axis is None:
            return self.reshape(tuple([n for n in shape if n != 1]))
        axes = axis_tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
        if any(not -len(shape) <= a < len(shape) for a in axes):
            raise AxisError(f"squeeze: axis {axis} is out of range for a tensor of shape {shape}")
        axes = normalized_axes(axes, len(shape))
        if any(shape[a] != 1 for a in axes):
            raise ValueError(f"squeeze: axis {axis} of a tensor of shape {shape} does not have size 1")
        return self.reshape(tuple([n for i, n in enumerate(shape) if i not in axes]))

    def unsqueeze(self, axis: int) -> Tensor:
        """Insert a size-1 axis at position ``axis`` (negative counts from the new end)."""
        ndim = self.data.ndim + 1
        if not -ndim <= axis < ndim:
            raise AxisError(f"unsqueeze: axis {axis} is out of range for a tensor of shape {self.data.shape}")
        axis %= ndim
        shape = self.data.shape
        return self.reshape(shape[:axis] + (1,) + shape[axis:])

    # d transpose(a, perm)/da: g transposed by the inverse permutation
    _TRANSPOSE = Op("transpose", lambda g, out, a, *, perm: (g.transpose(tuple(np.argsort(perm).tolist())),))

    def transpose(self, *axes: Any) -> Tensor:
        """Permute the axes, numpy style: no argument reverses them; else a full permutation.

        (Not PyTorch's two-axis swap: use `swapaxes` for that.)
        """
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        ndim = self.data.ndim
        if not axes:
            perm = tuple(range(ndim - 1, -1, -1))
        else:
            perm = tuple([a % ndim if -ndim <= a < ndim else a for a in axes]) if ndim else axes
            if sorted(perm) != list(range(ndim)):
                raise ValueError(f"transpose: axes {axes} are not a permutation of the axes of a tensor of shape {self.data.shape}")
        return _node(self.data.transpose(perm), with_params(self._TRANSPOSE, perm=perm), (self,))

    @property
    def T(self) -> Tensor:
        """All axes reversed (numpy's .T; for a matrix, the transpose)."""
        return self.transpose()

    def swapaxes(self, axis1: int, axis2: int) -> Tensor:
        """Exchange two axes (PyTorch's ``transpose(dim0, dim1)``)."""
        ndim = self.data.ndim
        try:
            a, b = range(ndim)[axis1], range(ndim)[axis2]
        except IndexError:
            raise AxisError(f"swapaxes: axes ({axis1}, {axis2}) out of range for a tensor of shape {self.data.shape}") from None
        perm = list(range(ndim))
        perm[a], perm[b] = b, a
        return self.transpose(perm)

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
    t.label = ""
    t._op = None
    t._prev = ()
    t._requires_grad = False
    t._scope = _mode.scope
    return t


def _node(data: Any, op: Op, prev: tuple) -> Tensor:
    """The result of an op: it records ``op`` and ``prev`` only when grad mode is on and an input requires grad."""
    if type(data) is not _ndarray:
        data = np.asarray(data)  # 0-d operands give numpy scalars; .data is always an ndarray
    t = _new(Tensor)
    t.data = data
    t._grad = None
    t.label = ""
    t._scope = _mode.scope
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
