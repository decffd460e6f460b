"""Text of a graph as every view writes it: numbers, formulas, op marks, the README's op table."""
import math

from ..core import engine
from ..core.engine import Value
from ..core.naming import format_number, node_names


def as_token(name):
    """A name as it reads inside ∂a/∂b or a formula: bracketed unless it is one token ('x1', 'w[0][1]').

    >>> as_token("x1"), as_token("w[0][1]"), as_token("h1.z"), as_token("x1*w1 + x2*w2")
    ('x1', 'w[0][1]', 'h1.z', '(x1*w1 + x2*w2)')
    """
    return name if name and all(ch.isalnum() or ch in "_.'[]" for ch in name) else f"({name})"


def shown(x):
    """A number as every view shows it: 4 significant digits, so the arithmetic a view writes holds at the
    precision shown; e-notation below 1e-4 (a small gradient is never shown as 0) and from a million on;
    '0' only for an exact zero, never '-0'.

    >>> shown(0.5), shown(-2.0), shown(12.5), shown(0.0013), shown(1234.56), shown(-98765.4)
    ('0.5000', '-2.000', '12.50', '0.001300', '1235', '-98765')
    >>> shown(1e-7), shown(-0.0), shown(0.99999999), shown(1234567.0), shown(float("-inf")), shown(float("nan"))
    ('1.000e-07', '0', '1.000', '1.235e+06', '-inf', 'nan')
    """
    x = float(x)
    if not math.isfinite(x):
        return repr(x)
    if x == 0.0:
        return "0"
    size = abs(x)
    if size < 1e-4 or size >= 1e6:
        return f"{x:.3e}"
    decimals = 3 - math.floor(math.log10(size))                # 4 significant digits (all digits from 1e4 on)
    text = f"{x:.{max(decimals, 0)}f}"
    if decimals > 0 and abs(float(text)) >= 10.0 ** (4 - decimals):   # 0.99999 rounded up to 1.0000:
        text = f"{x:.{decimals - 1}f}"                                 # 4 digits of the new size, 1.000
    return text


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
