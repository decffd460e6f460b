"""`animate_backward`: a self-contained HTML page that steps through the backward pass node by node."""
import collections
import html
import json
import math
import os
import pathlib

from .engine import Value
from .names import formula, graph_values, node_names
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


_HINTS = {
    "+": "a sum hands its gradient to each term unchanged (local derivative 1)",
    "-": "a difference a − b: local derivative +1 for a, −1 for b",
    "*": "a product: the local derivative for each factor is the other factor",
    "/": "a quotient a / b: local derivative 1/b for a, −a/b² for b",
    "**": "a power a ** b: local derivative b·a^(b−1) for a, a^b·ln a for b",
    "neg": "a negation −x: local derivative −1",
    "abs": "|x|: local derivative sign(x)",
    "relu": "relu(x) = max(x, 0): local derivative 1 where x > 0, else 0",
    "tanh": "tanh: local derivative 1 − tanh(x)² = 1 − {y}²",
    "sigmoid": "sigmoid σ: local derivative σ(x)·(1 − σ(x)) = {y}·(1 − {y})",
    "exp": "exp: local derivative is e^x itself = {y}",
    "log": "log: local derivative 1/x",
    "sqrt": "sqrt: local derivative 1/(2√x) = 1/(2·{y})",
    "sin": "sin: local derivative cos(x)",
    "cos": "cos: local derivative −sin(x)",
    "wx+b": "a neuron's w·x + b: local derivative x for each weight, w for each input, 1 for the bias",
}


def _hint(node):
    """One line on where this op's local derivatives come from ('' for an op it does not know)."""
    op = node.op
    if op.startswith("**") and len(op) > 2:                    # x ** c with a plain number c
        return f"a power x{op}: local derivative {op[2:]}·x^({op[2:]} − 1)"
    return _HINTS.get(op, "").replace("{y}", _shown(node.data))


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
            "hint": _hint(node),
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
    return _TEMPLATE.format(title=html.escape(title), heading=html.escape(title),
                            root_name=html.escape(root_name), steps=len(steps), svg=svg,
                            data=_json_for_script(data), style=_STYLE, script=_SCRIPT)


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
        op = f'<text class="op" x="{x + NODE_WIDTH - 10:.1f}" y="{y + 19:.1f}">{html.escape(node.op)}</text>' \
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


_STYLE = """
:root { --ink: #1f2933; --muted: #66727f; --line: #c3cad2; --current: #d55e00; --receive: #0072b2;
        --done: #009e73; --leaf: #eef4fb; --op: #f7f7f5; --mono: ui-monospace, "DejaVu Sans Mono",
        "Liberation Mono", Menlo, Consolas, monospace; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fcfcfb;
       font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; }
header { position: sticky; top: 0; z-index: 2; background: #fff; border-bottom: 1px solid #e3e7eb;
         padding: 12px 20px 10px; box-shadow: 0 1px 6px rgba(0,0,0,.04); }
h1 { font-size: 19px; margin: 0 0 8px; font-weight: 650; }
.controls { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
button { font: inherit; font-size: 14px; padding: 5px 13px; border-radius: 7px; cursor: pointer;
         border: 1px solid #b8c1cb; background: #fff; color: var(--ink); }
button:hover:not(:disabled) { background: #f0f4f8; }
button:disabled { opacity: .45; cursor: default; }
button.primary { background: var(--receive); border-color: var(--receive); color: #fff; }
button.primary:hover:not(:disabled) { background: #005d91; }
select { font: inherit; font-size: 14px; padding: 4px 6px; border-radius: 7px; border: 1px solid #b8c1cb; }
#counter { font-family: var(--mono); font-size: 14px; min-width: 7ch; text-align: center; }
.progress { flex: 1 1 120px; max-width: 260px; height: 6px; border-radius: 3px; background: #e3e7eb;
            overflow: hidden; }
#bar { height: 100%; width: 0; background: var(--receive); }
.keys { color: var(--muted); font-size: 13px; }
kbd { font-family: var(--mono); font-size: 12px; border: 1px solid #c8ced5; border-bottom-width: 2px;
      border-radius: 4px; padding: 0 4px; background: #fff; }
#explain { margin-top: 10px; min-height: 4.6em; }
#step-title { font-weight: 600; }
#step-hint { color: var(--muted); font-size: 14px; }
#step-hint:empty, #step-done:empty { display: none; }
#step-done { margin-top: 4px; color: #00704f; font-weight: 600; }
#step-lines { margin: 4px 0 0; padding: 0; list-style: none; font-family: var(--mono); font-size: 14px;
              white-space: pre-wrap; max-height: 7.6em; overflow-y: auto; }
#step-lines li { padding: 1px 0; }
.legend { display: flex; flex-wrap: wrap; gap: 16px; margin-top: 6px; font-size: 13px; color: var(--muted); }
.swatch { display: inline-block; width: 14px; height: 10px; border-radius: 3px; vertical-align: -1px;
          margin-right: 5px; border: 2px solid; }
.swatch.current { border-color: var(--current); background: #fdeee3; }
.swatch.receiving { border-color: var(--receive); background: #e3effa; }
.swatch.complete { border-color: var(--done); background: #fff; }
.swatch.leaf { border-color: #9aa3ad; background: var(--leaf); }
main { padding: 14px 20px 30px; overflow: auto; }
svg { max-width: 100%; height: auto; display: block; margin: 0 auto; }
.edge { fill: none; stroke: var(--line); stroke-width: 1.6; }
.edge.active { stroke: var(--current); stroke-width: 2.8; stroke-dasharray: 9 5; marker-end: url(#arrow-active);
               animation: flow .7s linear infinite; }
@keyframes flow { to { stroke-dashoffset: 28; } }
@media (prefers-reduced-motion: reduce) { .edge.active { animation: none; } }
.edge-label { display: none; font: 600 12px var(--mono); fill: var(--current); text-anchor: start;
              paint-order: stroke; stroke: #fcfcfb; stroke-width: 4px; stroke-linejoin: round; }
.edge-label.active { display: inline; }
.node rect { fill: var(--op); stroke: #9aa3ad; stroke-width: 1.3; }
.node.leaf rect { fill: var(--leaf); }
.node text { font-size: 13px; fill: var(--ink); }
.node .name { font-weight: 700; }
.node .op { font: 600 12px var(--mono); fill: var(--muted); text-anchor: end; }
.node .row { fill: var(--muted); font-size: 12px; }
.node .value { font-family: var(--mono); text-anchor: end; }
.node .grad { font-weight: 700; }
.node.unknown .grad { fill: #a3acb5; font-weight: 400; }
.node.complete rect { stroke: var(--done); stroke-width: 2; }
.node.complete .grad { fill: #00704f; }
.node.receiving rect { stroke: var(--receive); stroke-width: 3; fill: #e3effa; }
.node.current rect { stroke: var(--current); stroke-width: 3.5; fill: #fdeee3; }
"""

_SCRIPT = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("steps-data").textContent);
  var last = data.steps.length - 1;
  var step = 0, timer = null;
  var nodes = [], grads = [];
  for (var i = 0; i < data.nodeCount; i++) {
    nodes.push(document.getElementById("node-" + i));
    grads.push(document.getElementById("grad-" + i));
  }
  var el = function (id) { return document.getElementById(id); };
  var active = [];

  function render() {
    var shown = [], exact = [];
    shown[data.root] = data.seedShown; exact[data.root] = data.seedExact;
    for (var s = 1; s <= step; s++) {
      data.steps[s].edges.forEach(function (e) { shown[e.parent] = e.shown; exact[e.parent] = e.exact; });
    }
    var current = data.steps[step];
    var receiving = {};
    current.edges.forEach(function (e) { receiving[e.parent] = true; });
    for (var i = 0; i < data.nodeCount; i++) {
      var known = exact[i] !== undefined;
      grads[i].textContent = known ? shown[i] : "?";
      nodes[i].setAttribute("data-grad", known ? exact[i] : "");
      nodes[i].classList.toggle("unknown", !known);
      nodes[i].classList.toggle("complete", known && data.finalAt[i] <= step);
      nodes[i].classList.toggle("current", current.node === i || (step === 0 && i === data.root));
      nodes[i].classList.toggle("receiving", receiving[i] === true);
    }
    active.forEach(function (element) { element.classList.remove("active"); });
    active = [];
    current.edges.forEach(function (e) {
      [el(e.edge), el(e.edge + "-local")].forEach(function (element) {
        element.classList.add("active"); active.push(element);
      });
    });
    el("step-title").textContent = current.title;
    el("step-hint").textContent = current.hint;
    el("step-done").textContent = current.done || "";
    var list = el("step-lines");
    list.textContent = "";
    current.lines.forEach(function (line) {
      var item = document.createElement("li"); item.textContent = line; list.appendChild(item);
    });
    el("counter").textContent = step + " / " + last;
    el("bar").style.width = (last ? 100 * step / last : 100) + "%";
    el("back").disabled = el("reset").disabled = step === 0;
    el("next").disabled = step === last;
    el("play").textContent = timer ? "❚❚ Pause" : "▶ Play";
    document.body.setAttribute("data-step", String(step));
  }

  function go(to) { step = Math.max(0, Math.min(last, to)); if (step === last) stop(); render(); }
  function stop() { if (timer) { clearInterval(timer); timer = null; } }
  function next() { go(step + 1); }
  function back() { stop(); go(step - 1); }
  function reset() { stop(); go(0); }
  function togglePlay() {
    if (timer) { stop(); render(); return; }
    if (step === last) step = 0;
    timer = setInterval(next, Number(el("speed").value));
    next();
  }

  el("next").addEventListener("click", function () { stop(); next(); });
  el("back").addEventListener("click", back);
  el("reset").addEventListener("click", reset);
  el("play").addEventListener("click", togglePlay);
  el("speed").addEventListener("change", function () {
    if (timer) { stop(); timer = setInterval(next, Number(el("speed").value)); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var tag = event.target && event.target.tagName;
    if (tag === "SELECT" || tag === "INPUT" || tag === "TEXTAREA") return;
    var actions = { "ArrowRight": function () { stop(); next(); }, "ArrowLeft": back, " ": togglePlay,
                    "r": reset, "R": reset, "Home": reset, "End": function () { stop(); go(last); } };
    var action = actions[event.key];
    if (!action) return;
    event.preventDefault();              // no scrolling, and no second "click" on a focused button
    action();
  });
  document.addEventListener("keyup", function (event) {
    if (event.key === " ") event.preventDefault();
  });
  render();
})();
"""

_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{style}</style>
</head>
<body data-step="0">
<header>
  <h1>{heading}</h1>
  <div class="controls">
    <button id="reset" type="button" title="Reset (r)">⟲ Reset</button>
    <button id="back" type="button" title="Back (←)">◀ Back</button>
    <button id="next" type="button" class="primary" title="Next (→)">Next ▶</button>
    <button id="play" type="button" title="Play or pause (space)">▶ Play</button>
    <label class="keys">speed <select id="speed" aria-label="playing speed">
      <option value="1600">slow</option><option value="900" selected>normal</option>
      <option value="300">fast</option></select></label>
    <span id="counter" aria-label="step">0 / {steps}</span>
    <div class="progress" aria-hidden="true"><div id="bar"></div></div>
    <span class="keys"><kbd>→</kbd> next <kbd>←</kbd> back <kbd>space</kbd> play <kbd>r</kbd> reset</span>
  </div>
  <div id="explain" aria-live="polite">
    <div id="step-title"></div>
    <div id="step-hint"></div>
    <ul id="step-lines"></ul>
    <div id="step-done"></div>
  </div>
  <div class="legend">
    <span><span class="swatch current"></span>node passing its gradient back</span>
    <span><span class="swatch receiving"></span>parents receiving upstream × local</span>
    <span><span class="swatch complete"></span>gradient complete (∂{root_name}/∂node)</span>
    <span><span class="swatch leaf"></span>leaf (input or weight)</span>
  </div>
</header>
<main>
{svg}
</main>
<script type="application/json" id="steps-data">{data}</script>
<script>{script}</script>
</body>
</html>
"""
