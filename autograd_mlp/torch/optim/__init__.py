"""``torch.optim``: this library's own optimizers (`autograd_mlp.optim`) under PyTorch's names."""

from __future__ import annotations

from ...optim import SGD, Adam, AdamW, Optimizer, RMSprop
from .._unsupported import module_getattr
from . import lr_scheduler

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "lr_scheduler"]

__getattr__ = module_getattr("torch.optim", {"LBFGS": "Use Adam or SGD.", "Adagrad": "Use Adam or RMSprop."})
