"""Backward steps: a web page that walks the backward pass of one tanh neuron, node by node.

The neuron is the one from micrograd's lecture, o = tanh(x1·w1 + x2·w2 + b) with x1 = 2, x2 = 0,
w1 = −3, w2 = 1 and b chosen so that o = 1/√2. The page (one self-contained HTML file, no network)
highlights each node as it passes its gradient back and shows every upstream × local product.

    python -m demos.backward_steps [--out out/backward_steps] [--quiet]
"""
import argparse
import pathlib

from autograd import animate_backward, shown
from autograd.core.naming import node_names
from demos import _common
from demos.graphs import tanh_neuron

NAME = "backward_steps"


def lecture_neuron():
    """o = tanh(x1·w1 + x2·w2 + b) with micrograd's lecture numbers, built as the README and the graphs
    demo build it (so the page names its nodes as they do): (o, {label: Value}), before backward.

    >>> o, values = lecture_neuron()
    >>> round(o.data, 4), sorted(values)[:3], values["w1"].grad
    (0.7071, ['b', 'n', 'o'], 0.0)
    """
    values = tanh_neuron(backward=False)
    return values["o"], values


def main(out_dir=None, quiet=False):
    """Write the step-through page to `out_dir` (default ./out/backward_steps).

    Returns {"files": {"page": path}, "grads": {name: d(o)/d(name) from o.backward()}} for every node.
    """
    folder = _common.output_folder(out_dir, NAME)
    o, values = lecture_neuron()
    page = animate_backward(o, folder / "backward_steps.html",
                            title="Backpropagation through one neuron: o = tanh(x1·w1 + x2·w2 + b)")
    o.backward()                                               # the numbers the page ends with
    grads = {name: value.grad for value, name in node_names(o).items()}
    if not quiet:
        print(f"wrote {page}")
        print(f"open it in a browser: {pathlib.Path(page).resolve().as_uri()}")
        print("then step with → / ← (or the buttons), space to play, r to reset")
        print("final gradients: " + ", ".join(f"do/d{label} = {shown(grads[label])}"
                                             for label in ("x1", "w1", "x2", "w2", "b")))
    return {"files": {"page": str(page)}, "grads": grads}


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
