"""Readable, unique names for the Values of a graph: the label when set, else one made from the op."""
import math

from .engine import Value

# Words for the ops whose symbol would make a poor name.
_OP_WORDS = {"+": "add", "-": "sub", "*": "mul", "/": "div", "**": "pow", "wx+b": "wxb"}

# How ops are written in formulas: binary ops between their operands, the rest as functions.
_SYMBOLS = {"+": "+", "-": "-", "*": "*", "/": "/", "**": "**"}


def graph_values(root, stop_after=None):
    """Every Value `root` depends on, root included, each after its parents (root last).

    Parents are visited left to right, so in `x * w + b` the product comes before `b`. Walks the
    graph without recursion. With `stop_after`, it gives up as soon as it has found more Values than
    that and returns those it found (in no particular order): enough to refuse a huge graph early.
    >>> x = Value(2.0, label="x"); y = x * x + 1
    >>> [v.label or v.op for v in graph_values(y)]
    ['x', '*', '+']
    """
    if type(root) is not Value:
        raise TypeError(f"expected a Value, got {type(root).__name__}")
    order, visited = [], set()
    stack = [(root, False)]
    while stack:
        value, parents_done = stack.pop()
        if parents_done:
            order.append(value)
        elif value not in visited:
            visited.add(value)
            if stop_after is not None and len(visited) > stop_after:
                return list(visited)
            stack.append((value, True))
            for parent in reversed(value.parents):             # the first parent is visited first
                if parent not in visited:
                    stack.append((parent, False))
    return order


def op_word(op):
    """A short identifier-like word for an op: '*' -> 'mul', '**2' -> 'pow', 'tanh' -> 'tanh'.

    >>> op_word("*"), op_word("**0.5"), op_word("sigmoid"), op_word("")
    ('mul', 'pow', 'sigmoid', 'leaf')
    """
    if not op:
        return "leaf"
    if op.startswith("**"):
        return "pow"
    if op in _OP_WORDS:
        return _OP_WORDS[op]
    word = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in op).strip("_")
    return word or "op"


def node_names(root, values=None):
    """A dict Value -> unique name for every Value in root's graph.

    A Value keeps its label; unlabelled ones are named by op and numbered in the order of
    `graph_values` ('mul_1', 'tanh_1', ...; unlabelled leaves are 'leaf_1', ...). A label used by two Values gets
    a suffix on the later one ('x', 'x_2'), so every name points at one Value.
    >>> a = Value(3.0, label="a"); y = (a * 2).tanh() + a
    >>> names = node_names(y)
    >>> [names[v] for v in graph_values(y)]
    ['a', 'mul_1', 'tanh_1', 'add_1']
    """
    values = graph_values(root) if values is None else values
    taken = {v.label for v in values if v.label}
    names, counters, labels_seen = {}, {}, set()
    for value in values:
        if value.label and value.label not in labels_seen:
            labels_seen.add(value.label)
            names[value] = value.label
            continue
        stem = value.label or op_word(value.op)
        count = counters.get(stem, 1 if value.label else 0)
        while True:
            count += 1
            candidate = f"{stem}_{count}"
            if candidate not in taken:
                break
        counters[stem] = count
        taken.add(candidate)
        names[value] = candidate
    return names


def constant_of(node):
    """The plain-number operand of a one-parent binary op (`x * 2` -> 2.0), else None.

    Plain numbers are not nodes; the engine keeps only the local derivative, so the constant is
    read back from it (for * and /) or from the data (for + and -).
    >>> x = Value(5.0)
    >>> constant_of(x * 2), constant_of(x + 1.5), constant_of(10 - x), constant_of(x / 4)
    (2.0, 1.5, 10.0, 4.0)
    """
    parents = node.parents
    if len(parents) != 1 or node.op not in ("+", "-", "*", "/"):
        return None
    (parent,), (local,) = parents, node.local_grads
    if node.op == "*":
        return local
    if node.op == "/":
        return 1.0 / local if local else math.inf
    if node.op == "+":
        return node.data - parent.data
    if local > 0:                                              # x - c
        return parent.data - node.data
    return node.data + parent.data                             # c - x


def format_number(x):
    """A constant as written in a formula: 2.0 -> '2', 0.25 -> '0.25', 1/3 -> '0.3333'.

    >>> format_number(2.0), format_number(-0.25), format_number(1 / 3)
    ('2', '-0.25', '0.3333')
    """
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.4g}"


def formula(node, names):
    """How `node` was made, in terms of its parents' names: 'a * b', 'x * 2', 'tanh(n)', '3 - x'.

    >>> a, b = Value(1.0, label="a"), Value(2.0, label="b")
    >>> y = (a * b).tanh(); names = node_names(y)
    >>> formula(y.parents[0], names), formula(y, names), formula(2 - a, names)
    ('a * b', 'tanh(mul_1)', '2 - a')
    """
    op, parents = node.op, node.parents
    if not op:
        return names.get(node, "") if names else ""
    operand = [names[p] for p in parents]
    if op == "wx+b":
        n = (len(parents) - 1) // 2
        terms = [f"{operand[i]}·{operand[n + i]}" for i in range(n)]
        return " + ".join(terms + [operand[-1]])
    if op.startswith("**") and len(parents) == 1:
        return f"{operand[0]} ** {op[2:]}"
    if op in _SYMBOLS and len(parents) == 2:
        return f"{operand[0]} {_SYMBOLS[op]} {operand[1]}"
    if op in _SYMBOLS and len(parents) == 1:
        c = format_number(constant_of(node))
        if op == "-" and node.local_grads[0] < 0:
            return f"{c} - {operand[0]}"
        return f"{operand[0]} {_SYMBOLS[op]} {c}"
    if op == "neg":
        return f"-{operand[0]}"
    if op == "abs":
        return f"|{operand[0]}|"
    return f"{op}({', '.join(operand)})"
