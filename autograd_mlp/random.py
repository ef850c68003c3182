"""Seeding: one numpy `Generator` that every initialiser draws from by default.

>>> from autograd_mlp.random import manual_seed
>>> _ = manual_seed(0)
>>> model = MLP(2, [4, 1])       # same seed -> the same weights, every run  # doctest: +SKIP

Every function that draws random numbers also takes ``rng=``, which wins
over the default generator. It may be a `numpy.random.Generator` (used and
advanced as is) or an int seed (a fresh generator for just that call), so a
model can be made reproducible without touching any global state::

    MLP(2, [4, 1], rng=7)               # always the same weights

The default generator starts from seed 0, so a fresh process is reproducible
even without calling `manual_seed` (PyTorch also starts from a fixed seed).
Python's `random` module and numpy's legacy global state are never used.
"""

from __future__ import annotations

import numpy as np

__all__ = ["manual_seed", "default_generator", "get_generator", "RNGLike"]

RNGLike = np.random.Generator | int | None

_INITIAL_SEED = 0
_default = np.random.default_rng(_INITIAL_SEED)


def manual_seed(seed: int) -> np.random.Generator:
    """Replace the default generator with a fresh one seeded with ``seed``; return it.

    Everything drawn afterwards without an explicit ``rng=`` is a function of
    ``seed`` and of the order of the draws.
    """
    global _default
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"manual_seed needs an int, got {type(seed).__name__} {seed!r}")
    if seed < 0:
        raise ValueError(f"manual_seed needs a non-negative seed, got {seed}")
    _default = np.random.default_rng(int(seed))
    return _default


def default_generator() -> np.random.Generator:
    """The generator used when no ``rng=`` is given (the one `manual_seed` set)."""
    return _default


def get_generator(rng: RNGLike = None) -> np.random.Generator:
    """Resolve an ``rng=`` argument: None -> the default generator, an int -> a new seeded one."""
    if rng is None:
        return _default
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise TypeError(f"rng must be a numpy Generator, an int seed or None, got {type(rng).__name__} {rng!r}")
