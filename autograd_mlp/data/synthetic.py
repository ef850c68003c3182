"""Small 2-D datasets for the lessons, generated with a seeded numpy Generator.

Each returns ``(X, y)``: ``X`` float64 of shape (n, 2), ``y`` int64 class labels.
``seed`` is an int (the same data on every call), a numpy Generator (used and
advanced), or None: then the draw comes from the generator `manual_seed` set,
taken at the moment of the call (`autograd_mlp.random.get_generator`).
"""

from __future__ import annotations

import numpy as np

from .. import checks
from ..random import get_generator

__all__ = ["make_moons", "make_blobs", "make_spirals", "xor_dataset"]

SeedLike = int | np.random.Generator | None


def _rng(seed: SeedLike, who: str) -> np.random.Generator:
    if seed is None or isinstance(seed, np.random.Generator):
        return get_generator(seed)  # None: the default generator as it is now, not at import
    return get_generator(checks.nonnegative_int(seed, "seed", who=who))


def make_moons(n_samples: int = 100, noise: float = 0.1, seed: SeedLike = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (the data of micrograd's demo, as scikit-learn draws it).

    The upper moon is class 0, the lower one class 1; Gaussian ``noise`` is
    added to every coordinate.
    """
    n_samples = checks.positive_int(n_samples, "n_samples", who="make_moons")
    noise = checks.nonnegative_float(noise, "noise", who="make_moons")
    if n_samples < 2:
        raise ValueError(f"make_moons needs n_samples >= 2, got {n_samples}")
    rng = _rng(seed, "make_moons")
    n_out = n_samples // 2
    n_in = n_samples - n_out
    t_out = np.linspace(0, np.pi, n_out)
    t_in = np.linspace(0, np.pi, n_in)
    X = np.concatenate(
        [
            np.stack([np.cos(t_out), np.sin(t_out)], axis=1),
            np.stack([1 - np.cos(t_in), 1 - np.sin(t_in) - 0.5], axis=1),
        ]
    )
    y = np.concatenate([np.zeros(n_out, np.int64), np.ones(n_in, np.int64)])
    order = rng.permutation(n_samples)
    X = X[order] + rng.normal(0.0, noise, size=X.shape)
    return X, y[order]


def make_blobs(
    n_samples: int = 300, centers: int = 3, spread: float = 1.0, seed: SeedLike = 0
) -> tuple[np.ndarray, np.ndarray]:
    """``centers`` Gaussian clouds placed evenly on a circle of radius 3."""
    n_samples = checks.positive_int(n_samples, "n_samples", who="make_blobs")
    centers = checks.positive_int(centers, "centers", who="make_blobs")
    spread = checks.nonnegative_float(spread, "spread", who="make_blobs")
    if n_samples < centers:
        raise ValueError(f"make_blobs needs 1 <= centers <= n_samples, got centers={centers}, n_samples={n_samples}")
    rng = _rng(seed, "make_blobs")
    y = np.arange(n_samples, dtype=np.int64) % centers
    angles = 2 * np.pi * np.arange(centers) / centers
    means = 3.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    X = means[y] + rng.normal(0.0, spread, size=(n_samples, 2))
    order = rng.permutation(n_samples)
    return X[order], y[order]


def make_spirals(
    n_samples: int = 300, classes: int = 3, noise: float = 0.2, seed: SeedLike = 0
) -> tuple[np.ndarray, np.ndarray]:
    """``classes`` interleaved spiral arms (CS231n's classic): not linearly separable."""
    n_samples = checks.positive_int(n_samples, "n_samples", who="make_spirals")
    classes = checks.positive_int(classes, "classes", who="make_spirals")
    noise = checks.nonnegative_float(noise, "noise", who="make_spirals")
    if classes < 2 or n_samples < classes:
        raise ValueError(f"make_spirals needs 2 <= classes <= n_samples, got classes={classes}, n_samples={n_samples}")
    rng = _rng(seed, "make_spirals")
    y = np.arange(n_samples, dtype=np.int64) % classes
    r = np.empty(n_samples)
    t = np.empty(n_samples)
    for c in range(classes):
        idx = np.flatnonzero(y == c)
        r[idx] = np.linspace(0.0, 1.0, idx.size + 1)[1:]  # r > 0: the arms must not share the origin
        t[idx] = np.linspace(c * 4.0, (c + 1) * 4.0, idx.size) + rng.normal(0.0, noise, idx.size)
    X = np.stack([r * np.sin(t), r * np.cos(t)], axis=1)
    order = rng.permutation(n_samples)
    return X[order], y[order]


def xor_dataset() -> tuple[np.ndarray, np.ndarray]:
    """The four XOR points and their labels."""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return X, np.array([0, 1, 1, 0], dtype=np.int64)
