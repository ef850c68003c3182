"""``torch.optim.lr_scheduler``: the schedules of `autograd_mlp.optim`."""

from __future__ import annotations

from ...optim import CosineAnnealingLR, LRScheduler, StepLR
from .._unsupported import module_getattr

__all__ = ["LRScheduler", "StepLR", "CosineAnnealingLR"]

__getattr__ = module_getattr("torch.optim.lr_scheduler")
