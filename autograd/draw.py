"""Pictures of a graph: `draw_dot` (Graphviz), `render_graph` (to SVG/PNG/PDF), `format_tree` (plain text)."""
import math
import pathlib
import shutil

from .engine import Value
from .functional import grad
from .engine import WeightedSum
from .names import formula, graph_values, node_names, op_label

RANKDIRS = ("LR", "TB", "RL", "BT")
RENDER_FORMATS = ("svg", "png", "pdf")

# Fill colours for the sign of a gradient (ColorBrewer RdBu ends), mixed with white by its size.
POSITIVE_RGB = (33, 102, 172)
NEGATIVE_RGB = (178, 24, 43)
UNKNOWN_FILL = "#d9d9d9"                                        # a nan gradient
LIGHTEST, DARKEST = 0.08, 0.62                                  # share of colour; black text stays legible

# How each kind of Value looks: (class, shape, border colour, border width, extra style).
STYLES = {
    "output": ("value output", "record", "#000000", "3", ""),
    "parameter": ("value parameter", "Mrecord", "#1b7837", "2.2", ""),
    "input": ("value input", "record", "#737373", "1", "dashed"),
    "intermediate": ("value intermediate", "record", "#404040", "1", ""),
}

INSTALL_GRAPHVIZ = ("install it with `apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` "
                    "(macOS), `conda install graphviz`, or from https://graphviz.org/download/ (Windows)")


class GraphvizNotFound(RuntimeError):
    """Graphviz's `dot` program, which turns DOT text into pictures, is not installed or not on PATH."""


def draw_dot(root, rankdir="LR", *, params=None, show_local=False, clusters=None, max_nodes=300,
             legend=False):
    """The graph behind `root` as a `graphviz.Digraph`: a box per Value, an oval per op.

    Each box shows the Value's label (when set), data and grad to 4 decimals. A plain-number operand
    is not a node, so it is written in the op ('× 2'). Options:
    - `params`: the Values to style as parameters (green rounded border); when None, the parameters
      are the weights and biases of neuron nodes (`weighted_sum`, op 'wx+b') and the leaves whose
      label starts with 'w' or 'b'. Other leaves are inputs or constants (dashed border); `root` is
      the output (thick border); the rest are intermediates.
    - the fill tells the gradient: blue for positive, red for negative, darker for larger |grad|
      relative to the largest in the drawing, white for zero.
    - `show_local=True` writes the local derivative d(op output)/d(input) on each input edge.
    - `clusters`: a dict {title: Values} drawn in boxes; "neurons" to box each neuron node with its
      weights, bias and activation (an `nn` MLP needs no labels for this); or "prefix" to box the
      Values whose labels share the part before the last '.' ('h1.w0', 'h1.b' -> box 'h1').
    - before `root.backward()` has run (root.grad is 0), the boxes show d(root)/d(value) computed for
      the drawing (with `grad()`, leaving every `.grad` as it is) instead of a misleading 0.
    - `max_nodes` (default 300; None for no cap): a bigger graph raises ValueError.
    - `legend=True` adds a key to the colours and borders below the drawing.
    `rankdir` is Graphviz's direction: 'LR' (left to right), 'TB', 'RL' or 'BT'.
    Call `.render(...)` / `.pipe(...)` on the result, or `render_graph`, to get SVG/PNG/PDF files
    (that needs the `dot` program); `.source` is the DOT text and needs nothing.

    >>> a = Value(3.0, label="a"); y = a * a * 2.0; y.label = "y"; y.backward()
    >>> source = draw_dot(y).source
    >>> "{ a | data 3.0000 | grad 12.0000 }" in source, source.count("v0 -> v1op")
    (True, 2)
    """
    if type(root) is not Value:
        raise TypeError(f"draw_dot needs a Value as root, got {type(root).__name__}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"draw_dot: rankdir must be one of {', '.join(RANKDIRS)}, got {rankdir!r}")
    _check_max_nodes(max_nodes)
    values = graph_values(root)
    if max_nodes is not None and len(values) > max_nodes:
        raise ValueError(f"draw_dot: the graph has {len(values)} Values, more than max_nodes={max_nodes}; "
                         f"a picture that big is hard to read. Pass max_nodes={len(values)} (or None) to "
                         f"draw it anyway, or draw a smaller part of the graph")
    parameters = _parameter_set(params)
    if parameters is None:
        parameters = _neuron_parameters(values) | {v for v in values if v.is_leaf() and v.label[:1] in "wb"
                                                   and v.label}
    groups = _cluster_groups(clusters, values)
    graphviz = _import_graphviz()

    grads = shown_grads(root, values)
    ids = {value: f"v{i}" for i, value in enumerate(values)}
    biggest = max((abs(g) for g in grads.values() if not math.isnan(g)), default=0.0)
    dot = graphviz.Digraph("autograd", graph_attr={"rankdir": rankdir, "nodesep": "0.25", "ranksep": "0.35"},
                           node_attr={"fontname": "Helvetica", "fontsize": "11"},
                           edge_attr={"color": "#555555", "arrowsize": "0.7", "fontname": "Helvetica"})
    for i, (title, members) in enumerate(groups.items()):
        with dot.subgraph(name=f"cluster_{i}") as box:          # added to the graph when the block ends
            box.attr(label=title, style="rounded,dashed", color="#999999", fontname="Helvetica", fontsize="11")
            for value in members:
                _add_value(box, value, ids[value], _kind(value, root, parameters), grads[value], biggest)
    grouped = {value for members in groups.values() for value in members}
    for value in values:
        if value not in grouped:
            _add_value(dot, value, ids[value], _kind(value, root, parameters), grads[value], biggest)
    for value in values:
        if value.is_leaf():
            continue
        op_id = ids[value] + "op"
        for parent, local in zip(value.parents, value.local_grads):
            label = {"label": f"{local:.4f}", "fontsize": "9", "fontcolor": "#555555"} if show_local else {}
            dot.edge(ids[parent], op_id, **label)
        dot.edge(op_id, ids[value])
    caption = _legend_text(biggest, show_local, params is None) if legend else ""
    if root.grad == 0.0 and root._edges:
        caption = ("backward() has not run: each grad shown is d(root)/d(value), computed for this drawing; "
                   "every .grad is still 0\\l") + caption
    if caption:
        dot.attr(label=caption, labelloc="b", labeljust="l", fontname="Helvetica", fontsize="10")
    return dot


def shown_grads(root, values):
    """{value: the gradient to show}: `.grad` after backward, else d(root)/d(value) from `grad()`.

    >>> x = Value(3.0); y = x * x
    >>> shown_grads(y, [x, y])[x], x.grad
    (6.0, 0.0)
    """
    if root.grad != 0.0 or not root._edges:
        return {value: value.grad for value in values}
    return dict(zip(values, grad(root, values)))


def neuron_parameters(node):
    """The leaf weights and bias of a neuron node (`weighted_sum`), in order; () for any other node."""
    row = node.row
    if not isinstance(row, WeightedSum):
        return ()
    weights, _, bias = row.parts(node.parents)
    return tuple(p for p in tuple(weights) + ((bias,) if bias is not None else ()) if p.is_leaf())


def _neuron_parameters(values):
    """The weights and biases of every neuron node in `values`."""
    return {p for value in values for p in neuron_parameters(value)}


def render_graph(root_or_digraph, path, format=None, **draw_options):
    """Write a drawing to `path` and return the path; the format comes from the suffix unless given.

    `root_or_digraph` is a Value (drawn with `draw_dot(root, **draw_options)`) or a Digraph. SVG, PNG
    and PDF need Graphviz's `dot` program (GraphvizNotFound says how to install it); '.dot' / '.gv'
    writes the DOT text and needs nothing.
    >>> import os, tempfile
    >>> y = Value(2.0, label="x").tanh()
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = render_graph(y, os.path.join(folder, "y.dot"))
    ...     path.read_text(encoding="utf-8").startswith("digraph autograd")
    True
    """
    if format is not None and not isinstance(format, str):
        raise TypeError(f"render_graph: format must be a str like 'svg', got {type(format).__name__}")
    path = pathlib.Path(path)
    fmt = (format or path.suffix.lstrip(".")).lower()
    if fmt in ("dot", "gv"):
        fmt = "dot"
    elif fmt not in RENDER_FORMATS:
        raise ValueError(f"render_graph: cannot tell the format of {str(path)!r}; use a .svg, .png, .pdf or "
                         f".dot path, or format='svg' / 'png' / 'pdf' / 'dot'")
    if type(root_or_digraph) is Value:
        digraph = draw_dot(root_or_digraph, **draw_options)
    elif hasattr(root_or_digraph, "pipe") and hasattr(root_or_digraph, "source"):
        if draw_options:
            raise TypeError(f"render_graph: drawing options {sorted(draw_options)} only apply to a Value")
        digraph = root_or_digraph
    else:
        raise TypeError(f"render_graph needs a Value or a graphviz Digraph, got {type(root_or_digraph).__name__}")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"render_graph: the folder {str(path.parent)!r} does not exist")
    if fmt == "dot":
        path.write_text(digraph.source, encoding="utf-8")
        return path
    if shutil.which("dot") is None:
        raise GraphvizNotFound(_missing_dot_message())
    import graphviz
    try:
        picture = digraph.pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise GraphvizNotFound(_missing_dot_message()) from None
    path.write_bytes(picture)
    return path


def format_tree(root, max_nodes=1000):
    """The graph as an indented text tree, output first: each line is a Value with its data and grad.

    A Value's children are the Values it was made from. A Value reached a second time is not
    expanded again, only named with '(shown above)'. Needs no Graphviz at all.
    >>> a = Value(-2.0, label="a"); y = (a * a).relu(); y.label = "y"; y.backward()
    >>> print(format_tree(y))
    y = relu(mul_1)    data  4.0000  grad  1.0000
    └── mul_1 = a * a  data  4.0000  grad  1.0000
        ├── a          data -2.0000  grad -4.0000
        └── a  (shown above)
    """
    if type(root) is not Value:
        raise TypeError(f"format_tree needs a Value, got {type(root).__name__}")
    _check_max_nodes(max_nodes)
    values = graph_values(root)
    if max_nodes is not None and len(values) > max_nodes:
        raise ValueError(f"format_tree: the graph has {len(values)} Values, more than max_nodes={max_nodes}; "
                         f"pass max_nodes={len(values)} (or None) to print it anyway")
    grads = shown_grads(root, values)
    names = node_names(root)
    rows, shown = [], set()
    stack = [(root, "", "", True)]                             # (value, its branch, prefix for its children, last)
    while stack:
        value, branch, child_prefix, _ = stack.pop()
        name = names[value]
        if value in shown:
            rows.append((branch + f"{name}  (shown above)", None))
            continue
        shown.add(value)
        text = name if value.is_leaf() else f"{name} = {formula(value, names)}"
        rows.append((branch + text, value))
        parents = value.parents
        for i in reversed(range(len(parents))):
            last = i == len(parents) - 1
            stack.append((parents[i], child_prefix + ("└── " if last else "├── "),
                          child_prefix + ("    " if last else "│   "), last))
    expanded = [value for text, value in rows if value is not None]
    width = min(max(len(text) for text, value in rows if value is not None), 60)
    data_width = max(len(f"{value.data:.4f}") for value in expanded)
    grad_width = max(len(f"{grads[value]:.4f}") for value in expanded)
    lines = []
    for text, value in rows:
        if value is None:
            lines.append(text)
        else:
            lines.append(f"{text.ljust(width)}  data {value.data:{data_width}.4f}  "
                         f"grad {grads[value]:{grad_width}.4f}")
    return "\n".join(lines)


def print_tree(root):
    """Print `format_tree(root)`.

    >>> print_tree(Value(1.5, label="x"))
    x  data 1.5000  grad 0.0000
    """
    print(format_tree(root))


# ---- helpers ---------------------------------------------------------------------------------
def _import_graphviz():
    try:
        import graphviz
    except ImportError:
        raise ImportError("draw_dot needs the Python package graphviz: `pip install graphviz`, or install "
                          "this project with the draw extra (`pip install -e '.[draw]'`). format_tree(root) "
                          "draws a text tree without it") from None
    return graphviz


def _missing_dot_message():
    return (f"Graphviz's `dot` program is not on PATH, and it is needed to render SVG/PNG/PDF: {INSTALL_GRAPHVIZ}. "
            f"Without it, draw_dot(root).source still gives the DOT text, render_graph(root, 'graph.dot') "
            f"saves it, and format_tree(root) prints the graph as text")


def _check_max_nodes(max_nodes):
    if max_nodes is None:
        return
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"draw_dot: max_nodes must be an int >= 1 or None, got {max_nodes!r}")


def _parameter_set(params):
    if params is None:
        return None
    if type(params) is Value or isinstance(params, (str, bytes)):
        raise TypeError("draw_dot: params must be an iterable of Values (e.g. model.parameters())")
    params = list(params)
    for i, p in enumerate(params):
        if type(p) is not Value:
            raise TypeError(f"draw_dot: params[{i}] must be a Value, got {type(p).__name__}")
    return set(params)


def _cluster_groups(clusters, values):
    """{title: [Values in the drawing]} from the `clusters` option."""
    if clusters is None:
        return {}
    if clusters == "neurons":                                 # a neuron node, its weights, bias, activation
        users = {}
        for value in values:
            for parent in set(value.parents):
                users.setdefault(parent, []).append(value)
        groups, taken = {}, set()
        for value in values:
            if not isinstance(value.row, WeightedSum):
                continue
            members = [p for p in neuron_parameters(value) if p not in taken] + [value]
            activation = users.get(value, [])
            if len(activation) == 1 and len(activation[0].parents) == 1:
                members.append(activation[0])
            taken.update(members)
            groups[f"neuron {len(groups) + 1}"] = members
        return groups
    if clusters == "prefix":
        groups = {}
        for value in values:
            if "." in value.label:
                groups.setdefault(value.label.rsplit(".", 1)[0], []).append(value)
        return {title: members for title, members in groups.items() if len(members) > 1}
    if not hasattr(clusters, "items"):
        raise TypeError(f"draw_dot: clusters must be a dict {{title: Values}}, 'neurons' or 'prefix', "
                        f"got {clusters!r}")
    in_graph, owner, groups = set(values), {}, {}
    for title, members in clusters.items():
        if not isinstance(title, str):
            raise TypeError(f"draw_dot: cluster titles must be str, got {type(title).__name__}")
        members = [members] if type(members) is Value else list(members)
        for member in members:
            if type(member) is not Value:
                raise TypeError(f"draw_dot: cluster {title!r} holds a {type(member).__name__}, not a Value")
            if member in owner and owner[member] != title:
                raise ValueError(f"draw_dot: {member!r} is in two clusters, {owner[member]!r} and {title!r}")
            owner[member] = title
        groups[title] = [m for m in dict.fromkeys(members) if m in in_graph]
    return {title: members for title, members in groups.items() if members}


def _kind(value, root, parameters):
    if value is root:
        return "output"
    if not value.is_leaf():
        return "intermediate"
    return "parameter" if value in parameters else "input"


def _add_value(graph, value, node_id, kind, grad_shown, biggest):
    css_class, shape, border, width, style = STYLES[kind]
    fields = [f"data {value.data:.4f}", f"grad {grad_shown:.4f}"]
    if value.label:
        fields.insert(0, value.label)
    graph.node(node_id, label="{ " + " | ".join(map(_record_text, fields)) + " }", shape=shape,
               style=",".join(filter(None, ["filled", style])), fillcolor=grad_fill(grad_shown, biggest),
               color=border, penwidth=width, tooltip=f"{kind}: {value!r}", **{"class": css_class})
    if not value.is_leaf():
        graph.node(node_id + "op", label=op_label(value), shape="ellipse", style="filled", fillcolor="#f0f0f0",
                   color="#808080", fontsize="10", height="0.3", margin="0.04,0.02", **{"class": "op"})


def grad_fill(grad, biggest):
    """The fill colour for a gradient: blue if positive, red if negative, darker the larger |grad|/biggest.

    >>> grad_fill(0.0, 5.0), grad_fill(5.0, 5.0), grad_fill(-5.0, 5.0)
    ('#ffffff', '#75a0cc', '#cf707c')
    """
    if math.isnan(grad):
        return UNKNOWN_FILL
    if grad == 0.0 or biggest == 0.0:
        return "#ffffff"
    share = 1.0 if math.isinf(biggest) and math.isinf(grad) else min(abs(grad) / biggest, 1.0)
    strength = LIGHTEST + (DARKEST - LIGHTEST) * share
    base = POSITIVE_RGB if grad > 0 else NEGATIVE_RGB
    mixed = (round(255 + (c - 255) * strength) for c in base)
    return "#" + "".join(f"{c:02x}" for c in mixed)


def _record_text(text):
    """Escape the characters that Graphviz record labels treat as structure."""
    for ch in "\\{}|<>":
        text = text.replace(ch, "\\" + ch)
    return text.replace("\n", "\\n")                              # a newline in a label: Graphviz's line break


def _legend_text(biggest, show_local, label_rule):
    parameter_rule = "label starts with w or b" if label_rule else "passed in params"
    lines = [f"fill: blue grad > 0, red grad < 0, darker = larger |grad| (largest {biggest:.4f}), white 0",
             f"border: thick = output, green rounded = parameter ({parameter_rule}), dashed = input or constant",
             "boxes: label | data | grad;  ovals: the op"]
    if show_local:
        lines.append("edge numbers: the local derivative d(op output)/d(input)")
    return "\\l".join([""] + lines) + "\\l"                     # a blank line above the key
