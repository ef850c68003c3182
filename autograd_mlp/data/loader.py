"""Mini-batches over numpy arrays: :class:`DataLoader` and :func:`train_test_split`.

>>> import numpy as np
>>> x, y = np.arange(10).reshape(5, 2), np.arange(5)
>>> for xb, yb in DataLoader(x, y, batch_size=2):
...     print(xb.tolist(), yb.tolist())
[[0, 1], [2, 3]] [0, 1]
[[4, 5], [6, 7]] [2, 3]
[[8, 9]] [4]
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterator

import numpy as np

from ..random import get_generator

__all__ = ["DataLoader", "train_test_split"]


def _as_arrays(arrays: tuple, who: str) -> tuple[np.ndarray, ...]:
    """Convert to arrays and check they all have the same first dimension."""
    if not arrays:
        raise ValueError(f"{who}: expected at least one array, got none")
    converted = tuple(np.asarray(a) for a in arrays)  # no copy for arrays already
    for i, a in enumerate(converted):
        if a.ndim == 0:
            raise ValueError(f"{who}: array {i} is a scalar; expected arrays with a first (sample) dimension")
    lengths = [len(a) for a in converted]
    if len(set(lengths)) > 1:
        shapes = ", ".join(f"array {i}: shape {a.shape}" for i, a in enumerate(converted))
        raise ValueError(f"{who}: all arrays must have the same length; got lengths {lengths} ({shapes})")
    return converted


def _generator(seed: int | None, rng: np.random.Generator | None, who: str) -> np.random.Generator | None:
    """The loader's own generator, or None: then each epoch draws from the default one (see `__iter__`)."""
    if seed is not None and rng is not None:
        raise ValueError(f"{who}: pass seed or rng, not both")
    if rng is not None:
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"{who}: rng must be a numpy.random.Generator, got {type(rng).__name__}")
        return rng
    return None if seed is None else np.random.default_rng(seed)


class DataLoader:
    """Iterate over equal-length arrays in mini-batches, yielding a tuple of batches.

    Args:
        *arrays: one or more arrays sharing their first dimension N (e.g. images, labels).
        batch_size: samples per batch, a positive int.
        shuffle: visit samples in a fresh random order every epoch (each ``iter()``).
        drop_last: drop the final batch if it has fewer than ``batch_size`` samples.
        seed: seed for the shuffling generator; two loaders with the same seed yield
            identical batches, epoch after epoch.
        rng: or a ``numpy.random.Generator`` to draw the permutations from (shared state).
            Without either, each epoch's order is drawn from the generator
            `autograd_mlp.manual_seed` set, at the moment the epoch starts.

    Every epoch yields each sample exactly once (minus the dropped tail with
    ``drop_last``). Batches are always tuples, even for a single array:
    ``for (xb,) in DataLoader(x, batch_size=32)``. Without shuffling the batches
    are views of the inputs (no copy); with shuffling they are fresh arrays.

    >>> import numpy as np
    >>> loader = DataLoader(np.arange(10), batch_size=4, shuffle=True, seed=0, drop_last=True)
    >>> len(loader), [b.shape for (b,) in loader]
    (2, [(4,), (4,)])
    """

    def __init__(
        self,
        *arrays: np.ndarray,
        batch_size: int = 32,
        shuffle: bool = False,
        drop_last: bool = False,
        seed: int | None = None,
        rng: np.random.Generator | None = None,
    ) -> None:
        self.arrays = _as_arrays(arrays, "DataLoader")
        # bool is an int subclass, but batch_size=True is surely a mistake.
        if isinstance(batch_size, bool):
            raise TypeError(f"DataLoader: batch_size must be a positive int, got {batch_size!r}")
        try:
            batch_size = operator.index(batch_size)  # accepts numpy ints, rejects 2.0
        except TypeError:
            raise TypeError(
                f"DataLoader: batch_size must be a positive int, got {type(batch_size).__name__} {batch_size!r}"
            ) from None
        if batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be a positive int, got {batch_size}")
        self.batch_size = batch_size
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self._rng = _generator(seed, rng, "DataLoader")

    @property
    def num_samples(self) -> int:
        """N, the number of samples in each array."""
        return len(self.arrays[0])

    def __len__(self) -> int:
        """Number of batches per epoch."""
        n, b = self.num_samples, self.batch_size
        return n // b if self.drop_last else math.ceil(n / b)

    def __iter__(self) -> Iterator[tuple[np.ndarray, ...]]:
        # Draw the permutation now, not at the first next(), so the epoch order is fixed
        # as soon as the epoch starts.
        # Without seed/rng the order comes from the generator manual_seed set,
        # taken now: a loader built before manual_seed(s) follows it too.
        order = get_generator(self._rng).permutation(self.num_samples) if self.shuffle else None
        return self._batches(order)

    def _batches(self, order: np.ndarray | None) -> Iterator[tuple[np.ndarray, ...]]:
        for i in range(len(self)):
            start = i * self.batch_size
            index: slice | np.ndarray
            if order is None:
                index = slice(start, start + self.batch_size)  # a view: no copying
            else:
                index = order[start : start + self.batch_size]
            yield tuple(a[index] for a in self.arrays)

    def __repr__(self) -> str:
        return (
            f"DataLoader(num_samples={self.num_samples}, arrays={len(self.arrays)}, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last})"
        )


def train_test_split(
    *arrays: np.ndarray,
    test_fraction: float = 0.2,
    seed: int | None = None,
    shuffle: bool = True,
) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
    """Split equal-length arrays into ``(train_arrays, test_arrays)``.

    ``round(N * test_fraction)`` samples go to the test part, chosen at random
    (reproducibly with ``seed``) unless ``shuffle=False``, which takes the tail.

    >>> import numpy as np
    >>> (x_tr, y_tr), (x_te, y_te) = train_test_split(np.arange(10), np.arange(10) % 2,
    ...                                                test_fraction=0.3, seed=0)
    >>> len(x_tr), len(x_te)
    (7, 3)
    """
    converted = _as_arrays(arrays, "train_test_split")
    if not 0.0 <= test_fraction <= 1.0:
        raise ValueError(f"train_test_split: test_fraction must be in [0, 1], got {test_fraction}")
    n = len(converted[0])
    n_test = int(round(n * test_fraction))
    order = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)
    train_idx, test_idx = order[: n - n_test], order[n - n_test :]
    return tuple(a[train_idx] for a in converted), tuple(a[test_idx] for a in converted)
