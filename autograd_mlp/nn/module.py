"""`Module`: the base class of every layer and model, scalar or tensor.

A module finds its parameters and submodules by looking at its own
attributes, in the order they were assigned (no registration calls, no
sets, so every listing is the same on every run)::

    class Neuron(Module):
        def __init__(self, nin):
            self.w = [Value(0.1) for _ in range(nin)]   # parameters "w.0", "w.1", ...
            self.b = Value(0.0)                         # parameter  "b"

What counts:

* a `Module` is a submodule;
* a parameter is a leaf node that wants a gradient: a `Value` made by the
  user (not by an operation), or a `Tensor` leaf with ``requires_grad=True``
  (see `is_parameter`);
* lists, tuples and dicts of those are looked into; their items are named
  ``attr.0``, ``attr.1`` (or ``attr.key``), so keys read like PyTorch's:
  ``layers.0.neurons.3.w.1``. A container that wants PyTorch's ``0.weight``
  names (Sequential) registers its children with ``add_module("0", m)``.

Everything else (numbers, strings, arrays without ``requires_grad``) is
ordinary state and ignored. A parameter or module reachable twice (weight
sharing) is listed once, under the first name that reaches it.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from ..graph import _mode  # the grad-mode / scope state that graph.name_scope sets
from .state_file import NPY_HEADER_MAX, load_state, save_state

__all__ = ["Module", "StateDictError", "LoadResult", "is_parameter"]


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
        # graph.name_scope(name), inlined: a scalar MLP makes thousands of
        # calls per step, and the generator-based context manager cost a
        # sixth or more of the XOR demo's training step (measured).
        mode = _mode
        outer = mode.scope
        name = self._scope or type(self).__name__
        mode.scope = f"{outer}.{name}" if outer else name
        try:
            return self.forward(*args, **kwargs)
        finally:
            mode.scope = outer

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
        children = self.named_children()
        if not children:
            return f"{type(self).__name__}({extra})"
        lines = extra.split("\n") if extra else []
        for label, text in _grouped_reprs(children):
            lines.append(f"({label}): {text}")
        body = "\n".join("  " + line for line in "\n".join(lines).split("\n"))
        return f"{type(self).__name__}(\n{body}\n)"


# ---------------------------------------------------------------- helpers


def clear_grad(p: Any) -> None:
    """Reset one parameter's gradient: 0.0 for a scalar, None for an array."""
    p.grad = None if isinstance(p.data, np.ndarray) else 0.0


def _members(module: Module) -> Iterator[tuple[str, Any]]:
    """(local name, object) for each submodule and parameter held directly, in attribute order."""
    for name, value in vars(module).items():
        yield from _flatten(name, value)


def _flatten(name: str, value: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(value, Module) or is_parameter(value):
        yield name, value
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _flatten(f"{name}.{i}", item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _flatten(f"{name}.{key}", item)


def _name_submodules(value: Any, name: str) -> None:
    """Give modules assigned to an attribute their scope name ('layers.0'), if they have none."""
    if isinstance(value, Module):
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
        number = int(index) if head and index.isdigit() else None
        runs.append([head, number, number, text, name])
    out = []
    for head, first, last, text, name in runs:
        if first is None or first == last:
            out.append((name, text))
        else:
            out.append((f"{head}.{first}-{last}", f"{last - first + 1} x {text}"))
    return out
