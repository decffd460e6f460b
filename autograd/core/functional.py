"""`grad` (gradients as return values, differentiable again with create_graph) and `primitive` (new ops)."""
from . import engine
from .engine import OPS, ManyOp, Value, check_differentiable, local_grads_as_values, real_number, walk, word_of


def chain_rule(root, seed=1.0, create_graph=False, on_step=None, order=None):
    """{node: d(root)/d(node)} for every Value root depends on, by the chain rule, touching no `.grad`.

    The same pass as `backward()`, over a dict: nodes users-first, each passing upstream × local to
    its parents; a node whose upstream gradient is exactly 0 passes nothing on (as in backward).
    With `create_graph` the local derivatives are Values, so the result can be differentiated again.
    `on_step(node, upstream, [(parent, local, amount, before, after), ...])` sees every step (explain, the
    page); `order` is `walk(root)` when the caller has it already (leaves in it are skipped).
    >>> a, b = Value(2.0), Value(-3.0)
    >>> grads = chain_rule(a * b + a)
    >>> grads[a], grads[b]
    (-2.0, 2.0)
    """
    grads = {root: seed}
    for node in reversed(walk(root) if order is None else order):
        upstream = grads.get(node)
        if upstream is None or not node._edges:
            continue
        passes = create_graph or upstream != 0.0               # 0 passes nothing on, as in backward()
        locals_ = local_grads_as_values(node) if create_graph else node._edges[1::2]
        contributions = []
        for parent, local in zip(node._edges[0::2], locals_):
            before = grads.get(parent)
            amount = local * upstream if passes else 0.0
            if before is None:                                 # backward() adds to 0.0, and so do floats here
                after = amount if create_graph else 0.0 + amount
            else:
                after = before + amount
            grads[parent] = after
            if on_step is not None:
                contributions.append((parent, local, amount, before, after))
        if on_step is not None:
            on_step(node, upstream, contributions)
    return grads


def grad(output, inputs, create_graph=False):
    """d(output)/d(input) for each input, returned without touching any `.grad`.

    With `create_graph=True` the gradients are Values with a graph of their own, so they can be
    differentiated again (second and higher derivatives).
    >>> x = Value(2.0)
    >>> (dy,) = grad(x ** 3, [x], create_graph=True)   # 3x^2
    >>> (d2y,) = grad(dy, [x], create_graph=True)       # 6x
    >>> dy.data, d2y.data, grad(d2y, [x])               # 6, from d/dx 6x
    (12.0, 12.0, [6.0])
    """
    if type(output) is not Value:
        raise TypeError(f"grad: output must be a Value, got {type(output).__name__}")
    single = type(inputs) is Value
    if not single and (isinstance(inputs, (str, bytes)) or not hasattr(inputs, "__iter__")):
        raise TypeError(f"grad: inputs must be a Value or a list of Values, got {type(inputs).__name__}")
    inputs = [inputs] if single else list(inputs)
    for i, x in enumerate(inputs):
        if type(x) is not Value:
            raise TypeError(f"grad: inputs[{i}] must be a Value, got {type(x).__name__}")
    check_differentiable(output, "grad()")
    if create_graph:                                           # the gradient graph is recorded even
        with engine.set_recording(True):                       # inside no_grad, as in PyTorch
            grads = chain_rule(output, Value(1.0, label="seed"), create_graph=True)   # d(output)/d(output), named
            zero = Value(0.0)
    else:
        grads = chain_rule(output)
        zero = 0.0
    result = [grads.get(x, zero) for x in inputs]
    return result[0] if single else result


class Primitive(ManyOp):
    """The row of an op made by `primitive()`: the user's f and df, and optionally the rule's text."""

    def __init__(self, name, f, df, rule):
        super().__init__(name, word_of(name), name)
        self.f, self.df, self.rule = f, df, rule

    def on_floats(self, xs):
        y = real_number(self.f(*xs))
        if y is None:
            raise TypeError(f"primitive {self.name!r}: f must return a real number")
        return y, self._derivatives(xs, on_values=False)

    def on_values(self, *operands_and_y):
        return self._derivatives(operands_and_y[:-1], on_values=True)

    def _derivatives(self, xs, on_values):
        d = self.df(*xs)
        d = tuple(d) if isinstance(d, (tuple, list)) else (d,)
        if len(d) != len(xs):
            raise ValueError(f"primitive {self.name!r}: df returned {len(d)} derivatives for {len(xs)} inputs")
        checked = []
        for i, di in enumerate(d):
            if type(di) is Value and on_values:
                checked.append(di)
                continue
            number = real_number(di) if type(di) is not Value else None
            if number is None:
                raise TypeError(f"primitive {self.name!r}: df must return numbers, got {type(di).__name__} "
                                f"for input {i}")
            checked.append(number)
        return tuple(checked)

    def text(self, operands, output):
        rules = self.rule if isinstance(self.rule, (list, tuple)) else [self.rule] * len(operands)
        names = {"y": output, "x": operands[0] if operands else ""}
        names.update({f"x{i}": name for i, name in enumerate(operands)})
        return (f"{self.name}({', '.join(operands)})",
                [None if rule is None else rule.format(**names) for rule in rules])

    def __call__(self, *inputs):
        xs = [x if type(x) is Value else Value(x) for x in inputs]
        y, locals_ = self.on_floats([x.data for x in xs])
        return engine._node(y, tuple(v for pair in zip(xs, locals_) for v in pair), self)


def primitive(name, f, df, rule=None):
    """Make a new op from a float function `f(x, ...)` and its local derivative(s) `df(x, ...)`.

    `df` gets the inputs as floats and returns one number per input (a tuple when there are
    several). Written with operators only (or the functions of autograd.rowmath, which take floats
    and Values), `df` also runs on Values, so create_graph=True can differentiate the op again.
    `rule` is the derivative as text for explain() and the step-through page, with {x} (or {x0},
    {x1}, ...) for the inputs' names and {y} for the output's (one text, or one per input); without
    it the views say the op is user-defined. A name can be defined once per session.
    >>> cube = primitive("cube", lambda x: x ** 3, lambda x: 3 * x ** 2, rule="3·{x}²")
    >>> x = Value(2.0); y = cube(x); y.backward()
    >>> y, x.grad
    (Value(data=8.0, grad=1.0), 12.0)
    """
    if not isinstance(name, str) or not name:
        raise TypeError("primitive: name must be a non-empty str")
    if name in engine.BUILTIN_OPS:
        raise ValueError(f"primitive: {name!r} is a built-in op")
    if name in OPS:                                            # nodes are unpickled by their op's name
        raise ValueError(f"primitive: {name!r} is already defined; choose another name")
    if not callable(f) or not callable(df):
        raise TypeError(f"primitive {name!r}: f and df must be callable")
    if rule is not None and not (isinstance(rule, str) or
                                 (isinstance(rule, (list, tuple)) and all(isinstance(r, str) for r in rule))):
        raise TypeError(f"primitive {name!r}: rule must be a str (or a list of str, one per input)")
    row = Primitive(name, f, df, rule)

    def op(*inputs):
        return row(*inputs)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"The op {name!r}, made by primitive()."
    op.row = row
    return op
