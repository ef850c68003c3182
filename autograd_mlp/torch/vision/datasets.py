"""``torchvision.datasets``: MNIST and FashionMNIST on this library's loaders.

Where the files come from is `autograd_mlp.data.load_mnist`'s search: the
``root`` given (also torchvision's ``root/MNIST/raw``), ``$AUTOGRAD_MLP_DATA``,
the user cache, Debian's ``/usr/share/datasets``, then a checksummed download
into the cache (``download=True``). Offline, MNIST falls back to the sample
shipped with the library (8,000 train / 2,000 test images) with a
`SampleDataWarning`, so its ``len`` is smaller than 60,000 / 10,000.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ...data import load_fashion_mnist, load_mnist
from .._unsupported import module_getattr

__all__ = ["MNIST", "FashionMNIST"]


class MNIST:
    """Sample i is ``(image, label)``: the image a uint8 (28, 28) array, or ``transform(image)``; the label an int."""

    _loader = staticmethod(load_mnist)
    _folder = "MNIST"
    classes = [f"{i} - {name}" for i, name in enumerate(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"])]

    def __init__(
        self,
        root: Any = None,
        train: bool = True,
        transform: Callable[[Any], Any] | None = None,
        target_transform: Callable[[Any], Any] | None = None,
        download: bool = False,
    ) -> None:
        self.root = root
        self.train = bool(train)
        self.transform = transform
        self.target_transform = target_transform
        split = self._loader(self._root_folder(root), train=self.train, download=bool(download))
        self.data, self.targets = split.images, split.labels
        self.source = split.source  # "root", "cache", "download", "sample", ...
        self.split = split

    def _root_folder(self, root: Any) -> Any:
        if root is None:
            return None
        raw = Path(root).expanduser() / self._folder / "raw"  # where torchvision keeps its copy
        return raw if raw.is_dir() else root

    def __len__(self) -> int:
        return int(len(self.targets))

    def __getitem__(self, index: Any) -> tuple[Any, Any]:
        n = len(self)
        i = int(index)
        if not -n <= i < n:
            sample = self.source == "sample"
            where = " (the offline sample shipped with autograd_mlp; see the SampleDataWarning)" if sample else ""
            raise IndexError(f"{type(self).__name__}: index {i} is out of range for {n} images{where}")
        image: Any = self.data[i]
        label: Any = int(self.targets[i])
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            label = self.target_transform(label)
        return image, label

    def __repr__(self) -> str:
        split = "Train" if self.train else "Test"
        return (
            f"Dataset {type(self).__name__}\n    Number of datapoints: {len(self)}\n"
            f"    Split: {split}\n    Source: {self.source}"
        )


class FashionMNIST(MNIST):
    """Fashion-MNIST, as `MNIST` (no offline sample: the files must be found or downloaded)."""

    _loader = staticmethod(load_fashion_mnist)  # type: ignore[assignment]
    _folder = "FashionMNIST"
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]



__getattr__ = module_getattr("torchvision.datasets")
