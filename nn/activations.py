"""Activation functions by name: what a neuron applies to its pre-activation w·x + b."""
from autograd import Value

# name -> the Value method to apply, or None for a linear neuron (the pre-activation itself).
ACTIVATIONS = {
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "linear": None,
}


def activation_function(name):
    """The Value method for an activation name (None for 'linear'); unknown names raise ValueError.

    >>> activation_function("tanh")(Value(0.0)).data
    0.0
    >>> activation_function("linear") is None
    True
    """
    if not isinstance(name, str):
        raise TypeError(f"activation must be a name (str), got {type(name).__name__}: {name!r}")
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(map(repr, ACTIVATIONS))}")
    return ACTIVATIONS[name]
