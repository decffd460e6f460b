"""`gradcheck`: compare backpropagated gradients with central finite differences."""
from .engine import Value, no_grad
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

    `f` gets one Value per coordinate (built under no_grad, so no graph is kept).

    >>> [round(g, 6) for g in numerical_grad(lambda x, y: x * y, [3.0, 4.0])]
    [4.0, 3.0]
    """
    point = [x.data if type(x) is Value else float(x) for x in point]
    grads = []
    with no_grad():
        for i in range(len(point)):
            up, down = list(point), list(point)
            up[i] += eps
            down[i] -= eps
            grads.append((_scalar(f(*map(Value, up))) - _scalar(f(*map(Value, down)))) / (2 * eps))
    return grads


def gradcheck(f, inputs, eps=1e-6, atol=1e-5, rtol=1e-3):
    """Check backprop against central differences for every input; True, or raise GradcheckError.

    `f` takes Values (one per input) and returns a Value; `inputs` are numbers or Values.
    >>> gradcheck(lambda x, y: (x * y).tanh() + y.exp(), [0.3, -0.7])
    True
    """
    point = [x.data if type(x) is Value else x for x in inputs]
    leaves = [Value(x) for x in point]
    analytic = grad(_as_value(f(*leaves)), leaves)
    numeric = numerical_grad(f, point, eps)
    for i, (a, n) in enumerate(zip(analytic, numeric)):
        if not abs(a - n) <= atol + rtol * abs(n):
            label = inputs[i].label if type(inputs[i]) is Value else ""
            raise GradcheckError(i, a, n, f"{label + ' = ' if label else 'at '}{point[i]!r}")
    return True


def _as_value(y):
    if type(y) is not Value:
        raise TypeError(f"gradcheck: f must return a Value, got {type(y).__name__}")
    return y


def _scalar(y):
    return y.data if type(y) is Value else float(y)
