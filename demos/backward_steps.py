"""Backward steps: a web page that walks the backward pass of one tanh neuron, node by node.

The neuron is the one from micrograd's lecture, o = tanh(x1·w1 + x2·w2 + b) with x1 = 2, x2 = 0,
w1 = −3, w2 = 1 and b chosen so that o = 1/√2. The page (one self-contained HTML file, no network)
highlights each node as it passes its gradient back and shows every upstream × local product.

    python -m demos.backward_steps [--out out/backward_steps] [--quiet]
"""
import argparse
import pathlib

from autograd import Value, animate_backward
from demos import _common

NAME = "backward_steps"


def lecture_neuron():
    """o = tanh(x1·w1 + x2·w2 + b) with micrograd's lecture numbers and labels: (o, {label: Value}).

    >>> o, values = lecture_neuron()
    >>> round(o.data, 4), sorted(values)[:3]
    (0.7071, ['b', 'n', 'o'])
    """
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    x1w1x2w2 = x1w1 + x2w2
    x1w1x2w2.label = "x1*w1 + x2*w2"
    n = x1w1x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    values = {v.label: v for v in (x1, x2, w1, w2, b, x1w1, x2w2, x1w1x2w2, n, o)}
    return o, values


def main(out_dir=None, quiet=False):
    """Write the step-through page to `out_dir` (default ./out/backward_steps).

    Returns {"files": {"page": path}, "grads": {label: d(o)/d(label) from o.backward()}}.
    """
    folder = _common.output_folder(out_dir, NAME)
    o, values = lecture_neuron()
    page = animate_backward(o, folder / "backward_steps.html",
                            title="Backpropagation through one neuron: o = tanh(x1·w1 + x2·w2 + b)")
    o.backward()                                               # the numbers the page ends with
    grads = {label: value.grad for label, value in values.items()}
    if not quiet:
        print(f"wrote {page}")
        print(f"open it in a browser: {pathlib.Path(page).resolve().as_uri()}")
        print("then step with → / ← (or the buttons), space to play, r to reset")
        print("final gradients: " + ", ".join(f"do/d{label} = {grads[label]:.4f}"
                                             for label in ("x1", "w1", "x2", "w2", "b")))
    return {"files": {"page": page}, "grads": grads}


def parse_args(argv=None):
    """The command line: --out DIR and --quiet."""
    parser = argparse.ArgumentParser(prog=f"python -m demos.{NAME}", description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(_common.default_out_dir(NAME)), metavar="DIR",
                        help="folder for the page (default %(default)s)")
    parser.add_argument("--quiet", action="store_true", help="print nothing")
    return parser.parse_args(argv)


if __name__ == "__main__":
    arguments = parse_args()
    main(out_dir=arguments.out, quiet=arguments.quiet)
