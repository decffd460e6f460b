"""A computation graph as a self-contained SVG picture, laid out by `layout.layered`: no Graphviz needed.

The picture scales to the width it is shown in (a viewBox, and max-width 100%), uses only presentation
attributes (no stylesheet, no ids, no scripts), so it can sit in a notebook output, an <img>, a README
or a file, several on one page. Every piece of text is escaped.
"""
import html

from .layout import layered

SANS = "Helvetica, Arial, 'DejaVu Sans', sans-serif"
MONO = "ui-monospace, Menlo, Consolas, 'DejaVu Sans Mono', monospace"
NAME_SIZE, VALUE_SIZE, OP_SIZE, EDGE_SIZE, NOTE_SIZE = 13, 12, 11, 11, 12
COLUMN = 960                                                   # about the width of a notebook's output column
ROW = 17                                                       # the height of a data or grad row
PAD = 9                                                        # inside a box, left and right

# How each kind of Value looks: (border colour, border width, dash pattern, corner radius).
BORDERS = {
    "output": ("#000000", 3.0, "", 3),
    "parameter": ("#1b7837", 2.2, "", 11),
    "input": ("#737373", 1.2, "4 3", 3),
    "intermediate": ("#404040", 1.0, "", 3),
}
EDGE_COLOUR, LABEL_COLOUR, OP_FILL, OP_BORDER = "#5f6b76", "#3d4650", "#f0f0f0", "#9a9a9a"


class Node:
    """What one box shows: its name (and whether the name was made up), op mark, data, grad, style."""

    __slots__ = ("name", "invented", "op", "data", "grad", "kind", "fill", "tooltip")

    def __init__(self, name, invented, op, data, grad, kind, fill, tooltip):
        self.name, self.invented, self.op, self.data, self.grad = name, invented, op, data, grad
        self.kind, self.fill, self.tooltip = kind, fill, tooltip


def text_width(text, size, mono=False):
    """A generous estimate of how wide `text` is in pixels (no font metrics are available here).

    >>> text_width("abcd", 10, mono=True), text_width("ab", 10) > 0
    (24.0, True)
    """
    if mono:
        return 0.6 * size * len(text)
    wide = sum(1 for ch in text if ch.isupper() or ch in "mw@%")
    narrow = sum(1 for ch in text if ch in "ijlft.,:;|!'()[] ")
    return size * (0.6 * (len(text) - wide - narrow) + 0.85 * wide + 0.34 * narrow)


def shortened(name, limit=24):
    """A name cut to `limit` characters with an ellipsis, for its box (the tooltip keeps all of it).

    >>> shortened("x"), shortened("a" * 30)
    ('x', 'aaaaaaaaaaaaaaaaaaaaaaa…')
    """
    return name if len(name) <= limit else name[:limit - 1] + "…"


def box_size(node):
    """(width, height) of a Value's box: a name row with the op mark, then data and grad.

    >>> box_size(Node("x", False, "", "2.000", "-1.500", "input", "#ffffff", "x"))
    (108.0, 64.0)
    """
    name = text_width(shortened(node.name), NAME_SIZE) * 1.05 + (8 + op_width(node.op) if node.op else 0)
    numbers = text_width("data", VALUE_SIZE) + 12 + text_width(max(node.data, node.grad, key=len), VALUE_SIZE,
                                                                mono=True)
    return max(108.0, round(2 * PAD + max(name, numbers))), 24.0 + 2 * ROW + 6


def op_width(op):
    """The width of the pill that holds an op's mark in a box.

    >>> op_width("abcd")
    38.4
    """
    return text_width(op, OP_SIZE, mono=True) + 12


def arrange(nodes, edges, groups=(), direction="auto"):
    """(the layout, its direction) of a graph of boxes; 'auto' is left to right unless that is much
    wider than a notebook column (COLUMN pixels) and top to bottom is clearly narrower.

    >>> nodes = {i: Node(f"v{i}", True, "+", "1.000", "1.000", "intermediate", "#fff", "") for i in range(12)}
    >>> chain = [(i, i + 1, i, None) for i in range(11)]
    >>> arrange(nodes, chain)[1], arrange(dict(list(nodes.items())[:3]), chain[:2])[1]
    ('TB', 'LR')
    """
    labelled = any(label is not None for *_, label in edges)
    longest = max((len(label) for *_, label in edges if label is not None), default=0)
    sizes = {key: box_size(node) for key, node in nodes.items()}
    label_width = text_width("0" * longest, EDGE_SIZE, mono=True)

    def lay_out(way):
        across_ports = way in ("LR", "RL")
        if labelled:
            approach = (label_width + 18) if across_ports else 22
            port_gap = 15 if across_ports else label_width + 12
        else:
            approach, port_gap = 0, 9
        return layered(list(nodes), [(p, c, key) for p, c, key, _ in edges], sizes, groups, way,
                       approach=approach, port_gap=port_gap, rank_gap=(approach + 32) if labelled else 46)

    if direction != "auto":
        return lay_out(direction), direction
    wide = lay_out("LR")
    if wide.width <= 1.2 * COLUMN:                             # scaled to no less than 5/6: still legible
        return wide, "LR"
    tall = lay_out("TB")
    return (tall, "TB") if tall.width * 1.25 < wide.width else (wide, "LR")


def graph_svg(nodes, edges, groups=(), direction="auto", notes=(), title="computation graph"):
    """(the SVG text of a graph, the direction it was laid out in).

    `nodes` {key: Node} in parents-first order; `edges` [(parent key, child key, edge key, label or
    None)]; `groups` [(title, [node keys])]; `notes` lines of text under the picture; `direction`
    'LR', 'TB', 'RL', 'BT' or 'auto'.
    >>> a = Node("a", False, "", "2.000", "3.000", "parameter", "#ffffff", "a")
    >>> y = Node("y", False, "×", "4.000", "1.000", "output", "#ffffff", "y = a * a")
    >>> svg, way = graph_svg({"a": a, "y": y}, [("a", "y", 0, "2.000"), ("a", "y", 1, "2.000")])
    >>> svg.startswith("<svg") and 'style="max-width:100%;height:auto"' in svg, svg.count("<path"), way
    (True, 2, 'LR')
    """
    layout, direction = arrange(nodes, edges, groups, direction)
    width = max(layout.width, 360.0) if notes else layout.width
    note_lines = []
    for line in notes:
        note_lines += _wrapped(line, width - 24) if line else [""]
    note_height = (len(note_lines) * (NOTE_SIZE + 5) + 10) if note_lines else 0
    height = layout.height + note_height
    # A picture that fits a notebook column keeps its size; a wider one gets no width and height, so
    # it fills the column, scaled down, wherever it is shown: inline, or as an <img> (JupyterLab and
    # nbconvert show SVG that way, and an <img> takes its size from those two attributes).
    size = f'width="{width:.0f}" height="{height:.0f}" ' if width <= COLUMN else ""
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" {size}viewBox="0 0 {width:.0f} {height:.0f}" '
             f'style="max-width:100%;height:auto" role="img" font-family="{SANS}" aria-label="{_escape(title)}">',
             f'<title>{_escape(title)}</title>',
             f'<rect width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>']
    for group_title, (x, y, w, h) in layout.groups:
        parts.append(f'<g class="cluster"><rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="8" '
                     f'fill="#fafafa" stroke="#a0a0a0" stroke-dasharray="5 3"/>'
                     f'<text x="{x + 8:.1f}" y="{y + 14:.1f}" font-size="12" fill="#555555">'
                     f'{_escape(group_title)}</text></g>')
    parts.append('<g class="edges" fill="none" stroke="' + EDGE_COLOUR + '" stroke-width="1.2">')
    for _, _, key, _ in edges:
        parts.append(f'<path d="{layout.routes[key].path}"/>')
    parts.append(f'</g><g class="arrows" fill="{EDGE_COLOUR}">')
    for _, _, key, _ in edges:
        parts.append(f'<polygon points="{layout.routes[key].arrow}"/>')
    parts.append("</g>")
    if any(label is not None for *_, label in edges):
        parts.append(f'<g class="edge-labels" font-family="{MONO}" font-size="{EDGE_SIZE}" fill="{LABEL_COLOUR}" '
                     f'stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke">')
        for _, _, key, label in edges:
            if label is not None:
                route = layout.routes[key]
                parts.append(f'<text x="{route.label_x:.1f}" y="{route.label_y:.1f}" '
                             f'text-anchor="{route.label_anchor}">{_escape(label)}</text>')
        parts.append("</g>")
    parts.append('<g class="values">')
    for key, node in nodes.items():
        parts.append(_box(node, layout.boxes[key]))
    parts.append("</g>")
    for i, line in enumerate(note_lines):
        if not line:
            continue
        y = layout.height + 4 + (i + 1) * (NOTE_SIZE + 5)
        parts.append(f'<text class="note" x="12" y="{y:.1f}" font-size="{NOTE_SIZE}" fill="#333333">'
                     f'{_escape(line)}</text>')
    parts.append("</svg>")
    return "".join(parts), direction


def _box(node, box):
    """One Value: its box (fill = gradient colour, border = kind), name, op mark, data and grad."""
    x, y, w, h = box
    colour, width, dash, radius = BORDERS[node.kind]
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    name_style = (f'font-size="{NAME_SIZE}" font-style="italic" fill="#444444"' if node.invented
                  else f'font-size="{NAME_SIZE}" font-weight="bold" fill="#111111"')
    parts = [f'<g class="value {node.kind}" data-name="{_escape(node.name)}">',
             f'<title>{_escape(node.tooltip)}</title>',
             f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="{radius}" fill="{node.fill}" '
             f'stroke="{colour}" stroke-width="{width}"{dashes}/>',
             f'<text x="{x + PAD:.1f}" y="{y + 18:.1f}" {name_style}>{_escape(shortened(node.name))}</text>']
    if node.op:
        op_w = op_width(node.op)
        parts.append(f'<rect class="op" x="{x + w - PAD + 3 - op_w:.1f}" y="{y + 5:.1f}" width="{op_w:.1f}" '
                     f'height="17" rx="8.5" fill="{OP_FILL}" stroke="{OP_BORDER}" stroke-width="0.8"/>'
                     f'<text x="{x + w - PAD + 3 - op_w / 2:.1f}" y="{y + 17.5:.1f}" font-family="{MONO}" '
                     f'font-size="{OP_SIZE}" text-anchor="middle" fill="#333333">{_escape(node.op)}</text>')
    for row, (word, number) in enumerate((("data", node.data), ("grad", node.grad))):
        baseline = y + 24 + ROW * (row + 1) - 4
        weight = ' font-weight="bold"' if word == "grad" else ""
        parts.append(f'<text x="{x + PAD:.1f}" y="{baseline:.1f}" font-size="{VALUE_SIZE}" fill="#555555">{word}'
                     f'</text><text x="{x + w - PAD:.1f}" y="{baseline:.1f}" font-family="{MONO}" '
                     f'font-size="{VALUE_SIZE}" text-anchor="end" fill="#111111"{weight}>{_escape(number)}</text>')
    parts.append("</g>")
    return "".join(parts)


def _wrapped(text, width):
    """A line of text broken at spaces into lines about `width` pixels wide."""
    lines, current = [], ""
    for word in text.split(" "):
        trial = f"{current} {word}" if current else word
        if current and text_width(trial, NOTE_SIZE) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    return lines + [current]


def _escape(text):
    return html.escape(str(text), quote=True)
