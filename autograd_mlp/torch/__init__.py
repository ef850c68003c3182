"""`autograd_mlp.torch`: PyTorch's names over this library's own Tensor, nn and optim.

Run a PyTorch script on this engine by adding one line before its imports::

    import autograd_mlp.torch; autograd_mlp.torch.install()
    import torch, torch.nn as nn          # now this library

or run it unchanged with ``autograd-mlp run-torch script.py``. There is one
engine: ``torch.tensor([1, 2])`` is an `autograd_mlp.Tensor`, ``torch.nn.Linear``
is `autograd_mlp.nn.Linear`, ``torch.optim.Adam`` is `autograd_mlp.optim.Adam`;
this package only adds PyTorch's constructors, function names and module
paths. What is supported and what differs: docs/from-pytorch.md.
"""

from __future__ import annotations

import builtins
import sys
import types
import warnings
from typing import Any

from .. import dtypes as _dtypes
from .. import graph as _graph
from ..random import manual_seed as _manual_seed
from . import _functions, _tensors
from ._functions import *  # noqa: F403 (the torch.* functions)
from ._serialize import load, save
from ._tensors import *  # noqa: F403 (the constructors)
from ._unsupported import UnsupportedError, module_getattr

# dtypes, under PyTorch's names (aliases are the same objects, as in PyTorch)
float16 = half = _dtypes.float16
float32 = float = _dtypes.float32
float64 = double = _dtypes.float64
int8 = _dtypes.int8
int16 = short = _dtypes.int16
int32 = int = _dtypes.int32
int64 = long = _dtypes.int64
uint8 = _dtypes.uint8
bool = _dtypes.bool_
dtype = _dtypes.DType

Size = tuple  # x.size() / x.shape are plain tuples here
no_grad = _graph.no_grad
enable_grad = _graph.enable_grad
is_grad_enabled = _graph.is_grad_enabled

__version__ = "2.0.0+autograd_mlp"  # some scripts print or compare torch.__version__


class set_grad_enabled:
    """Switch graph recording now (as PyTorch does), restoring the old mode when used with ``with``."""

    def __init__(self, mode: Any) -> None:
        self._switch = _graph.set_grad_enabled(mode)
        self._switch.__enter__()

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        self._switch.__exit__(*exc)


def manual_seed(seed: Any) -> Any:
    """Seed the generator every draw without its own ``rng=`` uses (init, rand/randn, Dropout, DataLoader)."""
    return _manual_seed(seed)


class device(str):
    """``torch.device('cpu')``: the only device there is here; a str, so ``.to('cpu')`` code works too."""

    def __new__(cls, type: str = "cpu", index: Any = None) -> device:
        name = str(type)
        if name != "cpu":
            raise RuntimeError(
                f"torch.device({name!r}): only 'cpu' exists in autograd_mlp "
                "(torch.cuda.is_available() is False; see docs/from-pytorch.md)"
            )
        return super().__new__(cls, name)

    @property
    def type(self) -> str:
        return str(self)

    def __repr__(self) -> str:
        return f"device(type='{self}')"


def _cuda_is_available() -> builtins.bool:
    return False


def _cuda_device_count() -> builtins.int:
    return 0


cuda = types.ModuleType("torch.cuda", "No GPUs: is_available() is False, device_count() is 0.")
cuda.is_available = _cuda_is_available  # type: ignore[attr-defined]
cuda.device_count = _cuda_device_count  # type: ignore[attr-defined]
cuda.__getattr__ = module_getattr("torch.cuda")  # type: ignore[method-assign]
backends = types.ModuleType("torch.backends", "No accelerator backends.")
backends.__getattr__ = module_getattr("torch.backends")  # type: ignore[method-assign]


def get_default_dtype() -> Any:
    return float32


# The subpackages import this module's constructors, so they come last.
from . import nn, optim, utils  # noqa: E402

__getattr__ = module_getattr("torch", {"compile": "Run the model directly: there is no compiler here."})

# ------------------------------------------------------------------ install

# sys.modules name -> the module of this package that plays it
_PLAYS = {
    "torch": "autograd_mlp.torch",
    "torch.nn": "autograd_mlp.torch.nn",
    "torch.nn.functional": "autograd_mlp.torch.nn.functional",
    "torch.nn.init": "autograd_mlp.torch.nn.init",
    "torch.optim": "autograd_mlp.torch.optim",
    "torch.optim.lr_scheduler": "autograd_mlp.torch.optim.lr_scheduler",
    "torch.utils": "autograd_mlp.torch.utils",
    "torch.utils.data": "autograd_mlp.torch.utils.data",
    "torch.cuda": None,
    "torchvision": "autograd_mlp.torch.vision",
    "torchvision.datasets": "autograd_mlp.torch.vision.datasets",
    "torchvision.transforms": "autograd_mlp.torch.vision.transforms",
}
_saved: dict[str, Any] = {}
_installed = False


def install() -> None:
    """Make ``import torch`` (and torch.nn, torch.optim, torch.utils.data, torchvision...) load this front.

    Like PyMySQL's ``install_as_MySQLdb()``: the modules are registered in
    ``sys.modules`` under PyTorch's names. Warns when the real torch is
    already imported (modules that imported it keep the real one).
    Calling it twice is harmless; `uninstall` undoes it.
    """
    global _installed
    import importlib

    if _installed:
        return
    real = sys.modules.get("torch")
    if real is not None and real is not sys.modules[__name__]:
        warnings.warn(
            "autograd_mlp.torch.install(): the real torch is already imported; modules that imported it "
            "keep using it, later `import torch` lines get autograd_mlp.torch",
            RuntimeWarning,
            stacklevel=2,
        )
    for name, target in _PLAYS.items():
        if name in sys.modules:
            _saved[name] = sys.modules[name]
        sys.modules[name] = cuda if target is None else importlib.import_module(target)
    _installed = True


def uninstall() -> None:
    """Undo `install`: PyTorch's names go back to what they were (or are forgotten)."""
    global _installed
    if not _installed:
        return
    for name in _PLAYS:
        if name in _saved:
            sys.modules[name] = _saved.pop(name)
        else:
            sys.modules.pop(name, None)
    _installed = False


def is_installed() -> builtins.bool:
    return _installed


__all__ = [
    "install",
    "uninstall",
    "is_installed",
    "UnsupportedError",
    "save",
    "load",
    "manual_seed",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "is_grad_enabled",
    "device",
    "cuda",
    "dtype",
    "Size",
    "nn",
    "optim",
    "utils",
    *_functions.__all__,
    *_tensors.__all__,
    "float16",
    "half",
    "float32",
    "float",
    "float64",
    "double",
    "int8",
    "int16",
    "short",
    "int32",
    "int",
    "int64",
    "long",
    "uint8",
    "bool",
]
