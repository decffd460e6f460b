"""The engine: `Value`, a scalar that remembers how it was made, and the chain rule over its graph."""
import functools
import math
import operator

_recording = True  # False inside `no_grad()`: new Values get no parents


class Value:
    """A scalar node: its data, its gradient, and the edges to the Values it was made from.

    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> c = a * b + a ** 2
    >>> c.backward()
    >>> c.data, a.grad, b.grad
    (-2.0, 1.0, 2.0)
    """

    # _edges is flat, (parent, local derivative, parent, local derivative, ...): the local
    # derivative is d(self)/d(parent) as a plain number. `a * a` has two edges to `a`.
    __slots__ = ("data", "grad", "_edges", "_op", "label")

    def __init__(self, data, label=""):
        number = _number(data)
        if number is None:
            raise TypeError(f"Value needs a real number (int or float), got {type(data).__name__}: {data!r}")
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {type(label).__name__}")
        self.data = number
        self.grad = 0.0
        self._edges = ()
        self._op = ""
        self.label = label

    def __repr__(self):
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

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
        """The name of the op that made this Value ('' for a leaf)."""
        return self._op

    def __reduce_ex__(self, protocol):
        """Pickle a graph flat (not one nested call per node), so deep graphs pickle too."""
        if not self._edges:
            return object.__reduce_ex__(self, protocol)
        order = topological_order(self)
        position = {node: i for i, node in enumerate(order)}
        records = []
        for node in order:                                     # a non-leaf parent becomes its position
            edges = tuple(position.get(v, v) if i % 2 == 0 else v for i, v in enumerate(node._edges))
            records.append((node.data, node.grad, node._op, node.label, edges))
        return _rebuild_graph, (records,)

    def is_leaf(self):
        """True for a Value made by the user (or under no_grad), not by an op."""
        return not self._edges

    def detach(self):
        """A new leaf with the same data and no history."""
        return Value(self.data, self.label)

    # ---- ops: each row computes the output and d(output)/d(input) as numbers -------------
    def __add__(self, other):                                  # d(a+b)/da = 1, d(a+b)/db = 1
        if type(other) is Value:
            return _node(self.data + other.data, (self, 1.0, other, 1.0), "+")
        c = _number(other)
        return NotImplemented if c is None else _node(self.data + c, (self, 1.0), "+")

    def __sub__(self, other):                                  # d(a-b)/da = 1, d(a-b)/db = -1
        if type(other) is Value:
            return _node(self.data - other.data, (self, 1.0, other, -1.0), "-")
        c = _number(other)
        return NotImplemented if c is None else _node(self.data - c, (self, 1.0), "-")

    def __rsub__(self, other):                                 # d(c-a)/da = -1
        c = _number(other)
        return NotImplemented if c is None else _node(c - self.data, (self, -1.0), "-")

    def __mul__(self, other):                                  # d(ab)/da = b, d(ab)/db = a
        if type(other) is Value:
            return _node(self.data * other.data, (self, other.data, other, self.data), "*")
        c = _number(other)
        return NotImplemented if c is None else _node(self.data * c, (self, c), "*")

    def __truediv__(self, other):                              # d(a/b)/da = 1/b, d(a/b)/db = -a/b^2
        if type(other) is Value:
            y = _divide(self.data, other.data)
            return _node(y, (self, 1.0 / other.data, other, -y / other.data), "/")
        c = _number(other)
        return NotImplemented if c is None else _node(_divide(self.data, c), (self, 1.0 / c), "/")

    def __rtruediv__(self, other):                             # c / a: the constant c becomes a leaf
        c = _number(other)
        return NotImplemented if c is None else Value(c) / self

    def __pow__(self, other):                                  # d(a^b)/da = b a^(b-1), d(a^b)/db = a^b ln a
        if type(other) is Value:
            return _apply("**", self, other)
        c = _number(other)                                     # a plain exponent is part of the op: "**2"
        if c is None:
            return NotImplemented
        y = _power(self.data, c)
        return _node(y, (self, _power_local(self.data, c)), _pow_op(c))

    def __rpow__(self, other):                                 # c ** a: the constant c becomes a leaf
        c = _number(other)
        return NotImplemented if c is None else Value(c) ** self

    def __neg__(self):                                         # d(-a)/da = -1
        return _node(-self.data, (self, -1.0), "neg")

    def relu(self):                                            # d/dx relu(x) = 1 if x > 0 else 0
        x = self.data
        return _node(x if not x <= 0.0 else 0.0, (self, 1.0 if x > 0.0 else 0.0), "relu")  # nan stays nan

    def tanh(self):                                            # d/dx tanh(x) = 1 - tanh(x)^2
        y = math.tanh(self.data)
        return _node(y, (self, 1.0 - y * y), "tanh")

    def __abs__(self): return _apply("abs", self)
    def exp(self): return _apply("exp", self)
    def log(self): return _apply("log", self)
    def sqrt(self): return _apply("sqrt", self)
    def sigmoid(self): return _apply("sigmoid", self)
    def sin(self): return _apply("sin", self)
    def cos(self): return _apply("cos", self)

    __radd__ = __add__
    __rmul__ = __mul__

    def __pos__(self):
        return self

    # Comparisons read the data (no __eq__: Values are graph nodes, identified by identity).
    def __lt__(self, other): return self.data < _data(other)
    def __le__(self, other): return self.data <= _data(other)
    def __gt__(self, other): return self.data > _data(other)
    def __ge__(self, other): return self.data >= _data(other)

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
        seed = _number(grad)
        if seed is None:
            raise TypeError(f"backward(grad=...) needs a real number, got {type(grad).__name__}")
        order = topological_order(self)
        for node in order:
            node.grad = 0.0
        self.grad += seed
        for node in reversed(order):
            g = node.grad
            if g == 0.0:                                       # nothing flows on (a dead relu, say)
                continue
            edges = iter(node._edges)
            for parent, local in zip(edges, edges):
                parent.grad += local * g


def topological_order(root):
    """The non-leaf Values that `root` depends on (root included), each after its parents.

    Iterative depth-first search, so depth is limited by memory, not by Python's recursion limit.
    >>> x = Value(1.0, label="x"); y = (x * 2).tanh()
    >>> [v.op for v in topological_order(y)]
    ['*', 'tanh']
    """
    if type(root) is not Value:
        raise TypeError(f"topological_order needs a Value, got {type(root).__name__}")
    order, visited = [], set()
    stack = [root] if root._edges else []
    push, pop = stack.append, stack.pop
    while stack:
        node = pop()
        if node is _PARENTS_DONE:                              # the node under the marker is finished
            order.append(pop())
        elif node not in visited:
            visited.add(node)
            push(node)
            push(_PARENTS_DONE)
            for parent in node._edges[0::2]:
                if parent._edges and parent not in visited:
                    push(parent)
    return order


_PARENTS_DONE = object()


def _rebuild_graph(records):
    """Unpickle a graph written by Value.__reduce_ex__; the last record is the root."""
    nodes = []
    for data, grad, op, label, edges in records:
        edges = tuple(nodes[v] if i % 2 == 0 and type(v) is int else v for i, v in enumerate(edges))
        node = _new_value(Value)
        node.data, node.grad, node._edges, node._op, node.label = data, grad, edges, op, label
        nodes.append(node)
    return nodes[-1]


def _node(data, edges, op):
    """A new Value made by an op (a leaf with no edges when recording is off)."""
    out = _new_value(Value)
    out.data = data
    out.grad = 0.0
    if _recording:
        out._edges = edges
        out._op = op
    else:
        out._edges = ()
        out._op = ""
    out.label = ""
    return out


_new_value = object.__new__


def _number(x):
    """x as a float if it is a real number (bool excluded), else None."""
    if type(x) is float:
        return x
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        try:
            return float(x)
        except OverflowError:
            raise OverflowError(f"an int of {x.bit_length()} bits is too large for a float") from None
    return None


def _data(x):
    """The float inside a Value, or a plain number as a float."""
    if type(x) is Value:
        return x.data
    number = _number(x)
    if number is None:
        raise TypeError(f"cannot compare Value with {type(x).__name__}")
    return number


@functools.lru_cache(maxsize=256)
def _pow_op(c):
    """The op name of `x ** c`, shared between nodes: 2.0 -> '**2', 0.5 -> '**0.5'."""
    return "**" + (repr(int(c)) if c.is_integer() and abs(c) < 1e15 else repr(c))


# ---- math with Python's semantics, and errors that name the op and the operand -------------
def _divide(a, b):
    if b == 0.0:
        raise ZeroDivisionError(f"division by zero: {a!r} / {b!r}")
    return a / b


def _power(a, b):
    if a < 0.0 and math.isfinite(b) and not b.is_integer():
        raise ValueError(f"pow: negative base {a!r} with non-integer exponent {b!r} is not a real number")
    if a == 0.0 and b < 0.0:
        raise ZeroDivisionError(f"pow: {a!r} ** {b!r} divides by zero")
    try:
        return a ** b
    except OverflowError:
        raise OverflowError(f"pow: {a!r} ** {b!r} overflows a float") from None


def _power_local(a, b):                                        # d(a^b)/da = b a^(b-1)
    if b == 0.0:
        return 0.0
    if a == 0.0 and b < 1.0:
        return math.inf                                        # the slope of sqrt(a) at 0, say
    try:
        return b * a ** (b - 1.0)
    except OverflowError:                                      # the value is finite, its slope is not
        odd = a < 0.0 and (b - 1.0) % 2.0 == 1.0
        return math.copysign(math.inf, -b if odd else b)


def _exp(x):
    try:
        return math.exp(x)
    except OverflowError:
        raise OverflowError(f"exp: exp({x!r}) overflows a float") from None


def _log(x):
    if x <= 0.0:
        raise ValueError(f"log: math domain error, log({x!r}) needs x > 0")
    return math.log(x)


def _sqrt(x):
    if x < 0.0:
        raise ValueError(f"sqrt: math domain error, sqrt({x!r}) needs x >= 0")
    return math.sqrt(x)


def _sigmoid(x):                                               # never calls exp on a large positive
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _finite_trig(f):
    def checked(x):
        if math.isinf(x):
            raise ValueError(f"{f.__name__}: math domain error, {f.__name__}({x!r}) is undefined")
        return f(x)
    checked.__name__ = f.__name__
    return checked


# Helpers that work on floats and on Values, so one derivative rule serves both.
def exp(x): return x.exp() if type(x) is Value else _exp(x)
def log(x): return x.log() if type(x) is Value else _log(x)
def sin(x): return x.sin() if type(x) is Value else math.sin(x)
def cos(x): return x.cos() if type(x) is Value else math.cos(x)
def sign(x): return math.copysign(1.0, _data(x)) if _data(x) != 0.0 else 0.0
def step(x): return 1.0 if _data(x) > 0.0 else 0.0


def _pow_rule(a, b, y):                                        # d(a^b)/da = b a^(b-1), d(a^b)/db = a^b ln a
    a0, b0 = _data(a), _data(b)
    if (type(a) is Value or type(b) is Value) and not (b0 == 0.0 or (a0 == 0.0 and b0 < 1.0)):
        da = b * a ** (b - 1.0)
    else:                                                      # a constant slope (0 or inf) at the edges
        da = _power_local(a0, b0)
    db = y * log(a) if a0 > 0.0 else (0.0 if a0 == 0.0 else math.nan)  # ln a is not real for a < 0
    return da, db


# ---- the derivative rules: one row per op ----------------------------------------------------
# Each row: (forward on floats, local derivatives given the inputs and the output y). The rules use
# arithmetic and the helpers above only, so they run on floats (to store numbers on a node) and on
# Values (for `grad(..., create_graph=True)`, whose gradients are differentiable again).
RULES = {
    "+":       (lambda a, b: a + b,   lambda a, b, y: (1.0, 1.0)),           # d(a+b) = da + db
    "-":       (lambda a, b: a - b,   lambda a, b, y: (1.0, -1.0)),          # d(a-b) = da - db
    "*":       (lambda a, b: a * b,   lambda a, b, y: (b, a)),               # d(ab) = b da + a db
    "/":       (_divide,              lambda a, b, y: (1.0 / b, -y / b)),    # d(a/b) = da/b - a/b^2 db
    "**":      (_power,               _pow_rule),                           # b a^(b-1), a^b ln a
    "neg":     (lambda x: -x,         lambda x, y: (-1.0,)),                 # d/dx -x = -1
    "abs":     (abs,                  lambda x, y: (sign(x),)),              # d/dx |x| = sign(x)
    "relu":    (lambda x: max(x, 0.0), lambda x, y: (step(x),)),             # d/dx relu(x) = [x > 0]
    "tanh":    (math.tanh,            lambda x, y: (1.0 - y * y,)),          # d/dx tanh(x) = 1 - tanh(x)^2
    "sigmoid": (_sigmoid,             lambda x, y: (y * (1.0 - y),)),        # d/dx s(x) = s(x)(1 - s(x))
    "exp":     (_exp,                 lambda x, y: (y,)),                    # d/dx e^x = e^x
    "log":     (_log,                 lambda x, y: (1.0 / x,)),              # d/dx ln x = 1/x
    "sqrt":    (_sqrt,                lambda x, y: (0.5 / y if _data(y) else math.inf,)),  # 1/(2 sqrt x)
    "sin":     (_finite_trig(math.sin), lambda x, y: (cos(x),)),             # d/dx sin x = cos x
    "cos":     (_finite_trig(math.cos), lambda x, y: (-sin(x),)),            # d/dx cos x = -sin x
}
BUILTIN_OPS = frozenset(RULES) | {"wx+b"}


def _apply(op, *inputs):
    """The plain path: run RULES[op] on the inputs' data and record the node."""
    return apply_rule(op, RULES[op], inputs)


def apply_rule(op, rule, inputs):
    """Record the node for `op` with `rule` = (forward, derivative) on these input Values."""
    forward, derivative = rule
    xs = [x.data for x in inputs]
    y = forward(*xs)
    if not _recording:
        return _node(y, (), "")
    locals_ = derivative(*xs, y)
    edges = tuple(v for pair in zip(inputs, locals_) for v in pair)
    return _node(y, edges, op)


def weighted_sum(weights, inputs, bias):
    """One node for w·x + b (a neuron's pre-activation), with an edge to every w, x and b.

    Plain-number inputs become leaf Values. Weights and bias must be Values.
    >>> w = [Value(2.0), Value(-1.0)]; b = Value(0.5)
    >>> s = weighted_sum(w, [3.0, 4.0], b); s.backward()
    >>> s.data, [wi.grad for wi in w], b.grad
    (2.5, [3.0, 4.0], 1.0)
    """
    return weighted_sums([weights], inputs, [bias])[0]


def weighted_sums(weight_rows, inputs, biases):
    """A layer's pre-activations: one `weighted_sum` node per row of weights, all on the same inputs.

    >>> x = [1.0, 2.0]
    >>> [s.data for s in weighted_sums([[Value(1.0), Value(1.0)], [Value(0.5), Value(0.0)]], x,
    ...                                [Value(0.0), Value(1.0)])]
    [3.0, 1.5]
    """
    if len(weight_rows) != len(biases):
        raise ValueError(f"weighted_sums: {len(weight_rows)} rows of weights but {len(biases)} biases")
    xs = [x if type(x) is Value else Value(x) for x in inputs]
    x_data = [x.data for x in xs]
    n = len(xs)
    nodes = []
    for weights, bias in zip(weight_rows, biases):
        if len(weights) != n:
            raise ValueError(f"weighted_sum: {len(weights)} weights but {n} inputs")
        if type(bias) is not Value:
            raise TypeError(f"weighted_sum: bias must be a Value, got {type(bias).__name__}")
        try:
            w_data = [w.data for w in weights]
        except AttributeError:
            raise TypeError("weighted_sum: every weight must be a Value") from None
        total = sum(map(operator.mul, w_data, x_data)) + bias.data
        if not _recording:
            nodes.append(_node(total, (), ""))
            continue
        edges = [1.0] * (4 * n + 2)  # (w_i, x_i), then (x_i, w_i), then (b, 1): d/dw_i = x_i, d/dx_i = w_i
        edges[0:2 * n:2] = weights
        edges[1:2 * n:2] = x_data
        edges[2 * n:4 * n:2] = xs
        edges[2 * n + 1:4 * n:2] = w_data
        edges[4 * n] = bias
        nodes.append(_node(total, tuple(edges), "wx+b"))
    return nodes


def differentiable_local_grads(node):
    """The local derivatives of `node` as Values built from its parents (for create_graph)."""
    parents, op = node.parents, node._op
    if op == "wx+b":                                           # weights first, then inputs, then bias
        n = (len(parents) - 1) // 2
        return parents[n:2 * n] + parents[:n] + (1.0,)
    if op.startswith("**") and len(parents) == 1:              # x ** c with a plain exponent c
        return (_pow_rule(parents[0], float(op[2:]), node)[0],)
    if op in _BINARY and len(parents) == 1:
        return node.local_grads                                # x + c, x * c, ...: a constant slope
    if op not in RULES:
        raise ValueError(f"op {op!r} has no derivative rule here (a primitive from another session?); "
                        f"define it with primitive() to differentiate it again")
    return tuple(RULES[op][1](*parents, node))


_BINARY = frozenset({"+", "-", "*", "/", "**"})


class set_recording:
    """Context manager: turn graph recording on or off inside it; the old state comes back after."""

    def __init__(self, enabled):
        self.enabled = enabled
        self._before = []

    def __enter__(self):
        global _recording
        self._before.append(_recording)
        _recording = self.enabled
        return self

    def __exit__(self, *exc):
        global _recording
        _recording = self._before.pop()
        return False


class no_grad(set_recording):
    """Context manager: Values made inside it record no graph (inference, optimizer steps).

    >>> with no_grad():
    ...     y = Value(2.0) * 3
    >>> y.is_leaf()
    True
    """

    def __init__(self):
        super().__init__(False)


def is_recording():
    """False inside `no_grad()`."""
    return _recording
