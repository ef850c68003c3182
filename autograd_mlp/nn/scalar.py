"""micrograd's `Neuron`, `NeuronLayer` and `MLP`, on scalar `Value` nodes.

>>> model = MLP(2, [16, 16, 1], rng=0)          # relu hidden layers, linear output
>>> score = model([0.5, -1.0])                  # a single Value (the last layer has one neuron)
>>> score.backward()

`Neuron.forward` reads as the lesson: ``sum(w*x for each input, b)`` through
the activation, micrograd's graph of 2n ``*`` and ``+`` nodes and an
activation node (``fused=False``). The default, ``fused=True``, is a named
fast path: the same numbers and gradients as ONE graph node
(`autograd_mlp.value.fused_neuron`); Python pays per node, so training is
several times faster. Pictures do not lose the lesson: `autograd_mlp.viz`
draws a fused node expanded into its products, sums and activation. The
``fused`` attribute can also be flipped on a trained model.

Initialisation (see `autograd_mlp.nn.init`): weights U(-1, 1) like
micrograd (``init="uniform"``), or ``init="kaiming"`` / ``"xavier"``;
biases 0. All draws come from ``rng`` (a numpy Generator or an int seed) or
else from `autograd_mlp.random.default_generator()`, neuron by neuron,
weight by weight, so the same seed gives the same model whether fused or not.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any, Union, cast

from ..random import RNGLike, get_generator
from ..value import Value, fused_neuron
from .init import init_weights
from .module import Module, ModuleList, ParameterList

__all__ = ["Neuron", "NeuronLayer", "MLP", "ACTIVATIONS"]

Scalar = Union[Value, float, int]

# None is the identity ("linear"); the others are Value methods and value.fused_neuron's activations.
ACTIVATIONS = (None, "relu", "tanh", "sigmoid")


class Neuron(Module):
    """One unit: ``act(w1*x1 + ... + wn*xn + b)``.

    Args:
        nin: number of inputs.
        activation: "relu" (default, as micrograd), "tanh", "sigmoid", or
            "linear" / None for no activation.
        fused: True builds one graph node per call; False builds micrograd's
            ``*``/``+`` chain and a separate activation node.
        init: "uniform" (U(-1, 1)), "kaiming" or "xavier"; bias starts at 0.
        rng: numpy Generator or int seed for the weights.
        fan_out: the width of the layer this neuron belongs to (only xavier uses it).

    Calling it with the wrong number of inputs raises ValueError (micrograd
    silently ignores extra inputs).
    """

    def __init__(
        self,
        nin: int,
        activation: str | None = "relu",
        *,
        fused: bool = True,
        init: str = "uniform",
        rng: RNGLike = None,
        fan_out: int = 1,
    ) -> None:
        super().__init__()
        nin = _positive_int(nin, "nin")
        self.activation = _check_activation(activation)
        self.fused = bool(fused)
        weights = init_weights(init, nin, nin, fan_out, self.activation, rng=rng)
        self.w = ParameterList(Value(x) for x in weights.tolist())
        self.b = Value(0.0)

    @property
    def nin(self) -> int:
        """Number of inputs."""
        return len(self.w)

    def forward(self, x: Sequence[Scalar] | Scalar) -> Value:
        # the common case (a list of the right length) costs one test
        xs = x if type(x) is list and len(x) == len(self.w) else _as_inputs(x, len(self.w), "Neuron")
        if self.fused:  # the fast path: the same numbers as ONE node (see value.fused_neuron)
            return fused_neuron(cast("list[Value]", self.w), xs, self.b, self.activation)  # a ParameterList
        # What a neuron computes, node for node as micrograd's sum(w*x, b) builds
        # it: a * node per weight, a + node per term, then the activation node.
        # (A loop, not sum() over a generator: the same nodes, a fifth faster.)
        z = self.b
        for wi, xi in zip(self.w, xs):
            z = z + wi * xi
        return z if self.activation is None else getattr(z, self.activation)()

    def extra_repr(self) -> str:
        return f"{self.nin}, activation={self.activation or 'linear'!r}" + ("" if self.fused else ", fused=False")


class NeuronLayer(Module):
    """``nout`` neurons reading the same ``nin`` inputs.

    Returns a list of ``nout`` Values, or the Value itself when ``nout == 1``
    (as micrograd does, so a one-output model returns a number-like Value).
    Plain-number inputs become one leaf each, shared by all the neurons.
    """

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str | None = "relu",
        *,
        fused: bool = True,
        init: str = "uniform",
        rng: RNGLike = None,
    ) -> None:
        super().__init__()
        nout = _positive_int(nout, "nout")
        rng = get_generator(rng)  # resolve an int seed once: each neuron draws new numbers
        self.neurons = ModuleList(
            Neuron(nin, activation, fused=fused, init=init, rng=rng, fan_out=nout) for _ in range(nout)
        )

    @property
    def nin(self) -> int:
        return self.neurons[0].nin

    @property
    def nout(self) -> int:
        return len(self.neurons)

    @property
    def fused(self) -> bool:
        """True when every neuron builds a single node; assign to switch them all."""
        return all(n.fused for n in self.neurons)

    @fused.setter
    def fused(self, value: bool) -> None:
        for n in self.neurons:
            n.fused = bool(value)

    def forward(self, x: Sequence[Scalar] | Scalar) -> Value | list[Value]:
        nin = len(self.neurons[0].w)
        if type(x) is not list or len(x) != nin:
            x = _as_inputs(x, nin, "NeuronLayer")
        x = [xi if type(xi) is Value else Value(xi) for xi in x]
        # Neurons are run through forward(), not __call__: Value nodes record
        # no module scope, so a scope switch per neuron (3,300 per step of
        # micrograd's moons demo) would buy nothing.
        out = [n.forward(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def extra_repr(self) -> str:
        return f"{self.nin} -> {self.nout}"


class MLP(Module):
    """A multi-layer perceptron: ``MLP(2, [16, 16, 1])`` maps 2 inputs through two hidden layers to 1 output.

    Hidden layers use ``activation`` (relu by default); the last layer uses
    ``output_activation``, None (linear) by default, as in micrograd: a
    score for a hinge loss or a logit for ``binary_cross_entropy_with_logits``.
    Pass ``output_activation="sigmoid"`` for probabilities.
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str | None = "relu",
        output_activation: str | None = None,
        *,
        fused: bool = True,
        init: str = "uniform",
        rng: RNGLike = None,
    ) -> None:
        super().__init__()
        nouts = list(nouts) if not isinstance(nouts, int) else [nouts]
        if not nouts:
            raise ValueError("MLP needs at least one layer size in nouts, e.g. MLP(2, [4, 1])")
        rng = get_generator(rng)
        sizes = [_positive_int(nin, "nin"), *nouts]
        last = len(nouts) - 1
        self.layers = ModuleList([
            NeuronLayer(
                sizes[i],
                sizes[i + 1],
                activation if i < last else output_activation,
                fused=fused,
                init=init,
                rng=rng,
            )
            for i in range(len(nouts))
        ])

    @property
    def nin(self) -> int:
        return self.layers[0].nin

    @property
    def fused(self) -> bool:
        """True when every neuron builds a single node; assign False to draw micrograd's graph."""
        return all(layer.fused for layer in self.layers)

    @fused.setter
    def fused(self, value: bool) -> None:
        for layer in self.layers:
            layer.fused = value

    def forward(self, x: Sequence[Scalar] | Scalar) -> Value | list[Value]:
        nin = len(self.layers[0].neurons[0].w)
        if type(x) is not list or len(x) != nin:
            x = _as_inputs(x, nin, "MLP")
        for layer in self.layers[:-1]:
            x = layer(x)
            if type(x) is Value:  # a hidden layer of width 1 still feeds a list on
                x = [x]
        return self.layers[-1](x)

    def extra_repr(self) -> str:
        sizes = [self.nin] + [layer.nout for layer in self.layers]
        return "sizes=" + " -> ".join(map(str, sizes))


# ---------------------------------------------------------------- helpers


def _as_inputs(x: Any, expected: int, who: str) -> list[Any]:
    """The inputs as a list of the expected length (a lone number or Value counts as one)."""
    if type(x) is not list and (type(x) is Value or isinstance(x, numbers.Real)):
        x = [x]
    if len(x) != expected:
        raise ValueError(f"{who} expects {expected} inputs, got {len(x)}")
    return list(x)


def _check_activation(name: str | None) -> str | None:
    if name == "linear":
        return None
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; use 'relu', 'tanh', 'sigmoid' or 'linear' (None)")
    return name


def _positive_int(n: Any, name: str) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"{name} must be a positive int, got {n!r}")
    return int(n)
