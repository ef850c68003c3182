"""Tensor layers: `Linear`, `Sequential`, activations, `Flatten`, `Dropout`, and `sequential_mlp`.

Parameter layout and default initialisation follow PyTorch, so a state dict
reads the same (``0.weight`` of shape (out, in), ``0.bias`` of shape (out,)).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from ..checks import probability
from ..random import RNGLike, get_generator
from ..tensor import Tensor, linear
from .module import Module

__all__ = [
    "linear",
    "Linear",
    "Sequential",
    "ReLU",
    "LeakyReLU",
    "Sigmoid",
    "Tanh",
    "Softmax",
    "LogSoftmax",
    "Flatten",
    "Dropout",
    "Identity",
    "sequential_mlp",
]


# ------------------------------------------------------------------ linear
# The op itself, x @ weight.T + bias as one fused node (the fast path), is tensor.linear.


class Linear(Module):
    """y = x @ weight.T + bias, with weight of shape (out_features, in_features).

    Initialised as PyTorch does: weight and bias uniform in
    (-1/sqrt(in_features), 1/sqrt(in_features)) (Kaiming-uniform with a=sqrt(5)).
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        *,
        dtype: Any = np.float32,
        rng: RNGLike = None,
    ) -> None:
        super().__init__()
        for name, n in (("in_features", in_features), ("out_features", out_features)):
            if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
                raise ValueError(f"Linear: {name} must be a positive int, got {n!r}")
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        generator = get_generator(rng)
        bound = 1.0 / math.sqrt(in_features)
        self.weight = Tensor(generator.uniform(-bound, bound, (out_features, in_features)).astype(dtype), requires_grad=True)
        self.bias = (
            Tensor(generator.uniform(-bound, bound, out_features).astype(dtype), requires_grad=True) if bias else None
        )

    def forward(self, x: Tensor) -> Tensor:
        return linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


# --------------------------------------------------------------- containers


class Sequential(Module):
    """Modules applied in order; their parameters are named ``0.weight``, ``1.bias`` ... as in PyTorch."""

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        for i, module in enumerate(modules):
            if not isinstance(module, Module):
                raise TypeError(f"Sequential: item {i} is a {type(module).__name__}, not a Module")
            self.add_module(str(i), module)

    def _sequence(self) -> list[Module]:
        # In attribute order and without removing repeats: Sequential(relu, relu)
        # with one ReLU object applies it twice (named_children would list it once).
        return [m for m in vars(self).values() if isinstance(m, Module)]

    def forward(self, x: Any) -> Any:
        for module in self._sequence():
            x = module(x)
        return x

    def append(self, module: Module) -> Sequential:
        if not isinstance(module, Module):
            raise TypeError(f"Sequential.append: {type(module).__name__} is not a Module")
        self.add_module(str(len(self)), module)
        return self

    def __len__(self) -> int:
        return len(self._sequence())

    def __iter__(self) -> Iterator[Module]:
        return iter(self._sequence())

    def __getitem__(self, index: int) -> Module:
        children = self._sequence()
        try:
            return children[index]
        except IndexError:
            raise IndexError(f"Sequential: index {index} is out of range for {len(children)} modules") from None


# -------------------------------------------------------------- activations


class ReLU(Module):
    """max(0, x), gradient 0 at exactly 0."""

    def forward(self, x: Tensor) -> Tensor:
        return x.relu()


class LeakyReLU(Module):
    """x for x > 0, negative_slope * x otherwise."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = float(negative_slope)

    def forward(self, x: Tensor) -> Tensor:
        return x.leaky_relu(self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class Sigmoid(Module):
    def forward(self, x: Tensor) -> Tensor:
        return x.sigmoid()


class Tanh(Module):
    def forward(self, x: Tensor) -> Tensor:
        return x.tanh()


class Softmax(Module):
    """Probabilities along ``dim`` (stable: computed on x - max)."""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, x: Tensor) -> Tensor:
        return x.softmax(axis=self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """Log-probabilities along ``dim`` (stable log-sum-exp)."""

    def forward(self, x: Tensor) -> Tensor:
        return x.log_softmax(axis=self.dim)


class Identity(Module):
    def forward(self, x: Any) -> Any:
        return x


class Flatten(Module):
    """Flattens axes ``start_dim`` .. ``end_dim`` into one (default: all but the batch axis)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, x: Tensor) -> Tensor:
        return x.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Dropout(Module):
    """Zeroes each element with probability ``p`` in training mode and scales the
    rest by 1/(1-p), so the expected value is unchanged; the identity in ``eval()``.

    Masks are drawn at forward time from ``rng`` (a Generator, or an int seed for a stream
    of this layer's own) or, without it, from the generator `manual_seed` set at the moment
    of the call: a Dropout built before ``manual_seed(s)`` follows it too.
    """

    def __init__(self, p: float = 0.5, *, rng: RNGLike = None) -> None:
        super().__init__()
        self.p = probability(p, "p", who="Dropout")
        # An int seed becomes this layer's own stream now (re-seeding every call would repeat one mask).
        self._rng = None if rng is None else get_generator(rng)

    def forward(self, x: Tensor) -> Tensor:
        if not self.training or self.p == 0.0:
            return x
        if self.p == 1.0:
            return x * np.zeros((), dtype=x.dtype)
        keep = get_generator(self._rng).random(x.shape, dtype=np.float32) >= self.p
        scale = np.asarray(1.0 / (1.0 - self.p), dtype=x.dtype)
        return x * (keep * scale)

    def extra_repr(self) -> str:
        return f"p={self.p}"


# ------------------------------------------------------------------ builder

_ACTIVATIONS = {"relu": ReLU, "tanh": Tanh, "sigmoid": Sigmoid, "leaky_relu": LeakyReLU}


def sequential_mlp(
    sizes: Sequence[int],
    activation: str = "relu",
    *,
    dropout: float = 0.0,
    dtype: Any = np.float32,
    rng: RNGLike = None,
) -> Sequential:
    """A tensor MLP as a `Sequential`: Linear, activation[, Dropout], ..., Linear (the output stays linear).

    >>> model = sequential_mlp([784, 256, 128, 10])   # 0.weight, 0.bias, 2.weight, ... as in PyTorch
    """
    sizes = list(sizes)
    if len(sizes) < 2:
        raise ValueError(f"sequential_mlp needs at least an input and an output size, got {sizes}")
    if activation not in _ACTIVATIONS:
        raise ValueError(f"sequential_mlp: unknown activation {activation!r}; use one of {sorted(_ACTIVATIONS)}")
    generator = get_generator(rng)
    layers: list[Module] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Linear(n_in, n_out, dtype=dtype, rng=generator))
        if i < len(sizes) - 2:
            layers.append(_ACTIVATIONS[activation]())
            if dropout > 0.0:
                layers.append(Dropout(dropout, rng=generator))
    return Sequential(*layers)
