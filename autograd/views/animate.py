"""`animate_backward`: a self-contained HTML page that steps through the backward pass node by node,
written to a file or shown inline in a notebook."""
import html
import importlib.resources
import json
import math
import os
import pathlib

from . import practice as practice_mode, svg as svg_writer
from ..core.engine import Value
from ..core.naming import graph_values, node_names
from .text import as_token, describe, formula, op_label, shown
from .replay import replay_backward

MAX_NODES = 400          # more nodes than this make an unreadable page: animate_backward refuses them



def animate_backward(root, path=None, max_nodes=MAX_NODES, title="Backpropagation, one node at a time",
                     params=None, practice=False):
    """A page that steps through `root.backward()`: written to `path` (and its path returned as a pathlib.Path),
    or, with no path, a `StepThrough` that shows the page inline in a notebook.

    The page needs no network and no Graphviz: the graph is laid out by `layout.layered` (as
    draw_dot's drawings are) and drawn as inline SVG; the steps, computed by `replay_backward`, are
    embedded as JSON and played by a small inline script (buttons, or the keys → ← space r). Values
    are shown by `shown` (4 significant digits); nodes are named as print_tree, explain and draw_dot name them (give the model as
    `params` to name its parameters). `root.grad` and every other `.grad` are left as they are.
    With `practice=True` the page asks before it tells: for each node, in the order backward()
    completes them (as `autograd.practice.check` lists its rows), it asks for ∂root/∂node, says "✓ right"
    or names the slip in check's words, can reveal the answer as upstream × local, and keeps a score; its
    edges show each local derivative's rule ('× (1 - o²)'), not the number, which would give answers away.
    `practice` may also be a list of the nodes to ask about (Values or names: an exercise's `.asked`).
    >>> import tempfile
    >>> x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    >>> page = animate_backward((x * w).tanh(), os.path.join(tempfile.mkdtemp(), "steps.html"))
    >>> page.name, "∂tanh_1/∂w += " in page.read_text(encoding="utf-8"), w.grad
    ('steps.html', True, 0.0)
    >>> "<iframe" in animate_backward((x * w).tanh())._repr_html_()
    True
    """
    if type(root) is not Value:
        raise TypeError(f"animate_backward needs a Value as root, got {type(root).__name__}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"animate_backward: max_nodes must be an int >= 1, got {max_nodes!r}")
    if not isinstance(title, str):
        raise TypeError(f"animate_backward: title must be a str, got {type(title).__name__}")
    if not isinstance(practice, (bool, list, tuple)):
        raise TypeError(f"animate_backward: practice must be True, False or a list of the nodes to ask about, "
                        f"got {type(practice).__name__}")
    target = _checked_path(path) if path is not None else None
    nodes = graph_values(root, stop_after=max_nodes)            # parents first, in reading order
    if len(nodes) > max_nodes:
        raise ValueError(f"animate_backward: the graph has more than max_nodes={max_nodes} nodes; a page that "
                         f"large is unreadable (draw a smaller expression, or pass a larger max_nodes)")
    page, size = _page(root, nodes, title, params, practice)
    if target is None:
        return StepThrough(page, title, size)
    target.write_text(page, encoding="utf-8")
    return target


class StepThrough:
    """The step-through page, kept in memory: shows itself inline in a notebook (an iframe holding the
    whole page), `.html` is the page's text and `.save(path)` writes it to a file."""

    def __init__(self, html_text, title, size):
        self.html, self.title, self._size = html_text, title, size

    def _repr_html_(self):
        width, height = self._size
        graph_height = height * min(1.0, 900 / max(width, 1))   # the graph scales down to the frame's width
        shown_height = round(min(max(graph_height + 390, 480), 1000))          # + the header and the text
        return (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" title="{html.escape(self.title)}" '
                f'sandbox="allow-scripts" style="width:100%;height:{shown_height}px;border:1px solid #d0d7de;'
                f'border-radius:6px;background:#fff"></iframe>')

    def save(self, path):
        """Write the page to `path` (its folder must exist) and return the path as a pathlib.Path."""
        target = _checked_path(path)
        target.write_text(self.html, encoding="utf-8")
        return target

    def __repr__(self):
        return f"<StepThrough page {self.title!r}: shown inline in a notebook; .save(path) writes it>"


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


def _defined(node, names):
    """'n = a + b': the node's name and how it was made (just the name if its label says it already)."""
    made_from = _shortened(formula(node, names))
    return names[node] if made_from == names[node] else f"{names[node]} = {made_from}"


def _shortened(text, limit=60):
    """Text cut to `limit` characters with an ellipsis (a neuron's formula can be very long)."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _hint(node, names):
    """Where this node's local derivatives come from, from its op's row: '∂o/∂n = 1 − o² = 0.5000'."""
    operands = {parent: as_token(names[parent]) for parent in node.parents}
    operands[node] = as_token(names[node])
    _, rules = describe(node, operands)
    if any(rule is None for rule in rules):
        return f"{node.op}: a user-defined op; its local derivatives come from the df given to primitive()"
    pieces, seen = [], set()
    for parent, rule, local in zip(node.parents, rules, node.local_grads):
        if (parent, rule) in seen:
            continue
        seen.add((parent, rule))
        pieces.append(f"∂{operands[node]}/∂{operands[parent]} = {rule} = {shown(local)}")
    more = len(pieces) - 3
    text = "; ".join(pieces[:3]) + (f"; … ({more} more)" if more > 0 else "")
    return "local derivatives: " + text


def _rule_label(node, k, names):
    """Edge k of `node` labelled with its local derivative's rule, in the graph's names: '× (1 - o²)', '× x1'
    (for an op with no rule text, '× ∂c/∂p')."""
    operands = {parent: as_token(names[parent]) for parent in node.parents}
    operands[node] = as_token(names[node])
    _, rules = describe(node, operands)
    rule = rules[k] or f"∂{operands[node]}/∂{operands[node.parents[k]]}"
    return f"× ({rule})" if " " in rule else f"× {rule}"


def _asset(name):
    """The text of one of the page's files (HTML, CSS, JavaScript), shipped as package data."""
    return importlib.resources.files("autograd.views").joinpath("assets", name).read_text(encoding="utf-8")


# ---- the page ---------------------------------------------------------------------------------
def _page(root, nodes, title, params=None, practice=False):
    """(the whole HTML document: header and controls, the SVG graph, the steps as JSON, the player;
    the graph's width and height)."""
    steps, final = replay_backward(root)
    names = node_names(root, nodes, params)
    ids = {node: i for i, node in enumerate(nodes)}
    root_name = as_token(names[root])
    edge_ids = {}                                              # (child, k) -> element id
    final_at = {root: 0}                                       # step after which a grad is complete
    step_data = [{
        "node": None,
        "title": f"Start: the seed ∂{root_name}/∂{root_name} = {shown(1.0)}",
        "hint": (f"Every other gradient is unknown (?) until the chain rule reaches it. "
                 f"Press → (or Next) to let {names[root]} pass its gradient back."
                 if steps else f"{names[root]} is a leaf: there is nothing to pass back."),
        "lines": [],
        "edges": [],
    }]
    for number, step in enumerate(steps, start=1):
        node = step.node
        child = as_token(names[node])
        lines = []
        edges = []
        for k, c in enumerate(step.contributions):
            parent = as_token(names[c.parent])
            line = (f"∂{root_name}/∂{parent} += {shown(c.upstream)} × {shown(c.local)} "
                    f"= {shown(c.amount)}")
            if c.before is not None:
                line += f"   (was {shown(c.before)}, now {shown(c.after)})"
            lines.append(line)
            edge_ids[(node, k)] = f"e{ids[node]}-{k}"
            edges.append({"edge": edge_ids[(node, k)], "parent": ids[c.parent],
                          "shown": shown(c.after), "exact": repr(c.after)})
            final_at[c.parent] = number
        inputs = len(step.contributions)
        step_data.append({
            "node": ids[node],
            "title": (f"Step {number}: {_defined(node, names)} passes "
                      f"∂{root_name}/∂{child} = {shown(step.upstream)} back to "
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
        "seedShown": shown(1.0), "seedExact": repr(1.0),
        "nodeCount": len(nodes),
        "finalAt": [final_at[node] for node in nodes],
        "steps": step_data,
    }
    svg, size = _svg(nodes, names, ids, final, rules=practice is not False)
    style, script, mode, panel = _asset("step_through.css"), _asset("step_through.js"), "steps", ""
    if practice is not False:                                  # the practice UI replaces the player
        data["practice"] = _practice_data(root, names, ids, params, None if practice is True else practice)
        style += _asset("practice.css")
        script, mode = _asset("practice.js"), "practice"
        panel = _asset("practice.html").format(root_name=html.escape(root_name))
    page = _asset("step_through.html").format(
        title=html.escape(title), heading=html.escape(title), root_name=html.escape(root_name),
        steps=len(steps), svg=svg, data=_json_for_script(data), style=style,
        script=script, mode=mode, practice_panel=panel)
    return page, size


def _practice_data(root, names, ids, params, asked=None):
    """The practice page's answer key, computed here so the page only looks numbers up: one question per
    node but the root, in check's row order, with the answer, each labelled slip's number, the
    upstream × local breakdown and the edges of the node's uses."""
    graph = practice_mode.PracticeGraph(root, params)
    chosen = None if asked is None else {graph.node(key, "animate_backward(practice=...)") for key in asked}
    questions = []
    for node in graph.order:
        if node is root or (chosen is not None and node not in chosen):
            continue
        token = as_token(names[node])
        uses = [f"e{ids[child]}-{k}" for child, k, _ in graph.uses[node]]
        questions.append({
            "node": ids[node], "name": names[node],
            "question": f"δ({names[node]}) = ∂{as_token(names[root])}/∂{token}",
            "answer": _finite_or_none(graph.true[node]), "answerShown": shown(graph.true[node]),
            "byHand": _finite_or_none(graph.by_hand[node]),         # from the shown numbers: right too
            "slips": [{"kind": kind, "value": value}
                      for kind, values in practice_mode.slips(root, node, graph).items() for value in values
                      if math.isfinite(value)],
            "breakdown": practice_mode.breakdown(root, node, graph),
            "uses": uses, "users": sorted({ids[child] for child, _, _ in graph.uses[node]}),
        })
    return {"questions": questions, "relTol": practice_mode.RELATIVE_TOLERANCE,
            "absTol": practice_mode.ABSOLUTE_TOLERANCE, "words": practice_mode.MISTAKE_WORDS}


def _finite_or_none(x):
    """x, or None where it is inf or nan (no number to type; the page can only reveal it)."""
    return x if math.isfinite(x) else None


def _json_for_script(data):
    """JSON that is safe inside <script>: no '<', '>' or '&' survive literally."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _svg(nodes, names, ids, final, rules=False):
    """(the graph as inline SVG, its (width, height)): laid out by `layout.layered` as the drawings are;
    edges (with a slot for the local derivative) under the node boxes. With `rules` (practice mode) an edge's
    label is its rule from the op row ('× (1 - o²)'), not its number, which would give answers away."""
    boxes = {node: svg_writer.Node(names[node], False, op_label(node), shown(node.data),
                                   shown(final.get(node, 0.0)), "", "", "") for node in nodes}
    edges = [(parent, node, (node, k), _rule_label(node, k, names) if rules else f"× {shown(local)}")
             for node in nodes for k, (parent, local) in enumerate(zip(node.parents, node.local_grads))]
    layout, _ = svg_writer.arrange(boxes, edges, (), "LR")
    width, height = layout.width, layout.height
    parts = [f'<svg id="graph" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
             f'width="{width:.0f}" height="{height:.0f}" role="img" aria-label="computation graph">',
             '<g class="edges">']
    labels, arrows = [], []
    for parent, node, key, label in edges:
        route = layout.routes[key]
        edge_id = f"e{ids[node]}-{key[1]}"
        parts.append(f'<path id="{edge_id}" class="edge" d="{route.path}"/>')
        arrows.append(f'<polygon id="{edge_id}-arrow" class="arrow" points="{route.arrow}"/>')
        labels.append(f'<text id="{edge_id}-local" class="edge-label" x="{route.label_x:.1f}" '
                      f'y="{route.label_y:.1f}" text-anchor="{route.label_anchor}">{html.escape(label)}</text>')
    parts.append("</g><g class=\"arrows\">")
    parts.extend(arrows)
    parts.append('</g><g class="nodes">')
    for node in nodes:
        x, y, w, h = layout.boxes[node]
        i, name = ids[node], names[node]
        kind = "leaf" if node.is_leaf() else "op"
        op = (f'<text class="op" x="{x + w - 10:.1f}" y="{y + 19:.1f}">{html.escape(op_label(node))}</text>'
              if node.op else "")
        parts.append(
            f'<g id="node-{i}" class="node {kind}" data-name="{html.escape(name)}" data-grad="">'
            f'<title>{html.escape(name)}: data {html.escape(repr(node.data))}</title>'
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="8"/>'
            f'<text class="name" x="{x + 10:.1f}" y="{y + 19:.1f}">{html.escape(svg_writer.shortened(name))}</text>{op}'
            f'<text class="row" x="{x + 10:.1f}" y="{y + 38:.1f}">data</text>'
            f'<text class="value" x="{x + w - 10:.1f}" y="{y + 38:.1f}">{html.escape(shown(node.data))}</text>'
            f'<text class="row" x="{x + 10:.1f}" y="{y + 56:.1f}">grad</text>'
            f'<text id="grad-{i}" class="value grad" x="{x + w - 10:.1f}" y="{y + 56:.1f}">?</text>'
            f'</g>')
    parts.append('</g><g class="edge-labels">')
    parts.extend(labels)
    parts.append('</g></svg>')
    return "".join(parts), (width, height)
