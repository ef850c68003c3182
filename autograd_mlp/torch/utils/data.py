"""``torch.utils.data``: Dataset, TensorDataset and a DataLoader that yields tensors.

>>> ds = TensorDataset(torch.arange(6).view(3, 2).float(), torch.tensor([0, 1, 0]))  # doctest: +SKIP
>>> for xb, yb in DataLoader(ds, batch_size=2, shuffle=True): ...                     # doctest: +SKIP

Shuffling draws each epoch's order from ``generator=`` or, without it, from
the generator `manual_seed` set, at the moment the epoch starts (so
``torch.manual_seed(s)`` repeats a whole run, as in PyTorch).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from ...checks import positive_int
from ...random import get_generator
from ...tensor import Tensor as _Tensor
from .._unsupported import module_getattr

__all__ = ["Dataset", "TensorDataset", "DataLoader", "Subset", "random_split", "default_collate"]


class Dataset:
    """A map-style dataset: subclasses define ``__getitem__(i)`` and ``__len__()``."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__")


class TensorDataset(Dataset):
    """Sample i is ``(t[i] for t in tensors)``; all tensors share their first dimension."""

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        converted = tuple(t if isinstance(t, _Tensor) else _Tensor(np.asarray(t)) for t in tensors)
        sizes = [t.data.shape[0] if t.data.ndim else None for t in converted]
        if None in sizes or len(set(sizes)) != 1:
            shapes = ", ".join(str(t.data.shape) for t in converted)
            raise ValueError(
                f"TensorDataset: size mismatch between tensors: every tensor needs the same first dimension, got shapes {shapes}"
            )
        self.tensors = converted

    def __getitem__(self, index: Any) -> tuple[_Tensor, ...]:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return int(self.tensors[0].data.shape[0])


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``."""

    def __init__(self, dataset: Any, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = list(indices)

    def __getitem__(self, index: int) -> Any:
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)


def random_split(dataset: Any, lengths: Sequence[int], generator: Any = None) -> list[Subset]:
    """Split into non-overlapping `Subset`s of the given lengths (which must add up to ``len(dataset)``)."""
    n = len(dataset)
    if any(isinstance(x, float) for x in lengths):
        counts = [int(math.floor(n * f)) for f in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
    else:
        counts = [int(x) for x in lengths]
    if sum(counts) != n:
        raise ValueError(f"random_split: lengths {list(lengths)} add up to {sum(counts)}, the dataset has {n} samples")
    order = get_generator(generator).permutation(n).tolist()
    out, start = [], 0
    for count in counts:
        out.append(Subset(dataset, order[start : start + count]))
        start += count
    return out


def default_collate(batch: list[Any]) -> Any:
    """Stack a list of samples into a batch: tensors/arrays -> one tensor, numbers -> a tensor, tuples per field."""
    first = batch[0]
    if isinstance(first, _Tensor):
        return _Tensor(np.stack([s.data for s in batch]))
    if isinstance(first, np.ndarray):
        return _Tensor(np.stack(batch))
    if isinstance(first, bool):
        return _Tensor(np.array(batch, dtype=np.bool_))
    if isinstance(first, numbers.Integral):
        return _Tensor(np.array(batch, dtype=np.int64))
    if isinstance(first, numbers.Real):
        return _Tensor(np.array(batch, dtype=np.float64))  # as PyTorch: Python floats collate to float64
    if isinstance(first, (str, bytes)):
        return list(batch)
    if isinstance(first, dict):
        return {key: default_collate([s[key] for s in batch]) for key in first}
    if isinstance(first, (tuple, list)):
        sizes = {len(s) for s in batch}
        if len(sizes) != 1:
            raise RuntimeError(f"default_collate: each sample must have the same number of fields, got {sorted(sizes)}")
        return [default_collate(list(fields)) for fields in zip(*batch)]
    raise TypeError(f"default_collate: cannot batch samples of type {type(first).__name__}")


class DataLoader:
    """Batches of a dataset as tensors: ``for images, labels in DataLoader(ds, batch_size=64, shuffle=True)``.

    ``batch_size`` 1 by default (as PyTorch); ``batch_size=None`` yields
    samples one by one, unbatched. A `TensorDataset` is batched by slicing
    its tensors (one indexing per tensor per batch); any other dataset
    sample by sample through ``collate_fn`` (`default_collate`).
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int | None = 1,
        shuffle: bool = False,
        sampler: Any = None,
        batch_sampler: Any = None,
        num_workers: int = 0,
        collate_fn: Callable[[list[Any]], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        generator: Any = None,
        **unsupported_options: Any,
    ) -> None:
        if sampler is not None or batch_sampler is not None:
            raise NotImplementedError(
                "DataLoader: sampler= and batch_sampler= are not supported (see docs/from-pytorch.md); use shuffle="
            )
        if unsupported_options:
            raise TypeError(f"DataLoader: unsupported arguments {sorted(unsupported_options)} (see docs/from-pytorch.md)")
        if not (hasattr(dataset, "__getitem__") and hasattr(dataset, "__len__")):
            raise TypeError(f"DataLoader: dataset must have __getitem__ and __len__, got {type(dataset).__name__}")
        self.dataset = dataset
        self.batch_size = None if batch_size is None else positive_int(batch_size, "batch_size", who="DataLoader")
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.num_workers = num_workers  # accepted; batches are always made in this process
        self.collate_fn = collate_fn
        self.generator = generator

    def __len__(self) -> int:
        n = len(self.dataset)
        if self.batch_size is None:
            return n
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        n = len(self.dataset)
        # The order is drawn when the epoch starts, from the generator in force now.
        order = get_generator(self.generator).permutation(n) if self.shuffle else None
        return self._batches(order, n)

    def _batches(self, order: np.ndarray | None, n: int) -> Iterator[Any]:
        if self.batch_size is None:
            for i in range(n):
                yield self.dataset[int(order[i]) if order is not None else i]
            return
        fast = isinstance(self.dataset, TensorDataset) and self.collate_fn is None
        for b in range(len(self)):
            start = b * self.batch_size
            if order is None:
                index: Any = np.arange(start, min(start + self.batch_size, n))
            else:
                index = order[start : start + self.batch_size]
            if fast:
                yield [_Tensor(t.data[index]) for t in self.dataset.tensors]
            else:
                samples = [self.dataset[int(i)] for i in index]
                yield (self.collate_fn or default_collate)(samples)

    def __repr__(self) -> str:
        return (
            f"DataLoader({type(self.dataset).__name__} of {len(self.dataset)}, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last})"
        )


__getattr__ = module_getattr("torch.utils.data")
