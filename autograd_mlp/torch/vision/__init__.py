"""A small ``torchvision``: ``datasets.MNIST`` / ``FashionMNIST`` and ``transforms`` for them.

Registered as ``torchvision`` by `autograd_mlp.torch.install`. The datasets
read through this library's own loaders (`autograd_mlp.data.load_mnist`).
"""

from __future__ import annotations

from .._unsupported import module_getattr
from . import datasets, transforms

__all__ = ["datasets", "transforms"]

__getattr__ = module_getattr("torchvision")
