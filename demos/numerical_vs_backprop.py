"""Numerical vs backprop: finite differences need two forward passes per weight, backprop one pass each way.

The point of the last seed (drummyfish, "backpropagation"): we could estimate every derivative of
the error by nudging each weight in turn and re-running the network, but that re-evaluates the
whole network for every weight. Backpropagation gets all of them from one forward and one backward
pass, reusing the chain rule's shared factors. This demo times both on the seed's network shape
(width-h input, hidden and output layers of logistic neurons, squared error ½ Σ (z − t)², one
training sample) as h grows, checks they agree, prints a table and plots both curves.

    python -m demos.numerical_vs_backprop [--widths 2 4 8 16 24 32] [--repeats 3] [--out DIR] [--quiet]
"""
import argparse
import random
import statistics
import time

from autograd import Value, no_grad, weighted_sum
from demos import _common

NAME = "numerical_vs_backprop"
WIDTHS = (2, 4, 8, 16, 24, 32)
EPS = 1e-6            # central differences: (E(w + eps) − E(w − eps)) / 2 eps


class SeedNetwork:
    """The seed's 2-2-2 network widened to h-h-h: logistic neurons with biases, squared error.

    >>> net = SeedNetwork(2, seed=0)
    >>> len(net.parameters())          # 2 layers of 2 neurons, each 2 weights and a bias
    12
    """

    def __init__(self, width, seed=0):
        rng = random.Random(seed)
        self.inputs = [rng.uniform(-1.0, 1.0) for _ in range(width)]
        self.targets = [rng.uniform(0.1, 0.9) for _ in range(width)]
        scale = width ** -0.5
        self.layers = [[([Value(rng.gauss(0.0, scale)) for _ in range(width)], Value(0.0))
                        for _ in range(width)] for _ in range(2)]

    def parameters(self):
        """Every weight and bias, layer by layer."""
        return [p for layer in self.layers for weights, bias in layer for p in weights + [bias]]

    def error(self):
        """E = ½ Σ (z − t)² for the one training sample, as a Value (a graph unless under no_grad)."""
        activations = self.inputs
        for layer in self.layers:
            activations = [weighted_sum(weights, activations, bias).sigmoid() for weights, bias in layer]
        return 0.5 * sum((z - t) ** 2 for z, t in zip(activations, self.targets))


def numerical_gradient(net, eps=EPS):
    """dE/dp for every parameter by central differences: two forward passes (no graph) per parameter.

    >>> net = SeedNetwork(2)
    >>> len(numerical_gradient(net)) == len(net.parameters())
    True
    """
    grads = []
    with no_grad():
        for p in net.parameters():
            original = p.data
            p.data = original + eps
            up = net.error().data
            p.data = original - eps
            down = net.error().data
            p.data = original
            grads.append((up - down) / (2.0 * eps))
    return grads


def backprop_gradient(net):
    """dE/dp for every parameter by one forward pass (recording the graph) and one backward pass.

    >>> net = SeedNetwork(2)
    >>> max(abs(a - b) for a, b in zip(backprop_gradient(net), numerical_gradient(net))) < 1e-8
    True
    """
    parameters = net.parameters()
    for p in parameters:
        p.grad = 0.0
    net.error().backward()
    return [p.grad for p in parameters]


def median_seconds(function, repeats):
    """The median wall time of `repeats` calls, and the last call's result."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def compare(width, repeats, seed=0):
    """Time both ways on an h-h-h network; one row of the table as a dict."""
    net = SeedNetwork(width, seed)
    count = len(net.parameters())
    numerical_time, numerical = median_seconds(lambda: numerical_gradient(net), repeats)
    backprop_time, backprop = median_seconds(lambda: backprop_gradient(net), repeats)
    return {
        "width": width,
        "weights": count,
        "forward_passes": 2 * count,
        "numerical_seconds": numerical_time,
        "backprop_seconds": backprop_time,
        "ratio": numerical_time / backprop_time,
        "max_abs_difference": max(abs(a - b) for a, b in zip(numerical, backprop)),
    }


def table(rows):
    """The rows as a fixed-width text table."""
    lines = [f"{'weights':>8} {'forward passes':>15} {'numerical (s)':>14} {'backprop (s)':>13} "
             f"{'ratio':>8} {'max |diff|':>11}"]
    for row in rows:
        lines.append(f"{row['weights']:>8} {row['forward_passes']:>15} {row['numerical_seconds']:>14.5f} "
                     f"{row['backprop_seconds']:>13.5f} {row['ratio']:>8.1f} "
                     f"{row['max_abs_difference']:>11.2e}")
    return "\n".join(lines)


def plot(path, rows):
    """Both timings against the number of weights, log-log, with slope-1 and slope-2 guides."""
    figure = _common.new_figure(6.6, 4.4)
    axes = figure.add_subplot()
    weights = [row["weights"] for row in rows]
    numerical = [row["numerical_seconds"] for row in rows]
    backprop = [row["backprop_seconds"] for row in rows]
    axes.loglog(weights, numerical, "o-", color=_common.CLASS_COLOURS[1], linewidth=2,
                label="finite differences: 2 forward passes per weight")
    axes.loglog(weights, backprop, "s-", color=_common.CLASS_COLOURS[0], linewidth=2,
                label="backprop: 1 forward + 1 backward pass")
    first, last = weights[0], weights[-1]
    for anchor, power, style in ((numerical[-1], 2, ":"), (backprop[-1], 1, "--")):
        guide = [anchor * (w / last) ** power for w in (first, last)]
        axes.loglog([first, last], guide, style, color="grey", linewidth=1,
                    label=f"guide: time ∝ weights{'²' if power == 2 else ''}")
    middle = (numerical[-1] * backprop[-1]) ** 0.5           # halfway between the curves, on a log axis
    axes.annotate("", (last, backprop[-1]), (last, numerical[-1]),
                  arrowprops={"arrowstyle": "<->", "color": "black", "linewidth": 0.8})
    axes.annotate(f"backprop {rows[-1]['ratio']:.0f}× faster", (last, middle), textcoords="offset points",
                  xytext=(-8, 0), ha="right", va="center", fontsize=9)
    axes.set_xlabel("number of weights (and biases) in the network")
    axes.set_ylabel("time for the whole gradient (s, median)")
    axes.set_title("All derivatives of the error: finite differences vs backprop")
    axes.grid(True, which="both", alpha=0.25)
    axes.legend(loc="upper left", fontsize=9)
    return _common.save_figure(figure, path)


def main(out_dir=None, widths=WIDTHS, repeats=3, seed=0, quiet=False):
    """Run the comparison for each width, print the table, write the plot to `out_dir`.

    Returns {"rows": [one dict per width], "files": {"plot": path}}.
    """
    widths = list(widths)
    if not widths or any(isinstance(w, bool) or not isinstance(w, int) or w < 1 for w in widths):
        raise ValueError(f"widths must be a non-empty list of ints >= 1, got {widths!r}")
    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"repeats must be an int >= 1, got {repeats!r}")
    folder = _common.output_folder(out_dir, NAME)
    rows = []
    for width in sorted(set(widths)):
        rows.append(compare(width, repeats, seed))
        if not quiet:
            print(f"  width {width}: {rows[-1]['weights']} weights done", flush=True)
    files = {"plot": plot(folder / "numerical_vs_backprop.png", rows)}
    if not quiet:
        print("Every derivative of the error, two ways (median of "
              f"{repeats} run{'s' if repeats != 1 else ''}):")
        print(table(rows))
        worst = max(row["max_abs_difference"] for row in rows)
        print(f"largest disagreement between the two: {worst:.2e} (finite differences with eps = {EPS})")
        print(f"wrote {files['plot']}")
    return {"rows": rows, "files": files}


def parse_args(argv=None):
    """The command line: --widths, --repeats, --seed, --out, --quiet."""
    parser = argparse.ArgumentParser(prog=f"python -m demos.{NAME}", description=__doc__.splitlines()[0])
    parser.add_argument("--widths", type=int, nargs="+", default=list(WIDTHS), metavar="H",
                        help="layer widths h of the h-h-h networks (default %(default)s)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per method, median kept (default 3)")
    parser.add_argument("--seed", type=int, default=0, help="seed for the weights and the sample (default 0)")
    parser.add_argument("--out", default=str(_common.default_out_dir(NAME)), metavar="DIR",
                        help="folder for the plot (default %(default)s)")
    parser.add_argument("--quiet", action="store_true", help="print nothing")
    arguments = parser.parse_args(argv)
    if min(arguments.widths) < 1:
        parser.error(f"--widths must all be at least 1, got {arguments.widths}")
    if arguments.repeats < 1:
        parser.error(f"--repeats must be at least 1, got {arguments.repeats}")
    return arguments


if __name__ == "__main__":
    arguments = parse_args()
    main(out_dir=arguments.out, widths=arguments.widths, repeats=arguments.repeats, seed=arguments.seed,
         quiet=arguments.quiet)
