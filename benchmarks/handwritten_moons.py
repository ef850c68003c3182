"""micrograd's moons training step in plain Python, every gradient derived by hand.

The reference the replayed step is timed against (benchmarks/bench_replay.py):
the same network (MLP(2, [16, 16, 1]): relu hidden layers, linear output),
the same loss (mean hinge loss + 1e-4 * L2) and the same SGD schedule as
`bench_scalar.make_step`, with no graph at all: lists of floats and the
chain rule written out. The forward arithmetic is the engine's, operation
for operation (``sum(map(mul, w, x)) + b``, the losses summed in the same
order), so the loss is bit-equal; gradients are summed in another order
than the engine's walk and agree to about 1e-15 (tests/test_replay.py).

Written the way one writes fast pure Python: the inner loops are
``sum(map(mul, ...))`` (they run in C), the weight gradients are one dot
product over the batch per weight, and the hinge loss and relu multiply
their gradient by a 0/1 mask, as the engine's rules do (the same arithmetic,
not a cleverer algorithm that skips points or units passing no gradient).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat
from operator import gt, mul
from typing import Any

__all__ = ["HandwrittenMLP"]

Layer = tuple[list[list[float]], list[float]]  # (one weight row per neuron, the biases)


class HandwrittenMLP:
    """A relu MLP with a linear output, its weights in plain lists, trained by a hand-derived step."""

    def __init__(self, layers: Sequence[Layer]) -> None:
        self.layers = [([list(map(float, row)) for row in w], list(map(float, b))) for w, b in layers]
        self.grads = [([[0.0] * len(row) for row in w], [0.0] * len(b)) for w, b in self.layers]
        self.k = 0  # steps taken: the learning-rate schedule's clock

    @classmethod
    def from_model(cls, model: Any) -> HandwrittenMLP:
        """Copy the weights of an `autograd_mlp.nn.MLP` (relu hidden layers, linear output)."""
        return cls([([[w.data for w in n.w] for n in layer.neurons], [n.b.data for n in layer.neurons])
                    for layer in model.layers])

    def parameters(self) -> list[float]:
        """Every weight and bias, in the engine's order (neuron by neuron: weights, then bias)."""
        return [x for w, b in self.layers for row, bias in zip(w, b) for x in (*row, bias)]

    def gradients(self) -> list[float]:
        """The last step's gradients, in the order of `parameters`."""
        return [x for w, b in self.grads for row, bias in zip(w, b) for x in (*row, bias)]

    def loss_and_gradients(self, X: Sequence[Sequence[float]], y: Sequence[float]) -> float:
        """Forward and backward over the whole batch: returns the loss, fills ``self.grads``."""
        layers = self.layers
        last = len(layers) - 1
        scale = 1.0 / len(X)
        transposed = [list(zip(*w)) for w, _ in layers]  # column i: the weights that read input i
        inputs: list[list[list[float]]] = [[] for _ in layers]  # per layer, per point: the layer's input
        deltas: list[list[list[float]]] = [[] for _ in layers]  # per layer, per point: d loss / d z
        data_loss = 0
        for x, label in zip(X, y):
            # forward, keeping each layer's input (its relu mask and dz/dw)
            a = list(x)
            for i, (w, b) in enumerate(layers):
                inputs[i].append(a)
                z = [sum(map(mul, row, a)) + bias for row, bias in zip(w, b)]
                a = z if i == last else [zi if zi > 0.0 else 0.0 for zi in z]
            margin = 1 + -label * a[0]
            data_loss += margin if margin > 0.0 else 0.0
            # backward: the mean gives each point 1/n, the hinge passes it where margin > 0,
            # and d margin / d score = -label
            delta = [scale * (margin > 0.0) * -label]
            for i in range(last, -1, -1):
                deltas[i].append(delta)
                if i:
                    # dz/da = w, summed over the neurons that read a, then relu's 0/1 mask
                    a = inputs[i][-1]
                    back = [sum(map(mul, delta, column)) for column in transposed[i]]
                    delta = list(map(mul, back, map(gt, a, repeat(0.0))))
        reg_loss = 1e-4 * sum(p * p for p in self.parameters())
        grads = []
        for (w, b), ins, ds in zip(layers, inputs, deltas):
            # dz/dw = the layer's input, summed over the batch; d (1e-4 * p**2) / dp = 2e-4 * p
            input_columns = list(zip(*ins))
            gw, gb = [], []
            for j, (row, column) in enumerate(zip(w, zip(*ds))):
                gw.append([sum(map(mul, column, xs)) + 2e-4 * p for xs, p in zip(input_columns, row)])
                gb.append(sum(column) + 2e-4 * b[j])
            grads.append((gw, gb))
        self.grads = grads
        return data_loss * scale + reg_loss

    def step(self, X: Sequence[Sequence[float]], y: Sequence[float]) -> float:
        """One training step of micrograd's demo: loss, gradients, SGD with lr 1.0 - 0.9 k / 100."""
        loss = self.loss_and_gradients(X, y)
        lr = 1.0 - 0.9 * self.k / 100
        for (w, b), (gw, gb) in zip(self.layers, self.grads):
            for row, grow in zip(w, gw):
                row[:] = [p - lr * g for p, g in zip(row, grow)]
            b[:] = [p - lr * g for p, g in zip(b, gb)]
        self.k += 1
        return loss
