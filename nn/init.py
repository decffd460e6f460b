"""Initial weights: uniform, with a scale that keeps signals from growing or fading through the layers."""
import math
import random

from .activations import activation_function


def init_bound(nin, activation):
    """The half-width `a` of U(-a, a) for the weights of a neuron with `nin` inputs.

    relu (He/Kaiming uniform): Var(w) = 2 / nin, so a = sqrt(6 / nin); relu zeroes half its inputs,
    the factor 2 makes up for it. tanh, sigmoid, linear (LeCun uniform): Var(w) = 1 / nin, so
    a = sqrt(3 / nin). Either way a wide layer gets small weights, unlike U(-1, 1) for every width.

    >>> init_bound(6, "relu"), init_bound(3, "tanh")
    (1.0, 1.0)
    """
    activation_function(activation)                  # an unknown name raises here
    variance = (2.0 if activation == "relu" else 1.0) / nin
    return math.sqrt(3.0 * variance)                 # U(-a, a) has variance a² / 3


def initial_weights(nin, activation):
    """`nin` floats drawn from U(-a, a) with Python's global `random`, so `random.seed` fixes them.

    >>> random.seed(0); first = initial_weights(4, "relu")
    >>> random.seed(0); first == initial_weights(4, "relu")
    True
    >>> all(abs(w) <= init_bound(4, "relu") for w in first)
    True
    """
    bound = init_bound(nin, activation)
    return [random.uniform(-bound, bound) for _ in range(nin)]
