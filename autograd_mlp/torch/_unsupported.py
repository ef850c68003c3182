"""The one error for PyTorch names this front does not have."""

from __future__ import annotations

from typing import Any

__all__ = ["UnsupportedError", "unsupported", "DOCS"]

DOCS = "docs/from-pytorch.md"


class UnsupportedError(AttributeError):
    """A PyTorch name that `autograd_mlp.torch` does not provide.

    An AttributeError, so ``hasattr(torch, name)`` and ``getattr(..., default)``
    keep working, with a message that says what happened and where to look.
    """


def unsupported(name: str, hint: str = "") -> UnsupportedError:
    """The error for ``name`` (e.g. ``"torch.fft"``), with an optional hint at an alternative."""
    extra = f" {hint}" if hint else ""
    return UnsupportedError(
        f"{name} is not supported by autograd_mlp.torch, the PyTorch front of autograd_mlp "
        f"(the posts' and beginner MLP tutorials' subset of PyTorch).{extra} "
        f"See {DOCS} for what is supported and what differs."
    )


def module_getattr(module_name: str, names: dict[str, str] | None = None) -> Any:
    """A module-level ``__getattr__`` that raises `unsupported` for any missing name."""
    hints = names or {}

    def __getattr__(name: str) -> object:
        if name.startswith("__") and name.endswith("__"):  # import machinery probing: plain AttributeError
            raise AttributeError(f"module {module_name!r} has no attribute {name!r}")
        raise unsupported(f"{module_name}.{name}", hints.get(name, ""))

    return __getattr__
