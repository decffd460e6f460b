"""Pictures of a graph: `draw_dot` (an SVG drawing, inline in notebooks), `render_graph` (files), `format_tree` (text)."""
import math
import pathlib
import re
import shutil
import warnings

from . import svg as svg_writer
from ..core.engine import Value, WeightedSum
from ..core.functional import grad
from ..core.naming import graph_values, node_names, parameter_names
from .text import formula, op_label, shown

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


ENGINES = ("python", "graphviz")
BIG_GRAPH = 80                                                  # from here on, a drawing says how to see less


class GraphvizNotFound(RuntimeError):
    """Graphviz's `dot` program, which turns DOT text into pictures, is not installed or not on PATH."""


class Drawing:
    """A drawing of a graph: shows itself inline in Jupyter, JupyterLab, VS Code and Colab as SVG.

    `.svg` is the picture (an SVG string, drawn in pure Python unless engine='graphviz'), `.source`
    the same graph as Graphviz DOT text (needs the Python package graphviz), `.graphviz()` a
    `graphviz.Digraph` of it, and `.save(path)` writes a .svg (no Graphviz needed), .png or .pdf
    (those need Graphviz's `dot`) or .dot file.
    """

    def __init__(self, svg, engine, digraph_maker, values):
        self.svg, self.engine = svg, engine
        self._make_digraph, self._digraph, self.values = digraph_maker, None, values

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"image/svg+xml": self.svg, "text/plain": repr(self)}

    def _repr_svg_(self):
        return self.svg

    def __repr__(self):
        width, height = _svg_size(self.svg)
        return (f"<Drawing of {self.values} Value{'s' if self.values != 1 else ''}, {width}×{height} px, "
                f"drawn by {self.engine}: .svg, .source (DOT), .save(path)>")

    def graphviz(self):
        """The graph as a `graphviz.Digraph` (needs the Python package graphviz; rendering it needs `dot`)."""
        if self._digraph is None:
            self._digraph = self._make_digraph()
        return self._digraph

    @property
    def source(self):
        """The graph as Graphviz DOT text (needs the Python package graphviz, not the `dot` program)."""
        return self.graphviz().source

    def save(self, path, format=None):
        """Write the drawing to `path` (format from the suffix: svg, png, pdf or dot) and return the path."""
        return render_graph(self, path, format=format)


def draw_dot(root, rankdir=None, *, params=None, show_local=False, clusters=None, max_nodes=300,
             legend=False, collapse=None, engine="python"):
    """A drawing of the graph behind `root`, as a `Drawing` that shows inline in notebooks (SVG).

    Each box shows the Value's name (its label, else the name print_tree, explain and the step-
    through page use, in grey italics), its op, data and grad (4 significant digits, as `shown` writes every number). A plain-number
    operand is not a node, so it is written in the op ('× 2'). Options:
    - `params`: the model (or its parameters) whose Values to style as parameters (green rounded
      border). Given a model, its unlabelled parameters are named by their place in it ('w[0][1]',
      'b[1]'). When None, the parameters are the weights and biases of the neuron nodes in the graph
      (`weighted_sum`, op 'w·x+b', which every nn layer makes); a label never makes a parameter.
      Other leaves are inputs or constants (dashed border); `root` is the output (thick border); the
      rest are intermediates. Names follow `naming.node_names` (a model's unlabelled inputs are x[i]).
    - the fill tells the gradient: blue for positive, red for negative, darker for larger |grad|
      relative to the largest in the drawing, white for zero.
    - `show_local=True` writes the local derivative d(op output)/d(input) on each input edge.
    - `clusters`: a dict {title: Values} drawn in boxes; "neurons" to box each neuron node with its
      weights, bias and activation (an `nn` MLP needs no labels for this); or "prefix" to box the
      Values whose labels share the part before the last '.' ('h1.w0', 'h1.b' -> box 'h1').
    - `collapse="parameters"` leaves out the weights and biases of neuron nodes (each neuron's box
      says how many it holds): a whole MLP becomes legible.
    - before `root.backward()` has run (root.grad is 0), the boxes show d(root)/d(value) computed for
      the drawing (with `grad()`, leaving every `.grad` as it is) instead of a misleading 0.
    - `max_nodes` (default 300; None for no cap): a bigger graph raises ValueError.
    - `legend=True` adds a key to the colours and borders below the drawing.
    - `rankdir`: 'LR' (left to right), 'TB', 'RL' or 'BT'; None (the default) is left to right
      unless top to bottom fits a notebook column clearly better (a long chain of ops, say).
    - `engine`: "python" (the default) lays the graph out here and needs nothing installed;
      "graphviz" renders with Graphviz's `dot` (if it is missing you get the Python drawing and a
      warning that says how to install it).

    >>> a = Value(3.0, label="a"); y = a * a * 2.0; y.label = "y"; y.backward()
    >>> drawing = draw_dot(y)
    >>> "image/svg+xml" in drawing._repr_mimebundle_(), drawing.svg.count("<polygon")
    (True, 3)
    >>> "{ a | data 3.000 | grad 12.00 }" in drawing.source
    True
    """
    if type(root) is not Value:
        raise TypeError(f"draw_dot needs a Value as root, got {type(root).__name__}")
    if rankdir is not None and rankdir not in RANKDIRS:
        raise ValueError(f"draw_dot: rankdir must be one of {', '.join(RANKDIRS)} (or None to choose), got "
                         f"{rankdir!r}")
    if engine not in ENGINES:
        raise ValueError(f"draw_dot: engine must be 'python' or 'graphviz', got {engine!r}")
    if collapse not in (None, "parameters"):
        raise ValueError(f"draw_dot: collapse must be None or 'parameters', got {collapse!r}")
    _check_max_nodes(max_nodes)
    values = graph_values(root)
    hidden = _neuron_parameters(values) if collapse == "parameters" else set()
    shown_values = [v for v in values if v not in hidden]
    if max_nodes is not None and len(shown_values) > max_nodes:
        raise ValueError(f"draw_dot: the graph has {len(shown_values)} Values, more than max_nodes={max_nodes}; "
                         f"a picture that big is hard to read. Pass max_nodes={len(shown_values)} (or None) to "
                         f"draw it anyway, "
                         + ("" if hidden else "collapse='parameters' to fold each neuron's weights into it, ")
                         + "or draw a smaller part of the graph")
    parameters = _parameter_set(params)
    if parameters is None:                                      # the weights and biases of neuron nodes
        parameters = _neuron_parameters(values)
    model = params if hasattr(params, "named_parameters") else None
    names = node_names(root, values, model)
    named_in_model = parameter_names(model)
    made_up = {v for v in values if not v.label and v not in named_in_model}
    groups = _cluster_groups(clusters, shown_values, params)
    grads = shown_grads(root, values)
    biggest = max((abs(g) for g in grads.values() if not math.isnan(g)), default=0.0)
    notes = []
    if root.grad == 0.0 and root._edges:
        notes.append("backward() has not run: each grad shown is d(root)/d(value), computed for this drawing; "
                     "every .grad is still 0")
    if legend:
        notes += _legend_lines(biggest, show_local, params is None, bool(hidden))
    if len(shown_values) > BIG_GRAPH:
        notes.append(f"{len(shown_values)} Values: to see less, draw a part (draw_dot(some_value))"
                     + ("" if hidden else ", fold each neuron's weights in (collapse='parameters')")
                     + ", or print_tree(root); max_nodes caps the size")

    chosen = [rankdir or "LR"]                                  # the direction, once the drawing has chosen it

    def make_digraph():
        return _digraph(root, values, names, made_up, parameters, grads, biggest, groups, chosen[0], show_local,
                        notes, hidden)

    svg = None
    if engine == "graphviz":
        svg = _graphviz_svg(make_digraph)
    if svg is None:
        svg, chosen[0] = _python_svg(root, shown_values, names, made_up, parameters, grads, biggest, groups,
                                     rankdir or "auto", show_local, notes, hidden)
        engine = "python"
    return Drawing(svg, engine, make_digraph, len(shown_values))


def _python_svg(root, values, names, made_up, parameters, grads, biggest, groups, rankdir, show_local, notes,
                hidden):
    """The drawing as SVG, laid out in pure Python (`layout.layered`, `svg.graph_svg`)."""
    nodes = {}
    for value in values:
        kind = _kind(value, root, parameters)
        folded = [p for p in neuron_parameters(value) if p in hidden] if hidden else []
        op = op_label(value)
        if folded:
            op += f" ({len(folded)} params)"
        tip = names[value] if value.is_leaf() else f"{names[value]} = {formula(value, names)}"
        nodes[value] = svg_writer.Node(names[value], value in made_up, op, shown(value.data),
                                shown(grads[value]), kind, grad_fill(grads[value], biggest),
                                f"{tip}\n{kind}: data {value.data!r}, grad {grads[value]!r}")
    edges = []
    for value in values:
        for k, (parent, local) in enumerate(zip(value.parents, value.local_grads)):
            if parent in nodes:
                edges.append((parent, value, (value, k), shown(local) if show_local else None))
    title = f"computation graph of {names[root]}: {len(values)} Values"
    return svg_writer.graph_svg(nodes, edges, [(t, m) for t, m in groups.items()], rankdir, notes, title)


def _graphviz_svg(make_digraph):
    """Graphviz's SVG of the drawing, made to fit a notebook column; None (and a warning) without Graphviz."""
    if shutil.which("dot") is None:
        warnings.warn("draw_dot(engine='graphviz'): Graphviz's `dot` program is not on PATH, so this is the "
                      f"pure-Python drawing; to use Graphviz, {INSTALL_GRAPHVIZ}", stacklevel=3)
        return None
    try:
        digraph = make_digraph()
    except ImportError as error:
        warnings.warn(f"draw_dot(engine='graphviz'): {error}; this is the pure-Python drawing", stacklevel=3)
        return None
    import graphviz
    try:
        text = digraph.pipe(format="svg").decode("utf-8")
    except graphviz.ExecutableNotFound:
        warnings.warn("draw_dot(engine='graphviz'): Graphviz's `dot` could not be run, so this is the "
                      f"pure-Python drawing; {INSTALL_GRAPHVIZ}", stacklevel=3)
        return None
    return _fit_graphviz_svg(text)


def _fit_graphviz_svg(text):
    """Graphviz's SVG without the XML prologue, sized in px and scaling down to the width it is shown in."""
    start = text.find("<svg")
    text = text[start:] if start >= 0 else text
    match = re.match(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', text)
    if match:
        width, height = (float(n) * 4 / 3 for n in match.groups())
        text = (f'<svg width="{width:.0f}" height="{height:.0f}" style="max-width:100%;height:auto"'
                + text[match.end():])
    return text


def _svg_size(text):
    """(width, height) of an SVG picture in px: its width and height, else its viewBox ('?' if neither)."""
    match = (re.match(r'<svg[^>]*? width="([\d.]+)" height="([\d.]+)"', text)
             or re.match(r'<svg[^>]*? viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"', text))
    return (round(float(match.group(1))), round(float(match.group(2)))) if match else ("?", "?")


def _digraph(root, values, names, made_up, parameters, grads, biggest, groups, rankdir, show_local, notes, hidden):
    """The drawing as a `graphviz.Digraph`: a record box per Value, an oval per op."""
    graphviz = _import_graphviz()
    ids = {value: f"v{i}" for i, value in enumerate(values)}
    dot = graphviz.Digraph("autograd", graph_attr={"rankdir": rankdir, "nodesep": "0.25", "ranksep": "0.35"},
                           node_attr={"fontname": "Helvetica", "fontsize": "11"},
                           edge_attr={"color": "#555555", "arrowsize": "0.7", "fontname": "Helvetica"})
    labelled = {v: names[v] for v in values if v not in made_up}
    for i, (title, members) in enumerate(groups.items()):
        with dot.subgraph(name=f"cluster_{i}") as box:          # added to the graph when the block ends
            box.attr(label=title, style="rounded,dashed", color="#999999", fontname="Helvetica", fontsize="11")
            for value in members:
                _add_value(box, value, ids[value], _kind(value, root, parameters), grads[value], biggest,
                           labelled.get(value, ""))
    grouped = {value for members in groups.values() for value in members}
    for value in values:
        if value not in grouped and value not in hidden:
            _add_value(dot, value, ids[value], _kind(value, root, parameters), grads[value], biggest,
                       labelled.get(value, ""))
    for value in values:
        if value.is_leaf() or value in hidden:
            continue
        op_id = ids[value] + "op"
        for parent, local in zip(value.parents, value.local_grads):
            if parent in hidden:
                continue
            label = {"label": shown(local), "fontsize": "9", "fontcolor": "#555555"} if show_local else {}
            dot.edge(ids[parent], op_id, **label)
        dot.edge(op_id, ids[value])
    if notes:
        caption = "\\l".join([""] + [line.replace("\\", "\\\\") for line in notes]) + "\\l"
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


def render_graph(drawing, path, format=None, **draw_options):
    """Write a drawing to `path` and return the path; the format comes from the suffix unless given.

    `drawing` is a Value (drawn with `draw_dot(root, **draw_options)`), a `Drawing`, or a graphviz
    Digraph. SVG needs nothing installed: it is the drawing's own SVG. PNG and PDF are rendered by
    Graphviz's `dot` program (GraphvizNotFound says how to install it). '.dot' / '.gv' writes the
    DOT text (that needs the Python package graphviz, not the program).
    >>> import os, tempfile
    >>> y = Value(2.0, label="x").tanh()
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = render_graph(y, os.path.join(folder, "y.svg"))
    ...     path.read_text(encoding="utf-8").startswith("<svg")
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
    if type(drawing) is Value:
        drawing = draw_dot(drawing, **draw_options)
    elif isinstance(drawing, Drawing) or (hasattr(drawing, "pipe") and hasattr(drawing, "source")):
        if draw_options:
            raise TypeError(f"render_graph: drawing options {sorted(draw_options)} only apply to a Value")
    else:
        raise TypeError(f"render_graph needs a Value, a Drawing or a graphviz Digraph, got "
                        f"{type(drawing).__name__}")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"render_graph: the folder {str(path.parent)!r} does not exist")
    if isinstance(drawing, Drawing):
        if fmt == "svg":
            path.write_text(drawing.svg, encoding="utf-8")
            return path
        digraph = drawing.graphviz()
    else:
        digraph = drawing
    if fmt == "dot":
        path.write_text(digraph.source, encoding="utf-8")
        return path
    if shutil.which("dot") is None:
        raise GraphvizNotFound(_missing_dot_message(fmt))
    import graphviz
    try:
        picture = digraph.pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise GraphvizNotFound(_missing_dot_message(fmt)) from None
    path.write_bytes(picture)
    return path


def format_tree(root, max_nodes=1000, params=None):
    """The graph as an indented text tree, output first: each line is a Value with its data and grad.

    A Value's children are the Values it was made from. A Value reached a second time is not
    expanded again, only named with '(shown above)'. Names follow `names.node_names` (give the model
    as `params` to name its parameters). Needs no Graphviz at all.
    >>> a = Value(-2.0, label="a"); y = (a * a).relu(); y.label = "y"; y.backward()
    >>> print(format_tree(y))
    y = relu(mul_1)    data  4.000  grad  1.000
    └── mul_1 = a * a  data  4.000  grad  1.000
        ├── a          data -2.000  grad -4.000
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
    names = node_names(root, values, params)
    rows, done = [], set()
    stack = [(root, "", "", True)]                             # (value, its branch, prefix for its children, last)
    while stack:
        value, branch, child_prefix, _ = stack.pop()
        name = names[value]
        if value in done:
            rows.append((branch + f"{name}  (shown above)", None))
            continue
        done.add(value)
        text = name if value.is_leaf() else f"{name} = {formula(value, names)}"
        rows.append((branch + text, value))
        parents = value.parents
        for i in reversed(range(len(parents))):
            last = i == len(parents) - 1
            stack.append((parents[i], child_prefix + ("└── " if last else "├── "),
                          child_prefix + ("    " if last else "│   "), last))
    expanded = [value for text, value in rows if value is not None]
    width = min(max(len(text) for text, value in rows if value is not None), 60)
    data_width = max(len(shown(value.data)) for value in expanded)
    grad_width = max(len(shown(grads[value])) for value in expanded)
    lines = []
    for text, value in rows:
        if value is None:
            lines.append(text)
        else:
            lines.append(f"{text.ljust(width)}  data {shown(value.data):>{data_width}}  "
                         f"grad {shown(grads[value]):>{grad_width}}")
    return "\n".join(lines)


def print_tree(root, max_nodes=1000, params=None):
    """Print `format_tree(root)`.

    >>> print_tree(Value(1.5, label="x"))
    x  data 1.500  grad 0
    """
    print(format_tree(root, max_nodes, params))


# ---- helpers ---------------------------------------------------------------------------------
def _import_graphviz():
    try:
        import graphviz
    except ImportError:
        raise ImportError("DOT text and Graphviz rendering need the Python package graphviz: `pip install "
                          "graphviz`, or install this project with the draw extra (`pip install -e '.[draw]'`). "
                          "draw_dot(root) itself draws SVG without it, and format_tree(root) a text tree") from None
    return graphviz


def _missing_dot_message(fmt):
    return (f"Graphviz's `dot` program is not on PATH, and it is needed to render {fmt.upper()}: "
            f"{INSTALL_GRAPHVIZ}. Without it, render_graph(root, 'graph.svg') still writes an SVG, "
            f"draw_dot(root) shows inline in a notebook, draw_dot(root).source gives the DOT text, and "
            f"format_tree(root) prints the graph as text")


def _check_max_nodes(max_nodes):
    if max_nodes is None:
        return
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"draw_dot: max_nodes must be an int >= 1 or None, got {max_nodes!r}")


def _parameter_set(params):
    """The Values to style as parameters: a model's parameters, or the Values given; None if not given."""
    if params is None:
        return None
    if hasattr(params, "named_parameters"):
        return {value for _, value in params.named_parameters()}
    if type(params) is Value or isinstance(params, (str, bytes)):
        raise TypeError("draw_dot: params must be a model or an iterable of Values (e.g. model.parameters())")
    params = list(params)
    for i, p in enumerate(params):
        if type(p) is not Value:
            raise TypeError(f"draw_dot: params[{i}] must be a Value, got {type(p).__name__}")
    return set(params)


def _cluster_groups(clusters, values, params=None):
    """{title: [Values in the drawing]} from the `clusters` option, neurons in the order of the graph."""
    if clusters is None:
        return {}
    if clusters == "neurons":                                 # a neuron node, its weights, bias, activation
        paths = {value: path for path, value in params.named_parameters()} \
            if hasattr(params, "named_parameters") else {}
        in_drawing = set(values)
        users = {}
        for value in values:
            for parent in set(value.parents):
                users.setdefault(parent, []).append(value)
        groups, taken = {}, set()
        for value in values:
            if not isinstance(value.row, WeightedSum):
                continue
            weights_and_bias = neuron_parameters(value)
            members = [p for p in weights_and_bias if p not in taken and p in in_drawing] + [value]
            activation = users.get(value, [])
            if len(activation) == 1 and activation[0].row.arity == 1:   # a unary op: relu, tanh, ...
                members.append(activation[0])
            taken.update(members)
            title = _common_path([paths[p] for p in weights_and_bias if p in paths]) or f"neuron {len(groups) + 1}"
            groups[title if title not in groups else f"{title} ({len(groups) + 1})"] = members
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


def _common_path(paths):
    """'layers[0].neurons[1]' from the parameter paths 'layers.0.neurons.1.w.0', 'layers.0.neurons.1.b'."""
    if not paths:
        return ""
    split = [path.split(".")[:-1] for path in paths]
    common = []
    for parts in zip(*split):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    while common and not common[-1].isdigit() and len(common) > 1 and common[-1] in ("w", "b"):
        common.pop()
    text = ""
    for part in common:
        text += f"[{part}]" if part.isdigit() else (("." if text else "") + part)
    return text


def _kind(value, root, parameters):
    if value is root:
        return "output"
    if not value.is_leaf():
        return "intermediate"
    return "parameter" if value in parameters else "input"


def _add_value(graph, value, node_id, kind, grad_shown, biggest, name):
    css_class, shape, border, width, style = STYLES[kind]
    fields = [f"data {shown(value.data)}", f"grad {shown(grad_shown)}"]
    if name:
        fields.insert(0, name)
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


def _legend_lines(biggest, show_local, label_rule, collapsed):
    """The key to the colours, borders and numbers of a drawing."""
    parameter_rule = "the weights and biases of neuron nodes w·x+b" if label_rule else "given in params"
    lines = ["",
             f"fill: blue grad > 0, red grad < 0, darker = larger |grad| (largest {shown(biggest)}), white 0",
             f"border: thick = output, green rounded = parameter ({parameter_rule}), dashed = input or constant",
             "boxes: name, op, data, grad; a name in grey italics is made up from the op, as print_tree and "
             "explain name it"]
    if show_local:
        lines.append("edge numbers: the local derivative d(op output)/d(input)")
    if collapsed:
        lines.append("each neuron's weights and bias are folded into it (collapse='parameters')")
    return lines
