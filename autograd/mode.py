"""Per-thread recording state: `no_grad()` (record nothing) and `tape()` (record nodes in creation order).

Each thread has its own state, like PyTorch's grad mode: `no_grad()` in one thread never changes what
another thread records, and a new thread starts recording. The state is `threading.local`, so asyncio
tasks on one thread share it (as they share PyTorch's grad mode).
"""
import gc
import threading

# One entry per scope open in any thread. While it is empty (the common case) every thread records
# with no tape, so making a node costs one check of this list; only while a scope is open does a new
# node read its thread's state.
OPEN_SCOPES = []


class _ThreadState(threading.local):
    recording = True           # False inside no_grad()
    tape = None                # the innermost open Tape of this thread

    def __init__(self):
        self.saved = []        # what each open scope replaced, restored when it closes


_state = _ThreadState()
_gc_lock = threading.Lock()
_gc_pausers = []               # the open tapes of every thread; the first one remembers gc's state
_gc_was_enabled = [False]


def is_recording():
    """False inside `no_grad()` in this thread.

    >>> with no_grad():
    ...     is_recording()
    False
    >>> is_recording()
    True
    """
    return _state.recording


def on_new_node(node):
    """Called for each new op node while some scope is open: drop its graph, or note it on the tape."""
    state = _state
    if not state.recording:
        node._drop_graph()
    elif state.tape is not None:
        state.tape.nodes.append(node)


def on_comparison(left, symbol, right, result):
    """Called for `Value < x` and the like while some scope is open: the tape keeps the outcome."""
    tape = _state.tape
    if tape is not None and _state.recording:
        tape.comparisons.append((left, symbol, right, result))


def current_tape():
    """This thread's innermost open tape, or None."""
    return _state.tape


class set_recording:
    """Context manager: turn graph recording on or off in this thread; the old state comes back after.

    >>> with set_recording(False):
    ...     is_recording()
    False
    """

    def __init__(self, enabled):
        self.enabled = bool(enabled)

    def __enter__(self):
        state = _state
        state.saved.append(state.recording)
        state.recording = self.enabled
        OPEN_SCOPES.append(self)
        return self

    def __exit__(self, *exc):
        OPEN_SCOPES.remove(self)
        _state.recording = _state.saved.pop()
        return False


class no_grad(set_recording):
    """Context manager: Values made inside it (in this thread) record no graph: inference, optimizer steps.

    >>> from autograd import Value
    >>> with no_grad():
    ...     y = Value(2.0) * 3
    >>> y.is_leaf()
    True
    """

    def __init__(self):
        super().__init__(False)


class Tape:
    """The nodes made in one `tape()` scope, in creation order, and the data comparisons seen there."""

    def __init__(self):
        self.nodes = []
        self.comparisons = []

    def position(self, node):
        """The index of `node` on the tape (searching from the newest end), or None."""
        nodes = self.nodes
        for index in range(len(nodes) - 1, -1, -1):
            if nodes[index] is node:
                return index
        return None

    def take_until(self, root):
        """The tape from its start up to `root` (included), removed from the tape; None if root is not on it."""
        index = self.position(root)
        if index is None:
            return None
        taken = self.nodes[:index + 1]
        del self.nodes[:index + 1]
        return taken


class tape:
    """Context manager: record new nodes in creation order so `backward()` needs no topological sort.

    Inside it, in this thread, every recorded node is appended to a list (a Wengert list). `backward()`
    from a root on that list walks the list backwards from the root instead of sorting the graph,
    then drops that part of the list; a root not on the list (made before the scope, say) is sorted
    as usual. The one change in meaning: backward inside a tape resets the `.grad` of every inner
    node made on the tape before the root since the last backward, not only of the root's ancestors
    (the others get 0, which is their derivative anyway). Leaves accumulate as always. Python's
    cyclic garbage collector is paused while any tape is open (our graphs have no cycles; they are
    freed by reference counting) and is then restored to exactly the state it had. Nodes on the
    list stay alive until backward takes them or the scope ends, so build inference graphs under
    `no_grad()`.

    >>> from autograd import Value
    >>> w = Value(3.0)
    >>> with tape() as t:
    ...     for step in range(2):
    ...         loss = w * w + 1.0
    ...         loss.backward()
    >>> w.grad, len(t.nodes)
    (12.0, 0)
    """

    def __enter__(self):
        state = _state
        self.recorded = Tape()
        state.saved.append(state.tape)
        state.tape = self.recorded
        with _gc_lock:
            if not _gc_pausers:
                _gc_was_enabled[0] = gc.isenabled()
                gc.disable()
            _gc_pausers.append(self)
        OPEN_SCOPES.append(self)
        return self.recorded

    def __exit__(self, *exc):
        OPEN_SCOPES.remove(self)
        _state.tape = _state.saved.pop()
        with _gc_lock:
            _gc_pausers.remove(self)
            if not _gc_pausers and _gc_was_enabled[0]:
                gc.enable()
        self.recorded.nodes = []
        return False
