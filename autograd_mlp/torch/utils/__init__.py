"""``torch.utils``: only ``torch.utils.data`` is provided."""

from __future__ import annotations

from .._unsupported import module_getattr
from . import data

__all__ = ["data"]

__getattr__ = module_getattr("torch.utils")
