"""Optimizers: `SGD` and `Adam` move each parameter's `.data` against its `.grad`, as torch.optim does."""
import math

from autograd import Value

from .reals import as_list, real_number


class Optimizer:
    """The shared part: the list of parameters, their checks, and `zero_grad()`."""

    def __init__(self, params, lr):
        if hasattr(params, "parameters") and not isinstance(params, (list, tuple)):
            raise TypeError(f"{type(self).__name__} needs the parameters, not the model: "
                            f"pass model.parameters()")
        try:
            params = list(params)
        except TypeError:
            raise TypeError(f"{type(self).__name__} needs an iterable of Values, got {type(params).__name__}") from None
        if not params:
            raise ValueError(f"{type(self).__name__} got an empty parameter list")
        seen = set()
        for index, p in enumerate(params):
            if type(p) is not Value:
                raise TypeError(f"{type(self).__name__}: parameter {index} is a {type(p).__name__}, not a Value")
            if id(p) in seen:
                raise ValueError(f"{type(self).__name__}: parameter {index} appears more than once")
            seen.add(id(p))
        self.params = params
        self.lr = _non_negative(type(self).__name__, "lr", lr)

    def __repr__(self):
        """The optimizer's settings and how many parameters it moves: `SGD(lr=0.1, 337 parameters)`."""
        settings = ", ".join(f"{name}={value!r}" for name, value in self.settings().items())
        count = len(self.params)
        return f"{type(self).__name__}({settings}, {count} parameter{'s' if count != 1 else ''})"

    def settings(self):
        """The hyperparameters, by name (what the repr shows)."""
        return {"lr": self.lr}

    def zero_grad(self):
        """Set every parameter's gradient to 0, ready for the next backward().

        >>> w = Value(1.0); w.grad = 5.0; SGD([w], lr=0.1).zero_grad(); w.grad
        0.0
        """
        for p in self.params:
            p.grad = 0.0


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum and weight decay (torch.optim.SGD's formulas).

    Each step, per parameter p with gradient g:
        g = g + weight_decay · p
        buf = g on the first step, then buf = momentum · buf + g;  g = buf   (if momentum)
        p = p − lr · g
    >>> w = Value(1.0); optimizer = SGD([w], lr=0.1)
    >>> (w * w).backward(); optimizer.step(); w.data              # 1 - 0.1 · 2
    0.8
    """

    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0):
        super().__init__(params, lr)
        self.momentum = _non_negative("SGD", "momentum", momentum)
        self.weight_decay = _non_negative("SGD", "weight_decay", weight_decay)
        self.buffers = None                                    # momentum buffers, made on the first step

    def settings(self):
        """lr, momentum and weight_decay.

        >>> SGD([Value(1.0), Value(2.0)], lr=0.1, momentum=0.9)
        SGD(lr=0.1, momentum=0.9, weight_decay=0.0, 2 parameters)
        """
        return {"lr": self.lr, "momentum": self.momentum, "weight_decay": self.weight_decay}

    def step(self):
        """Update every parameter's `.data` in place from its `.grad` (no graph is recorded)."""
        lr, momentum, decay = self.lr, self.momentum, self.weight_decay
        if momentum == 0.0 and decay == 0.0:
            for p in self.params:                              # the plain case, kept lean
                p.data -= lr * p.grad
            return
        grads = [p.grad + decay * p.data if decay else p.grad for p in self.params]
        if momentum:
            if self.buffers is None:
                self.buffers = grads
            else:
                self.buffers = [momentum * b + g for b, g in zip(self.buffers, grads)]
            grads = self.buffers
        for p, g in zip(self.params, grads):
            p.data -= lr * g


class Adam(Optimizer):
    """Adam with bias correction (torch.optim.Adam's formulas; weight decay is added to the gradient).

    Each step t = 1, 2, ..., per parameter p with gradient g:
        g = g + weight_decay · p
        m = β1 · m + (1 − β1) · g;   v = β2 · v + (1 − β2) · g²
        p = p − (lr / (1 − β1^t)) · m / (sqrt(v) / sqrt(1 − β2^t) + eps)
    >>> w = Value(1.0); optimizer = Adam([w], lr=0.1)
    >>> (w * w).backward(); optimizer.step(); round(w.data, 6)   # the first step moves by about lr
    0.9
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr)
        pair = as_list(betas, "Adam betas")
        if pair is None or len(pair) != 2:
            raise TypeError(f"Adam betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = tuple(_fraction("Adam", f"betas[{i}]", beta) for i, beta in enumerate(pair))
        self.eps = _positive("Adam", "eps", eps)
        self.weight_decay = _non_negative("Adam", "weight_decay", weight_decay)
        self.t = 0
        self.m = [0.0] * len(self.params)                      # running mean of the gradient
        self.v = [0.0] * len(self.params)                      # running mean of its square

    def settings(self):
        """lr, betas, eps and weight_decay.

        >>> Adam([Value(1.0)], lr=0.01)
        Adam(lr=0.01, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.0, 1 parameter)
        """
        return {"lr": self.lr, "betas": self.betas, "eps": self.eps, "weight_decay": self.weight_decay}

    def step(self):
        """Update every parameter's `.data` in place from its `.grad` (no graph is recorded)."""
        beta1, beta2 = self.betas
        self.t += 1
        step_size = self.lr / (1.0 - beta1 ** self.t)
        root_correction2 = math.sqrt(1.0 - beta2 ** self.t)
        decay, eps, m, v = self.weight_decay, self.eps, self.m, self.v
        for i, p in enumerate(self.params):
            g = p.grad + decay * p.data if decay else p.grad
            m[i] = beta1 * m[i] + (1.0 - beta1) * g
            v[i] = beta2 * v[i] + (1.0 - beta2) * g * g
            p.data -= step_size * m[i] / (math.sqrt(v[i]) / root_correction2 + eps)


def _non_negative(owner, name, x):
    """A hyper-parameter as a float, checked to be a finite real number >= 0 (a numpy number or 0-d array too)."""
    x = real_number(x, f"{owner} {name}", expected="a number")
    if not (math.isfinite(x) and x >= 0.0):
        raise ValueError(f"{owner} {name} must be a finite number >= 0, got {x!r}")
    return x


def _positive(owner, name, x):
    """A hyper-parameter as a float, checked to be a finite number > 0 (Adam's eps: it keeps a division safe)."""
    x = _non_negative(owner, name, x)
    if x == 0.0:
        raise ValueError(f"{owner} {name} must be a finite number > 0, got {x!r}")
    return x


def _fraction(owner, name, x):
    """A decay rate as a float, checked to be in [0, 1)."""
    x = _non_negative(owner, name, x)
    if x >= 1.0:
        raise ValueError(f"{owner} {name} must be in [0, 1), got {x!r}")
    return x
