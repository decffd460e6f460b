"""The benchmarks' inputs: the moons points, a grid over them, and one set of initial MLP weights."""
import random

from demos.datasets import make_moons

MLP_SIZES = (2, 16, 16, 1)


def moons(n_samples=100, noise=0.1, seed=0):
    """Two interleaved half circles as (points, labels ±1), from the demos' generator.

    >>> points, labels = moons(10)
    >>> len(points), len(labels), sorted(set(labels))
    (10, 10, [-1, 1])
    """
    points, labels = make_moons(n_samples=n_samples, noise=noise, seed=seed)
    return [tuple(float(c) for c in p) for p in points], [1 if y > 0 else -1 for y in labels]


def grid(points, side=50):
    """side × side points evenly covering the bounding box of `points`, padded by 0.5.

    >>> g = grid([(0.0, 0.0), (1.0, 2.0)], side=3)
    >>> len(g), g[0], g[-1]
    (9, (-0.5, -0.5), (1.5, 2.5))
    """
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    x_lo, x_hi, y_lo, y_hi = min(xs) - 0.5, max(xs) + 0.5, min(ys) - 0.5, max(ys) + 0.5
    steps = [i / (side - 1) for i in range(side)]
    return [(x_lo + a * (x_hi - x_lo), y_lo + b * (y_hi - y_lo)) for b in steps for a in steps]


def initial_weights(sizes=MLP_SIZES, seed=0):
    """Plain-float MLP weights: per layer, per neuron, (weights, bias); w ~ U(-1, 1), b ~ U(-0.1, 0.1).

    Every implementation copies these in, so all of them start from the same network.
    >>> layers = initial_weights((2, 3, 1))
    >>> [len(layer) for layer in layers], len(layers[0][0][0]), len(layers[1][0][0])
    ([3, 1], 2, 3)
    """
    rng = random.Random(seed)
    return [[([rng.uniform(-1.0, 1.0) for _ in range(n_in)], rng.uniform(-0.1, 0.1)) for _ in range(n_out)]
            for n_in, n_out in zip(sizes, sizes[1:])]


def copy_weights_into(model, weights):
    """Set a model's parameters (`model.layers[i].neurons[j].w[k]` / `.b`) to the given floats in place.

    Works for our `nn.MLP` and for micrograd's `MLP`, which share that layout.
    """
    if len(model.layers) != len(weights):
        raise ValueError(f"model has {len(model.layers)} layers, weights have {len(weights)}")
    for layer, layer_weights in zip(model.layers, weights):
        if len(layer.neurons) != len(layer_weights):
            raise ValueError(f"layer has {len(layer.neurons)} neurons, weights have {len(layer_weights)}")
        for neuron, (w, b) in zip(layer.neurons, layer_weights):
            if len(neuron.w) != len(w):
                raise ValueError(f"neuron has {len(neuron.w)} inputs, weights have {len(w)}")
            for parameter, value in zip(neuron.w, w):
                parameter.data = value
            neuron.b.data = b
