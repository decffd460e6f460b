"""Watching a model's layers: while a `Watch` is open, each call of an nn `Layer` or `Linear` hands it its outputs.

This is what torch does with forward hooks. A Layer is called inside the model's own `__call__`
(an MLP's loop, a GPT block), so the only way to see its outputs without changing the model's code
is to make its call report them: while watched, each Layer and Linear of the model is switched to a
subclass whose `__call__` runs the real one and then hands the outputs on. Closing the watch
switches it back. A call under `no_grad()` (an evaluation, a plot) is not reported: its outputs have
no graph, so there is no gradient to read from them either.
"""
from .layers import Layer
from .module import Module
from .transformer import Linear

WATCHED_TYPES = (Layer, Linear)


def watched_layers(model):
    """[(name, layer)] for every nn Layer and Linear inside `model` (the model itself too), in attribute order.

    Names read like the drawings' parameter names: 'layers[0]', 'layers[0].attn_wq', 'lm_head'.
    >>> import random, nn; random.seed(0)
    >>> [name for name, _ in watched_layers(nn.MLP(2, [3, 3, 1]))]
    ['layers[0]', 'layers[1]', 'layers[2]']
    """
    if not isinstance(model, Module):
        raise TypeError(f"expected an nn.Module (an MLP, a GPT, ...), got {type(model).__name__}")
    found, seen = [], set()
    stack = [("", model)]
    while stack:
        name, item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, WATCHED_TYPES):
            found.append((name or type(item).__name__, item))
            continue
        if isinstance(item, Module):
            children = [(_joined(name, key), child) for key, child in vars(item).items()]
        elif isinstance(item, (list, tuple)):
            children = [(f"{name}[{index}]", child) for index, child in enumerate(item)]
        else:
            continue
        stack.extend(reversed(children))                       # depth first, in attribute order
    return found


def layer_activation(layer):
    """The activation a watched layer applies to its outputs: a Layer's own, 'linear' for a Linear.

    >>> import random, nn; random.seed(0)
    >>> layer_activation(nn.Layer(2, 3, activation="tanh")), layer_activation(nn.Linear(2, 3))
    ('tanh', 'linear')
    """
    return layer.activation if isinstance(layer, Layer) else "linear"


def layer_weights(layer):
    """The weights (not the biases) of a watched layer, as one flat list of Values, row by row.

    >>> import random, nn; random.seed(0)
    >>> len(layer_weights(nn.Layer(2, 3))), len(layer_weights(nn.Linear(4, 5, bias=False)))
    (6, 20)
    """
    if isinstance(layer, Layer):
        return [w for neuron in layer.neurons for w in neuron.w]
    return [w for row in layer.weight for w in row]


def _joined(prefix, key):
    return f"{prefix}.{key}" if prefix else key


class Watch:
    """While open, `outputs[i]` collects, call by call, the list of outputs of the i-th watched layer.

    Use it as a context manager (or call `open()` and `close()`); `clear()` empties the lists.
    >>> import random, nn; random.seed(0)
    >>> model = nn.MLP(2, [3, 1])
    >>> with Watch(model) as watch:
    ...     _ = model([1.0, 2.0]); _ = model([0.5, 0.5])
    >>> [len(calls) for calls in watch.outputs], len(watch.outputs[0][0])
    ([2, 2], 3)
    >>> type(model.layers[0]).__name__, type(model.layers[0]) is nn.Layer
    ('Layer', True)
    """

    def __init__(self, model):
        self.layers = watched_layers(model)
        if not self.layers:
            raise ValueError(f"{type(model).__name__} has no nn Layer or Linear to watch")
        self.outputs = [[] for _ in self.layers]
        self.is_open = False

    def open(self):
        """Start collecting; a layer watched by another Watch too reports to both."""
        if not self.is_open:
            for (_, layer), sink in zip(self.layers, self.outputs):
                _attach(layer, sink)
            self.is_open = True
        return self

    def close(self):
        """Stop collecting; a layer no Watch is left on is its plain class again."""
        if self.is_open:
            for (_, layer), sink in zip(self.layers, self.outputs):
                _detach(layer, sink)
            self.is_open = False

    def clear(self):
        """Forget the outputs collected so far."""
        for sink in self.outputs:
            sink.clear()

    def __enter__(self):
        return self.open()

    def __exit__(self, *exception):
        self.close()


class _Sinks:
    """The lists a watched layer appends its outputs to (not a list itself, so no parameter search looks in)."""

    __slots__ = ("lists",)

    def __init__(self):
        self.lists = []


def _report(layer, outputs):
    """Hand a call's outputs to every sink, unless they carry no graph (a call under no_grad)."""
    if outputs and not outputs[0].is_leaf():
        for sink in layer._watch_sinks.lists:
            sink.append(outputs)
    return outputs


def _watched_call(self, x):
    """The layer's own call, then its outputs handed to the watches."""
    return _report(self, _PLAIN[type(self)].__call__(self, x))


def _unwatched_copy(plain_type, state):
    """Rebuild a serialized or copied watched layer as its plain type (the copy is not watched)."""
    layer = plain_type.__new__(plain_type)
    layer.__dict__.update(state)
    return layer


def _reduce_ex(self, protocol):
    state = {key: value for key, value in vars(self).items() if key != "_watch_sinks"}
    return _unwatched_copy, (_PLAIN[type(self)], state)


_PLAIN = {}                                                    # watched type -> its plain type
_WATCHED = {}                                                  # plain type -> its watched subclass


def _watched_type(plain_type):
    """The subclass of `plain_type` whose call reports its outputs (made once per type, same name)."""
    if plain_type not in _WATCHED:
        watched = type(plain_type.__name__, (plain_type,),
                       {"__call__": _watched_call, "__reduce_ex__": _reduce_ex,
                        "__module__": plain_type.__module__, "__qualname__": plain_type.__qualname__})
        _WATCHED[plain_type] = watched
        _PLAIN[watched] = plain_type
    return _WATCHED[plain_type]


def _attach(layer, sink):
    if type(layer) not in _PLAIN:
        layer.__class__ = _watched_type(type(layer))
        layer._watch_sinks = _Sinks()
    layer._watch_sinks.lists.append(sink)


def _detach(layer, sink):
    sinks = layer.__dict__.get("_watch_sinks")
    if sinks is None:
        return
    sinks.lists[:] = [other for other in sinks.lists if other is not sink]
    if not sinks.lists:
        del layer._watch_sinks
        layer.__class__ = _PLAIN[type(layer)]
