"""The delta-rule lesson (10,000 epochs, 4 samples): each method through the
autograd engine against the seed post's times (>= 3x faster), and the
closed-form numpy delta rule (>= 20x faster).

The post's times are the only reference not measured in this run (they were
measured once, on the post author's machine); the ratios say so. The kernels
are the benchmark's own (delta_rule_kernels.py), not the demo's.
"""

from __future__ import annotations

import delta_rule_kernels as k
from common import Result, median_time


def run(quick: bool = False) -> list[Result]:
    epochs = 200 if quick else k.EPOCHS
    repeat = 1 if quick else 5
    w0 = k.initial_weights(0)
    results = []
    for method, batch_size in k.METHODS.items():
        post = k.POST_SECONDS[method] * epochs / k.EPOCHS
        for kind, train, target in (
            ("autograd", k.train_autograd, 3.0),
            ("closed form", k.train_closed_form, 20.0),
        ):
            def once(train=train, batch_size=batch_size) -> object:
                return train(w0, k.TARGETS, batch_size, epochs)

            t = median_time(once, repeat, warmup=0 if quick else 1)
            ratio = post / t
            results.append(Result(f"delta rule {method}, {kind}", f"{t:.3f} s for {epochs} epochs; post {post:.2f} s",
                                  ratio, f">= {target:.0f}x faster than the post", ratio >= target))
    return results
