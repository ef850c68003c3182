"""The delta-rule lesson (10,000 epochs, 4 samples): each method through the
autograd engine against the seed post's times (>= 3x faster), and the
closed-form numpy delta rule (>= 20x faster).

The post's times are the only reference not measured in this run (they were
measured once, on the post author's machine); the ratios say so.
"""

from __future__ import annotations

from autograd_mlp.demos import delta_rule
from common import Result, median_time


def run(quick: bool = False) -> list[Result]:
    epochs = 200 if quick else delta_rule.EPOCHS
    repeat = 1 if quick else 5
    w0 = delta_rule.initial_weights(0)
    results = []
    for method, batch_size in delta_rule.METHODS.items():
        post = delta_rule.POST_SECONDS[method] * epochs / delta_rule.EPOCHS
        for kind, train, target in (
            ("autograd", delta_rule.train_autograd, 3.0),
            ("closed form", delta_rule.train_closed_form, 20.0),
        ):
            t = median_time(lambda: train(w0, delta_rule.TARGETS, batch_size, epochs), repeat, warmup=0 if quick else 1)
            ratio = post / t
            results.append(Result(f"delta rule {method}, {kind}", f"{t:.3f} s for {epochs} epochs; post {post:.2f} s",
                                  ratio, f">= {target:.0f}x faster than the post", ratio >= target))
    return results
