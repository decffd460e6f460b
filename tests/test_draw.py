"""Drawings: draw_dot's Digraph (labels, edges, op labels, styling), rendering, the missing-dot error, format_tree."""
import os
import re
import shutil
import subprocess
import sys

import pytest

import nn
from autograd import Value, draw_dot, format_tree, print_tree, render_graph
from autograd.draw import GraphvizNotFound, grad_fill, op_label

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz's `dot` is not installed (apt-get install graphviz)")


def neuron():
    """micrograd's neuron o = tanh(x1*w1 + x2*w2 + b), labelled, backward run."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    return o


def node_lines(source):
    """{node id: its attribute text} for the node statements of DOT source."""
    return {m.group(1): m.group(2) for m in re.finditer(r"^\s*(\w+) \[(.*)\]$", source, flags=re.M)
            if m.group(1) not in ("graph", "node", "edge")}


def edges(source):
    """[(tail, head, attributes)] for the edge statements of DOT source."""
    return re.findall(r"^\s*(\w+) -> (\w+)(?: \[(.*)\])?$", source, flags=re.M)


def value_id(source, label):
    """The node id whose record starts with `label`."""
    for node, attributes in node_lines(source).items():
        if f'label="{{ {label} |' in attributes:
            return node
    raise AssertionError(f"no node labelled {label!r}")


def test_every_value_shows_label_data_and_grad_to_four_decimals():
    """Each Value's record is '{ label | data x.xxxx | grad y.yyyy }' with the real numbers."""
    o = neuron()
    source = draw_dot(o).source
    for value in [o, *o.parents]:
        assert f"{{ {value.label} | data {value.data:.4f} | grad {value.grad:.4f} }}" in source
    assert "{ x1 | data 2.0000 | grad -1.5000 }" in source     # dn/dx1 = w1 * (1 - tanh(n)^2) = -3 * 0.5


def test_unlabelled_values_show_only_data_and_grad():
    """A Value without a label gets a two-field record."""
    y = Value(1.25) * 2.0
    y.backward()
    assert '"{ data 2.5000 | grad 1.0000 }"' in draw_dot(y).source


def test_one_box_per_value_and_one_oval_per_op():
    """Node count = Values + non-leaf Values; edges = one per parent edge + one from each op to its output."""
    import random
    random.seed(1)
    model = nn.MLP(3, [4, 2, 1], activation="tanh")
    loss = (model([1.0, -0.5, 2.0]) - 1.0) ** 2
    values, stack = set(), [loss]
    while stack:
        v = stack.pop()
        if v not in values:
            values.add(v)
            stack.extend(v.parents)
    inner = [v for v in values if not v.is_leaf()]
    source = draw_dot(loss).source
    assert len(node_lines(source)) == len(values) + len(inner)
    assert len(edges(source)) == sum(len(v.parents) for v in inner) + len(inner)


def test_a_value_used_twice_gets_two_edges():
    """a * a: two edges from a's box to the × oval."""
    a = Value(3.0, label="a")
    y = a * a
    source = draw_dot(y).source
    a_id = value_id(source, "a")
    into_op = [(tail, head) for tail, head, _ in edges(source) if head.endswith("op")]
    assert into_op == [(a_id, into_op[0][1])] * 2


def test_plain_number_operands_are_written_in_the_op():
    """x * 2, x + 1, 10 - x, x / 4, x ** 2 are ops with one input edge and the constant in the oval."""
    x = Value(5.0, label="x")
    cases = {"× 2": x * 2, "+ 1": x + 1, "10 −": 10 - x, "− 3": x - 3, "÷ 4": x / 4, "^2": x ** 2,
             "^0.5": x ** 0.5, "×": x * x, "tanh": x.tanh(), "−": -x, "10 ÷": 10 / x, "2 ^": 2 ** x}
    for expected, node in cases.items():
        assert op_label(node) == expected
        source = draw_dot(node).source
        assert re.search(rf'label="?{re.escape(expected)}"? ', source)


def test_a_constant_divided_by_a_value_is_written_in_the_op_not_a_box():
    """10 / x: like every plain-number operand, the 10 is kept on the node's op, not made a leaf box."""
    x = Value(4.0, label="x")
    y = 10 / x
    y.backward()
    source = draw_dot(y).source
    assert "data 10.0000" not in source
    assert len(edges(source)) == 2 and "10 ÷" in source


def test_show_local_labels_each_input_edge_with_its_local_derivative():
    """With show_local=True every edge into an op carries d(op output)/d(input) to 4 decimals."""
    o = neuron()
    source = draw_dot(o, show_local=True).source
    labelled = [attributes for _, head, attributes in edges(source) if head.endswith("op")]
    assert all(re.search(r'label="?-?\d+\.\d{4}"?', a) for a in labelled)
    (tanh_edge,) = [a for _, head, a in edges(source) if head == value_id(source, "o") + "op"]
    assert re.search(rf'label="?{1 - o.data ** 2:.4f}"?', tanh_edge)        # d tanh(n)/dn = 1 - o^2
    assert not any("label=" in (a or "") for _, _, a in edges(draw_dot(o).source))


def test_styling_tells_output_parameters_inputs_and_intermediates_apart():
    """Leaves labelled w*/b* are parameters, other leaves inputs, the root the output, the rest intermediates."""
    o = neuron()
    nodes = node_lines(draw_dot(o).source)
    kinds = {label: re.search(r'class="value (\w+)"', nodes[value_id(draw_dot(o).source, label)]).group(1)
             for label in ["o", "n", "w1", "w2", "b", "x1", "x2"]}
    assert kinds == {"o": "output", "n": "intermediate", "w1": "parameter", "w2": "parameter",
                     "b": "parameter", "x1": "input", "x2": "input"}
    assert "Mrecord" in nodes[value_id(draw_dot(o).source, "w1")]
    assert "dashed" in nodes[value_id(draw_dot(o).source, "x1")]


def test_params_argument_overrides_the_label_rule():
    """With params=[...], exactly those leaves are parameters, whatever their labels."""
    o = neuron()
    x1 = [v for v in o.parents[0].parents[0].parents[0].parents if v.label == "x1"][0]
    source = draw_dot(o, params=[x1]).source
    nodes = node_lines(source)
    assert 'class="value parameter"' in nodes[value_id(source, "x1")]
    assert 'class="value input"' in nodes[value_id(source, "w1")]


def test_fill_colour_tells_sign_and_size_of_the_gradient():
    """Blue for grad > 0, red for grad < 0, white for 0; a larger |grad| is a darker shade."""
    def rgb(colour):
        return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))

    assert grad_fill(0.0, 3.0) == "#ffffff"
    r, g, b = rgb(grad_fill(2.0, 3.0))
    assert b > r
    r, g, b = rgb(grad_fill(-2.0, 3.0))
    assert r > b
    assert sum(rgb(grad_fill(3.0, 3.0))) < sum(rgb(grad_fill(1.0, 3.0))) < sum(rgb(grad_fill(0.1, 3.0)))
    assert sum(rgb(grad_fill(-3.0, 3.0))) < sum(rgb(grad_fill(-1.0, 3.0)))
    o = neuron()
    nodes = node_lines(draw_dot(o).source)
    source = draw_dot(o).source
    assert f'fillcolor="{grad_fill(-1.5, 1.5)}"' in nodes[value_id(source, "x1")]   # the largest |grad|
    assert 'fillcolor="#ffffff"' in nodes[value_id(source, "w2")]                     # grad 0


def test_max_nodes_caps_the_drawing_with_a_clear_error():
    """A graph bigger than max_nodes raises ValueError naming the count and how to raise the cap."""
    x = Value(1.0)
    y = x
    for _ in range(20):
        y = y * 1.5
    with pytest.raises(ValueError, match=r"21 Values, more than max_nodes=10.*max_nodes=21"):
        draw_dot(y, max_nodes=10)
    assert len(node_lines(draw_dot(y, max_nodes=21).source)) == 21 + 20
    assert len(node_lines(draw_dot(y, max_nodes=None).source)) == 21 + 20


def test_default_cap_stops_a_big_mlp_graph():
    """The default cap (300 Values) refuses a whole 2-16-16-1 MLP forward pass."""
    import random
    random.seed(0)
    out = nn.MLP(2, [16, 16, 1])([0.5, -1.0])
    with pytest.raises(ValueError, match="max_nodes"):
        draw_dot(out)


def test_deep_graph_is_drawn_without_recursion():
    """A chain deeper than Python's recursion limit is drawn (the walk is iterative)."""
    y = Value(0.5, label="x")
    for _ in range(sys.getrecursionlimit() + 200):
        y = y + 0.001
    source = draw_dot(y, max_nodes=None).source
    assert source.count("->") == 2 * (sys.getrecursionlimit() + 200)


def test_prefix_clusters_box_values_that_share_a_label_prefix():
    """clusters='prefix' puts 'h1.w1', 'h1.b', 'h1.z' in one cluster titled 'h1', with the op that made h1.z."""
    w, b, x = Value(2.0, label="h1.w1"), Value(0.5, label="h1.b"), Value(3.0, label="x")
    z = w * x + b
    z.label = "h1.z"
    source = draw_dot(z, clusters="prefix").source
    cluster = re.search(r"subgraph cluster_0 \{(.*?)\n\t\}", source, flags=re.S).group(1)
    assert re.search(r'label="?h1"? ', cluster)
    for label in ["h1.w1", "h1.b", "h1.z"]:
        assert f"{{ {label} |" in cluster
    assert "{ x |" not in cluster
    assert value_id(source, "h1.z") + "op [" in cluster


def test_cluster_mapping_and_its_errors():
    """clusters={title: Values} boxes those Values; a Value in two clusters or a non-Value is an error."""
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    y = a * b
    source = draw_dot(y, clusters={"inputs": [a, b]}).source
    assert re.search(r'label="?inputs"? ', source)
    with pytest.raises(ValueError, match="two clusters"):
        draw_dot(y, clusters={"one": [a], "two": [a]})
    with pytest.raises(TypeError, match="not a Value"):
        draw_dot(y, clusters={"one": [1.0]})
    with pytest.raises(TypeError, match="clusters"):
        draw_dot(y, clusters=42)


def test_bad_arguments_are_named():
    """A non-Value root, an unknown rankdir, a bad max_nodes or bad params raise clear errors."""
    y = Value(1.0) * 2
    with pytest.raises(TypeError, match="needs a Value"):
        draw_dot(2.0)
    with pytest.raises(ValueError, match="rankdir"):
        draw_dot(y, rankdir="sideways")
    with pytest.raises(ValueError, match="max_nodes"):
        draw_dot(y, max_nodes=0)
    with pytest.raises(TypeError, match=r"params\[1\]"):
        draw_dot(y, params=[Value(1.0), "w"])
    assert 'rankdir=TB' in draw_dot(y, rankdir="TB").source


def test_record_special_characters_are_escaped():
    """Labels with record syntax ({ } | < >) are escaped so the record keeps its three fields."""
    y = Value(1.0, label="a|b{c}<d>") * 2
    y.backward()
    source = draw_dot(y).source
    assert r"{ a\|b\{c\}\<d\> | data 1.0000 | grad 2.0000 }" in source


def test_legend_explains_the_styling():
    """legend=True adds a graph label naming the colours, the borders and the largest |grad|."""
    o = neuron()
    source = draw_dot(o, legend=True, show_local=True).source
    assert "blue grad > 0" in source and "red grad < 0" in source
    assert "largest 1.5000" in source
    assert "local derivative" in source
    assert "blue grad" not in draw_dot(o).source


def test_import_autograd_does_not_import_graphviz():
    """graphviz is imported lazily, only when draw_dot runs."""
    code = "import sys, autograd; print('graphviz' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert result.stdout.strip() == "False"


def test_missing_graphviz_package_says_how_to_install_it(monkeypatch):
    """Without the Python package, draw_dot raises ImportError naming `pip install graphviz`."""
    monkeypatch.setitem(sys.modules, "graphviz", None)
    with pytest.raises(ImportError, match="pip install graphviz"):
        draw_dot(Value(1.0) * 2)


@needs_dot
def test_render_svg_png_and_pdf(tmp_path):
    """render_graph writes real SVG, PNG and PDF files (format from the suffix or given)."""
    o = neuron()
    svg = render_graph(o, tmp_path / "neuron.svg")
    text = svg.read_text(encoding="utf-8")
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    assert "grad 1.0000" in text and 'class="node value output"' in text
    assert render_graph(draw_dot(o), tmp_path / "neuron.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert render_graph(o, tmp_path / "graph.bin", format="pdf").read_bytes()[:5] == b"%PDF-"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.bin", "neuron.png", "neuron.svg"]


@needs_dot
def test_draw_dot_result_renders_directly(tmp_path):
    """The Digraph's own .render() works too, and escaped labels come out as typed."""
    y = Value(1.0, label="a|b{c}") * 2
    path = draw_dot(y).render(tmp_path / "g", format="svg")
    assert "a|b{c}" in open(path, encoding="utf-8").read()


def test_missing_dot_binary_names_the_os_package(tmp_path, monkeypatch):
    """With no `dot` on PATH, rendering says how to install Graphviz; .source and .dot files still work."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    o = neuron()
    with pytest.raises(GraphvizNotFound) as error:
        render_graph(o, tmp_path / "neuron.svg")
    message = str(error.value)
    assert "apt-get install graphviz" in message and "brew install graphviz" in message
    assert ".source" in message
    assert not (tmp_path / "neuron.svg").exists()
    assert "digraph" in draw_dot(o).source
    dot_file = render_graph(o, tmp_path / "neuron.dot")
    assert dot_file.read_text(encoding="utf-8") == draw_dot(o).source


def test_dot_vanishing_after_the_check_gives_the_same_error(tmp_path, monkeypatch):
    """If graphviz itself cannot run `dot`, its ExecutableNotFound becomes GraphvizNotFound."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/" + name)
    with pytest.raises(GraphvizNotFound, match="apt-get install graphviz"):
        render_graph(Value(1.0) * 2, tmp_path / "y.svg")


def test_render_graph_bad_arguments(tmp_path):
    """An unknown suffix, a missing folder, a non-graph, or options with a Digraph are errors."""
    y = Value(1.0) * 2
    with pytest.raises(ValueError, match="format"):
        render_graph(y, tmp_path / "y.jpeg2000")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        render_graph(y, tmp_path / "no" / "y.dot")
    with pytest.raises(TypeError, match="Value or a graphviz Digraph"):
        render_graph("y", tmp_path / "y.dot")
    with pytest.raises(TypeError, match="only apply to a Value"):
        render_graph(draw_dot(y), tmp_path / "y.dot", legend=True)
    assert list(tmp_path.iterdir()) == []


def test_text_tree_lists_every_value_with_data_and_grad():
    """format_tree: output first, children indented under their op's output, numbers to 4 decimals."""
    o = neuron()
    lines = format_tree(o).splitlines()
    assert lines[0].startswith("o = tanh(n)") and re.search(r"grad +1\.0000$", lines[0])
    assert len(lines) == 10                                    # o, n, add, two products, four leaves, b
    for label, data, grad in [("x1", 2.0, -1.5), ("w2", 1.0, 0.0), ("b", 6.8813735870195432, 0.5)]:
        line = next(line for line in lines if re.search(rf"── {label} ", line))
        assert re.search(rf"data +{data:.4f}  grad +{grad:.4f}$", line)
    assert "└── n = add_1 + b" in lines[1]
    assert lines[2].startswith("    ├── add_1 = mul_1 + mul_2")


def test_text_tree_shows_a_shared_node_once():
    """A Value reached twice is expanded once, then referenced as '(shown above)'."""
    a = Value(2.0, label="a")
    shared = (a * 3.0).tanh()
    y = shared * shared + shared
    y.label = "y"
    text = format_tree(y)
    assert text.count("tanh_1 = tanh(mul_1)") == 1
    assert text.count("tanh_1  (shown above)") == 2
    assert text.count("── a ") == 1


def test_text_tree_of_a_deep_chain_and_of_a_leaf(capsys):
    """format_tree is iterative (a chain deeper than the recursion limit works); print_tree prints it."""
    y = Value(1.0, label="x")
    depth = sys.getrecursionlimit() + 100
    for _ in range(depth):
        y = y * 1.0
    assert len(format_tree(y, max_nodes=None).splitlines()) == depth + 1
    with pytest.raises(ValueError, match=f"pass max_nodes={depth + 1}"):
        format_tree(y)                                         # over the default cap of 1000
    print_tree(Value(-0.5, label="leaf"))
    assert capsys.readouterr().out == "leaf  data -0.5000  grad 0.0000\n"
    with pytest.raises(TypeError, match="needs a Value"):
        format_tree([y])


def test_drawing_before_backward_shows_computed_gradients_and_says_so():
    """Before backward() the boxes show d(root)/d(value) (not micrograd's zeros) and .grad stays 0."""
    x = Value(3.0, label="x")
    y = x * x
    source = draw_dot(y).source
    assert "grad 6.0000" in source and "backward() has not run" in source
    assert x.grad == 0.0 and y.grad == 0.0
    assert "grad 6.0000" in format_tree(y)


def test_an_nn_model_is_styled_and_clustered_without_labels():
    """An unlabeled nn MLP: its weights and biases are drawn as parameters, one cluster per neuron."""
    import random
    from nn import MLP
    random.seed(0)
    model = MLP(2, [3, 1])
    out = model([0.5, -1.0])
    source = draw_dot(out, clusters="neurons").source
    assert source.count('class="value parameter"') == len(model.parameters())
    assert source.count("subgraph cluster_") == 4
