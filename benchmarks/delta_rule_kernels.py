"""The benchmark's own delta-rule kernels (the lesson in demos/delta_rule.py is written for reading;
these are written for speed, and never import a demo).

The problem is the seed post's (after Phil Kim's "MATLAB Deep Learning"): inputs
[[0,0,1],[0,1,1],[1,0,1],[1,1,1]] (the third column is the bias input), targets [0,0,1,1],
learning rate 0.9, 10,000 epochs; one sigmoid neuron trained by SGD (1 sample per update),
batch (4) and mini-batch (2). tests/test_benchmarks_smoke.py checks that both kernels end with
the weights of a plain textbook loop.
"""

from __future__ import annotations

import math

import numpy as np

from autograd_mlp import Value
from autograd_mlp.value import fused_neuron

X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=np.float64)
TARGETS = np.array([0, 0, 1, 1], dtype=np.float64)
ALPHA = 0.9
EPOCHS = 10_000
# Wall times the seed post measured for 10,000 epochs with Python loops (003_*.txt).
POST_SECONDS = {"SGD": 2.66, "batch": 8.58, "mini-batch": 3.09}
METHODS = {"SGD": 1, "batch": 4, "mini-batch": 2}  # method -> samples per update


def initial_weights(seed: int) -> np.ndarray:
    """W = 2 * rand(3) - 1, as in the book, from a seeded generator."""
    return 2 * np.random.default_rng(seed).random(3) - 1


def train_closed_form(w0: np.ndarray, targets: np.ndarray, batch_size: int, epochs: int) -> np.ndarray:
    """delta = y (1 - y) (d - y); W += alpha * mean over the batch of delta * x.

    In plain floats, three weights at a time: on 3-element vectors numpy's
    per-call overhead, not the arithmetic, is the cost (a numpy version of this
    loop, x.dot(w) and w += c * x, took 6x as long and ends with the same bits).
    """
    w0_, w1_, w2_ = (float(v) for v in w0)
    rows = [tuple(map(float, row)) for row in X]
    d = targets.tolist()
    batches = [range(s, s + batch_size) for s in range(0, len(X), batch_size)]
    step = ALPHA / batch_size
    exp = math.exp
    for _ in range(epochs):
        for batch in batches:
            g0 = g1 = g2 = 0.0
            for i in batch:
                x0, x1, x2 = rows[i]
                y = 1.0 / (1.0 + exp(-(x0 * w0_ + x1 * w1_ + x2 * w2_)))
                c = step * y * (1.0 - y) * (d[i] - y)
                g0 += c * x0
                g1 += c * x1
                g2 += c * x2
            w0_ += g0
            w1_ += g1
            w2_ += g2
    return np.array([w0_, w1_, w2_])


def train_autograd(w0: np.ndarray, targets: np.ndarray, batch_size: int, epochs: int) -> np.ndarray:
    """The same training through the engine: loss = mean of 1/2 (d - y)^2, backward(), W -= alpha * grad."""
    w = [Value(float(v)) for v in w0]
    inputs = [[Value(float(v)) for v in row] for row in X]  # constants, made once
    d = targets.tolist()
    n = len(X)
    scale = 0.5 / batch_size
    for _ in range(epochs):
        for start in range(0, n, batch_size):
            loss = None
            for i in range(start, start + batch_size):
                error = d[i] - fused_neuron(w, inputs[i], None, "sigmoid")
                term = error * error
                loss = term if loss is None else loss + term
            loss = loss * scale
            for p in w:
                p.grad = 0.0
            loss.backward()
            for p in w:
                p.data -= ALPHA * p.grad
    return np.array([p.data for p in w])
