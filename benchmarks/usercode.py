"""Micrograd-style user code, written once and generic in the Value class: a 2-16-16-1 MLP of plain lists.

The same function runs with our `autograd.Value` and with `micrograd.engine.Value`: this measures the
engine under code a user would write (`sum(w * x ...)`, `.relu()`, hinge loss, backward, SGD), not our nn.
"""
ALPHA = 1e-4          # L2 strength, as in micrograd's demo
LEARNING_RATE = 0.1


def make_mlp(Value, weights):
    """The network as lists of Values: per layer, per neuron, (list of weight Values, bias Value).

    >>> from autograd import Value
    >>> layers = make_mlp(Value, [[([0.5, -1.0], 0.25)]])
    >>> [w.data for w in layers[0][0][0]], layers[0][0][1].data
    ([0.5, -1.0], 0.25)
    """
    return [[([Value(w) for w in ws], Value(b)) for ws, b in layer] for layer in weights]


def parameters(layers):
    """Every weight and bias Value, layer by layer, neuron by neuron (weights then bias)."""
    return [p for layer in layers for ws, b in layer for p in ws + [b]]


def score(Value, layers, point):
    """The MLP's output for one point: relu hidden layers, linear last layer, neuron = b + Σ w·x."""
    activations = [Value(x) for x in point]
    last = len(layers) - 1
    for depth, layer in enumerate(layers):
        outputs = []
        for ws, b in layer:
            total = sum((w * x for w, x in zip(ws, activations)), b)
            outputs.append(total.relu() if depth < last else total)
        activations = outputs
    return activations[0]


def loss(Value, layers, points, labels, alpha=ALPHA):
    """Mean hinge loss relu(1 - y·score) over the points, plus alpha · Σ p² (micrograd's demo loss)."""
    scores = [score(Value, layers, point) for point in points]
    losses = [(1 + -y * s).relu() for y, s in zip(labels, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = alpha * sum(p * p for p in parameters(layers))
    return data_loss + reg_loss


def training_step(Value, layers, points, labels, lr=LEARNING_RATE, alpha=ALPHA):
    """One full step: loss, zero the grads, backward, SGD update; returns the loss as a float.

    >>> from autograd import Value
    >>> layers = make_mlp(Value, [[([1.0, 2.0], 0.0)], [([1.0], 0.0)]])
    >>> training_step(Value, layers, [(1.0, 1.0)], [-1], alpha=0.0)    # relu(1 + 3)
    4.0
    """
    total = loss(Value, layers, points, labels, alpha)
    params = parameters(layers)
    for p in params:
        p.grad = 0.0
    total.backward()
    for p in params:
        p.data -= lr * p.grad
    return total.data
