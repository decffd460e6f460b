"""The engine: `Value`, a scalar that remembers how it was made; the table of op rows; the chain rule."""
import linecache
import math
import operator
import re
import sys

from . import mode
from .mode import DROP_GRAPH, OPEN_SCOPES, TapeError
from .rowmath import NAMESPACE, exp, logsumexp as logsumexp_of_floats, not_a_number, real_number


class Value:
    """A scalar node: its data, its gradient, and the edges to the Values it was made from.

    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> c = a * b + a ** 2
    >>> c.backward()
    >>> c.data, a.grad, b.grad
    (-2.0, 1.0, 2.0)
    """

    # _edges is flat, (parent, local derivative, parent, local derivative, ...): the local derivative
    # is d(self)/d(parent) as a plain number, so `a * a` has two edges to `a`. _op is the row of the
    # table below that made this Value (with the plain-number operand, if any), None for a leaf.
    __slots__ = ("data", "grad", "_edges", "_op", "label")
    __array_ufunc__ = None    # numpy leaves a Value's operators to Value: a number works, an array is refused

    def __init__(self, data, label=""):
        number = real_number(data)
        if number is None:
            raise TypeError(f"Value needs a real number, got {type(data).__name__}: {data!r}")
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {type(label).__name__}")
        self.data = number
        self.grad = 0.0
        self._edges = ()
        self._op = None
        self.label = label

    def __repr__(self):
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    def __format__(self, spec):
        """f"{v:.4f}" formats the data; a bare f"{v}" is the repr."""
        return format(self.data, spec) if spec else repr(self)

    def item(self):
        """The data as a Python float, as `tensor.item()`: `Value(2.5).item()` is 2.5."""
        return self.data

    @property
    def parents(self):
        """The Values this one was made from, once per edge: `(a * a).parents == (a, a)`."""
        return self._edges[0::2]

    @property
    def local_grads(self):
        """The local derivative d(self)/d(parent) along each edge, in the order of `parents`."""
        return self._edges[1::2]

    @property
    def op(self):
        """The name of the op that made this Value ('' for a leaf): '*', 'tanh', 'wx+b', ..."""
        return self._op.name if self._op is not None else ""

    @property
    def row(self):
        """The row of the op table that made this Value (None for a leaf, and for a Value made under no_grad)."""
        return self._op.row if self._edges else None

    @property
    def operands(self):
        """The op's operands in order: parents, and the plain number of `x * 2` or `2 - x` where it was one."""
        op = self._op
        parents = self._edges[0::2]
        if type(op) is WithConstant:
            return (op.constant,) + parents if op.position == 0 else parents + (op.constant,)
        return parents

    def is_leaf(self):
        """True for a Value made by the user (or under no_grad), not by an op."""
        return not self._edges

    def detach(self):
        """A new leaf with the same data and no history."""
        return Value(self.data, self.label)

    def __reduce_ex__(self, protocol):
        """Pickle a graph flat (not one nested call per node), so deep graphs pickle too."""
        if not self._edges:
            return object.__reduce_ex__(self, protocol)
        order = walk(self)
        position = {node: i for i, node in enumerate(order)}
        records = []
        for node in order:                                     # a non-leaf parent becomes its position
            edges = tuple(position.get(v, v) if i % 2 == 0 else v for i, v in enumerate(node._edges))
            op = node._op
            constant = (op.constant, op.position) if type(op) is WithConstant else None
            records.append((node.data, node.grad, op.row.name, constant, node.label, edges))
        return _rebuild_graph, (records,)

    # ---- ops: + - * / ** abs, neg and the methods relu(), tanh(), ... are the rows' own functions,
    # bound to Value after the op table below (each reads like the row it comes from: help(Value.tanh)).

    def __pos__(self):
        return self

    # Comparisons are one family: all six compare the data, as PyTorch's do. Hashing stays by identity
    # (a Value is a node of a graph: two nodes with equal data are two keys), so the engine never asks
    # `==` of Values: it keys dicts and sets by the node and compares with `is`. Inside a tape() the
    # outcome is noted, so a compiled program can check it still holds for new data.
    def __lt__(self, other): return _compare(self, "<", other, operator.lt)
    def __le__(self, other): return _compare(self, "<=", other, operator.le)
    def __gt__(self, other): return _compare(self, ">", other, operator.gt)
    def __ge__(self, other): return _compare(self, ">=", other, operator.ge)
    def __eq__(self, other): return _compare(self, "==", other, operator.eq, unrelated=NotImplemented)
    def __ne__(self, other): return _compare(self, "!=", other, operator.ne, unrelated=NotImplemented)
    __hash__ = object.__hash__

    def __bool__(self):
        """`if v:` is `if v.data != 0:`, as for a PyTorch scalar tensor."""
        return _compare(self, "!=", 0.0, operator.ne)

    # float(v), int(v), round(v) and math.exp(v) would hand back a number with no gradient; say what to use.
    def __float__(self): _drops_the_gradient("float(v)")
    def __int__(self): _drops_the_gradient("int(v)")
    def __round__(self, ndigits=None): _drops_the_gradient("round(v)")

    # ---- the chain rule ---------------------------------------------------------------------
    def backward(self, grad=1.0):
        """Backpropagate from this Value: every Value it depends on gets d(self)/d(it) in `.grad`.

        Leaves accumulate (`+=`) across calls, like PyTorch; every other node holds this pass only.
        >>> a = Value(3.0); b = a + a; c = b + b
        >>> c.backward(); a.grad
        4.0
        >>> c.backward(); a.grad, b.grad
        (8.0, 2.0)
        """
        seed = real_number(grad)
        if seed is None:
            raise TypeError(f"backward(grad=...) needs a real number (the seed d(root)/d(root)), got "
                            f"{type(grad).__name__}")
        check_differentiable(self, "backward()")
        tape = mode.current_tape() if OPEN_SCOPES else None
        taken = tape.take_until(self) if tape is not None else None
        if taken is not None:                                  # inside a tape(): no sort needed
            return _backward_along_tape(self, seed, taken, tape.check)
        order = walk(self)
        for node in order:
            node.grad = 0.0
        self.grad += seed
        backpropagate(order)


def backpropagate(order):
    """The chain rule over `order` (each node after its parents), last to first: each node passes its
    `.grad` times each edge's local derivative on to that edge's parent.

    >>> a = Value(3.0); b = a * a; b.grad = 1.0
    >>> backpropagate([b]); a.grad                             # two edges to a, 3.0 each
    6.0
    """
    for node in reversed(order):
        upstream = node.grad
        if upstream == 0.0:                                    # nothing flows on (a dead relu, say)
            continue
        edges = iter(node._edges)
        for parent, local in zip(edges, edges):
            parent.grad += local * upstream


# ---- nodes with no row here: made under no_grad(), or by a primitive of another session -------------
class Unknown:
    """The row of a node whose op is not defined in this session (a primitive, unpickled)."""

    arity = None
    symbol = "?"

    def __init__(self, name):
        self.name = name
        self.word = word_of(name)

    @property
    def row(self):
        return self

    def text(self, operands, output):
        return f"{self.name}({', '.join(operands)})", [None] * len(operands)

    def __reduce__(self):                                      # pickled by name (see _unknown_row)
        return _unknown_row, (self.name,)

    def on_values(self, *operands_and_y):
        raise ValueError(f"op {self.name!r} has no derivative rule here (a primitive from another session?); "
                         f"define it with primitive() to differentiate it again")


def word_of(name):
    """A word for an op that has no word of its own (a primitive's name, say): 'my op!' -> 'my_op'.

    >>> word_of("soft+plus"), word_of("**")
    ('soft_plus', 'op')
    """
    return "".join(ch if ch.isalnum() else "_" for ch in name).strip("_") or "op"


MADE_UNDER_NO_GRAD = Unknown("")          # marks a Value an op made under no_grad(): it has no graph


def _unknown_row(name):
    """Unpickle an Unknown row: the no_grad marker stays the one marker."""
    return MADE_UNDER_NO_GRAD if name == "" else Unknown(name)


# ---- the op table: one row per op ------------------------------------------------------------
# A row is written once, as Python expressions over floats: the forward, then the local derivative
# d(y)/d(operand) for each operand, in terms of the operands (x, or a and b) and the output y. From
# those strings the engine builds the float functions every node uses, the Value functions that
# `grad(..., create_graph=True)` uses (the same expressions evaluated on Values), and the compiler
# writes them into its generated code. Beside them sit the op's symbol in drawings, how it is written
# in a formula, and the local derivatives as text in the seeds' notation ({x}, {a}, {b}, {y} stand
# for the names of the operands and of the output).
class Op:
    """One row of the op table: what the op computes, its local derivatives, and how it is shown."""

    def __init__(self, name, word, symbol, written, forward, derivatives, rules):
        self.name = name                      # the op's name: node.op
        self.word = word                      # a word for names and code: 'mul_1', 'tanh_1'
        self.symbol = symbol                  # the op's mark in drawings: '×', 'tanh'
        self.written = written                # the node in a formula: '{a} * {b}', 'tanh({x})'
        self.forward = forward                # y as a Python expression: 'a * b'
        self.derivatives = tuple(derivatives)  # dy/d(operand) as Python expressions: ('b', 'a')
        self.rules = tuple(rules)             # the same in the seeds' notation: ('{b}', '{a}')
        self.arity = len(self.derivatives)
        self.operand_names = ("x",) if self.arity == 1 else ("a", "b")
        self.with_constant = ({}, {})                         # shared WithConstants, by the number's side
        self.zero_rows = (WithConstant(self, 0.0, 0), WithConstant(self, 0.0, 1))
        self.on_floats = self._function(range(self.arity))    # floats -> (y, dy/d each operand)
        self.on_values = self._derivatives_function()         # Values -> (dy/d each operand)
        self.apply = self._apply_function(f"row_{word}")      # Values (or a plain number) -> a new node
        OPS[name] = self

    def bind(self, method, reflected=None):
        """Make this row's node function Value's method `method` (and `reflected`, the operator with the
        operands swapped: x.__rsub__(2) is 2 - x), written with that name so that its source, its help and
        pickling all say `Value.method`."""
        self.apply = self._apply_function(method)
        setattr(Value, method, self.apply)
        if reflected is not None:
            self.apply_reflected = self._apply_function(reflected, "right, left")
            setattr(Value, reflected, self.apply_reflected)

    def constant_row(self, c, position):
        """The WithConstant for this op with the plain number `c` as operand `position`, shared when it can be."""
        shared = self.with_constant[position]
        row = shared.get(c)
        if row is None:
            row = WithConstant(self, c, position)
            if c == c and c != 0.0:                            # nan equals nothing, and -0.0 equals 0.0:
                if len(shared) > 256:                          # neither is shared by value
                    shared.clear()
                shared[c] = row
            elif c == 0.0 and math.copysign(1.0, c) > 0.0:     # +0.0 (sum() starts from it): one shared row
                row = self.zero_rows[position]
        return row

    def _function(self, kept):
        """The float function of this row: operands -> (y, local derivatives of the operands in `kept`)."""
        source = (f"def on_floats({', '.join(self.operand_names)}):\n"
                  f"    y = {self.forward}\n"
                  f"    return y, {', '.join(self.derivatives[i] for i in kept)}\n")
        return self._define(source, "on floats", f"{self._variable()}.on_floats")

    def _apply_function(self, method, parameters="left, right"):
        """The function that makes this op's nodes, with the row's expressions written into it.

        For `a * b` it reads: a = left.data; b = right.data; y = a * b; edges = (left, b, right, a).
        A plain-number operand is no node: it is kept on the node's op (see WithConstant). With
        parameters "right, left" it is the reflected method (`2 - x` calls x.__rsub__(2)).
        """
        if self.arity == 1:
            parameters = "self"
            body = (f"    x = self.data\n"
                    f"    y = {self.forward}\n"
                    f"    edges = (self, {self.derivatives[0]})          # (parent, local derivative ∂y/∂x)\n"
                    f"    op = row                        # the row that made the node, for the views and create_graph\n")
        else:
            d_left, d_right = self.derivatives
            body = (f"    if type(left) is Value:\n"
                    f"        a = left.data\n"
                    f"        if type(right) is Value:\n"
                    f"            b = right.data\n"
                    f"            y = {self.forward}\n"
                    f"            edges = (left, {d_left}, right, {d_right})   # (parent, local derivative) per operand\n"
                    f"            op = row                # the row that made the node, for the views and create_graph\n"
                    f"        else:                       # x {self.name} 2: the number is no node, the op keeps it\n"
                    f"            b = real_number(right)\n"
                    f"            if b is None:\n"
                    f"                return not_a_number(right)\n"
                    f"            y = {self.forward}\n"
                    f"            edges = (left, {d_left})\n"
                    f"            op = constant_second.get(b) or row.constant_row(b, 1)\n"
                    f"    else:                           # 2 {self.name} x\n"
                    f"        a = real_number(left)\n"
                    f"        if a is None:\n"
                    f"            return not_a_number(left)\n"
                    f"        b = right.data\n"
                    f"        y = {self.forward}\n"
                    f"        edges = (right, {d_right})\n"
                    f"        op = constant_first.get(a) or row.constant_row(a, 0)\n")
        written, rules = self.text(self.operand_names, "y")
        derivatives = ", ".join(f"∂y/∂{n} = {r}" for n, r in zip(self.operand_names, rules))
        plural = "s" if self.arity > 1 else ""
        reflected = (f"\n    Reflected: `2 {self.name} x` calls x.{method}(2), so the Value comes first, as `right`."
                     if parameters == "right, left" else "")
        floats = ", ".join(self.operand_names) + " and y"
        calls = (f"\n    ({self.forward.split('(')[0]}() is the float function of autograd.core.rowmath)" if "(" in self.forward
                 else "")
        source = (f"def {method}({parameters}):\n"
                  f'    """y = {written}, a node with local derivative{plural} {derivatives}.\n'
                  f"\n"
                  f"    Written from the op table's row {self.name!r}: {floats} are floats{calls}.\n"
                  f"    The new node keeps each parent with its local derivative as a plain number.{reflected}\n"
                  f'    """\n' + body +
                  "    out = new_value(Value)          # object.__new__(Value): a node needs none of __init__'s checks\n"
                  "    out.data = y\n"
                  "    out.grad = 0.0\n"
                  "    out._edges = edges\n"
                  "    out._op = op\n"
                  "    out.label = ''\n"
                  "    if OPEN_SCOPES:                 # some thread is in no_grad() or tape(): ask this one\n"
                  "        record = thread_state.record\n"
                  "        if record is DROP_GRAPH:    # no_grad(): keep the number, not the graph\n"
                  "            out._edges = ()\n"
                  "            out._op = MADE_UNDER_NO_GRAD\n"
                  "        elif record is not None:    # tape(): note the node in creation order\n"
                  "            record(out)\n"
                  "    return out\n")
        return self._define(source, f"making nodes as Value.{method}", f"Value.{method}",
                            Value=Value, new_value=object.__new__, row=self, real_number=real_number, not_a_number=not_a_number,
                            constant_first=self.with_constant[0], constant_second=self.with_constant[1],
                            OPEN_SCOPES=OPEN_SCOPES, thread_state=mode.thread_state,
                            DROP_GRAPH=mode.DROP_GRAPH, MADE_UNDER_NO_GRAD=MADE_UNDER_NO_GRAD)

    def _derivatives_function(self):
        """The local derivatives as a function of (operands, y) that works on Values too (create_graph)."""
        source = (f"def on_values({', '.join(self.operand_names)}, y):\n"
                  f"    return ({', '.join(self.derivatives)},)\n")
        return self._define(source, "on Values", f"{self._variable()}.on_values")

    def _define(self, source, purpose, qualname, **names):
        """Compile one function written from this row. Its source is kept in linecache under a file name
        that says which row made it, so inspect.getsource (and `Value.tanh??` in Jupyter) shows it; its
        module and qualified name say where it lives, so pickle finds it by reference."""
        filename = f"<op row {self.name!r}, {purpose}: autograd/core/engine.py>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        namespace = dict(NAMESPACE, **names)
        exec(compile(source, filename, "exec"), namespace)
        function_name = source[4:source.index("(")]
        function = namespace.pop(function_name)
        if function_name in NAMESPACE:                         # def tanh(...) reads the float tanh inside
            namespace[function_name] = NAMESPACE[function_name]
        function.__module__ = __name__
        function.__qualname__ = qualname
        return function

    def _variable(self):
        """The name this row has in this module, 'TANH' for tanh (what a function of the row pickles by)."""
        return self.word.upper()

    @property
    def row(self):
        return self

    def text(self, operands, output):
        """(how the node is written, each operand's local derivative) with these names filled in.

        >>> MUL.text(["x", "w"], "y")
        ('x * w', ['w', 'x'])
        """
        names = dict(zip(self.operand_names, operands), y=output)
        return self.written.format(**names), [rule.format(**names) for rule in self.rules]

    def code(self, operands, output):
        """(the forward, each local derivative) as Python expressions over these variable names.

        >>> TANH.code(["h"], "o")
        ('tanh(h)', ['1.0 - o * o'])
        """
        names = dict(zip(self.operand_names, operands), y=output)
        return _substitute(self.forward, names), [_substitute(d, names) for d in self.derivatives]

    def __repr__(self):
        return f"<op {self.name!r}>"


class WithConstant:
    """A binary op with one operand a plain number: `x * 2`, `2 - x`. The node keeps the number here.

    Nodes made with the same op, number and side share one of these, so `y + 1.0` costs no memory.
    """

    __slots__ = ("row", "constant", "position", "name")

    def __init__(self, row, constant, position):
        self.row, self.constant, self.position, self.name = row, constant, position, row.name


OPS = {}                                  # name -> row, for every op (built-in and primitive())

# Each row: name, word (for names and code), symbol (in drawings), how the node is written, the
# forward and the local derivative(s) dy/d(operand) as Python expressions, and the same derivatives as
# text in the seeds' notation. The comment under each row is the math.
#        name       word       symbol  written       forward           local derivatives
ADD = Op("+",       "add",     "+",    "{a} + {b}",  "a + b",          ["1.0", "1.0"],
         rules=["1", "1"])                                     # d(a + b) = da + db
SUB = Op("-",       "sub",     "−",    "{a} - {b}",  "a - b",          ["1.0", "-1.0"],
         rules=["1", "-1"])                                    # d(a - b) = da - db
MUL = Op("*",       "mul",     "×",    "{a} * {b}",  "a * b",          ["b", "a"],
         rules=["{b}", "{a}"])                                 # d(ab) = b da + a db
DIV = Op("/",       "div",     "÷",    "{a} / {b}",  "divide(a, b)",   ["1.0 / b", "-y / b"],
         rules=["1/{b}", "-{a}/{b}²"])                         # d(a/b) = da/b - (a/b²) db
POW = Op("**",      "pow",     "^",    "{a} ** {b}", "power(a, b)",    ["power_slope(a, b)", "y * log_of_base(a)"],
         rules=["{b}·{a}^({b} - 1)", "{y}·ln {a}"])            # d(a^b) = b a^(b-1) da + a^b ln a db
NEG = Op("neg",     "neg",     "−",    "-{x}",       "-x",             ["-1.0"],
         rules=["-1"])                                         # d(-x) = -dx
ABS = Op("abs",     "abs",     "| |",  "|{x}|",      "abs(x)",         ["sign(x)"],
         rules=["sign({x})"])                                  # d|x| = sign(x) dx
RELU = Op("relu",   "relu",    "relu", "relu({x})",  "x if not x <= 0.0 else 0.0", ["1.0 if x > 0.0 else 0.0"],
          rules=["[{x} > 0]"])                                 # d max(x, 0) = [x > 0] dx; nan stays nan
TANH = Op("tanh",   "tanh",    "tanh", "tanh({x})",  "tanh(x)",        ["1.0 - y * y"],
          rules=["1 - {y}²"])                                  # d tanh x = (1 - tanh² x) dx
SIGMOID = Op("sigmoid", "sigmoid", "σ", "σ({x})",    "sigmoid(x)",     ["y * (1.0 - y)"],
             rules=["{y}·(1 - {y})"])                          # dσ(x) = σ(x)(1 - σ(x)) dx
EXP = Op("exp",     "exp",     "exp",  "exp({x})",   "exp(x)",         ["y"],
         rules=["{y}"])                                        # d e^x = e^x dx
LOG = Op("log",     "log",     "log",  "log({x})",   "log(x)",         ["1.0 / x"],
         rules=["1/{x}"])                                      # d ln x = dx / x
SQRT = Op("sqrt",   "sqrt",    "√",    "√{x}",       "sqrt(x)",        ["0.5 / y if nonzero(y) else inf"],
          rules=["1/(2·{y})"])                                 # d √x = dx / (2 √x), infinite at 0
SIN = Op("sin",     "sin",     "sin",  "sin({x})",   "sin(x)",         ["cos(x)"],
         rules=["cos({x})"])                                   # d sin x = cos x dx
COS = Op("cos",     "cos",     "cos",  "cos({x})",   "cos(x)",         ["-sin(x)"],
         rules=["-sin({x})"])                                  # d cos x = -sin x dx

# Value's operators and methods are the rows' functions themselves (no wrapper, so one call per op).
ADD.bind("__add__", "__radd__")
SUB.bind("__sub__", "__rsub__")
MUL.bind("__mul__", "__rmul__")
DIV.bind("__truediv__", "__rtruediv__")
POW.bind("__pow__", "__rpow__")
NEG.bind("__neg__")
ABS.bind("__abs__")
for row in (RELU, TANH, SIGMOID, EXP, LOG, SQRT, SIN, COS):
    row.bind(row.word)
del row


# ---- ops with any number of operands: a neuron's w·x + b, a sum, log-sum-exp -----------------------
class ManyOp:
    """A row whose node has any number of operands; each subclass holds its forward and derivatives."""

    arity = None

    def __init__(self, name, word, symbol):
        self.name, self.word, self.symbol = name, word, symbol
        OPS[name] = self

    @property
    def row(self):
        return self

    def __repr__(self):
        return f"<op {self.name!r}>"


class WeightedSum(ManyOp):
    """w·x + b, or w·x without a bias: the operands are the n weights, the n inputs, then the bias.

    dy/dw_i = x_i, dy/dx_i = w_i, dy/db = 1. This class is the one place that knows that layout.
    """

    def __init__(self, name, word, symbol, bias):
        super().__init__(name, word, symbol)
        self.bias = bias

    def parts(self, operands):
        """(weights, inputs, bias or None) of a node's operands."""
        n = len(operands) // 2
        return operands[:n], operands[n:2 * n], (operands[-1] if self.bias else None)

    def text(self, operands, output):
        weights, inputs, bias = self.parts(operands)
        terms = [f"{w}·{x}" for w, x in zip(weights, inputs)] + ([bias] if self.bias else [])
        return " + ".join(terms), list(inputs) + list(weights) + (["1"] if self.bias else [])

    def code(self, operands, output):
        weights, inputs, bias = self.parts(operands)
        terms = [f"{w} * {x}" for w, x in zip(weights, inputs)] + ([bias] if self.bias else [])
        return " + ".join(terms), list(inputs) + list(weights) + (["1.0"] if self.bias else [])

    def on_values(self, *operands_and_y):
        weights, inputs, _ = self.parts(operands_and_y[:-1])
        return tuple(inputs) + tuple(weights) + ((1.0,) if self.bias else ())


class Sum(ManyOp):
    """x_1 + x_2 + ... + x_n as one node: every local derivative is 1."""

    def text(self, operands, output):
        return " + ".join(operands), ["1"] * len(operands)

    def code(self, operands, output):
        return " + ".join(operands), ["1.0"] * len(operands)

    def on_values(self, *operands_and_y):
        return (1.0,) * (len(operands_and_y) - 1)


class LogSumExp(ManyOp):
    """y = log Σ e^(x_i), computed as m + log Σ e^(x_i - m) with m the largest x_i (never overflows).

    dy/dx_i = e^(x_i - y), the softmax of the x's: so softmax(x)_i = exp(x_i - y) and
    log_softmax(x)_i = x_i - y are built from this node with no overflow.
    """

    def text(self, operands, output):
        return f"log Σ exp({', '.join(operands)})", [f"exp({x} - {output})" for x in operands]

    def code(self, operands, output):
        return f"logsumexp([{', '.join(operands)}])", [f"exp({x} - {output})" for x in operands]

    def on_values(self, *operands_and_y):
        *xs, y = operands_and_y
        return tuple(exp(x - y) for x in xs)


WX_B = WeightedSum("wx+b", "wxb", "w·x+b", bias=True)
DOT = WeightedSum("w·x", "dot", "w·x", bias=False)
SUM = Sum("sum", "sum", "Σ")
LOGSUMEXP = LogSumExp("logsumexp", "logsumexp", "logΣexp")
BUILTIN_OPS = frozenset(OPS)


# ---- making nodes -----------------------------------------------------------------------------
def _node(data, edges, op):
    """A new Value made by an op (a leaf with no edges when this thread is in no_grad())."""
    out = _new_value(Value)
    out.data = data
    out.grad = 0.0
    out._edges = edges
    out._op = op
    out.label = ""
    if OPEN_SCOPES and edges:                                  # some thread is in no_grad() or tape()
        record = mode.thread_state.record                      # this thread's: drop the graph, or tape it
        if record is DROP_GRAPH:
            out._edges = ()
            out._op = MADE_UNDER_NO_GRAD
        elif record is not None:
            record(out)
    return out


_new_value = object.__new__


def weighted_sum(weights, inputs, bias=None):
    """One node for w·x + b (a neuron's pre-activation), with an edge to every w, x and b.

    Plain-number inputs become leaf Values. Weights (and the bias, if given) must be Values; without
    a bias the node is the dot product w·x.
    >>> w = [Value(2.0), Value(-1.0)]; b = Value(0.5)
    >>> s = weighted_sum(w, [3.0, 4.0], b); s.backward()
    >>> s.data, [wi.grad for wi in w], b.grad
    (2.5, [3.0, 4.0], 1.0)
    >>> weighted_sum(w, [3.0, 4.0]).op
    'w·x'
    """
    return weighted_sums([weights], inputs, None if bias is None else [bias])[0]


def weighted_sums(weight_rows, inputs, biases=None):
    """A layer's pre-activations: one `weighted_sum` node per row of weights, all on the same inputs.

    >>> x = [1.0, 2.0]
    >>> [s.data for s in weighted_sums([[Value(1.0), Value(1.0)], [Value(0.5), Value(0.0)]], x,
    ...                                [Value(0.0), Value(1.0)])]
    [3.0, 1.5]
    """
    if biases is not None and len(weight_rows) != len(biases):
        raise ValueError(f"weighted_sums: {len(weight_rows)} rows of weights but {len(biases)} biases")
    xs = [x if type(x) is Value else Value(x) for x in inputs]
    x_data = [x.data for x in xs]
    n = len(xs)
    op = DOT if biases is None else WX_B
    recording = not OPEN_SCOPES or mode.is_recording()
    if recording:    # every row's edges share the inputs' half, (x_i, w_i), and the x_i of (w_i, x_i)
        template = [1.0] * (4 * n + (2 if biases is not None else 0))
        template[1:2 * n:2] = x_data                           # (w_i, x_i): dy/dw_i = x_i
        template[2 * n:4 * n:2] = xs                           # (x_i, w_i): dy/dx_i = w_i
    nodes = []
    for row, weights in enumerate(weight_rows):
        if len(weights) != n:
            raise ValueError(f"weighted_sum: {len(weights)} weights but {n} inputs")
        try:
            w_data = [w.data for w in weights]
        except AttributeError:
            raise TypeError("weighted_sum: every weight must be a Value") from None
        total = sum(map(operator.mul, w_data, x_data))
        if biases is not None:
            bias = biases[row]
            if type(bias) is not Value:
                raise TypeError(f"weighted_sum: bias must be a Value, got {type(bias).__name__}")
            total += bias.data
        if not recording:                                      # no_grad(): no edges to build
            nodes.append(_node(total, (), MADE_UNDER_NO_GRAD))
            continue
        edges = template.copy()
        edges[0:2 * n:2] = weights
        edges[2 * n + 1:4 * n:2] = w_data
        if biases is not None:
            edges[4 * n] = bias                                # (b, 1): dy/db = 1
        nodes.append(_node(total, tuple(edges), op))
    return nodes


def total(values):
    """Σ values as one node with an edge (local derivative 1) to each: `total([a, b, c])`.

    Plain numbers become leaf Values.
    >>> a, b = Value(1.5), Value(2.0)
    >>> s = total([a, b, a]); s.backward()
    >>> s.data, a.grad, b.grad
    (5.0, 2.0, 1.0)
    """
    xs = _values("total", values)
    edges = [1.0] * (2 * len(xs))
    edges[0::2] = xs
    return _node(sum([x.data for x in xs]), tuple(edges), SUM)


def logsumexp(values):
    """log Σ e^(v_i) as one node, stable for any values; its local derivatives are the softmax.

    >>> a, b = Value(1000.0), Value(1000.0)
    >>> y = logsumexp([a, b]); y.backward()
    >>> round(y.data - 1000.0, 6), round(a.grad, 12), round(b.grad, 12)
    (0.693147, 0.5, 0.5)
    """
    xs = _values("logsumexp", values)
    data = [x.data for x in xs]
    y = logsumexp_of_floats(data)
    edges = [0.0] * (2 * len(xs))
    edges[0::2] = xs
    edges[1::2] = [math.exp(x - y) for x in data]
    return _node(y, tuple(edges), LOGSUMEXP)


def softmax(values):
    """The softmax of `values` as a list of Values: exp(v_i - logsumexp(values)), never overflowing.

    >>> [round(p.data, 4) for p in softmax([Value(0.0), Value(1.0), Value(1000.0)])]
    [0.0, 0.0, 1.0]
    """
    xs = _values("softmax", values)
    normalizer = logsumexp(xs)
    return [(x - normalizer).exp() for x in xs]


def log_softmax(values):
    """log softmax(values) as a list of Values: v_i - logsumexp(values).

    >>> [round(p.data, 4) for p in log_softmax([Value(0.0), Value(0.0)])]
    [-0.6931, -0.6931]
    """
    xs = _values("log_softmax", values)
    normalizer = logsumexp(xs)
    return [x - normalizer for x in xs]


def _values(name, values):
    """A non-empty list of Values; plain real numbers become leaves."""
    if type(values) is Value or isinstance(values, (str, bytes)):
        raise TypeError(f"{name} needs a list of Values, got {type(values).__name__}")
    xs = [x if type(x) is Value else Value(x) for x in values]
    if not xs:
        raise ValueError(f"{name} needs at least one value")
    return xs


def _compare(left, symbol, right, compare, unrelated=None):
    right_data = right.data if type(right) is Value else real_number(right)
    if right_data is None:
        if unrelated is not None:                              # v == "x" is False, like other unrelated types
            return unrelated
        raise TypeError(f"cannot compare Value with {type(right).__name__}")
    result = compare(left.data, right_data)
    if OPEN_SCOPES:
        mode.on_comparison(left, symbol, right, result)
    return result


def _drops_the_gradient(call):
    raise TypeError(f"{call} would turn a Value into a plain number and silently drop its gradient (this also "
                    f"happens inside math.exp(v), math.tanh(v) and the like). Use v.item() if you mean the number, "
                    f"or the Value's own ops to keep the gradient: v.exp(), v.log(), v.tanh(), v.sqrt(), ...")


def _rebuild_graph(records):
    """Unpickle a graph written by Value.__reduce_ex__; the last record is the root."""
    nodes = []
    for data, grad, name, constant, label, edges in records:
        edges = tuple(nodes[v] if i % 2 == 0 and type(v) is int else v for i, v in enumerate(edges))
        op = OPS.get(name) or Unknown(name)
        if constant is not None:
            op = op.constant_row(*constant) if type(op) is Op else WithConstant(op, *constant)
        node = _new_value(Value)
        node.data, node.grad, node._edges, node._op, node.label = data, grad, edges, op, label
        nodes.append(node)
    return nodes[-1]


# ---- the graph walk and the checks before backward --------------------------------------------
def walk(root, leaves=False, stop_after=None):
    """The Values `root` depends on (root included), each after its parents, root last.

    Leaves are left out unless `leaves=True`. Parents are visited left to right, so in `x * w + b`
    the product comes before `b`. Iterative, so depth is limited by memory, not by the recursion
    limit. With `stop_after`, it gives up once it has found more Values than that and returns those
    found (in no particular order): enough to refuse a huge graph early.
    >>> x = Value(1.0, label="x"); y = (x * 2).tanh() + x
    >>> [v.op or v.label for v in walk(y)], [v.op or v.label for v in walk(y, leaves=True)]
    (['*', 'tanh', '+'], ['x', '*', 'tanh', '+'])
    """
    if type(root) is not Value:
        raise TypeError(f"expected a Value, got {type(root).__name__}")
    order, visited = [], set()
    stack = [root] if root._edges or leaves else []
    push, pop = stack.append, stack.pop
    limit = sys.maxsize if stop_after is None else stop_after
    while stack:
        node = pop()
        if node is _PARENTS_DONE:                              # the node under the marker is finished
            order.append(pop())
        elif node not in visited:
            visited.add(node)
            if len(visited) > limit:
                return list(visited)
            push(node)
            push(_PARENTS_DONE)
            if leaves:
                for parent in node._edges[-2::-2]:             # pushed last to first: the first pops first
                    if parent not in visited:
                        push(parent)
            else:                                              # backward's case: leaves need no visit
                for parent in node._edges[-2::-2]:
                    if parent._edges and parent not in visited:
                        push(parent)
    return order


_PARENTS_DONE = object()


def _backward_along_tape(root, seed, taken, check):
    """backward() inside a tape: the tape up to `root`, newest first, is already an order for the chain rule.

    The root may also reach inner nodes that are not on that part of the tape: made before the tape
    opened (in an earlier notebook cell, say), or by a graph already differentiated in this scope (an
    RNN's state carried from step to step). Those are older than every node on it, so none of them
    depends on a node of it: once the tape's part is done, they are finished in their own topological
    order, and the gradients are those of a plain backward(). Noticing them costs one set of the part
    and a look at each parent of it.
    """
    on_tape = set(taken)
    if check:
        _check_on_tape(root, on_tape)
    for node in taken:
        node.grad = 0.0
    root.grad += seed
    older = {}                                                 # inner nodes off the tape the root reaches
    for node in reversed(taken):
        upstream = node.grad
        if upstream == 0.0:                                    # nothing flows on (a dead relu, say), but an older
            for parent in node._edges[0::2]:                   # parent still holds this pass only: 0 from here
                if parent._edges and parent not in on_tape and parent not in older:
                    older[parent] = None
                    parent.grad = 0.0
            continue
        edges = iter(node._edges)
        for parent, local in zip(edges, edges):
            if parent._edges and parent not in on_tape and parent not in older:
                older[parent] = None                           # first reached in this pass: it holds this pass only
                parent.grad = 0.0
            parent.grad += local * upstream
    if older:
        _backward_older(older, on_tape)


def _backward_older(older, on_tape):
    """Finish backward() through the inner nodes off the tape that `_backward_along_tape` reached."""
    hub = _new_value(Value)                                    # one node whose parents are all of them, to walk once
    hub._edges = tuple(item for node in older for item in (node, 0.0))
    order = walk(hub)[:-1]
    for node in order:
        if node in on_tape:                                    # only a node made in another thread can be here
            raise TapeError("backward() inside a tape: the root reaches nodes made outside this thread's tape that "
                            "depend on nodes of it (a graph shared between threads), so no order is known; the "
                            "gradients of this backward() are incomplete. Call backward() outside the tape.")
        if node not in older:
            node.grad = 0.0
    backpropagate(order)


def _check_on_tape(root, on_tape):
    """tape(check=True): refuse, before any gradient changes, a root that reaches inner nodes off the tape."""
    for node in walk(root):
        if node not in on_tape:
            raise TapeError(
                f"backward() inside tape(check=True): the root depends on a node ({node.op or 'leaf'}, data "
                f"{node.data!r}) that is not on the tape since its last backward(): it was made before "
                f"the tape opened, in another thread, or by a graph already differentiated in this "
                f"scope. Without check=True the tape finishes the gradient through it with a sort; build each "
                f"graph inside the tape and call backward() once per graph to need none.")


def topological_order(root):
    """The non-leaf Values that `root` depends on (root included), each after its parents: `walk(root)`.

    >>> x = Value(1.0, label="x"); y = (x * 2).tanh()
    >>> [v.op for v in topological_order(y)]
    ['*', 'tanh']
    """
    return walk(root)


def check_differentiable(root, what):
    """Refuse to differentiate a Value that an op made under no_grad(): it has no graph to go back along."""
    if root._op is MADE_UNDER_NO_GRAD:
        raise RuntimeError(f"{what}: this Value was computed under no_grad(), so no graph was recorded and "
                           f"its gradient would silently be 0; compute it outside no_grad()")


def local_grads_as_values(node):
    """The local derivatives of `node` as Values built from its operands (for create_graph)."""
    op = node._op
    try:
        derivatives = op.row.on_values(*node.operands, node)
    except TypeError as error:
        raise TypeError(f"op {op.name!r}: its derivative does not accept Values, so create_graph=True "
                        f"cannot differentiate it again ({error})") from None
    if type(op) is WithConstant:
        return (derivatives[1 - op.position],)
    return tuple(derivatives)


# ---- text ---------------------------------------------------------------------------------------
def _substitute(expression, names):
    """An expression with its one-letter variables renamed, whole words only: ('a * b', a='x') -> 'x * b'."""
    return re.sub(r"\b[a-z]\b", lambda match: names.get(match.group(0), match.group(0)), expression)


# Recording state lives in mode.py; these names are part of the engine's public face.
no_grad = mode.no_grad
set_recording = mode.set_recording
is_recording = mode.is_recording
tape = mode.tape
