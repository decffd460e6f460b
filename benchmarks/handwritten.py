"""The same MLP training step hand-written with Python floats: forward, manual backward, SGD.

The speed reference for the engine: what a careful person writes without autodiff. The network has
relu hidden layers and a linear last layer of one neuron; the loss is the mean hinge loss plus
alpha · Σ p². Parameters are `[(W, b), ...]` per layer, W a list of rows (one per neuron).
"""
import operator

from .usercode import ALPHA, LEARNING_RATE

_mul = operator.mul


def from_weights(weights):
    """Per-layer (W, b) lists of floats from `data.initial_weights`-style weights (a fresh copy).

    >>> from_weights([[([1.0, 2.0], 0.5), ([3.0, 4.0], -0.5)]])
    [([[1.0, 2.0], [3.0, 4.0]], [0.5, -0.5])]
    """
    return [([list(ws) for ws, b in layer], [b for ws, b in layer]) for layer in weights]


def forward(params, point):
    """The pre-activations of every layer for one input (the last one holds the score).

    >>> forward([([[1.0, -1.0]], [0.0]), ([[2.0]], [1.0])], (3.0, 1.0))
    [[2.0], [5.0]]
    """
    pre_activations = []
    h = point
    last = len(params) - 1
    for depth, (W, b) in enumerate(params):
        z = [bias + sum(map(_mul, row, h)) for row, bias in zip(W, b)]
        pre_activations.append(z)
        h = [v if v > 0.0 else 0.0 for v in z] if depth < last else z
    return pre_activations


def score(params, point):
    """The network's output for one input.

    >>> score([([[1.0, -1.0]], [0.0]), ([[2.0]], [1.0])], (3.0, 1.0))
    5.0
    """
    return forward(params, point)[-1][0]


def loss_and_gradients(params, points, labels, alpha=ALPHA):
    """The loss and its gradient for every parameter, in the same (W, b) layout as `params`.

    >>> params = [([[1.0, 2.0]], [0.0]), ([[1.0]], [0.0])]
    >>> loss_and_gradients(params, [(1.0, 1.0)], [-1], alpha=0.0)    # loss relu(1 + 3), d/dw = x
    (4.0, [([[1.0, 1.0]], [1.0]), ([[3.0]], [1.0])])
    """
    grads = [([[0.0] * len(row) for row in W], [0.0] * len(b)) for W, b in params]
    inverse_n = 1.0 / len(points)
    last = len(params) - 1
    hinge_total = 0.0
    for point, label in zip(points, labels):
        pre_activations = forward(params, point)
        margin = 1.0 - label * pre_activations[-1][0]
        hinge_total += margin if margin > 0.0 else 0.0
        delta = [-label * inverse_n if margin > 0.0 else 0.0]   # d loss / d (last pre-activation)
        for depth in range(last, -1, -1):
            W, _ = params[depth]
            grad_W, grad_b = grads[depth]
            if depth > 0:
                below = pre_activations[depth - 1]
                h = [v if v > 0.0 else 0.0 for v in below]
            else:
                h = point
            for j, d in enumerate(delta):
                grad_W[j] = [g + d * x for g, x in zip(grad_W[j], h)]
                grad_b[j] += d
            if depth > 0:                                        # through W, then through the relu
                back = [sum(map(_mul, delta, column)) for column in zip(*W)]
                delta = [g if v > 0.0 else 0.0 for g, v in zip(back, below)]
    squares = 0.0
    for (W, b), (grad_W, grad_b) in zip(params, grads):
        for row, grad_row in zip(W, grad_W):
            for k, w in enumerate(row):
                squares += w * w
                grad_row[k] += 2.0 * alpha * w
        for j, bias in enumerate(b):
            squares += bias * bias
            grad_b[j] += 2.0 * alpha * bias
    return hinge_total * inverse_n + alpha * squares, grads


def sgd_update(params, grads, lr=LEARNING_RATE):
    """p -= lr · grad for every parameter, in place.

    >>> params = [([[1.0]], [2.0])]
    >>> sgd_update(params, [([[0.5]], [1.0])], lr=0.1); params
    [([[0.95]], [1.9])]
    """
    for (W, b), (grad_W, grad_b) in zip(params, grads):
        for row, grad_row in zip(W, grad_W):
            row[:] = [w - lr * g for w, g in zip(row, grad_row)]
        b[:] = [bias - lr * g for bias, g in zip(b, grad_b)]


def training_step(params, points, labels, lr=LEARNING_RATE, alpha=ALPHA):
    """One step: loss and gradients, then SGD; returns the loss (before the update).

    >>> params = [([[1.0, 2.0]], [0.0]), ([[1.0]], [0.0])]
    >>> training_step(params, [(1.0, 1.0)], [-1], lr=0.5, alpha=0.0), params[1]
    (4.0, ([[-0.5]], [-0.5]))
    """
    total, grads = loss_and_gradients(params, points, labels, alpha)
    sgd_update(params, grads, lr)
    return total


def parameters(params):
    """Every parameter as a flat list of floats, in the order of `usercode.parameters` (w then b)."""
    return [value for W, b in params for row, bias in zip(W, b) for value in row + [bias]]
