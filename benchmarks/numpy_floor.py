"""The floor: a hand-written numpy MLP step with no graph at all.

Forward, backward and Adam for Linear/ReLU layers with softmax cross-entropy,
float32, PyTorch's weight layout (out, in). Every line is the minimum numpy
work; an autograd engine can only add to it.
"""

from __future__ import annotations

import numpy as np


class NumpyMLP:
    def __init__(self, sizes: list[int], seed: int = 0, dtype=np.float32, lr: float = 1e-3,
                 optimizer: str = "adam"):
        rng = np.random.default_rng(seed)
        self.params = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            bound = 1.0 / np.sqrt(fan_in)  # PyTorch's nn.Linear default range
            self.params.append(rng.uniform(-bound, bound, (fan_out, fan_in)).astype(dtype))
            self.params.append(rng.uniform(-bound, bound, fan_out).astype(dtype))
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.t = 0
        self.lr, self.b1, self.b2, self.eps = lr, 0.9, 0.999, 1e-8
        self.optimizer = optimizer

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        n_layers = len(self.params) // 2
        acts = [x]
        h = x
        for i in range(n_layers):
            w, b = self.params[2 * i], self.params[2 * i + 1]
            h = h @ w.T + b
            if i < n_layers - 1:
                h = np.maximum(h, 0)
            acts.append(h)
        logits = h
        shifted = logits - logits.max(axis=1, keepdims=True)
        exp = np.exp(shifted)
        sum_exp = exp.sum(axis=1, keepdims=True)
        batch = len(y)
        rows = np.arange(batch)
        loss = float(np.log(sum_exp[:, 0]).mean() - shifted[rows, y].mean())
        g = exp / sum_exp
        g[rows, y] -= 1
        g /= batch
        grads = [None] * len(self.params)
        for i in reversed(range(n_layers)):
            w = self.params[2 * i]
            a = acts[i]
            # one sample: an outer product (OpenBLAS is slow at (n, 1) @ (1, m))
            grads[2 * i] = np.outer(g[0], a[0]) if batch == 1 else g.T @ a
            grads[2 * i + 1] = g.sum(axis=0)
            if i > 0:
                g = g @ w
                g *= acts[i] > 0
        self.update(grads)
        return loss

    def update(self, grads: list[np.ndarray]) -> None:
        if self.optimizer == "sgd":
            for p, g in zip(self.params, grads):
                g *= self.lr  # our own temporary: scale it in place, then one subtraction
                p -= g
            return
        self.t += 1
        c1 = 1 - self.b1**self.t
        c2 = 1 - self.b2**self.t
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m *= self.b1
            m += (1 - self.b1) * g
            v *= self.b2
            v += (1 - self.b2) * g * g
            p -= (self.lr / c1) * m / (np.sqrt(v / c2) + self.eps)
