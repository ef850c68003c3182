"""`Module`: the base class of every layer and model, scalar or tensor.

A module finds its parameters and submodules by looking at its own
attributes, in the order they were assigned, with PyTorch's rule::

    class Neuron(Module):
        def __init__(self, nin):
            self.w = ParameterList(Value(0.1) for _ in range(nin))   # "w.0", "w.1", ...
            self.b = Value(0.0)                                       # "b"

What counts (registered):

* a `Module` is a submodule; the containers `ModuleList`, `ModuleDict`,
  `ParameterList` (and `Sequential`) are modules whose items are named
  ``attr.0``, ``attr.1`` (or ``attr.key``), so keys read like PyTorch's:
  ``layers.0.neurons.3.w.1``;
* a parameter is a leaf node that wants a gradient: a `Value` made by the
  user (not by an operation), or a `Tensor` leaf with ``requires_grad=True``
  (see `is_parameter`); `Parameter(t)` makes one from any tensor.

What does not count, as in PyTorch: plain Python lists, tuples and dicts,
even of modules or parameters (``self.hidden = [Linear(4, 4)]`` is never
trained and is missing from `parameters()` and `state_dict()`), and
everything else (numbers, strings, arrays without ``requires_grad``).
A parameter or module reachable twice (weight sharing) is listed once,
under the first name that reaches it.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from ..graph import enter_scope, restore_scope
from ..tensor import Tensor
from .state_file import NPY_HEADER_MAX, load_state, save_state

__all__ = [
    "Module",
    "ModuleList",
    "ModuleDict",
    "ParameterList",
    "Parameter",
    "StateDictError",
    "LoadResult",
    "is_parameter",
]


def is_parameter(x: Any) -> bool:
    """True for a leaf node that wants a gradient: what a `Module` treats as a parameter.

    Duck-typed on the node protocol of `autograd_mlp.graph`, so it covers
    `Value` (``requires_grad`` is always True) and any array node
    (``.data`` an ndarray) created with ``requires_grad=True``; nodes made by
    an operation (``_op`` set) are results, not parameters.
    """
    return (
        getattr(x, "requires_grad", False) is True
        and getattr(x, "_op", False) is None
        and isinstance(getattr(x, "data", None), (float, np.ndarray))
    )


class StateDictError(ValueError):
    """A state dict does not fit the module: lists every missing, unexpected and misfit key."""

    def __init__(self, message: str, missing: list[str], unexpected: list[str], mismatched: list[str]) -> None:
        super().__init__(message)
        self.missing_keys = missing
        self.unexpected_keys = unexpected
        self.mismatched = mismatched


class LoadResult(NamedTuple):
    """What `Module.load_state_dict(strict=False)` skipped (both empty when strict)."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class Module:
    """Base class for layers and models (PyTorch-like).

    Subclasses set parameters and submodules as attributes in ``__init__``
    and compute in ``forward``; call the module itself (``model(x)``), which
    runs ``forward`` inside ``graph.name_scope(<attribute name or class name>)`` so nodes
    that record a scope (Tensor nodes) say which module made them.

    Calling ``super().__init__()`` is optional: ``training`` defaults to True.
    """

    training: bool = True
    # The name this module was assigned under ("layers.0"), used as its scope
    # while it runs; None for a module never assigned to another (a root).
    _scope: str | None = None

    def __init__(self) -> None:
        self.training = True

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # graph.name_scope(name) without the context manager: a scalar MLP makes
        # thousands of calls per step, and the generator-based manager cost a
        # sixth or more of the XOR demo's training step (measured).
        outer = enter_scope(self._scope or type(self).__name__)
        try:
            return self.forward(*args, **kwargs)
        finally:
            restore_scope(outer)

    def __setattr__(self, name: str, value: Any) -> None:
        _name_submodules(value, name)
        object.__setattr__(self, name, value)

    def add_module(self, name: str, module: Module) -> None:
        """Set ``module`` as attribute ``name``; lets containers use names like "0", "1"."""
        if not isinstance(module, Module):
            raise TypeError(f"add_module needs a Module, got {type(module).__name__}")
        if not isinstance(name, str) or not name or "." in name:
            raise ValueError(f"module name must be a non-empty string without '.', got {name!r}")
        setattr(self, name, module)

    # ------------------------------------------------------------ walking

    def named_children(self) -> list[tuple[str, Module]]:
        """The direct submodules with their names, in attribute order, each once."""
        seen: set[int] = set()
        out = []
        for name, member in _members(self):
            if isinstance(member, Module) and id(member) not in seen:
                seen.add(id(member))
                out.append((name, member))
        return out

    def children(self) -> list[Module]:
        """The direct submodules, in attribute order."""
        return [m for _, m in self.named_children()]

    def named_modules(self, prefix: str = "") -> list[tuple[str, Module]]:
        """This module (named ``prefix``, '' by default) and every module below it, depth first."""
        out: list[tuple[str, Module]] = []
        seen: set[int] = set()

        def visit(module: Module, name: str) -> None:
            if id(module) in seen:
                return
            seen.add(id(module))
            out.append((name, module))
            for child_name, member in _members(module):
                if isinstance(member, Module):
                    visit(member, _join(name, child_name))

        visit(self, prefix)
        return out

    def modules(self) -> list[Module]:
        """This module and every module below it."""
        return [m for _, m in self.named_modules()]

    def named_parameters(self, prefix: str = "") -> list[tuple[str, Any]]:
        """(dotted name, parameter) for every parameter, in attribute order, each once."""
        out: list[tuple[str, Any]] = []
        seen: set[int] = set()  # ids: only asked "have we met it?", never iterated

        def visit(module: Module, name: str) -> None:
            for member_name, member in _members(module):
                key = id(member)
                if key in seen:
                    continue
                seen.add(key)
                if isinstance(member, Module):
                    visit(member, _join(name, member_name))
                else:
                    out.append((_join(name, member_name), member))

        seen.add(id(self))
        visit(self, prefix)
        return out

    def parameters(self) -> list[Any]:
        """Every parameter once, in a fixed order: pass it to an optimizer."""
        return [p for _, p in self.named_parameters()]

    def num_parameters(self) -> int:
        """How many numbers the parameters hold (a Value counts 1, an array its size)."""
        return sum(_numel(p) for p in self.parameters())

    # ------------------------------------------------------------ training

    def zero_grad(self) -> None:
        """Forget the gradients: Value parameters get 0.0, array parameters None.

        None (PyTorch's ``set_to_none``) costs nothing and lets the next
        backward pass store its gradient without adding to zeros; optimizers
        skip parameters whose grad is None.
        """
        for p in self.parameters():
            clear_grad(p)

    def train(self, mode: bool = True) -> Module:
        """Set ``training`` on this module and all below it (Dropout and friends read it)."""
        for m in self.modules():
            m.training = bool(mode)
        return self

    def eval(self) -> Module:
        """Evaluation mode: ``train(False)``."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Freeze (False) or unfreeze every parameter; frozen ones leave `parameters()`."""
        for p in self._all_parameters():
            p.requires_grad = requires_grad
        return self

    def _all_parameters(self) -> list[Any]:
        # Frozen tensors are not parameters by `is_parameter`; reach them through the
        # same attributes so requires_grad_(True) can thaw them.
        out, seen = [], set()
        for module in self.modules():
            for value in vars(module).values():
                if (
                    id(value) not in seen
                    and getattr(value, "_op", False) is None
                    and hasattr(value, "requires_grad")
                    and isinstance(getattr(value, "data", None), np.ndarray)
                ):
                    seen.add(id(value))
                    out.append(value)
        return out

    def apply(self, fn: Any) -> Module:
        """Call ``fn(module)`` on every submodule and then this one (PyTorch's order); return self."""
        for module in reversed(self.modules()):
            fn(module)
        return self

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """``to('cpu')`` / ``to(torch.device('cpu'))``: nothing to move; ``to(dtype)``: convert the parameters."""
        for target in (*args, *kwargs.values()):
            if isinstance(target, str):
                if target != "cpu":
                    raise RuntimeError(f"{type(self).__name__}.to({target!r}): only 'cpu' exists in autograd_mlp")
            elif target is not None and not isinstance(target, bool):
                self._convert(np.dtype(target))
        return self

    def cpu(self) -> Module:
        return self

    def float(self) -> Module:
        return self._convert(np.dtype(np.float32))

    def double(self) -> Module:
        return self._convert(np.dtype(np.float64))

    def _convert(self, dtype: np.dtype) -> Module:
        if dtype.kind != "f":
            raise TypeError(f"{type(self).__name__}.to: parameters must stay floating point, got {dtype}")
        for p in self._all_parameters():
            if p.data.dtype != dtype:
                p.data = p.data.astype(dtype)  # the same tensor object: optimizers keep it
                p.grad = None
        return self

    def __getattr__(self, name: str) -> Any:
        # Only reached when normal lookup failed: name PyTorch's Module methods we lack.
        if name in _PYTORCH_ONLY:
            from ..torch._unsupported import unsupported

            raise unsupported(f"nn.Module.{name}")
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    # ------------------------------------------------------------ state

    def state_dict(self) -> OrderedDict[str, np.ndarray]:
        """Name -> a copy of the parameter's numbers as an array (0-d float for a Value)."""
        return OrderedDict((name, _to_array(p)) for name, p in self.named_parameters())

    def load_state_dict(self, state: Mapping[str, Any], strict: bool = True) -> LoadResult:
        """Copy ``state``'s arrays into the parameters with the same names.

        Everything is checked before anything is written, so a failed load
        leaves the module as it was. Raises `StateDictError` naming every
        missing key, unexpected key (both only when ``strict``) and entry of
        the wrong shape or type (always), including numbers too large for
        the parameter's dtype (a float64 1e40 does not quietly become a
        float32 inf). Keys must be strings; any other key is named as such.
        """
        if not isinstance(state, Mapping):
            raise TypeError(
                f"{type(self).__name__}.load_state_dict: state must be a mapping of parameter names to "
                f"arrays (as state_dict() returns), got {type(state).__name__}"
            )
        own = OrderedDict(self.named_parameters())
        missing = [k for k in own if k not in state]
        unexpected = [k for k in state if not isinstance(k, str) or k not in own]
        mismatched = []
        arrays = {}
        for key, p in own.items():
            if key not in state:
                continue
            problem, array = _check_entry(p, state[key])
            if array is None:
                mismatched.append(f"{key}: {problem}")
            else:
                arrays[key] = array
        # A non-string key is a mistake even when strict=False: it can never name a parameter.
        if mismatched or any(not isinstance(k, str) for k in unexpected) or (strict and (missing or unexpected)):
            raise StateDictError(
                _load_error_message(type(self).__name__, missing, unexpected, mismatched, strict),
                missing,
                unexpected,
                mismatched,
            )
        for key, array in arrays.items():
            p = own[key]
            if isinstance(p.data, np.ndarray):
                np.copyto(p.data, array, casting="same_kind")
            else:
                p.data = float(array)
        return LoadResult(missing, unexpected)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write `state_dict()` to ``path`` as an .npz archive, atomically; return the path.

        The archive is written to a temporary file in the same folder and
        renamed over ``path``, so an interrupted save never leaves a
        half-written file behind (the previous one, if any, survives).
        ``path`` is used exactly as given (numpy's savez would add ".npz").
        """
        return save_state(self.state_dict(), path)

    def load(self, path: str | os.PathLike[str], strict: bool = True) -> Module:
        """Load parameters saved by `save` (see `load_state_dict`); return this module.

        Only the archive members named after this module's parameters are
        inflated, each only if its declared size fits that parameter; the
        other members are reported as unexpected keys without being read.
        """
        own = OrderedDict(self.named_parameters())
        # The most a parameter's member can need: float64 numbers plus numpy's header (<= 10,000 bytes).
        limits = {name: 8 * _numel(p) + NPY_HEADER_MAX for name, p in own.items()}
        self.load_state_dict(load_state(path, limits=limits), strict=strict)
        return self

    # ------------------------------------------------------------ printing

    def extra_repr(self) -> str:
        """The text inside this module's parentheses; subclasses describe their settings."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        # A ParameterList is storage (a neuron's weights), not a layer: not printed.
        children = [(n, m) for n, m in self.named_children() if not isinstance(m, ParameterList)]
        if not children:
            return f"{type(self).__name__}({extra})"
        lines = extra.split("\n") if extra else []
        for label, text in _grouped_reprs(children):
            lines.append(f"({label}): {text}")
        body = "\n".join("  " + line for line in "\n".join(lines).split("\n"))
        return f"{type(self).__name__}(\n{body}\n)"


# PyTorch Module methods this Module does not have: asking for one says so.
_PYTORCH_ONLY = frozenset(
    {
        "cuda", "half", "bfloat16", "register_buffer", "buffers", "named_buffers", "register_forward_hook",
        "register_forward_pre_hook", "register_full_backward_hook", "register_module", "get_submodule",
        "get_parameter", "share_memory", "to_empty", "compile", "type", "ipu", "xpu",
    }
)


# ---------------------------------------------------------------- containers


class _Container(Module):
    """Items kept as attributes "0", "1", ... (or their keys), so the registration rule names them."""

    def _named_items(self) -> list[tuple[str, Any]]:
        return [(k, v) for k, v in vars(self).items() if k not in ("training", "_scope")]


class ModuleList(_Container):
    """A list of modules that is registered: ``self.layers = ModuleList([Linear(2, 4), ReLU()])``.

    Indexing, slicing (a new ModuleList), ``len``, iteration, ``append``,
    ``extend`` and ``insert`` work as on a list; it has no ``forward``.
    Items are attributes "0", "1", ... (what registers them) and also sit in
    a plain list, so iterating costs what iterating a list costs.
    """

    def __init__(self, items: Iterable[Any] | None = None) -> None:
        object.__setattr__(self, "_list", [])
        super().__init__()
        if items is not None:
            self.extend(items)

    def _check_item(self, item: Any) -> None:
        if not isinstance(item, Module):
            raise TypeError(f"ModuleList: {type(item).__name__} is not a Module")

    def _named_items(self) -> list[tuple[str, Any]]:
        return [(str(i), item) for i, item in enumerate(self._list)]

    def append(self, item: Any) -> ModuleList:
        self._check_item(item)
        object.__setattr__(self, str(len(self._list)), item)
        self._list.append(item)
        return self

    def extend(self, items: Iterable[Any]) -> ModuleList:
        for item in items:
            self.append(item)
        return self

    def insert(self, index: int, item: Any) -> None:
        items = list(self._list)
        items.insert(index, item)
        self._reset(items)

    def _reset(self, items: list[Any]) -> None:
        for i in range(len(self._list)):
            object.__delattr__(self, str(i))
        self._list.clear()
        self.extend(items)

    def __len__(self) -> int:
        return len(self._list)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._list)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return type(self)(self._list[index])
        try:
            return self._list[index]
        except (IndexError, TypeError):
            raise IndexError(f"{type(self).__name__}: index {index!r} is out of range for {len(self._list)} items") from None

    def __setitem__(self, index: int, item: Any) -> None:
        items = list(self._list)
        items[index] = item
        self._reset(items)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} has no forward(): iterate over it and call each item")


class ParameterList(ModuleList):
    """A list of parameters that is registered (a scalar `Neuron`'s ``w``): items named "0", "1", ..."""

    def _check_item(self, item: Any) -> None:
        if not is_parameter(item):
            raise TypeError(
                f"ParameterList: {item!r} is not a parameter "
                "(a user-made Value, or a leaf Tensor with requires_grad=True)"
            )

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return self._list[index]  # the parameters themselves, in a plain list
        return super().__getitem__(index)

    def extra_repr(self) -> str:
        return f"{len(self._list)} parameters"


class ModuleDict(_Container):
    """A dict of modules that is registered: ``self.heads = ModuleDict({"a": Linear(4, 2)})``."""

    def __init__(self, modules: dict[str, Module] | Iterable[tuple[str, Module]] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __setitem__(self, key: str, module: Module) -> None:
        if key in ("training", "_scope") or key in type(self).__dict__ or hasattr(ModuleDict, key):
            raise KeyError(f"ModuleDict: key {key!r} is reserved (a method or attribute name)")
        self.add_module(key, module)

    def __getitem__(self, key: str) -> Module:
        items = dict(self._named_items())
        if key not in items:
            raise KeyError(f"ModuleDict has no key {key!r}; keys: {list(items)}")
        return items[key]

    def __delitem__(self, key: str) -> None:
        self[key]
        object.__delattr__(self, key)

    def __contains__(self, key: object) -> bool:
        return key in dict(self._named_items())

    def __len__(self) -> int:
        return len(self._named_items())

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def keys(self) -> list[str]:
        return [k for k, _ in self._named_items()]

    def values(self) -> list[Module]:
        return [v for _, v in self._named_items()]

    def items(self) -> list[tuple[str, Module]]:
        return self._named_items()

    def update(self, modules: dict[str, Module] | Iterable[tuple[str, Module]]) -> None:
        pairs = modules.items() if isinstance(modules, dict) else modules
        for key, module in pairs:
            self[key] = module

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("ModuleDict has no forward(): index it and call a module")


class _ParameterType(type):
    """Makes ``Parameter(t)`` return a plain leaf `Tensor` and ``isinstance(x, Parameter)`` mean `is_parameter`."""

    def __call__(cls, data: Any = None, requires_grad: bool = True) -> Any:
        if data is None:
            data = np.empty((0,), dtype=np.float32)
        array = data.data if isinstance(data, Tensor) else data
        out = Tensor(array if isinstance(array, np.ndarray) else np.asarray(array, dtype=np.float32))
        out.requires_grad = bool(requires_grad)
        return out

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor) and is_parameter(obj)


class Parameter(metaclass=_ParameterType):
    """A leaf tensor that a `Module` registers: ``Parameter(torch.randn(3, 2))``.

    Shares ``data``'s array (as PyTorch's does) and wants a gradient. Any leaf
    tensor with ``requires_grad=True`` is a parameter here, so this returns a
    plain `Tensor` (one tensor class); ``isinstance(w, Parameter)`` is True
    for every such tensor. ``Parameter()`` is an empty float32 tensor.
    """


# ---------------------------------------------------------------- helpers


def clear_grad(p: Any) -> None:
    """Reset one parameter's gradient: 0.0 for a scalar, None for an array."""
    p.grad = None if isinstance(p.data, np.ndarray) else 0.0


def _members(module: Module) -> Iterator[tuple[str, Any]]:
    """(local name, object) for each submodule and parameter held directly, in attribute order."""
    # PyTorch's rule: only modules and parameters held directly; a plain
    # list/tuple/dict is ordinary state (containers are ModuleList & co.).
    for name, value in vars(module).items():
        if isinstance(value, Module) or is_parameter(value):
            yield name, value


def _name_submodules(value: Any, name: str) -> None:
    """Give modules assigned to an attribute their scope name ('layers.0'), if they have none."""
    if isinstance(value, _Container):
        # A container is not called itself: its items run under "layers.0".
        for key, item in value._named_items():
            _name_submodules(item, f"{name}.{key}")
    elif isinstance(value, Module):
        if "_scope" not in vars(value):  # a shared module keeps its first name
            object.__setattr__(value, "_scope", name)
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _name_submodules(item, f"{name}.{i}")
    elif isinstance(value, dict):
        for key, item in value.items():
            _name_submodules(item, f"{name}.{key}")


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _numel(p: Any) -> int:
    return int(p.data.size) if isinstance(p.data, np.ndarray) else 1


def _shape(p: Any) -> tuple[int, ...]:
    return tuple(p.data.shape) if isinstance(p.data, np.ndarray) else ()


def _to_array(p: Any) -> np.ndarray:
    if isinstance(p.data, np.ndarray):
        return p.data.copy()
    return np.array(p.data, dtype=np.float64)


def _check_entry(p: Any, value: Any) -> tuple[str, np.ndarray | None]:
    """('', array) when ``value`` fits parameter ``p``, else (what is wrong, None)."""
    if hasattr(value, "data") and isinstance(value.data, (float, np.ndarray)):
        value = value.data  # a Value or a Tensor given instead of its numbers
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as error:  # e.g. a ragged nested list
        return f"not convertible to an array ({error})", None
    expected = _shape(p)
    if array.shape != expected:
        return f"expected shape {expected}, got {array.shape}", None
    if array.dtype.kind not in "biuf":
        return f"expected numbers, got dtype {array.dtype}", None
    target = p.data.dtype if isinstance(p.data, np.ndarray) else np.dtype(np.float64)
    if not np.can_cast(array.dtype, target, casting="same_kind"):
        return f"cannot store dtype {array.dtype} in a {target} parameter", None
    if target.kind == "f" and array.size and not np.can_cast(array.dtype, target, casting="safe"):
        # A narrowing cast turns too-large numbers into inf without a word: refuse them.
        # (inf and NaN already in the state are kept: they are what was saved.)
        finite = np.abs(array[np.isfinite(array)]) if array.dtype.kind == "f" else np.abs(array.astype(np.float64))
        largest = float(finite.max()) if finite.size else 0.0
        limit = float(np.finfo(target).max)
        if largest > limit:
            return f"value {largest:.6g} overflows the {target} parameter (largest {target}: {limit:.6g})", None
    return "", array


def _key_text(key: Any) -> str:
    """A state-dict key for a message: strings as they are, anything else flagged as wrong."""
    if isinstance(key, str):
        return key
    return f"{key!r} (of type {type(key).__name__}; keys must be parameter names, strings such as 'weight')"


def _load_error_message(
    owner: str, missing: list[str], unexpected: list[str], mismatched: list[str], strict: bool
) -> str:
    lines = [f"cannot load the state dict into {owner}:"]
    if strict and missing:
        lines.append(f"  missing keys ({len(missing)}): {', '.join(missing)}")
    wrong_keys = [k for k in unexpected if not isinstance(k, str)]
    if not strict and wrong_keys:
        lines.append(f"  keys that are not strings ({len(wrong_keys)}): {', '.join(map(_key_text, wrong_keys))}")
    if strict and unexpected:
        lines.append(f"  unexpected keys ({len(unexpected)}): {', '.join(map(_key_text, unexpected))}")
    if mismatched:
        lines.append(f"  wrong entries ({len(mismatched)}):")
        lines.extend(f"    {m}" for m in mismatched)
    if strict and (missing or unexpected):
        lines.append("  (load_state_dict(..., strict=False) ignores missing and unexpected keys)")
    return "\n".join(lines)


def _grouped_reprs(children: list[tuple[str, Module]]) -> list[tuple[str, str]]:
    """(label, text) per child, with runs of identical list items folded into one line.

    ``neurons.0`` ... ``neurons.15`` printing the same text become
    ``(neurons.0-15): 16 x Neuron(...)``, as PyTorch folds a ModuleList.
    """
    runs: list[list[Any]] = []  # [head, first index, last index, text, first name]
    for name, child in children:
        text = repr(child)
        head, _, index = name.rpartition(".")
        run = runs[-1] if runs else None
        if (
            run is not None
            and index.isdigit()
            and run[0] == head
            and run[3] == text
            and run[2] is not None
            and int(index) == run[2] + 1
        ):
            run[2] = int(index)
            continue
        number = int(index) if index.isdigit() else None
        runs.append([head, number, number, text, name])
    out = []
    for head, first, last, text, name in runs:
        if first is None or first == last:
            out.append((name, text))
        else:
            label = f"{head}.{first}-{last}" if head else f"{first}-{last}"
            out.append((label, f"{last - first + 1} x {text}"))
    return out
