"""Watching a model's layers: while a `Watch` is open, each call of an nn `Layer` or `Linear` hands it its outputs.

A Layer is called inside the model's own `__call__` (an MLP's loop, a GPT block), so the watch sees
its outputs through a forward hook on each layer (see nn.hooks), as torch does. A hook reports only
the calls made in the thread that opened the watch, and only calls with a graph: a call under
`no_grad()` (an evaluation, a plot) has no gradient to read. While a watch made with
`exclusive=True` is open (nn.health and why() replay batches in one), the other watches of that
thread see nothing. A watch that is dropped without being closed stops watching when it is
garbage-collected: its hooks hold it only by a weak reference.
"""
import threading
import weakref

from .layers import Layer
from .module import Module, python_path
from .transformer import Linear

WATCHED_TYPES = (Layer, Linear)


def watched_layers(model):
    """[(name, layer)] for every nn Layer and Linear inside `model` (the model itself too), in attribute order.

    Names read like the drawings' parameter names: 'layers[0]', 'layers[0].attn_wq', 'lm_head'. The
    modules inside a watched layer are not watched on their own.
    >>> import random, nn; random.seed(0)
    >>> [name for name, _ in watched_layers(nn.MLP(2, [3, 3, 1]))]
    ['layers[0]', 'layers[1]', 'layers[2]']
    """
    if not isinstance(model, Module):
        raise TypeError(f"expected an nn.Module (an MLP, a GPT, ...), got {type(model).__name__}")
    found, inside = [], None
    for path, module in model.named_modules():                 # depth first: a layer's parts follow it
        if inside is not None and path.startswith(inside):
            continue
        if isinstance(module, WATCHED_TYPES):
            found.append((python_path(path) or type(module).__name__, module))
            inside = path + "." if path else ""                # the whole model, when it is the layer
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


class Watch:
    """While open, `outputs[i]` collects, call by call, the list of outputs of the i-th watched layer.

    Use it as a context manager (or call `open()` and `close()`); `clear()` empties the lists.
    With `exclusive=True`, the other watches of this thread see nothing while this one is open.
    >>> import random, nn; random.seed(0)
    >>> model = nn.MLP(2, [3, 1])
    >>> with Watch(model) as watch:
    ...     _ = model([1.0, 2.0]); _ = model([0.5, 0.5])
    >>> [len(calls) for calls in watch.outputs], len(watch.outputs[0][0])
    ([2, 2], 3)
    >>> type(model.layers[0]) is nn.Layer, model.layers[0]._forward_hooks
    (True, ())
    """

    def __init__(self, model, exclusive=False):
        self.layers = watched_layers(model)
        if not self.layers:
            raise ValueError(f"{type(model).__name__} has no nn Layer or Linear to watch")
        self.outputs = [[] for _ in self.layers]
        self.exclusive = bool(exclusive)
        self._handles = []
        self._closer = None

    @property
    def is_open(self):
        return bool(self._handles)

    def open(self):
        """Start collecting, in this thread: a hook on every watched layer."""
        if not self._handles:
            thread, me = threading.get_ident(), weakref.ref(self)
            self._handles = [layer.register_forward_hook(_Hook(me, index, thread))
                             for index, (_, layer) in enumerate(self.layers)]
            self._closer = weakref.finalize(self, _remove_hooks, self._handles)   # when dropped unclosed
            if self.exclusive:
                _thread.exclusive = _thread.exclusive + (me,)
        return self

    def close(self):
        """Stop collecting: the layers' hooks are removed."""
        if self._handles:
            self._closer()                                     # removes the hooks, once
            self._handles = []
            if self.exclusive:
                _thread.exclusive = tuple(w for w in _thread.exclusive if w() is not self)

    def clear(self):
        """Forget the outputs collected so far."""
        for sink in self.outputs:
            sink.clear()

    def __enter__(self):
        return self.open()

    def __exit__(self, *exception):
        self.close()

    def __getstate__(self):
        """A copied watch keeps what it collected and watches nothing."""
        return {**vars(self), "_handles": [], "_closer": None}


class _ThreadWatches(threading.local):
    exclusive = ()             # weak references to this thread's open exclusive watches, innermost last


_thread = _ThreadWatches()


class _Hook:
    """A layer's forward hook for one watch: it appends the call's outputs to the watch's list for that layer."""

    __slots__ = ("watch", "index", "thread")

    def __init__(self, watch, index, thread):
        self.watch, self.index, self.thread = watch, index, thread

    def __call__(self, layer, inputs, outputs):
        if threading.get_ident() != self.thread or not outputs or outputs[0].is_leaf():
            return                                             # another thread's call, or one without a graph
        exclusive = _thread.exclusive
        if exclusive and exclusive[-1] is not self.watch and exclusive[-1]() is not None:
            return                                             # nn.health or why() is replaying a batch
        watch = self.watch()
        if watch is not None:
            watch.outputs[self.index].append(outputs)


def _remove_hooks(handles):
    for handle in handles:
        handle.remove()
