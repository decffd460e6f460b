"""`animate_backward`: a self-contained HTML page that steps through the backward pass node by node."""
import collections
import html
import importlib.resources
import json
import math
import os
import pathlib

from .engine import Value
from .names import describe, formula, graph_values, node_names, op_label
from .replay import replay_backward

MAX_NODES = 400          # more nodes than this make an unreadable page: animate_backward refuses them

# Layout of the drawing, in SVG pixels.
NODE_WIDTH, NODE_HEIGHT = 156, 66
COLUMN_GAP, ROW_GAP, MARGIN = 84, 20, 24
SHOWN_LABEL_CHARS = 14


def animate_backward(root, path, max_nodes=MAX_NODES, title="Backpropagation, one node at a time"):
    """Write an HTML page that steps through `root.backward()` and return its path (a str).

    The page needs no network and no graphviz: the graph is laid out here in columns and drawn as
    inline SVG; the steps, computed here by `replay_backward`, are embedded as JSON and played by a
    small inline script (buttons, or the keys → ← space r). Values show 4 decimals; unlabeled
    nodes get a name. `root.grad` and every other `.grad` are left as they are.
    >>> import tempfile
    >>> x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    >>> page = animate_backward((x * w).tanh(), os.path.join(tempfile.mkdtemp(), "steps.html"))
    >>> page.endswith("steps.html"), "∂L/∂w += " in open(page, encoding="utf-8").read(), w.grad
    (True, True, 0.0)
    """
    if type(root) is not Value:
        raise TypeError(f"animate_backward needs a Value as root, got {type(root).__name__}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"animate_backward: max_nodes must be an int >= 1, got {max_nodes!r}")
    if not isinstance(title, str):
        raise TypeError(f"animate_backward: title must be a str, got {type(title).__name__}")
    target = _checked_path(path)
    nodes = graph_values(root, stop_after=max_nodes)            # parents first, in reading order
    if len(nodes) > max_nodes:
        raise ValueError(f"animate_backward: the graph has more than max_nodes={max_nodes} nodes; a page that "
                         f"large is unreadable (draw a smaller expression, or pass a larger max_nodes)")
    page = _page(root, nodes, title)
    target.write_text(page, encoding="utf-8")
    return str(target)


# ---- the graph: nodes, names, layout ----------------------------------------------------------
def _checked_path(path):
    """`path` as a Path whose folder exists, or a clear error (before anything is written)."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"animate_backward: path must be a str or a path, got {type(path).__name__}")
    target = pathlib.Path(path)
    if str(path) == "" or target.name == "":
        raise ValueError(f"animate_backward: path {str(path)!r} names no file")
    if target.is_dir():
        raise IsADirectoryError(f"animate_backward: path {str(target)!r} is a folder; give a file name "
                                f"such as {str(target / 'backward.html')!r}")
    folder = target.parent
    if not folder.is_dir():
        raise FileNotFoundError(f"animate_backward: the folder {str(folder)!r} of path {str(target)!r} "
                                f"does not exist; create it first")
    return target


def _names(root):
    """A unique display name per node, the same ones draw_dot and explain use (the label, else one
    made from the op, like mul_1), except that an unlabeled root is called L."""
    names = node_names(root)
    if not root.label and "L" not in names.values():
        names[root] = "L"
    return names


def _columns(nodes):
    """Column per node: non-leaves by their longest path from the leaves, each leaf just left of
    its first consumer; then rows in each column ordered to cut crossings (barycentre sweeps)."""
    column = {}
    children = collections.defaultdict(list)
    for node in nodes:                                         # parents come first
        for parent in node.parents:
            children[parent].append(node)
        non_leaf_parents = [column[p] for p in node.parents if not p.is_leaf()]
        column[node] = 1 + max(non_leaf_parents, default=0) if not node.is_leaf() else 0
    for node in nodes:
        if node.is_leaf() and children[node]:
            column[node] = min(column[child] for child in children[node]) - 1
    shift = min(column.values())
    layers = collections.defaultdict(list)
    for node in nodes:
        layers[column[node] - shift].append(node)
    layers = [layers[i] for i in range(len(layers))]
    _reduce_crossings(layers, children)
    return layers


def _reduce_crossings(layers, children, sweeps=4):
    """Reorder each column by the mean height of its neighbours (a few sweeps right, then left)."""
    def height(layer):
        return {node: (i + 0.5) / len(layer) for i, node in enumerate(layer)}

    for _ in range(sweeps):
        for neighbours, indices in ((lambda node: node.parents, range(1, len(layers))),
                                    (lambda node: children[node], range(len(layers) - 2, -1, -1))):
            position = {}
            for layer in layers:
                position.update(height(layer))
            for i in indices:
                layer = layers[i]
                current = height(layer)
                keys = {}
                for node in layer:
                    around = [position[n] for n in neighbours(node)]
                    keys[node] = sum(around) / len(around) if around else current[node]
                layer.sort(key=keys.__getitem__)
                position.update(height(layer))


def _positions(layers):
    """Top-left corner of each node's box; columns are centred vertically. Also the canvas size."""
    tallest = max(len(layer) for layer in layers)
    pitch = NODE_HEIGHT + ROW_GAP
    positions = {}
    for c, layer in enumerate(layers):
        top = MARGIN + (tallest - len(layer)) * pitch / 2
        for r, node in enumerate(layer):
            positions[node] = (MARGIN + c * (NODE_WIDTH + COLUMN_GAP), top + r * pitch)
    width = 2 * MARGIN + len(layers) * NODE_WIDTH + (len(layers) - 1) * COLUMN_GAP
    height = 2 * MARGIN + tallest * NODE_HEIGHT + (tallest - 1) * ROW_GAP
    return positions, width, height


def _defined(node, names):
    """'n = a + b': the node's name and how it was made (just the name if its label says it already)."""
    made_from = _shortened(formula(node, names))
    return names[node] if made_from == names[node] else f"{names[node]} = {made_from}"


def _shortened(text, limit=60):
    """Text cut to `limit` characters with an ellipsis (a neuron's formula can be very long)."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


# ---- numbers ----------------------------------------------------------------------------------
def _shown(x):
    """A number as the page shows it: 4 decimals (4 significant decimals in e-notation if huge)."""
    if not math.isfinite(x):
        return repr(x)
    text = f"{x:.4f}" if abs(x) < 1e6 else f"{x:.4e}"
    return "0.0000" if text == "-0.0000" else text


def _in_formula(name):
    """A name as it reads inside ∂L/∂name: bracketed unless it is a single word like x1 or w'."""
    plain = name.replace("_", "").replace("'", "")
    return name if plain.isalnum() else f"({name})"


def _hint(node, names):
    """Where this node's local derivatives come from, from its op's row: '∂o/∂n = 1 − o² = 0.5000'."""
    operands = {parent: _in_formula(names[parent]) for parent in node.parents}
    operands[node] = _in_formula(names[node])
    _, rules = describe(node, operands)
    if any(rule is None for rule in rules):
        return f"{node.op}: a user-defined op; its local derivatives come from the df given to primitive()"
    shown, seen = [], set()
    for parent, rule, local in zip(node.parents, rules, node.local_grads):
        if (parent, rule) in seen:
            continue
        seen.add((parent, rule))
        shown.append(f"∂{operands[node]}/∂{operands[parent]} = {rule} = {_shown(local)}")
    more = len(shown) - 3
    text = "; ".join(shown[:3]) + (f"; … ({more} more)" if more > 0 else "")
    return "local derivatives: " + text


def _asset(name):
    """The text of one of the page's files (HTML, CSS, JavaScript), shipped as package data."""
    return importlib.resources.files("autograd").joinpath("assets", name).read_text(encoding="utf-8")


# ---- the page ---------------------------------------------------------------------------------
def _page(root, nodes, title):
    """The whole HTML document: header and controls, the SVG graph, the steps as JSON, the player."""
    steps, _ = replay_backward(root)
    names = _names(root)
    ids = {node: i for i, node in enumerate(nodes)}
    layers = _columns(nodes)
    positions, width, height = _positions(layers)
    root_name = _in_formula(names[root])
    edge_ids = {}                                              # (child, k) -> element id
    final_at = {root: 0}                                       # step after which a grad is complete
    step_data = [{
        "node": None,
        "title": f"Start: the seed ∂{root_name}/∂{root_name} = 1.0000",
        "hint": (f"Every other gradient is unknown (?) until the chain rule reaches it. "
                 f"Press → (or Next) to let {names[root]} pass its gradient back."
                 if steps else f"{names[root]} is a leaf: there is nothing to pass back."),
        "lines": [],
        "edges": [],
    }]
    for number, step in enumerate(steps, start=1):
        node = step.node
        child = _in_formula(names[node])
        lines = []
        edges = []
        for k, c in enumerate(step.contributions):
            parent = _in_formula(names[c.parent])
            line = (f"∂{root_name}/∂{parent} += {_shown(c.upstream)} × {_shown(c.local)} "
                    f"= {_shown(c.amount)}")
            if c.before is not None:
                line += f"   (was {_shown(c.before)}, now {_shown(c.after)})"
            lines.append(line)
            edge_ids[(node, k)] = f"e{ids[node]}-{k}"
            edges.append({"edge": edge_ids[(node, k)], "parent": ids[c.parent],
                          "shown": _shown(c.after), "exact": repr(c.after)})
            final_at[c.parent] = number
        inputs = len(step.contributions)
        step_data.append({
            "node": ids[node],
            "title": (f"Step {number}: {_defined(node, names)} passes "
                      f"∂{root_name}/∂{child} = {_shown(step.upstream)} back to "
                      f"{'each of its ' + str(inputs) + ' inputs' if inputs != 1 else 'its input'}, "
                      f"times the local derivative"),
            "hint": _hint(node, names),
            "lines": lines,
            "edges": edges,
        })
    if steps:
        step_data[-1]["done"] = (f"Done: all {len(nodes)} gradients are filled in, the same numbers "
                                 f"that backward() leaves in .grad.")
    data = {
        "root": ids[root],
        "seedShown": _shown(1.0), "seedExact": repr(1.0),
        "nodeCount": len(nodes),
        "finalAt": [final_at[node] for node in nodes],
        "steps": step_data,
    }
    svg = _svg(nodes, names, ids, positions, width, height, edge_ids)
    return _asset("step_through.html").format(
        title=html.escape(title), heading=html.escape(title), root_name=html.escape(root_name),
        steps=len(steps), svg=svg, data=_json_for_script(data), style=_asset("step_through.css"),
        script=_asset("step_through.js"))


def _json_for_script(data):
    """JSON that is safe inside <script>: no '<', '>' or '&' survive literally."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _marker(marker_id, colour):
    """An arrowhead of a fixed size (it does not grow with the stroke width)."""
    return (f'<marker id="{marker_id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" '
            f'markerHeight="9" markerUnits="userSpaceOnUse" orient="auto">'
            f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>')


def _svg(nodes, names, ids, positions, width, height, edge_ids):
    """The graph as inline SVG: edges (with a slot for the local derivative) under the node boxes."""
    parts = [f'<svg id="graph" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
             f'width="{width:.0f}" height="{height:.0f}" role="img" aria-label="computation graph">',
             '<defs>', _marker("arrow", "#9aa3ad"), _marker("arrow-active", "#d55e00"), '</defs>',
             '<g class="edges">']
    labels = []
    for node in nodes:
        count = len(node.parents)
        cx, cy = positions[node]
        edges_so_far = collections.Counter()                   # a*a: the second label goes further out
        for k, (parent, local) in enumerate(zip(node.parents, node.local_grads)):
            px, py = positions[parent]
            x1, y1 = px + NODE_WIDTH, py + NODE_HEIGHT / 2
            x2, y2 = cx - 2, cy + NODE_HEIGHT * (k + 1) / (count + 1)
            bend = max((x2 - x1) / 2, 20)
            edge_id = edge_ids[(node, k)]
            parts.append(f'<path id="{edge_id}" class="edge" d="M{x1:.1f},{y1:.1f} C{x1 + bend:.1f},{y1:.1f} '
                         f'{x2 - bend:.1f},{y2:.1f} {x2:.1f},{y2:.1f}" marker-end="url(#arrow)"/>')
            # The local derivative sits by the parent's end, on the side the curve leaves free.
            away = 1 if y2 < y1 else -1
            label_y = y1 + (15 if away > 0 else -6) + away * 14 * edges_so_far[parent]
            edges_so_far[parent] += 1
            labels.append(f'<text id="{edge_id}-local" class="edge-label" x="{x1 + 6:.1f}" y="{label_y:.1f}">'
                          f'× {html.escape(_shown(local))}</text>')
    parts.append('</g><g class="nodes">')
    for node in nodes:
        x, y = positions[node]
        i, name = ids[node], names[node]
        shown_name = name if len(name) <= SHOWN_LABEL_CHARS else name[:SHOWN_LABEL_CHARS - 1] + "…"
        kind = "leaf" if node.is_leaf() else "op"
        op = f'<text class="op" x="{x + NODE_WIDTH - 10:.1f}" y="{y + 19:.1f}">{html.escape(op_label(node))}</text>' \
            if node.op else ""
        parts.append(
            f'<g id="node-{i}" class="node {kind}" data-name="{html.escape(name)}" data-grad="">'
            f'<title>{html.escape(name)}: data {html.escape(repr(node.data))}</title>'
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{NODE_WIDTH}" height="{NODE_HEIGHT}" rx="8"/>'
            f'<text class="name" x="{x + 10:.1f}" y="{y + 19:.1f}">{html.escape(shown_name)}</text>{op}'
            f'<text class="row" x="{x + 10:.1f}" y="{y + 38:.1f}">data</text>'
            f'<text class="value" x="{x + NODE_WIDTH - 10:.1f}" y="{y + 38:.1f}">'
            f'{html.escape(_shown(node.data))}</text>'
            f'<text class="row" x="{x + 10:.1f}" y="{y + 56:.1f}">grad</text>'
            f'<text id="grad-{i}" class="value grad" x="{x + NODE_WIDTH - 10:.1f}" y="{y + 56:.1f}">?</text>'
            f'</g>')
    parts.append('</g><g class="edge-labels">')
    parts.extend(labels)
    parts.append('</g></svg>')
    return "".join(parts)
