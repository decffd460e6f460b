"""Graphs: draw micrograd's README expression, a tanh neuron and a tiny MLP with their gradients; explain one weight.

Writes each drawing as SVG (laid out in pure Python: no Graphviz needed) and, when the Python package
graphviz is installed, as Graphviz DOT text too; prints the neuron as a text tree and the chain rule
for ∂o/∂w1 with its real numbers. Every view names the neuron's nodes the same way.

    python -m demos.graphs [--out out/graphs] [--quiet]
"""
import argparse
import importlib.util
import random

import nn
from autograd import Value, draw_dot, explain, format_tree
from demos import _common

# The neuron of micrograd's walkthrough: b is chosen so that n = 0.8814, where tanh(n) = 1/√2.
NEURON_BIAS = 6.8813735870195432


def micrograd_expression():
    """The expression from micrograd's README, each reassigned name labelled by version (c, c2, c3).

    Returns {name: Value} with the inputs a, b and the output g (backward already run).
    >>> values = micrograd_expression()
    >>> f"{values['g'].data:.4f}", f"{values['a'].grad:.4f}", f"{values['b'].grad:.4f}"
    ('24.7041', '138.8338', '645.5773')
    """
    a = Value(-4.0, label="a")
    b = Value(2.0, label="b")
    c = _named(a + b, "c")
    d = _named(a * b + b ** 3, "d")
    c = _named(c + (c + 1), "c2")                             # c += c + 1
    c = _named(c + (1 + c + (-a)), "c3")                      # c += 1 + c + (-a)
    d = _named(d + (d * 2 + (b + a).relu()), "d2")            # d += d * 2 + (b + a).relu()
    d = _named(d + (3 * d + (b - a).relu()), "d3")            # d += 3 * d + (b - a).relu()
    e = _named(c - d, "e")
    f = _named(e ** 2, "f")
    g = _named(f / 2.0, "g1")
    g = _named(g + 10.0 / f, "g")                             # g += 10.0 / f
    g.backward()
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "g": g}


def tanh_neuron(backward=True):
    """o = tanh(x1·w1 + x2·w2 + b) with micrograd's numbers, built as the README builds it; backward run.

    The inputs, weights, n and o are labelled; the products and their sum are not, so every view
    calls them mul_1, mul_2 and add_1 (the one naming rule of `autograd.core.naming.node_names`).
    >>> values = tanh_neuron()
    >>> f"{values['o'].data:.4f}", f"{values['w1'].grad:.4f}", values["w2"].grad
    ('0.7071', '1.0000', 0.0)
    """
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(NEURON_BIAS, label="b")
    n = _named(x1 * w1 + x2 * w2 + b, "n")
    o = _named(n.tanh(), "o")
    if backward:
        o.backward()
    return {"x1": x1, "x2": x2, "w1": w1, "w2": w2, "b": b, "n": n, "o": o}


def tiny_mlp(seed=0):
    """A 2-3-1 tanh MLP on one input with squared error; labels 'h1.w1', 'h1.b', ... name each neuron.

    Returns (loss, model); backward already run.
    >>> loss, model = tiny_mlp()
    >>> len(model.parameters()), loss.data >= 0.0
    (13, True)
    """
    random.seed(seed)
    model = nn.MLP(2, [3, 1], activation="tanh")
    x = [Value(1.0, label="x1"), Value(-2.0, label="x2")]
    hidden_layer, output_layer = model.layers
    hidden = []
    for j, neuron in enumerate(hidden_layer.neurons, start=1):
        _label_neuron(neuron, f"h{j}")
        a = neuron(x)
        _named(a.parents[0], f"h{j}.z")
        hidden.append(_named(a, f"h{j}.a"))
    _label_neuron(output_layer.neurons[0], "out")
    y = _named(output_layer.neurons[0](hidden), "out.y")
    loss = _named((y - 1.0) ** 2, "loss")
    loss.backward()
    return loss, model


def write_drawing(drawing, folder, stem):
    """Save the picture as STEM.svg and, when the Python package graphviz is installed, the DOT text as
    STEM.dot (render it with Graphviz's `dot -Tpng STEM.dot -o STEM.png`); return the paths."""
    files = {f"{stem}_svg": str(drawing.save(folder / f"{stem}.svg"))}
    if importlib.util.find_spec("graphviz") is not None:
        files[f"{stem}_dot"] = str(drawing.save(folder / f"{stem}.dot"))
    return files


def main(out_dir=None, quiet=False):
    """Draw the three graphs into `out_dir` (default ./out/graphs) and explain ∂o/∂w1 of the neuron.

    Returns {"expression": {name: (data, grad)}, "neuron": {name: (data, grad)}, "explanation": str,
    "files": {name: path}}.
    """
    folder = _common.output_folder(out_dir, "graphs")
    expression = micrograd_expression()
    neuron = tanh_neuron()
    loss, model = tiny_mlp()
    explanation = explain(neuron["o"], neuron["w1"])

    files = {}
    files.update(write_drawing(draw_dot(expression["g"], params=(), legend=True), folder, "expression"))
    weights_and_bias = [neuron["w1"], neuron["w2"], neuron["b"]]               # drawn as the neuron's parameters
    files.update(write_drawing(draw_dot(neuron["o"], params=weights_and_bias, show_local=True, legend=True), folder,
                               "neuron"))
    files.update(write_drawing(draw_dot(loss, params=model, clusters="prefix", legend=True), folder, "mlp"))
    explanation_path = folder / "neuron_explain.txt"
    explanation_path.write_text(str(explanation) + "\n", encoding="utf-8")
    files["explanation"] = str(explanation_path)

    if not quiet:
        g, a, b = expression["g"], expression["a"], expression["b"]
        print(f"micrograd's expression: g = {g.data:.4f}, ∂g/∂a = {a.grad:.4f}, ∂g/∂b = {b.grad:.4f}")
        print("\nThe neuron as a text tree (format_tree):")
        print(format_tree(neuron["o"]))
        print("\nexplain(o, w1):")
        print(explanation)
        print()
        for path in files.values():
            print(f"  wrote {path}")
    return {"expression": {name: (v.data, v.grad) for name, v in expression.items()},
            "neuron": {name: (v.data, v.grad) for name, v in neuron.items()},
            "mlp_loss": loss.data, "explanation": str(explanation), "files": files}


def _named(value, label):
    value.label = label
    return value


def _label_neuron(neuron, prefix):
    for i, w in enumerate(neuron.w, start=1):
        w.label = f"{prefix}.w{i}"
    neuron.b.label = f"{prefix}.b"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m demos.graphs", description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(_common.default_out_dir("graphs")), metavar="DIR",
                        help="folder for the drawings (SVG, and DOT text when the graphviz package is "
                             "installed) and the explanation text (default %(default)s)")
    parser.add_argument("--quiet", action="store_true", help="print nothing")
    arguments = parser.parse_args()
    main(out_dir=arguments.out, quiet=arguments.quiet)
