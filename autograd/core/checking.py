"""`gradcheck`: compare backpropagated gradients with central finite differences."""
from . import engine
from .engine import Value
from .functional import grad


class GradcheckError(AssertionError):
    """Backprop and finite differences disagree for one input."""

    def __init__(self, index, analytic, numeric, name=""):
        self.index, self.analytic, self.numeric = index, analytic, numeric
        which = f"input {index}" + (f" ({name})" if name else "")
        super().__init__(f"gradient mismatch for {which}: backprop gives {analytic!r}, "
                         f"central differences give {numeric!r}")


def numerical_grad(f, point, eps=1e-6):
    """Central differences (f(x + eps) - f(x - eps)) / 2 eps for each coordinate of `point`.

    `f` gets one new leaf Value per coordinate and runs with graph recording on (even inside
    no_grad), so `f` may call grad() itself: checking a derivative function works too.
    >>> [round(g, 6) for g in numerical_grad(lambda x, y: x * y, [3.0, 4.0])]
    [4.0, 3.0]
    >>> [round(g, 6) for g in numerical_grad(lambda x: grad(x ** 3, [x], create_graph=True)[0], [1.0])]
    [6.0]
    """
    point = [x.data if type(x) is Value else float(x) for x in point]
    grads = []
    for i in range(len(point)):
        up, down = list(point), list(point)
        up[i] += eps
        down[i] -= eps
        grads.append((_evaluate(f, up) - _evaluate(f, down)) / (2 * eps))
    return grads


def gradcheck(f, inputs, eps=1e-6, atol=1e-5, rtol=1e-3):
    """Check backprop against central differences for every input; True, or raise GradcheckError.

    `f` takes Values (one per input) and returns a Value; `inputs` are numbers or Values. `f` may
    call grad(..., create_graph=True) itself, so a derivative is checked against the next one.
    >>> gradcheck(lambda x, y: (x * y).tanh() + y.exp(), [0.3, -0.7])
    True
    >>> gradcheck(lambda x: grad(x.sin(), [x], create_graph=True)[0], [0.5])   # cos x against -sin x
    True
    """
    point = [x.data if type(x) is Value else x for x in inputs]
    leaves = [Value(x) for x in point]
    with engine.set_recording(True):                           # backprop needs the graph, even in no_grad
        analytic = grad(_as_value(f(*leaves)), leaves)
    numeric = numerical_grad(f, point, eps)
    for i, (a, n) in enumerate(zip(analytic, numeric)):
        if not abs(a - n) <= atol + rtol * abs(n):
            label = inputs[i].label if type(inputs[i]) is Value else ""
            raise GradcheckError(i, a, n, f"{label + ' = ' if label else 'at '}{point[i]!r}")
    return True


def _evaluate(f, point):
    """f at `point` as a float; f runs with recording on, so a grad() call inside it sees a graph."""
    with engine.set_recording(True):
        return _scalar(f(*map(Value, point)))


def _as_value(y):
    if type(y) is not Value:
        raise TypeError(f"gradcheck: f must return a Value, got {type(y).__name__}")
    return y


def _scalar(y):
    return y.data if type(y) is Value else float(y)
