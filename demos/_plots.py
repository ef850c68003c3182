"""The lessons' pictures that take more than a few lines to draw, kept out of the lesson files.

Each function takes the lesson's results and draws them; the names it needs from
its lesson (``predict``, ``CLASSES``, ...) come from the lesson module, imported when
the picture is drawn (so the lesson can import this module without a cycle).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from autograd_mlp.demos import _support as support


def classify_2d_curves(results: dict[str, Any], path: Path) -> Path | None:
    """Loss (left) and accuracy (right) per epoch: solid = train, dashed = validation; one colour per model."""
    from autograd_mlp.demos import classify_2d as lesson

    plt = support.pyplot()
    if plt is None:
        return None
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(13, 4.8), constrained_layout=True)
    for kind, color in (("linear", "tab:purple"), ("mlp", "tab:red")):
        r = results[kind]
        h = r["history"]
        epochs = np.arange(len(h["train_loss"]))
        for split, style in (("train", "-"), ("val", "--")):
            label = f"{r['name']}, {'train' if split == 'train' else 'validation'}"
            ax_loss.plot(epochs, h[f"{split}_loss"], style, color=color, label=label)
            ax_acc.plot(epochs, 100 * h[f"{split}_acc"], style, color=color, label=label)
    ax_loss.set_ylabel("cross-entropy loss")
    ax_loss.set_title("Loss")
    ax_acc.set_ylabel("accuracy (%)")
    ax_acc.set_ylim(0, 100)
    ax_acc.axhline(100 / lesson.CLASSES, color="gray", linewidth=1, linestyle=":", label="chance (one class in three)")
    ax_acc.set_title("Accuracy")
    for ax in (ax_loss, ax_acc):
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
    ax_acc.legend(loc="lower right", fontsize=9)
    ax_loss.legend(loc="upper right", fontsize=9)
    gap = results["mlp"]["history"]["val_acc"][-1] - results["linear"]["history"]["val_acc"][-1]
    verdict = "the linear model stalls, the MLP keeps learning" if gap > 0.1 else "straight borders are enough here"
    fig.suptitle(f"{results['dataset']}: {verdict}", fontsize=13)
    return support.save_figure(fig, path, dpi=100)


def classify_2d_regions(results: dict[str, Any], path: Path, resolution: int = 300) -> Path | None:
    """For each model (rows): true test labels, predicted test labels, predictions on the training set,
    over the model's decision regions (the class it predicts at every point of the plane)."""
    from autograd_mlp.demos import classify_2d as lesson

    plt = support.pyplot()
    if plt is None:
        return None
    from matplotlib.colors import ListedColormap

    splits = results["splits"]
    everything = np.concatenate([X for X, _ in splits.values()])
    margin = 0.1 * (everything.max(axis=0) - everything.min(axis=0))
    (x_lo, y_lo), (x_hi, y_hi) = everything.min(axis=0) - margin, everything.max(axis=0) + margin
    gx, gy = np.meshgrid(np.linspace(x_lo, x_hi, resolution), np.linspace(y_lo, y_hi, resolution))
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    regions_cmap = ListedColormap(lesson.COLORS)
    point_colors = np.array(lesson.COLORS)

    fig, axes = plt.subplots(2, 3, figsize=(15, 10.5), constrained_layout=True)
    X_test, y_test = splits["test"]
    X_train, y_train = splits["train"]
    for row, kind in zip(axes, ("linear", "mlp")):
        r = results[kind]
        model = r["model"]
        regions = lesson.predict(model, grid).reshape(gx.shape)
        pred_test, pred_train = lesson.predict(model, X_test), lesson.predict(model, X_train)
        train_acc = float(np.mean(pred_train == y_train))
        panels = [
            (X_test, y_test, f"true test labels ({len(y_test)} points)"),
            (X_test, pred_test, f"predicted test labels: {r['test_acc']:.1%} right"),
            (X_train, pred_train, f"predictions on the training set: {train_acc:.1%} right"),
        ]
        for i, (ax, (X, labels, title)) in enumerate(zip(row, panels)):
            ax.imshow(regions, extent=(x_lo, x_hi, y_lo, y_hi), origin="lower", cmap=regions_cmap,
                      vmin=-0.5, vmax=lesson.CLASSES - 0.5, alpha=0.25, interpolation="nearest", aspect="auto")
            ax.scatter(X[:, 0], X[:, 1], c=point_colors[labels], s=22, edgecolors="white", linewidths=0.5)
            if i == 1:  # circle the mistakes: predicted label != true label
                wrong = labels != y_test
                ax.scatter(X[wrong, 0], X[wrong, 1], s=90, facecolors="none", edgecolors="black", linewidths=1.2)
            ax.set_title(title, fontsize=11)
            ax.set_xlim(x_lo, x_hi)
            ax.set_ylim(y_lo, y_hi)
            ax.set_aspect("equal")
            ax.set_xlabel("x1")
        row[0].set_ylabel(f"{r['name']}\n\nx2", fontsize=11)
    handles = [
        plt.Line2D([], [], marker="o", color=c, linestyle="", markersize=9, label=f"class {k}") for k, c in enumerate(lesson.COLORS)
    ]
    handles.append(plt.Line2D([], [], marker="o", markerfacecolor="none", markeredgecolor="black", linestyle="",
                              markersize=11, label="misclassified (middle column)"))
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize=11)
    fig.suptitle(
        f"{results['dataset']}: top row linear 2-3, bottom row {results['mlp']['name']}\n"
        "shading = the class each model predicts at that point", fontsize=13
    )
    return support.save_figure(fig, path, dpi=90)


def function_fit(result: dict[str, Any], scores: dict[str, float], path: Path) -> Path | None:
    """Left: truth vs fit over [-7, 7], training range shaded. Right: the loss per epoch."""
    from autograd_mlp.demos import function_fit as lesson

    plt = support.pyplot()
    if plt is None:
        return None

    lo, hi = lesson.TRAIN_RANGE
    xs = np.linspace(*lesson.PLOT_RANGE, 1401)
    fit = lesson.predict(result, xs)
    fig, (ax, ax_loss) = plt.subplots(1, 2, figsize=(13, 5), gridspec_kw={"width_ratios": [1.6, 1]}, constrained_layout=True)

    ax.axvspan(lo, hi, color="tab:green", alpha=0.1, label=f"training range [{lo:g}, {hi:g}]")
    for x_text in ((lesson.PLOT_RANGE[0] + lo) / 2, (hi + lesson.PLOT_RANGE[1]) / 2):
        ax.text(x_text, 0.04, "no data\nhere", transform=ax.get_xaxis_transform(), ha="center", fontsize=9, color="dimgray")
    ax.scatter(result["x_train"], result["y_train"], s=6, color="gray", alpha=0.35, label="training samples")
    ax.plot(xs, lesson.target(xs), color="black", linewidth=2, label="truth: $x^3 + x^2 - x - 1$")
    ax.plot(xs, fit, color="tab:red", linewidth=2, linestyle="--", label="MLP fit")
    kinks = lesson.bends(result)
    kinks = kinks[(kinks >= lesson.PLOT_RANGE[0]) & (kinks <= lesson.PLOT_RANGE[1])]
    ax.scatter(kinks, lesson.predict(result, kinks), marker="v", s=60, color="tab:red", zorder=3,
               label="bends of the fit (a ReLU unit switches on/off)")
    ax.set_xlim(*lesson.PLOT_RANGE)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title(
        f"MSE inside {scores['mse_inside']:.1f}, outside {scores['mse_outside']:,.0f}: "
        "the fit fails where there was no data", fontsize=11
    )
    ax.legend(loc="upper left", fontsize=9)
    ax.grid(alpha=0.3)

    curve = result["epoch_mse"]
    ax_loss.plot(np.arange(1, len(curve) + 1), curve, color="tab:blue")
    ax_loss.set_yscale("log")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("training MSE (units of $y^2$)")
    ax_loss.set_title("Training loss (Adam, mini-batches)", fontsize=11)
    ax_loss.grid(alpha=0.3, which="both")

    hidden = result["model"][0].out_features
    fig.suptitle(f"A 1-{hidden}-1 ReLU MLP fitted on [-5, 5]: good inside, a straight line outside", fontsize=13)
    return support.save_figure(fig, path, dpi=100)


def gates_boundaries(results: dict[str, dict[str, Any]], path: Path, resolution: int = 201) -> Path | None:
    """One panel per model: its output shaded over the plane, the 0.5 contour, the four points."""
    from autograd_mlp.demos import gates as lesson

    plt = support.pyplot()
    if plt is None:
        return None

    lo, hi = -0.5, 1.5
    grid = np.linspace(lo, hi, resolution)
    gx, gy = np.meshgrid(grid, grid)
    points = np.column_stack([gx.ravel(), gy.ravel()])

    fig, axes = plt.subplots(2, 2, figsize=(10, 9.5), constrained_layout=True)
    shading = None
    for ax, r in zip(axes.ravel(), results.values()):
        p = lesson.predict(r["model"], points).reshape(gx.shape)
        # A continuous colour scale: 0.4999999 and 0.5000001 look the same, as they should.
        shading = ax.imshow(p, extent=(lo, hi, lo, hi), origin="lower", cmap="RdBu_r", vmin=0.0, vmax=1.0, alpha=0.85)
        if p.max() - p.min() > 1e-3:
            ax.contour(gx, gy, p, levels=[0.5], colors="black", linewidths=2)
        else:  # a flat 0.5: the "line" where rounding noise crosses 0.5 would mean nothing
            ax.text(0.5, -0.3, "output = 0.5 everywhere:\nno boundary at all", ha="center", fontsize=10,
                    bbox=dict(facecolor="white", alpha=0.85, edgecolor="gray"))
        for (x1, x2), t, out in zip(lesson.INPUTS, r["targets"], r["outputs"]):
            ax.scatter(x1, x2, s=220, c="red" if t else "blue", marker="s" if t else "o",
                       edgecolors="white", linewidths=2, zorder=3)
            ax.annotate(f"{out:.2f}", (x1, x2), xytext=(0, 16), textcoords="offset points", ha="center",
                        fontsize=10, bbox=dict(facecolor="white", alpha=0.8, edgecolor="none", pad=1))
        if len(r["model"]) > 2:  # the MLP: each hidden unit's line w1*x1 + w2*x2 + b = 0
            weight, bias = r["model"][0].weight.numpy(), r["model"][0].bias.numpy()
            for k, ((w1, w2), b) in enumerate(zip(weight, bias)):
                if abs(w2) > abs(w1):
                    ax.plot(grid, -(w1 * grid + b) / w2, "--", color=f"C{k + 2}", linewidth=1.5, label=f"h{k + 1}")
                else:
                    ax.plot(-(w2 * grid + b) / w1, grid, "--", color=f"C{k + 2}", linewidth=1.5, label=f"h{k + 1}")
            ax.legend(title="dashed: each hidden unit's line", loc="upper center", bbox_to_anchor=(0.5, -0.13),
                      ncols=hidden_units if (hidden_units := len(bias)) <= 4 else 4, fontsize=8, title_fontsize=8)
        ax.set_title(f"{r['title']} - accuracy {r['accuracy']:.0%}", fontsize=12)
        ax.set_xlim(lo, hi)
        ax.set_ylim(lo, hi)
        ax.set_xticks([0, 1])
        ax.set_yticks([0, 1])
        ax.set_xlabel("x1")
        ax.set_ylabel("x2")
        ax.set_aspect("equal")
    # Legend for the markers: proxies, since each point was drawn on its own.
    handles = [
        plt.Line2D([], [], marker="o", color="blue", linestyle="", markersize=10, label="target 0"),
        plt.Line2D([], [], marker="s", color="red", linestyle="", markersize=10, label="target 1"),
        plt.Line2D([], [], color="black", linewidth=2, label="boundary: output = 0.5"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=3, fontsize=11)
    fig.colorbar(shading, ax=axes, shrink=0.8, label="model output (probability of 1)")
    fig.suptitle("Decision boundaries: one neuron draws a straight line, a hidden layer bends it\n"
                 "(numbers: the model's output at each point)", fontsize=13)
    return support.save_figure(fig, path, dpi=100)
