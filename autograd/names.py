"""Readable, unique names for the Values of a graph: the label when set, else one made from the op."""
import math

from .engine import OPS, Value, walk, word_of


def graph_values(root, stop_after=None):
    """Every Value `root` depends on, leaves included, each after its parents (root last): `walk` with leaves.

    Parents are visited left to right, so in `x * w + b` the product comes before `b`. With
    `stop_after`, it gives up as soon as it has found more Values than that (see `walk`).
    >>> x = Value(2.0, label="x"); y = x * x + 1
    >>> [v.label or v.op for v in graph_values(y)]
    ['x', '*', '+']
    """
    return walk(root, leaves=True, stop_after=stop_after)


def op_word(op):
    """A short identifier-like word for an op (its row's word): '*' -> 'mul', 'wx+b' -> 'wxb'.

    >>> op_word("*"), op_word("**"), op_word("wx+b"), op_word("")
    ('mul', 'pow', 'wxb', 'leaf')
    """
    if not op:
        return "leaf"
    row = OPS.get(op)
    if row is not None:
        return row.word
    return word_of(op)


def node_names(root, values=None, params=None):
    """A dict Value -> unique name for every Value in root's graph: the one naming rule of every view.

    A Value keeps its label. An unlabelled parameter of `params` (a model, anything with
    `named_parameters()`) is named by its place in the model, as `parameter_names` writes it
    ('w[0][1]', 'b[1]'). Other unlabelled Values are named by op and numbered in the order of
    `graph_values` ('mul_1', 'tanh_1', ...; unlabelled leaves are 'leaf_1', ...). A name used by two
    Values gets a suffix on the later one ('x', 'x_2'), so every name points at one Value. print_tree,
    explain, draw_dot and the step-through page all name nodes with this function.
    >>> a = Value(3.0, label="a"); y = (a * 2).tanh() + a
    >>> names = node_names(y)
    >>> [names[v] for v in graph_values(y)]
    ['a', 'mul_1', 'tanh_1', 'add_1']
    """
    values = graph_values(root) if values is None else values
    known = parameter_names(params) if params is not None else {}
    given = {v: v.label or known.get(v, "") for v in values}
    taken = {name for name in given.values() if name}
    names, counters, seen = {}, {}, set()
    for value in values:
        name = given[value]
        if name and name not in seen:
            seen.add(name)
            names[value] = name
            continue
        stem = name or (value.row.word if value.row is not None else "leaf")
        count = counters.get(stem, 1 if name else 0)
        while True:
            count += 1
            candidate = f"{stem}_{count}"
            if candidate not in taken:
                break
        counters[stem] = count
        taken.add(candidate)
        names[value] = candidate
    return names


def parameter_names(model):
    """{parameter: short name} for a model's parameters: the attribute names with the indices as [i].

    'layers.1.neurons.0.w.2' becomes 'w[1][0][2]' (layer 1, neuron 0, weight 2) and 'neurons.1.b'
    becomes 'b[1]'. Where two parameters would get the same short name, both keep their full path.
    Anything without `named_parameters()` (a plain list of Values, say) names nothing.
    >>> class Model:
    ...     def named_parameters(self):
    ...         return [("layers.0.neurons.1.w.0", "p"), ("layers.0.neurons.1.b", "q"), ("scale", "s")]
    >>> parameter_names(Model())
    {'p': 'w[0][1][0]', 'q': 'b[0][1]', 's': 'scale'}
    """
    named = getattr(model, "named_parameters", None)
    if named is None:
        return {}
    short = {}
    for path, value in named():
        parts = str(path).split(".")
        words = [part for part in parts if not part.isdigit()]
        indices = "".join(f"[{part}]" for part in parts if part.isdigit())
        short[value] = (words[-1] if words else "p") + indices, str(path)
    counts = {}
    for name, _ in short.values():
        counts[name] = counts.get(name, 0) + 1
    return {value: name if counts[name] == 1 else path for value, (name, path) in short.items()}


def as_token(name):
    """A name as it reads inside ∂a/∂b or a formula: bracketed unless it is one token ('x1', 'w[0][1]').

    >>> as_token("x1"), as_token("w[0][1]"), as_token("h1.z"), as_token("x1*w1 + x2*w2")
    ('x1', 'w[0][1]', 'h1.z', '(x1*w1 + x2*w2)')
    """
    return name if name and all(ch.isalnum() or ch in "_.'[]" for ch in name) else f"({name})"


def shown(x):
    """A number as every view shows it: 4 decimals, never '-0.0000', e-notation from a million on.

    >>> shown(0.5), shown(-1e-9), shown(-2.0), shown(1234567.0), shown(float("-inf"))
    ('0.5000', '0.0000', '-2.0000', '1.2346e+06', '-inf')
    """
    if not math.isfinite(x):
        return repr(float(x))
    text = f"{x:.4f}" if abs(x) < 1e6 else f"{x:.4e}"
    return "0.0000" if text == "-0.0000" else text


def format_number(x):
    """A constant as written in a formula: 2.0 -> '2', 0.25 -> '0.25', 1/3 -> '0.3333'.

    >>> format_number(2.0), format_number(-0.25), format_number(1 / 3)
    ('2', '-0.25', '0.3333')
    """
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    text = f"{x:.4g}"
    return "0" if text == "-0" else text


def describe(node, names):
    """(how `node` was made, its local derivative along each edge as text) from its op's row.

    `names` maps Values to the text that stands for them; a plain-number operand is written as its
    number. A rule is None where the op has no rule text (a primitive made without one).
    >>> a, b = Value(1.0, label="a"), Value(2.0, label="b")
    >>> describe(a * b, {a: "a", b: "b"}), describe(10 - a, {a: "a"})
    (('a * b', ['b', 'a']), ('10 - a', ['-1']))
    """
    if node.is_leaf():
        return names.get(node, ""), []
    operands = [names[v] if type(v) is Value else format_number(v) for v in node.operands]
    output = names.get(node) or "y"
    written, rules = node.row.text(operands, output)
    if len(rules) != len(node.parents):                        # x * 2: only the Value operand has an edge
        rules = [rules[i] for i, v in enumerate(node.operands) if type(v) is Value]
    return written, rules


def formula(node, names):
    """How `node` was made, in terms of its parents' names: 'a * b', 'x * 2', 'tanh(n)', '3 - x'.

    >>> a, b = Value(1.0, label="a"), Value(2.0, label="b")
    >>> y = (a * b).tanh(); names = node_names(y)
    >>> formula(y.parents[0], names), formula(y, names), formula(2 - a, names)
    ('a * b', 'tanh(mul_1)', '2 - a')
    """
    return describe(node, names)[0]


def op_label(node):
    """The mark of a node's op in drawings, from its row: '×' for a * b, '× 2' for a * 2, '10 −' for 10 - a.

    >>> x = Value(3.0)
    >>> op_label(x * x), op_label(x * 2), op_label(10 - x), op_label(x ** 2)
    ('×', '× 2', '10 −', '^2')
    """
    if node.is_leaf():
        return ""
    symbol = node.row.symbol
    operands = node.operands
    if len(operands) == 2 and len(node.parents) == 1:          # one operand a plain number
        if type(operands[0]) is Value:
            return f"{symbol}{format_number(operands[1])}" if symbol == "^" else f"{symbol} {format_number(operands[1])}"
        return f"{format_number(operands[0])} {symbol}"
    return symbol


def op_table():
    """The README's table of ops, made from the op rows: how each op is called, written and differentiated.

    >>> print(op_table().splitlines()[2])
    | `a + b` | a + b | 1, 1 |
    """
    from . import engine
    calls = {engine.ADD: "a + b", engine.SUB: "a - b", engine.MUL: "a * b", engine.DIV: "a / b",
             engine.POW: "a ** b", engine.NEG: "-x", engine.ABS: "abs(x)",
             engine.WX_B: "weighted_sum([w1, w2], [x1, x2], b)", engine.DOT: "weighted_sum([w1, w2], [x1, x2])",
             engine.SUM: "total([x1, x2, x3])", engine.LOGSUMEXP: "logsumexp([x1, x2])"}
    examples = {engine.WX_B: ["w1", "w2", "x1", "x2", "b"], engine.DOT: ["w1", "w2", "x1", "x2"],
                engine.SUM: ["x1", "x2", "x3"], engine.LOGSUMEXP: ["x1", "x2"]}
    lines = ["| op | y | local derivatives ∂y/∂(each operand, in order) |", "| --- | --- | --- |"]
    for row in engine.OPS.values():
        if row.name not in engine.BUILTIN_OPS:
            continue
        operands = examples.get(row) or list(row.operand_names)
        written, rules = row.text(operands, "y")
        call = calls.get(row, f"x.{row.name}()")
        cells = [f"`{call}`", written, ", ".join(rules)]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines)
