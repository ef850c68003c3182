"""``torch.nn.utils``: gradient clipping, from `autograd_mlp.optim`."""

from __future__ import annotations

from ...optim import clip_grad_norm_
from .._unsupported import module_getattr

__all__ = ["clip_grad_norm_"]

__getattr__ = module_getattr("torch.nn.utils")
