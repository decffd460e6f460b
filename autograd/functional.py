"""`grad` (gradients as return values, differentiable again with create_graph) and `primitive` (new ops)."""
from . import engine
from .engine import BUILTIN_OPS, RULES, Value, _number, apply_rule, differentiable_local_grads, topological_order


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
    inputs = [inputs] if single else list(inputs)
    for i, x in enumerate(inputs):
        if type(x) is not Value:
            raise TypeError(f"grad: inputs[{i}] must be a Value, got {type(x).__name__}")
    if create_graph:                                           # the gradient graph is recorded even
        with engine.set_recording(True):                               # inside no_grad, as in PyTorch
            return _grad(output, inputs, single, create_graph)
    return _grad(output, inputs, single, create_graph)


def _grad(output, inputs, single, create_graph):
    grads = {output: Value(1.0) if create_graph else 1.0}
    for node in reversed(topological_order(output)):
        g = grads.get(node)
        if g is None or (not create_graph and g == 0.0):       # nothing flows on, as in backward()
            continue
        local_grads = _differentiable(node) if create_graph else node.local_grads
        for parent, local in zip(node.parents, local_grads):
            contribution = local * g
            previous = grads.get(parent)
            grads[parent] = contribution if previous is None else previous + contribution
    zero = Value(0.0) if create_graph else 0.0
    result = [grads.get(x, zero) for x in inputs]
    return result[0] if single else result


def _differentiable(node):
    try:
        return differentiable_local_grads(node)
    except TypeError as error:
        raise TypeError(f"op {node.op!r}: its derivative does not accept Values, so create_graph=True "
                        f"cannot differentiate it again ({error})") from None


def primitive(name, f, df):
    """Make a new op from a float function `f(x, ...)` and its local derivative(s) `df(x, ...)`.

    `df` gets the inputs as floats and returns one number per input (a tuple when there are
    several). Written with operators only (or the helpers `log`, `sin`, `cos` of autograd.engine,
    which take floats and Values), `df` also runs on Values, so create_graph=True can
    differentiate the op again. A name can be defined once per session.
    >>> cube = primitive("cube", lambda x: x ** 3, lambda x: 3 * x ** 2)
    >>> x = Value(2.0); y = cube(x); y.backward()
    >>> y, x.grad
    (Value(data=8.0, grad=1.0), 12.0)
    """
    if not isinstance(name, str) or not name:
        raise TypeError("primitive: name must be a non-empty str")
    if name in BUILTIN_OPS or name.startswith("**"):
        raise ValueError(f"primitive: {name!r} is a built-in op")
    if name in RULES:                                          # nodes look their rule up by name
        raise ValueError(f"primitive: {name!r} is already defined; choose another name")
    if not callable(f) or not callable(df):
        raise TypeError(f"primitive {name!r}: f and df must be callable")

    def forward(*xs):
        y = _number(f(*xs))
        if y is None:
            raise TypeError(f"primitive {name!r}: f must return a real number")
        return y

    def derivative(*xs_and_y):
        xs = xs_and_y[:-1]
        d = df(*xs)
        d = tuple(d) if isinstance(d, (tuple, list)) else (d,)
        if len(d) != len(xs):
            raise ValueError(f"primitive {name!r}: df returned {len(d)} derivatives for {len(xs)} inputs")
        on_floats = all(type(x) is not Value for x in xs)
        for i, di in enumerate(d):
            if (type(di) is Value and on_floats) or (type(di) is not Value and _number(di) is None):
                raise TypeError(f"primitive {name!r}: df must return numbers, got {type(di).__name__} "
                                f"for input {i}")
        return tuple(di if type(di) is Value else _number(di) for di in d)

    rule = RULES[name] = (forward, derivative)

    def op(*inputs):
        return apply_rule(name, rule, [x if type(x) is Value else Value(x) for x in inputs])

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"The op {name!r}, made by primitive()."
    return op
