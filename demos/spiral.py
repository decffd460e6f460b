"""Spiral: a 2-16-16-3 relu MLP with softmax cross-entropy learns three interleaved spiral arms.

Multi-class classification: the network gives one logit per class, the loss is the softmax
cross-entropy averaged over the points, and Adam does the updates. The run leaves a plot of the
decision regions (each point of the plane coloured by its predicted class), a loss curve and the
trained model (model.json, which `nn.load` reads back).

    python -m demos.spiral [--steps 150] [--lr 0.05] [--out out/spiral] [--seed 0] [--quiet]
"""
import random
import time

import nn
from demos import _common
from demos.datasets import make_spiral

N_CLASSES = 3


def predicted_class(logits):
    """The index of the largest logit (floats or Values).

    >>> predicted_class([0.1, 2.0, -1.0])
    1
    """
    values = [z if isinstance(z, float) else z.data for z in logits]
    return values.index(max(values))


def loss_and_accuracy(model, points, labels):
    """The mean softmax cross-entropy as a Value, and the share of points whose class is predicted right."""
    logits = [model(point) for point in points]
    correct = sum(predicted_class(z) == label for z, label in zip(logits, labels))
    return nn.cross_entropy(logits, labels), correct / len(labels)


def train(model, points, labels, steps, lr, quiet=False):
    """Full-batch Adam; returns the loss and the accuracy at every step."""
    optimizer = nn.Adam(model.parameters(), lr=lr)
    return _common.fit(optimizer, lambda: loss_and_accuracy(model, points, labels), steps, "spiral", quiet)


def plot_decision_regions(path, model, points, labels, side=90):
    """The plane coloured by predicted class, with the data on top."""
    xs, ys, grid_points = _common.grid(points, side, margin=0.15)
    classes = [predicted_class(z) for z in _common.evaluate(model, grid_points)]
    rows = [classes[j * side:(j + 1) * side] for j in range(side)]
    colours = _common.CLASS_COLOURS[:N_CLASSES]
    figure = _common.new_figure(6.2, 4.6)
    axes = figure.add_subplot()
    from matplotlib.colors import ListedColormap                # one flat colour per class, no blending
    axes.pcolormesh(xs, ys, rows, cmap=ListedColormap(colours), vmin=-0.5, vmax=N_CLASSES - 0.5,
                    shading="nearest", alpha=0.25, rasterized=True)
    _common.scatter_classes(axes, points, labels,
                            [(k, colour, marker, f"class {k}") for k, (colour, marker) in enumerate(zip(colours, "o^s"))])
    axes.set_title("Spiral: decision regions of the trained MLP")
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), framealpha=0.9)
    return _common.save_figure(figure, path)


def main(steps=150, out_dir=None, seed=0, quiet=False, lr=0.05):
    """Train on the spiral, write the plots and the model to `out_dir` (default ./out/spiral).

    Returns {"final_loss", "accuracy" (after training, 0..1), "steps", "seconds", "files": {...}}.
    """
    _common.check_steps(steps)
    folder = _common.output_folder(out_dir, "spiral")
    points, labels = make_spiral(n_per_class=40, n_classes=N_CLASSES, noise=0.2, seed=seed)
    random.seed(seed)
    model = nn.MLP(2, [16, 16, N_CLASSES])
    start = time.perf_counter()
    losses, accuracies = train(model, points, labels, steps, lr, quiet)
    seconds = time.perf_counter() - start
    final_loss, accuracy = loss_and_accuracy(model, points, labels)   # after the last update
    files = {
        "decision_regions": plot_decision_regions(folder / "decision_regions.png", model, points, labels),
        "loss_curve": _common.plot_training_curve(folder / "loss_curve.png", losses + [final_loss.data],
                                                  accuracies + [accuracy],
                                                  "Spiral: softmax cross-entropy and training accuracy"),
        "model": str(nn.save(model, folder / "model.json")),
    }
    results = {"final_loss": final_loss.data, "accuracy": accuracy, "steps": steps, "seconds": seconds,
               "files": files}
    if not quiet:
        print(_common.summary(results))
    return results


def _extra_options(parser):
    parser.add_argument("--lr", type=float, default=0.05, help="Adam's learning rate (default %(default)s)")


if __name__ == "__main__":
    arguments = _common.parse_args("spiral", __doc__.splitlines()[0], steps=150, seed=0, extra=_extra_options)
    main(steps=arguments.steps, out_dir=arguments.out, seed=arguments.seed, quiet=arguments.quiet,
         lr=arguments.lr)
