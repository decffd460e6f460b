"""Forward hooks: `layer.register_forward_hook(hook)` asks a Layer or Linear to hand each call's outputs to `hook`.

This is torch's way of looking inside a model without changing its code: after its own call, a
layer runs `hook(layer, inputs, outputs)` for every hook registered on it. A layer has none unless
something (nn.health, nn.Recorder) is watching it; without hooks, its call costs one check of an
empty tuple. Hooks belong to the running program, not to the model: a model that is copied (copy.deepcopy,
or serialized and read back) or saved starts with none.
"""
import threading

_LOCK = threading.Lock()           # registering and removing are read-modify-writes of a layer's tuple


class ForwardHooks:
    """What a module needs to run forward hooks: `_forward_hooks` (empty by default) and `register_forward_hook`.

    The module's own `__call__` runs the hooks, after computing its outputs:
    `if self._forward_hooks: for hook in self._forward_hooks: hook(self, x, outputs)`.
    """

    _forward_hooks = ()            # the class's empty tuple until a hook is registered on this instance

    def register_forward_hook(self, hook):
        """Run `hook(module, inputs, outputs)` after each call of this module, until `handle.remove()`.

        The hook's return value is ignored (unlike torch, it cannot replace the outputs).
        >>> import random, nn; random.seed(0)
        >>> layer = nn.Layer(2, 3)
        >>> seen = []
        >>> handle = layer.register_forward_hook(lambda module, x, outputs: seen.append(len(outputs)))
        >>> _ = layer([1.0, 2.0]); handle.remove(); _ = layer([1.0, 2.0])
        >>> seen, layer._forward_hooks
        ([3], ())
        """
        if not callable(hook):
            raise TypeError(f"a forward hook must be callable as hook(module, inputs, outputs), "
                            f"got {type(hook).__name__}")
        with _LOCK:
            self._forward_hooks = self._forward_hooks + (hook,)   # a new tuple: a call running the old one is unaffected
        return RemovableHandle(self, hook)

    def __getstate__(self):
        """A copy (copy.deepcopy, or serialized and read back) leaves the hooks behind: they watch this object only."""
        state = dict(vars(self))
        state.pop("_forward_hooks", None)
        return state


class RemovableHandle:
    """What `register_forward_hook` returns: `remove()` takes the hook off again (twice is harmless).

    >>> import random, nn; random.seed(0)
    >>> layer = nn.Linear(2, 2)
    >>> handle = layer.register_forward_hook(print)
    >>> len(layer._forward_hooks), handle.remove(), handle.remove(), len(layer._forward_hooks)
    (1, None, None, 0)
    """

    def __init__(self, module, hook):
        self.module, self.hook = module, hook

    def remove(self):
        module, self.module = self.module, None
        if module is None:
            return
        with _LOCK:
            hooks = module._forward_hooks
            place = next((k for k, other in enumerate(hooks) if other is self.hook), None)
            left = hooks if place is None else hooks[:place] + hooks[place + 1:]   # this registration only
            if left:
                module._forward_hooks = left
            else:
                module.__dict__.pop("_forward_hooks", None)    # back to the class's empty tuple

    def __getstate__(self):
        """A copied handle removes nothing."""
        return {"module": None, "hook": None}
