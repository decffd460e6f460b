"""Fully connected networks: a `Neuron`, a `Layer` of neurons, and an `MLP` of layers."""

from autograd import Value, weighted_sum, weighted_sums

from .activations import activation_function
from .hooks import ForwardHooks
from .init import initial_weights
from .module import Module
from .reals import NumberTypeError, as_list, positive_size, real_number


_READ_ONLY = "fixed when the module is made: it chose the weights' scale and is saved with the model"


class Neuron(Module):
    """One neuron: activation(w·x + b), with `nin` weights `.w` and a bias `.b`, all Values.

    The weights start uniform at a scale suited to the activation (see `nn.init`), the bias at 0.
    >>> import random; random.seed(0)
    >>> neuron = Neuron(2, activation="tanh")
    >>> len(neuron.w), neuron.b.data
    (2, 0.0)
    >>> y = neuron([1.0, -2.0]); y.op
    'tanh'
    """

    def __init__(self, nin, activation="relu"):
        nin = positive_size("Neuron nin", nin)
        self._activate = activation_function(activation)
        self._activation = activation
        self.w = [Value(w) for w in initial_weights(nin, activation)]
        self.b = Value(0.0)

    activation = property(lambda self: self._activation, doc=f"The activation's name ({_READ_ONLY}).")

    def __call__(self, x):
        """The neuron's output for the inputs `x` (real numbers or Values, one per weight)."""
        x = _inputs(x, len(self.w), "Neuron")
        z = weighted_sum(self.w, x, self.b)                    # one node for the whole w·x + b
        return z if self._activate is None else self._activate(z)

    def architecture(self):
        return {"type": "Neuron", "nin": len(self.w), "activation": self.activation}

    def __repr__(self):
        return f"Neuron(nin={len(self.w)}, activation={self.activation!r})"


class Layer(ForwardHooks, Module):
    """`nout` neurons that all read the same `nin` inputs; calling it returns a list of `nout` Values.

    >>> import random; random.seed(0)
    >>> layer = Layer(3, 2, activation="sigmoid")
    >>> outputs = layer([1.0, 2.0, 3.0])
    >>> len(outputs), all(0.0 < y.data < 1.0 for y in outputs)
    (2, True)
    """

    def __init__(self, nin, nout, activation="relu"):
        nin = positive_size("Layer nin", nin)
        nout = positive_size("Layer nout", nout)
        self._activate = activation_function(activation)
        self._activation = activation
        self.nin = nin
        self.neurons = [Neuron(nin, activation) for _ in range(nout)]

    activation = property(lambda self: self._activation, doc=f"The activation's name ({_READ_ONLY}).")

    def __call__(self, x):
        """The outputs of every neuron for the inputs `x` (real numbers or Values), always as a list."""
        x = _inputs(x, self.nin, "Layer")
        neurons = self.neurons                                 # one node per neuron, inputs shared
        pre_activations = weighted_sums([n.w for n in neurons], x, [n.b for n in neurons])
        activate = self._activate
        outputs = pre_activations if activate is None else [activate(z) for z in pre_activations]
        if self._forward_hooks:                                # empty unless something watches the layer
            for hook in self._forward_hooks:
                hook(self, x, outputs)
        return outputs

    def architecture(self):
        return {"type": "Layer", "nin": self.nin, "nout": len(self.neurons), "activation": self.activation}

    def __repr__(self):
        return f"Layer(nin={self.nin}, nout={len(self.neurons)}, activation={self.activation!r})"


class MLP(Module):
    """A multi-layer perceptron: `nin` inputs, then one Layer per entry of `nouts`.

    Hidden layers use `activation`; the last layer uses `output_activation` (linear by default, so
    the outputs are scores or logits for a loss to read). One output gives a single Value, several
    give a list.
    >>> import random; random.seed(0)
    >>> model = MLP(2, [16, 16, 1])
    >>> len(model.parameters())
    337
    >>> model([0.5, -1.0]).op
    'wx+b'
    >>> model
    MLP(nin=2, nouts=[16, 16, 1], activation='relu', output_activation='linear')
      (0): Layer(nin=2, nout=16, activation='relu')
      (1): Layer(nin=16, nout=16, activation='relu')
      (2): Layer(nin=16, nout=1, activation='linear')
      337 parameters
    """

    def __init__(self, nin, nouts, activation="relu", output_activation="linear"):
        nin = positive_size("MLP nin", nin)
        if not isinstance(nouts, (list, tuple)) or not nouts:
            raise TypeError(f"MLP nouts must be a non-empty list of layer sizes, got {nouts!r}")
        nouts = [positive_size(f"MLP nouts[{index}]", nout) for index, nout in enumerate(nouts)]
        activation_function(activation)
        activation_function(output_activation)
        self._activation = activation
        self._output_activation = output_activation
        sizes = [nin] + nouts
        last = len(nouts) - 1
        self.layers = [Layer(sizes[i], sizes[i + 1], activation if i < last else output_activation)
                       for i in range(len(nouts))]

    activation = property(lambda self: self._activation, doc=f"The hidden layers' activation ({_READ_ONLY}).")
    output_activation = property(lambda self: self._output_activation,
                                 doc=f"The last layer's activation ({_READ_ONLY}).")

    def __call__(self, x):
        """The network's output for one input `x`: a list, tuple or 1-d array of real numbers or Values."""
        for layer in self.layers:
            x = layer(x)
        return x[0] if len(x) == 1 else x

    def architecture(self):
        return {"type": "MLP", "nin": self.layers[0].nin, "nouts": [len(layer.neurons) for layer in self.layers],
                "activation": self.activation, "output_activation": self.output_activation}

    def __repr__(self):
        arch = self.architecture()
        lines = [f"MLP(nin={arch['nin']}, nouts={arch['nouts']}, activation={self.activation!r}, "
                 f"output_activation={self.output_activation!r})"]
        lines += [f"  ({index}): {layer!r}" for index, layer in enumerate(self.layers)]
        lines.append(f"  {len(self.parameters())} parameters")
        return "\n".join(lines)


def _inputs(x, count, owner):
    """The `count` inputs in `x` (a list, tuple or 1-d array) as a list of Values and floats.

    Any real number (a numpy scalar, a 0-d array, a Fraction) becomes a float; anything else
    raises a TypeError naming its type and position.
    """
    if type(x) is list or type(x) is tuple:                   # the usual case: check it quickly
        if len(x) == count and all(type(item) is Value or type(item) is float for item in x):
            return x
    items = as_list(x, f"{owner} input")
    if items is None:
        raise NumberTypeError(f"{owner} input must be a list, tuple or 1-d array of numbers, "
                              f"got {type(x).__name__}")
    if len(items) != count:
        raise ValueError(f"{owner} with {count} inputs got {len(items)} value{'' if len(items) == 1 else 's'}")
    return [item if type(item) is Value else real_number(item, f"{owner} input {index}")
            for index, item in enumerate(items)]
