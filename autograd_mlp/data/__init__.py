"""Data plumbing with numpy only: IDX files, MNIST / Fashion-MNIST loaders, mini-batches.

>>> from autograd_mlp.data import load_mnist_splits, DataLoader   # doctest: +SKIP
>>> train, test = load_mnist_splits(normalize=True, flatten=True)  # doctest: +SKIP
>>> print(train.describe())                                        # doctest: +SKIP
>>> for xb, yb in DataLoader(*train, batch_size=64, shuffle=True, seed=0):   # doctest: +SKIP
...     ...
"""

from .idx import IDXFormatError, read_idx, write_idx
from .loader import DataLoader, train_test_split
from .mnist import (
    DatasetNotFoundError,
    DataSplit,
    DownloadError,
    SampleDataWarning,
    default_cache_dir,
    download_file,
    load_fashion_mnist,
    load_fashion_mnist_splits,
    load_mnist,
    load_mnist_splits,
)
from .synthetic import make_blobs, make_moons, make_spirals, xor_dataset

__all__ = [
    "IDXFormatError",
    "read_idx",
    "write_idx",
    "DataLoader",
    "train_test_split",
    "DataSplit",
    "DatasetNotFoundError",
    "DownloadError",
    "SampleDataWarning",
    "default_cache_dir",
    "download_file",
    "load_mnist",
    "load_mnist_splits",
    "load_fashion_mnist",
    "load_fashion_mnist_splits",
    "make_moons",
    "make_blobs",
    "make_spirals",
    "xor_dataset",
]
