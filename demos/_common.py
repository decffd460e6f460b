"""Helpers shared by the training demos: command line, output folder, progress bar, and plots."""
import argparse
import pathlib

from autograd import no_grad, tape

# Colours for the classes, readable for most colour-blind viewers (Okabe-Ito).
CLASS_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9"]


def parse_args(name, description, steps, seed, argv=None, extra=None, out_help="folder for the plots and the model"):
    """The demos' shared command line: --steps, --out, --seed, --quiet (plus `extra(parser)` options)."""
    parser = argparse.ArgumentParser(prog=f"python -m demos.{name}", description=description)
    parser.add_argument("--steps", type=int, default=steps, help=f"training steps (default {steps})")
    parser.add_argument("--out", default=str(default_out_dir(name)), metavar="DIR",
                        help=out_help + " (default %(default)s)")
    parser.add_argument("--seed", type=int, default=seed, help=f"seed for the data and the weights (default {seed})")
    parser.add_argument("--quiet", action="store_true", help="no progress bar, no summary")
    if extra is not None:
        extra(parser)
    args = parser.parse_args(argv)
    if args.steps < 1:
        parser.error(f"--steps must be at least 1, got {args.steps}")
    return args


def default_out_dir(name):
    """Where a demo writes its files unless told otherwise: ./out/NAME."""
    return pathlib.Path("out") / name


def output_folder(out_dir, name):
    """The output folder as a Path, created if needed (default ./out/NAME)."""
    folder = pathlib.Path(out_dir) if out_dir is not None else default_out_dir(name)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def check_steps(steps):
    """Training needs a whole number of steps, at least 1."""
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be an int >= 1, got {steps!r}")


def fit(optimizer, loss_and_accuracy, steps, name, quiet, learning_rate=None, postfix_every=1, recorder=None):
    """The loop every training demo runs: loss, zero_grad, backward, step; the losses and accuracies seen.

    `loss_and_accuracy()` gives the loss (a Value) and the share right before the step; `learning_rate`,
    if given, maps the step number to the optimizer's lr for that step. The loop runs in a tape, so
    backward() walks the nodes in the order they were made instead of sorting the graph. With a
    `recorder` (an nn.Recorder of the same optimizer), `recorder.step(loss)` takes each step and
    records the model's training health.
    """
    if recorder is not None and recorder.optimizer is not optimizer:
        raise ValueError("fit: the recorder takes the steps of its own optimizer; make it with the one fit uses")
    losses, accuracies = [], []
    bar = progress(steps, name, quiet)
    with tape():
        for step in bar:
            loss, accuracy = loss_and_accuracy()
            optimizer.zero_grad()
            loss.backward()
            if learning_rate is not None:
                optimizer.lr = learning_rate(step)
            if recorder is None:
                optimizer.step()
            else:
                recorder.step(loss)
            losses.append(loss.data)
            accuracies.append(accuracy)
            if step % postfix_every == 0 or step == steps - 1:              # a postfix costs time too
                bar.set_postfix(loss=f"{loss.data:.4f}", acc=f"{100 * accuracy:.0f}%")
    bar.close()
    return losses, accuracies


def scatter_classes(axes, points, labels, classes):
    """Plot the 2-D points class by class on the x₁/x₂ plane; `classes` is [(label, colour, marker, legend)]."""
    for label, colour, marker, legend in classes:
        chosen = [point for point, y in zip(points, labels) if y == label]
        axes.scatter([x for x, _ in chosen], [y for _, y in chosen], c=colour, marker=marker, s=27,
                     edgecolors="white", linewidths=0.6, label=legend)
    axes.set_xlabel("x₁")
    axes.set_ylabel("x₂")
    axes.set_aspect("equal")


def progress(steps, description, quiet):
    """range(steps) with a tqdm progress bar (none when quiet, or when tqdm is not installed).

    tqdm.auto picks the bar: a widget in a notebook (with ipywidgets), text in a terminal.
    """
    if quiet:
        return _SilentBar(steps)
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return _SilentBar(steps)
    return tqdm(range(steps), desc=description, unit="step", dynamic_ncols=True)


class _SilentBar:
    """A stand-in for a tqdm bar: iterates, ignores postfixes."""

    def __init__(self, steps):
        self._steps = range(steps)

    def __iter__(self):
        return iter(self._steps)

    def set_postfix(self, *args, **kwargs):
        pass

    def close(self):
        pass


def grid(points, side, margin=0.25):
    """A side × side grid covering the points' bounding box plus `margin`: (xs, ys, grid points row by row)."""
    x_lo = min(x for x, _ in points) - margin
    x_hi = max(x for x, _ in points) + margin
    y_lo = min(y for _, y in points) - margin
    y_hi = max(y for _, y in points) + margin
    xs = [x_lo + (x_hi - x_lo) * i / (side - 1) for i in range(side)]
    ys = [y_lo + (y_hi - y_lo) * j / (side - 1) for j in range(side)]
    return xs, ys, [(x, y) for y in ys for x in xs]


def evaluate(model, points):
    """The model's outputs on many points as plain data, without building a graph (fast)."""
    with no_grad():
        outputs = [model(point) for point in points]
    if outputs and isinstance(outputs[0], list):
        return [[v.data for v in output] for output in outputs]
    return [output.data for output in outputs]


def new_figure(width=6.4, height=4.8):
    """A matplotlib Figure drawn by the Agg backend: no window and no pyplot global state."""
    from matplotlib.figure import Figure
    return Figure(figsize=(width, height), dpi=110, layout="constrained")


def save_figure(figure, path):
    """Write the figure as a PNG and return the path as a string."""
    figure.savefig(path, format="png")
    return str(path)


def plot_training_curve(path, losses, accuracies, title):
    """The loss per step (log scale when it spans a wide range) and the training accuracy on a second axis."""
    figure = new_figure(6.4, 4.0)
    axes = figure.add_subplot()
    steps = range(len(losses))                                 # losses[k]: after k updates
    axes.plot(steps, losses, color=CLASS_COLOURS[0], label="loss")
    if min(losses) > 0 and max(losses) / min(losses) > 30:
        axes.set_yscale("log")
    axes.set_xlabel("optimizer steps taken")
    axes.set_ylabel("loss", color=CLASS_COLOURS[0])
    axes.grid(alpha=0.3)
    accuracy_axes = axes.twinx()
    accuracy_axes.plot(steps, [100.0 * a for a in accuracies], color=CLASS_COLOURS[1], label="accuracy")
    accuracy_axes.set_ylabel("training accuracy (%)", color=CLASS_COLOURS[1])
    accuracy_axes.set_ylim(0, 105)
    axes.set_title(title)
    lines = axes.get_lines() + accuracy_axes.get_lines()
    axes.legend(lines, [line.get_label() for line in lines], loc="center right")
    return save_figure(figure, path)


def summary(results):
    """A few readable lines about a finished run."""
    lines = [f"final loss {results['final_loss']:.4g}, training accuracy {100 * results['accuracy']:.1f}% "
             f"after {results['steps']} steps ({results['seconds']:.1f} s)"]
    lines += [f"  wrote {path}" for path in results["files"].values()]
    return "\n".join(lines)
