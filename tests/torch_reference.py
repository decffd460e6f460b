"""Test helper: run one expression on our engine and on PyTorch float64, values and gradients side by side."""
import math

from autograd import Value, grad
from autograd import weighted_sum as engine_weighted_sum

try:
    import torch
except ImportError:                                            # the torch-free tests still run
    torch = None


def run_ours(fn, point):
    """(value, gradient per input) of `fn` at `point`, computed by our engine with backward().

    >>> run_ours(lambda x, y: x * y + x, [3.0, 4.0])
    (15.0, [5.0, 3.0])
    """
    leaves = [Value(x) for x in point]
    out = fn(*leaves)
    out.backward()
    return out.data, [leaf.grad for leaf in leaves]


def run_torch(fn, point):
    """(value, gradient per input) of `fn` at `point`, computed by PyTorch in float64.

    An input `fn` does not use gets gradient 0.0.
    >>> run_torch(lambda x, y: x * y + x, [3.0, 4.0])
    (15.0, [5.0, 3.0])
    """
    leaves = [torch.tensor(float(x), dtype=torch.float64, requires_grad=True) for x in point]
    out = fn(*leaves)
    grads = torch.autograd.grad(out, leaves, allow_unused=True)
    return out.item(), [0.0 if g is None else g.item() for g in grads]


def run_both(fn, point):
    """(our value, our grads, torch value, torch grads) of the same `fn` at `point`.

    `fn` may use only what Values and tensors share: + - * / **, unary -, abs(), and the methods
    .exp() .log() .sqrt() .tanh() .sigmoid() .relu() .sin() .cos(); `weighted_sum` below adapts.
    >>> ours, our_grads, theirs, their_grads = run_both(lambda x: (x * 2).tanh(), [0.25])
    >>> math.isclose(ours, theirs, rel_tol=1e-12), math.isclose(our_grads[0], their_grads[0], rel_tol=1e-12)
    (True, True)
    """
    ours, our_grads = run_ours(fn, point)
    theirs, their_grads = run_torch(fn, point)
    return ours, our_grads, theirs, their_grads


def weighted_sum(weights, inputs, bias):
    """w·x + b: our one-node `weighted_sum` on Values, a plain sum of products on tensors.

    A plain-number bias is allowed on both sides (our engine wants a Value, so it is wrapped).
    >>> w = [Value(2.0), Value(-1.0)]
    >>> weighted_sum(w, [3.0, 4.0], 0.5).data
    2.5
    """
    if any(type(v) is Value for v in [*weights, *inputs, bias]):
        return engine_weighted_sum(weights, inputs, bias if type(bias) is Value else Value(bias))
    total = bias
    for w, x in zip(weights, inputs):
        total = total + w * x
    return total


def our_partials(fn, point, order):
    """All partial derivatives of `fn` of the given order at `point`, nested lists, by our `grad`.

    Order 0 is the value; order 2 is the Hessian, entry [i][j] = d/dx_j d/dx_i fn.
    >>> our_partials(lambda x, y: x * x * y, [3.0, 2.0], 2)
    [[4.0, 6.0], [6.0, 0.0]]
    """
    leaves = [Value(x) for x in point]

    def partials(y, remaining):
        if remaining == 0:
            return y.data
        return [partials(g, remaining - 1) for g in grad(y, leaves, create_graph=True)]

    return partials(fn(*leaves), order)


def torch_partials(fn, point, order):
    """The same nested partial derivatives as `our_partials`, by PyTorch double backward in float64.

    >>> torch_partials(lambda x, y: x * x * y, [3.0, 2.0], 2)
    [[4.0, 6.0], [6.0, 0.0]]
    """
    leaves = [torch.tensor(float(x), dtype=torch.float64, requires_grad=True) for x in point]

    def zeros(remaining):
        return 0.0 if remaining == 0 else [zeros(remaining - 1) for _ in leaves]

    def partials(y, remaining):
        if remaining == 0:
            return y.item()
        if not y.requires_grad:                                # a constant: all its derivatives are 0
            return [zeros(remaining - 1) for _ in leaves]
        grads = torch.autograd.grad(y, leaves, create_graph=True, allow_unused=True)
        return [zeros(remaining - 1) if g is None else partials(g, remaining - 1) for g in grads]

    return partials(fn(*leaves), order)


def flatten(nested):
    """The numbers of a nested list, in order.

    >>> flatten([[1.0, 2.0], [3.0, [4.0]]])
    [1.0, 2.0, 3.0, 4.0]
    """
    if not isinstance(nested, list):
        return [nested]
    return [number for item in nested for number in flatten(item)]


def close(a, b, rel_tol=1e-12, abs_tol=1e-12):
    """True if two numbers agree to `rel_tol` (or `abs_tol` near zero); NaNs and infinities must match.

    >>> close(1.0, 1.0 + 1e-15), close(1.0, 1.001), close(math.inf, math.inf)
    (True, False, True)
    """
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=rel_tol, abs_tol=abs_tol)
