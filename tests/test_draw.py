"""Drawings: the pure-Python SVG (layout, styling, notebooks), the Graphviz DOT text, rendering, format_tree."""
import os
import random
import re
import shutil
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ElementTree

import pytest

import nn
from autograd import Value, animate_backward, draw_dot, explain, format_tree, print_tree, render_graph, weighted_sum
from autograd.views.draw import Drawing, GraphvizNotFound, grad_fill, op_label
from autograd.core.naming import node_names
from autograd.views.text import shown

SVG = "{http://www.w3.org/2000/svg}"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

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


def test_every_value_shows_label_data_and_grad_to_four_significant_digits():
    """Each Value's record is '{ label | data x | grad y }' with the real numbers as `shown` writes them."""
    o = neuron()
    source = draw_dot(o).source
    for value in [o, *o.parents]:
        assert f"{{ {value.label} | data {shown(value.data)} | grad {shown(value.grad)} }}" in source
    assert "{ x1 | data 2.000 | grad -1.500 }" in source     # dn/dx1 = w1 * (1 - tanh(n)^2) = -3 * 0.5


def test_unlabelled_values_show_only_data_and_grad_in_dot_and_a_made_up_name_in_the_svg():
    """A Value without a label gets a two-field record in DOT; the SVG names it as print_tree does, in italics."""
    y = Value(1.25) * 2.0
    y.backward()
    drawing = draw_dot(y)
    assert '"{ data 2.500 | grad 1.000 }"' in drawing.source
    boxes = svg_boxes(drawing.svg)
    assert set(boxes) == {"leaf_1", "mul_1"} and 'font-style="italic"' in drawing.svg


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
    assert "data 10.00" not in source
    assert len(edges(source)) == 2 and "10 ÷" in source


def test_show_local_labels_each_input_edge_with_its_local_derivative():
    """With show_local=True every edge into an op carries d(op output)/d(input) to 4 significant digits."""
    o = neuron()
    source = draw_dot(o, show_local=True).source
    labelled = [attributes for _, head, attributes in edges(source) if head.endswith("op")]
    assert all(re.search(r'label="?(-?\d\.\d{3}|-?0\.\d*[1-9]\d{3}|0)"?', a) for a in labelled)
    (tanh_edge,) = [a for _, head, a in edges(source) if head == value_id(source, "o") + "op"]
    assert re.search(rf'label="?{1 - o.data ** 2:.4f}"?', tanh_edge)        # d tanh(n)/dn = 1 - o^2
    assert not any("label=" in (a or "") for _, _, a in edges(draw_dot(o).source))


def test_styling_tells_output_parameters_inputs_and_intermediates_apart():
    """Without params no leaf is a parameter (labels starting with w or b are not a guess), the root is the
    output, other non-leaves intermediates; with params, exactly those leaves are parameters."""
    o = neuron()
    kinds = {name: box["kind"] for name, box in svg_boxes(draw_dot(o).svg).items()}
    assert kinds == {"o": "output", "n": "intermediate", "add_1": "intermediate", "mul_1": "intermediate",
                     "mul_2": "intermediate", "w1": "input", "w2": "input", "b": "input", "x1": "input",
                     "x2": "input"}
    weights = [v for v in node_names(o) if v.label in ("w1", "w2", "b")]
    source = draw_dot(o, params=weights).source
    nodes = node_lines(source)
    kinds = {label: re.search(r'class="value (\w+)"', nodes[value_id(source, label)]).group(1)
             for label in ["o", "n", "w1", "w2", "b", "x1", "x2"]}
    assert kinds == {"o": "output", "n": "intermediate", "w1": "parameter", "w2": "parameter",
                     "b": "parameter", "x1": "input", "x2": "input"}
    assert "Mrecord" in nodes[value_id(source, "w1")]
    assert "dashed" in nodes[value_id(source, "x1")]


def test_a_label_starting_with_b_or_w_is_not_a_parameter():
    """The tutorial's first picture, f = (a * b + c) * f: b is drawn as an input like a and c, and the
    legend does not speak of labels."""
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c")
    e = a * b; e.label = "e"
    d = e + c; d.label = "d"
    weight = Value(-2.0, label="w")
    f = d * weight; f.label = "L"
    f.backward()
    drawing = draw_dot(f, legend=True)
    kinds = {name: box["kind"] for name, box in svg_boxes(drawing.svg).items()}
    assert {kinds[name] for name in ("a", "b", "c", "w")} == {"input"}
    assert "labelled w" not in drawing.svg and "parameter" not in kinds.values()


def test_parameters_of_an_nn_model_in_the_graph_are_styled_without_params():
    """The weights and biases of the neuron nodes an nn model makes are parameters (the op says which operands
    are weights); the model's float inputs are inputs named x[0], x[1]."""
    random.seed(0)
    model = nn.MLP(2, [3, 1])
    out = model([0.5, -1.0])
    out.backward()
    boxes = svg_boxes(draw_dot(out).svg)
    parameters = [name for name, box in boxes.items() if box["kind"] == "parameter"]
    assert len(parameters) == len(model.parameters())
    assert boxes["x[0]"]["kind"] == boxes["x[1]"]["kind"] == "input"
    assert boxes["x[0]"]["texts"][1:3] == ["data", "0.5000"]


def test_model_inputs_and_create_graph_seeds_get_names_that_say_what_they_are():
    """One naming rule in every view: an unlabelled input of a neuron is x[i], the seed of a create_graph
    gradient is 'seed', and any other unlabelled leaf is leaf_1, leaf_2, ... (the README's rule)."""
    from autograd import grad
    random.seed(0)
    model = nn.MLP(2, [2, 1])
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    names = set(node_names(loss, params=model).values())
    assert {"x[0]", "x[1]"} <= names and not [n for n in names if n.startswith("leaf_")]
    assert re.search(r"── x\[0\] +data", format_tree(loss, params=model))
    x = Value(1.5, label="x")
    (dy,) = grad(x ** 3, [x], create_graph=True)
    seed_names = set(node_names(dy).values())
    assert "seed" in seed_names and not [n for n in seed_names if n.startswith("leaf_")]
    assert "seed" in svg_boxes(draw_dot(dy).svg)
    plain = Value(1.25) * Value(2.0)
    assert sorted(node_names(plain).values()) == ["leaf_1", "leaf_2", "mul_1"]


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
    with pytest.raises(TypeError, match="model or an iterable"):
        draw_dot(y, params=Value(1.0))


def test_record_special_characters_are_escaped():
    """Labels with record syntax ({ } | < >) are escaped so the record keeps its three fields."""
    y = Value(1.0, label="a|b{c}<d>") * 2
    y.backward()
    source = draw_dot(y).source
    assert r"{ a\|b\{c\}\<d\> | data 1.000 | grad 2.000 }" in source


def test_legend_explains_the_styling():
    """legend=True adds a graph label naming the colours, the borders and the largest |grad|."""
    o = neuron()
    source = draw_dot(o, legend=True, show_local=True).source
    assert "blue grad > 0" in source and "red grad < 0" in source
    assert "largest 1.500" in source
    assert "local derivative" in source
    assert "blue grad" not in draw_dot(o).source


def test_import_autograd_does_not_import_graphviz():
    """graphviz is imported lazily, only when draw_dot runs."""
    code = "import sys, autograd; print('graphviz' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert result.stdout.strip() == "False"


def test_missing_graphviz_package_still_draws_and_says_how_to_get_dot_text(monkeypatch):
    """Without the Python package the SVG drawing works; only .source raises, naming `pip install graphviz`."""
    monkeypatch.setitem(sys.modules, "graphviz", None)
    drawing = draw_dot(Value(1.0) * 2)
    assert "image/svg+xml" in drawing._repr_mimebundle_()
    with pytest.raises(ImportError, match="pip install graphviz"):
        drawing.source


@needs_dot
def test_render_svg_png_and_pdf(tmp_path):
    """render_graph writes the drawing's own SVG, and real PNG and PDF files (format from the suffix or given)."""
    o = neuron()
    svg = render_graph(o, tmp_path / "neuron.svg")
    text = svg.read_text(encoding="utf-8")
    assert text == draw_dot(o).svg and 'class="value output"' in text
    assert render_graph(draw_dot(o), tmp_path / "neuron.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert render_graph(o, tmp_path / "graph.bin", format="pdf").read_bytes()[:5] == b"%PDF-"
    assert draw_dot(o).save(tmp_path / "saved.dot").read_text(encoding="utf-8") == draw_dot(o).source
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.bin", "neuron.png", "neuron.svg", "saved.dot"]


@needs_dot
def test_the_graphviz_digraph_renders_directly(tmp_path):
    """.graphviz() is a graphviz.Digraph whose own .render() works, and escaped labels come out as typed."""
    y = Value(1.0, label="a|b{c}") * 2
    path = draw_dot(y).graphviz().render(tmp_path / "g", format="svg")
    assert "a|b{c}" in open(path, encoding="utf-8").read()
    assert render_graph(draw_dot(y).graphviz(), tmp_path / "digraph.svg").read_text(encoding="utf-8").count("<svg")


@needs_dot
def test_graphviz_engine_draws_with_dot_and_fits_the_column():
    """engine='graphviz': Graphviz's SVG, without the XML prologue, in px, scaling down to the column width."""
    drawing = draw_dot(neuron(), engine="graphviz")
    assert drawing.engine == "graphviz" and drawing.svg.startswith("<svg")
    assert 'style="max-width:100%;height:auto"' in drawing.svg and 'class="node value output"' in drawing.svg
    assert re.match(r'<svg width="\d+" height="\d+"', drawing.svg)


def test_graphviz_engine_without_dot_warns_and_draws_in_python(tmp_path, monkeypatch):
    """With no `dot`, engine='graphviz' gives the pure-Python picture and one warning saying what to install."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.warns(UserWarning, match="apt-get install graphviz"):
        drawing = draw_dot(neuron(), engine="graphviz")
    assert drawing.engine == "python" and "image/svg+xml" in drawing._repr_mimebundle_()


def test_missing_dot_binary_svg_works_and_png_names_the_os_package(tmp_path, monkeypatch):
    """With no `dot` on PATH, SVG and DOT files are written; PNG says how to install Graphviz, writing nothing."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    o = neuron()
    assert render_graph(o, tmp_path / "neuron.svg").read_text(encoding="utf-8").startswith("<svg")
    with pytest.raises(GraphvizNotFound) as error:
        render_graph(o, tmp_path / "neuron.png")
    message = str(error.value)
    assert "apt-get install graphviz" in message and "brew install graphviz" in message
    assert "graph.svg" in message and ".source" in message
    assert not (tmp_path / "neuron.png").exists()
    dot_file = render_graph(o, tmp_path / "neuron.dot")
    assert dot_file.read_text(encoding="utf-8") == draw_dot(o).source


def test_dot_vanishing_after_the_check_gives_the_same_error(tmp_path, monkeypatch):
    """If graphviz itself cannot run `dot`, its ExecutableNotFound becomes GraphvizNotFound."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/" + name)
    with pytest.raises(GraphvizNotFound, match="apt-get install graphviz"):
        render_graph(Value(1.0) * 2, tmp_path / "y.png")


def test_render_graph_bad_arguments(tmp_path):
    """An unknown suffix, a missing folder, a non-graph, or options with a Drawing are errors."""
    y = Value(1.0) * 2
    with pytest.raises(ValueError, match="format"):
        render_graph(y, tmp_path / "y.jpeg2000")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        render_graph(y, tmp_path / "no" / "y.dot")
    with pytest.raises(TypeError, match="a Value, a Drawing or a graphviz Digraph"):
        render_graph("y", tmp_path / "y.dot")
    with pytest.raises(TypeError, match="only apply to a Value"):
        render_graph(draw_dot(y), tmp_path / "y.dot", legend=True)
    with pytest.raises(ValueError, match="engine"):
        draw_dot(y, engine="matplotlib")
    with pytest.raises(ValueError, match="collapse"):
        draw_dot(y, collapse="everything")
    assert list(tmp_path.iterdir()) == []


def test_text_tree_lists_every_value_with_data_and_grad():
    """format_tree: output first, children indented under their op's output, numbers as `shown` writes them."""
    o = neuron()
    lines = format_tree(o).splitlines()
    assert lines[0].startswith("o = tanh(n)") and re.search(r"grad +1\.000$", lines[0])
    assert len(lines) == 10                                    # o, n, add, two products, four leaves, b
    for label, data, grad in [("x1", 2.0, -1.5), ("w2", 1.0, 0.0), ("b", 6.8813735870195432, 0.5)]:
        line = next(line for line in lines if re.search(rf"── {label} ", line))
        assert re.search(rf"data +{shown(data)}  grad +{shown(grad)}$", line)
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
    assert capsys.readouterr().out == "leaf  data -0.5000  grad 0\n"
    with pytest.raises(TypeError, match="needs a Value"):
        format_tree([y])


def test_drawing_before_backward_shows_computed_gradients_and_says_so():
    """Before backward() the boxes show d(root)/d(value) (not micrograd's zeros) and .grad stays 0."""
    x = Value(3.0, label="x")
    y = x * x
    source = draw_dot(y).source
    assert "grad 6.000" in source and "backward() has not run" in source
    assert x.grad == 0.0 and y.grad == 0.0
    assert "grad 6.000" in format_tree(y)


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


# ---- the pure-Python SVG drawing ---------------------------------------------------------------
def svg_boxes(svg):
    """{name: {'kind', 'rect': (x, y, w, h), 'texts'}} for every Value box of a drawing (parsed as XML)."""
    boxes = {}
    for group in ElementTree.fromstring(svg).iter(SVG + "g"):
        classes = group.get("class", "").split()
        if classes[:1] == ["value"]:
            rect = group.find(SVG + "rect")
            boxes[group.get("data-name")] = {
                "kind": classes[1],
                "rect": tuple(float(rect.get(k)) for k in ("x", "y", "width", "height")),
                "texts": [t.text for t in group.iter(SVG + "text")]}
    return boxes


def cluster_rects(svg):
    """{title: (x, y, w, h)} of the cluster boxes of a drawing."""
    found = {}
    for group in ElementTree.fromstring(svg).iter(SVG + "g"):
        if group.get("class") == "cluster":
            rect = group.find(SVG + "rect")
            found[group.find(SVG + "text").text] = tuple(float(rect.get(k)) for k in ("x", "y", "width", "height"))
    return found


def overlap(a, b):
    (ax, ay, aw, ah), (bx, by, bw, bh) = a, b
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah


def tiny_mlp():
    """An unlabelled 2-3-1 tanh MLP with squared error, backward run: (loss, model)."""
    random.seed(0)
    model = nn.MLP(2, [3, 1], activation="tanh")
    loss = (model([1.0, -2.0]) - 1.0) ** 2
    loss.backward()
    return loss, model


def test_drawing_shows_inline_as_svg_with_no_graphviz_at_all(tmp_path, monkeypatch):
    """No `dot` on PATH and no graphviz package: draw_dot still gives image/svg+xml, and no warning."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setitem(sys.modules, "graphviz", None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        drawing = draw_dot(neuron(), show_local=True, legend=True)
    bundle = drawing._repr_mimebundle_()
    assert bundle["image/svg+xml"] == drawing.svg == drawing._repr_svg_()
    assert isinstance(drawing, Drawing) and drawing.engine == "python" and "Drawing of 10 Values" in repr(drawing)
    ElementTree.fromstring(drawing.svg)                        # well-formed XML


def test_svg_scales_to_the_column_and_is_self_contained():
    """A viewBox the size of width × height, max-width 100% and auto height; no scripts, links or ids. A
    drawing wider than a notebook column has no width or height, so even as an <img> it fills the column."""
    svg = draw_dot(neuron()).svg
    root = ElementTree.fromstring(svg)
    width, height = float(root.get("width")), float(root.get("height"))
    assert root.get("viewBox") == f"0 0 {width:.0f} {height:.0f}" and width <= 960
    assert root.get("style") == "max-width:100%;height:auto"
    assert not re.search(r"<script|<style|href=| id=|url\(", svg)
    loss, model = tiny_mlp()
    wide = ElementTree.fromstring(draw_dot(loss, params=model, clusters="neurons", show_local=True).svg)
    assert wide.get("width") is None and wide.get("height") is None
    assert float(wide.get("viewBox").split()[2]) > 960 and wide.get("style") == "max-width:100%;height:auto"


def test_every_value_box_shows_name_op_data_and_grad():
    """Each box: the name, the op mark for a non-leaf, data and grad to 4 significant digits; kinds are styled
    (with the neuron's weights and bias given as params)."""
    o = neuron()
    boxes = svg_boxes(draw_dot(o, params=[v for v in node_names(o) if v.label in ("w1", "w2", "b")]).svg)
    assert set(boxes) == {"x1", "w1", "x2", "w2", "b", "mul_1", "mul_2", "add_1", "n", "o"}
    assert boxes["o"]["texts"] == ["o", "tanh", "data", "0.7071", "grad", "1.000"]
    assert boxes["x1"]["texts"] == ["x1", "data", "2.000", "grad", "-1.500"]
    assert boxes["mul_1"]["texts"][1] == "×"
    assert {name: box["kind"] for name, box in boxes.items() if box["kind"] != "intermediate"} == {
        "o": "output", "w1": "parameter", "w2": "parameter", "b": "parameter", "x1": "input", "x2": "input"}


def test_one_edge_per_use_with_its_local_derivative():
    """a * a draws two arrows into the product; show_local writes each local derivative (no -0)."""
    a = Value(3.0, label="a")
    y = a * a * -0.0
    y.backward()
    svg = draw_dot(y, show_local=True).svg
    assert svg.count("<polygon") == 3 and svg.count("<path") == 3
    labels = re.findall(r'<text x="[\d.]+" y="[\d.]+" text-anchor="\w+">([^<]*)</text>', svg)
    assert sorted(labels) == ["0", "3.000", "3.000"]
    assert not re.search(r">-0(\.0*)?<", svg) and not re.search(r" -0(\.0+)?\b", format_tree(y))


def test_hostile_labels_are_escaped_in_the_svg():
    """Labels with < & " stay text: the SVG parses and shows them as typed."""
    evil = '<script>alert("x")</script> & more'
    y = Value(1.0, label=evil) * 2
    boxes = svg_boxes(draw_dot(y).svg)
    assert evil in boxes and "<script>" not in draw_dot(y).svg


def test_same_graph_same_svg_in_any_process():
    """The drawing is deterministic: the same graph gives byte-identical SVG, across hash seeds too."""
    code = ("import random, nn; from autograd import draw_dot; random.seed(0); m = nn.MLP(2, [3, 1]); "
            "l = (m([1.0, -2.0]) - 1.0) ** 2; l.backward(); "
            "import hashlib; print(hashlib.sha256(draw_dot(l, clusters='neurons', params=m, show_local=True)"
            ".svg.encode()).hexdigest())")
    digests = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT,
                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")}
    assert len(digests) == 1
    assert draw_dot(neuron(), show_local=True).svg == draw_dot(neuron(), show_local=True).svg


def test_boxes_never_overlap_and_edges_end_at_their_boxes():
    """On random graphs no two boxes overlap, and each arrow tip touches the left side of its box."""
    for seed in range(8):
        rng = random.Random(seed)
        pool = [Value(rng.uniform(-1, 1), label=f"x{i}") for i in range(3)]
        for _ in range(25):
            a, b = rng.choice(pool), rng.choice(pool[-6:])
            pool.append(rng.choice([a * b, a + b, (a - b).tanh(), a * 2.0, weighted_sum([a, b], [b, a], a)]))
        root = pool[-1] + pool[-2] + pool[-3]
        svg = draw_dot(root, show_local=True, rankdir="LR").svg
        rects = [box["rect"] for box in svg_boxes(svg).values()]
        assert not [(a, b) for i, a in enumerate(rects) for b in rects[i + 1:] if overlap(a, b)], seed
        lefts = {round(x, 1) for x, _, _, _ in rects}
        tips = [float(m.group(1)) for m in re.finditer(r'<polygon points="([\d.]+),', svg)]
        assert all(round(tip + 1, 1) in lefts for tip in tips), seed


def test_mlp_clusters_in_layer_order_without_overlap_and_parameters_named():
    """A 2-3-1 MLP drawn with its model: one cluster per neuron, layer 0 left of layer 1, no two clusters
    overlapping, the three layer-0 neurons top to bottom, each parameter named by its place (w[0][1][0])."""
    loss, model = tiny_mlp()
    svg = draw_dot(loss, params=model, clusters="neurons", show_local=True).svg
    clusters = cluster_rects(svg)
    assert list(clusters) == ["layers[0].neurons[0]", "layers[0].neurons[1]", "layers[0].neurons[2]",
                              "layers[1].neurons[0]"]
    rects = list(clusters.values())
    assert not [(a, b) for i, a in enumerate(rects) for b in rects[i + 1:] if overlap(a, b)]
    *first, last = rects
    assert all(x + w <= last[0] for x, _, w, _ in first)
    assert [y for _, y, _, _ in first] == sorted(y for _, y, _, _ in first)
    boxes = svg_boxes(svg)
    assert {"w[0][0][0]", "w[0][2][1]", "b[0][1]", "w[1][0][2]", "b[1][0]"} <= set(boxes)
    assert all(box["kind"] == "parameter" for name, box in boxes.items() if name.startswith(("w[", "b[")))
    for title, (x, y, w, h) in clusters.items():                # a cluster holds no box of another neuron
        layer, neuron_index = re.findall(r"\d+", title)
        for name, box in boxes.items():
            if name.startswith(("w[", "b[")) and overlap(box["rect"], (x, y, w, h)):
                assert name[2:].startswith(f"{layer}][{neuron_index}]"), (title, name)


def test_collapse_folds_each_neurons_parameters_into_it():
    """collapse='parameters' draws no weight or bias box; each neuron box says how many it holds."""
    loss, model = tiny_mlp()
    drawing = draw_dot(loss, collapse="parameters")
    boxes = svg_boxes(drawing.svg)
    assert not [b for b in boxes.values() if b["kind"] == "parameter"]
    ops = [text for b in boxes.values() for text in b["texts"] if text.endswith("params)")]
    assert sorted(ops) == ["w·x+b (3 params)"] * 3 + ["w·x+b (4 params)"]
    random.seed(0)
    big = nn.MLP(2, [16, 16, 1])([0.5, -1.0])
    with pytest.raises(ValueError, match="collapse='parameters'"):
        draw_dot(big)
    assert len(svg_boxes(draw_dot(big, collapse="parameters").svg)) == 67   # 404 Values, 337 folded


def test_big_graphs_say_how_to_see_less():
    """Past 80 Values the drawing adds a line on how to collapse or cap it; the auto direction turns a long
    chain top to bottom so it fits a notebook column."""
    y = Value(0.5, label="x")
    for _ in range(99):
        y = y * 1.01
    drawing = draw_dot(y)
    notes = " ".join(re.findall(r'<text class="note"[^>]*>([^<]*)</text>', drawing.svg))
    assert "100 Values: to see less" in notes and "collapse=&#x27;parameters&#x27;" in notes
    width = float(ElementTree.fromstring(drawing.svg).get("width"))
    assert width < 960 and 'rankdir=TB' in drawing.source
    assert 'rankdir=LR' in draw_dot(neuron()).source


@pytest.mark.parametrize("rankdir", ["LR", "TB", "RL", "BT"])
def test_every_direction_draws_every_box(rankdir):
    """All four directions lay out every Value without overlap."""
    boxes = svg_boxes(draw_dot(neuron(), rankdir=rankdir, show_local=True).svg)
    rects = [b["rect"] for b in boxes.values()]
    assert len(rects) == 10 and not [(a, b) for i, a in enumerate(rects) for b in rects[i + 1:] if overlap(a, b)]


def test_every_view_names_nodes_the_same_way(tmp_path):
    """print_tree, explain, the drawing and the step-through page use one name per node (node_names)."""
    o = neuron()
    names = set(node_names(o).values())
    assert set(svg_boxes(draw_dot(o).svg)) == names
    tree = format_tree(o)
    assert all(re.search(rf"(^|── ){re.escape(name)}( |$)", tree, flags=re.M) for name in names)
    page = animate_backward(o).html
    assert set(re.findall(r'data-name="([^"]*)"', page)) == names
    text = str(explain(o, o.parents[0].parents[0].parents[0].parents[0]))
    assert "δ(mul_1)" in text and "δ(add_1)" in text
    loss, model = tiny_mlp()
    model_names = set(node_names(loss, params=model).values())
    assert set(svg_boxes(draw_dot(loss, params=model).svg)) == model_names
    assert "w[0][0][1]" in format_tree(loss, params=model) and "w[0][0][1]" in animate_backward(loss, params=model).html


def test_a_neuron_box_holds_its_activation_but_not_the_next_binary_op():
    """clusters="neurons": a relu after w·x+b joins its neuron's box; `score - 1` after a linear neuron does not."""
    from autograd import weighted_sum
    from autograd.views.draw import _cluster_groups
    from autograd.core.naming import graph_values
    w, b = [Value(0.5, label="w0")], Value(0.1, label="b0")
    hidden = weighted_sum(w, [2.0], b).relu()
    score = weighted_sum([Value(1.5, label="w1")], [hidden], Value(0.0, label="b1"))
    loss = score - 1.0
    groups = _cluster_groups("neurons", graph_values(loss))
    members = [set(group) for group in groups.values()]
    assert any(hidden in group for group in members)
    assert not any(loss in group for group in members)
