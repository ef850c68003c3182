"""``torchvision.transforms``: ToTensor, Normalize, Compose, Lambda."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ...tensor import Tensor as _Tensor
from .._unsupported import module_getattr

__all__ = ["ToTensor", "Normalize", "Compose", "Lambda"]


class ToTensor:
    """An image (H, W) or (H, W, C), uint8 0-255, to a float32 tensor (C, H, W) in [0, 1].

    Float arrays are taken as already scaled (as torchvision does for
    non-uint8 input). Anything numpy can read as an array (a PIL image) works.
    """

    def __call__(self, picture: Any) -> _Tensor:
        array = np.asarray(picture)
        if array.ndim == 2:
            array = array[None, :, :]
        elif array.ndim == 3:
            array = np.moveaxis(array, -1, 0)
        else:
            raise ValueError(f"ToTensor: expected an image of shape (H, W) or (H, W, C), got shape {array.shape}")
        if array.dtype == np.uint8:
            return _Tensor(np.ascontiguousarray(array, dtype=np.float32) / np.float32(255.0))
        return _Tensor(np.ascontiguousarray(array, dtype=np.float32))

    def __repr__(self) -> str:
        return "ToTensor()"


class Normalize:
    """(x - mean[c]) / std[c] for each channel c of a (C, H, W) tensor."""

    def __init__(self, mean: Sequence[float], std: Sequence[float], inplace: bool = False) -> None:
        self.mean = np.asarray(mean, dtype=np.float32).reshape(-1, 1, 1)
        self.std = np.asarray(std, dtype=np.float32).reshape(-1, 1, 1)
        if np.any(self.std == 0):
            raise ValueError(f"Normalize: std must not contain 0, got {list(np.ravel(self.std))}")

    def __call__(self, image: Any) -> _Tensor:
        data = image.data if isinstance(image, _Tensor) else np.asarray(image, dtype=np.float32)
        if data.ndim != 3 or self.mean.shape[0] not in (1, data.shape[0]):
            raise ValueError(
                f"Normalize: expected a (C, H, W) tensor with C = {self.mean.shape[0]} channels, got shape {data.shape}"
            )
        return _Tensor(((data - self.mean) / self.std).astype(np.float32, copy=False))

    def __repr__(self) -> str:
        return f"Normalize(mean={self.mean.ravel().tolist()}, std={self.std.ravel().tolist()})"


class Compose:
    """Apply transforms in order."""

    def __init__(self, transforms: Sequence[Callable[[Any], Any]]) -> None:
        self.transforms = list(transforms)

    def __call__(self, x: Any) -> Any:
        for t in self.transforms:
            x = t(x)
        return x

    def __repr__(self) -> str:
        inner = "".join(f"\n    {t!r}" for t in self.transforms)
        return f"Compose({inner}\n)"


class Lambda:
    """A function as a transform."""

    def __init__(self, lambd: Callable[[Any], Any]) -> None:
        if not callable(lambd):
            raise TypeError(f"Lambda: expected a callable, got {type(lambd).__name__}")
        self.lambd = lambd

    def __call__(self, x: Any) -> Any:
        return self.lambd(x)


__getattr__ = module_getattr("torchvision.transforms")
