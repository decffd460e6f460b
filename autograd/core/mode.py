"""Per-thread recording state: `no_grad()` (record nothing) and `tape()` (record nodes in creation order).

Each thread has its own state, like PyTorch's grad mode: `no_grad()` or `tape()` in one thread never
changes what another thread records, and a new thread starts recording with no tape. The state is
`threading.local`, so asyncio tasks on one thread share it (as they share PyTorch's grad mode).
"""
import gc
import threading

# One entry per scope open in any thread. While it is empty (the common case) every thread records
# with no tape, so making a node costs one check of this list; only while a scope is open does a new
# node read its thread's state.
OPEN_SCOPES = []

# A thread's `record` while it is in no_grad(): the engine keeps each new node's data, not its graph.
DROP_GRAPH = "drop the graph"


class _ThreadState(threading.local):
    recording = True           # False inside no_grad()
    tape = None                # this thread's open Tape (nested tape() scopes share one)
    record = None              # what happens to a new node: None (nothing), DROP_GRAPH, or the tape's append

    def __init__(self):
        self.saved = []        # what each open scope replaced, restored when it closes


_state = _ThreadState()
thread_state = _state          # the engine reads `record` from here for each new node while a scope is open
_gc_lock = threading.Lock()
_gc_pausers = []               # the open tape scopes of every thread; the first one remembers gc's state
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


def on_comparison(left, symbol, right, result):
    """Called for `Value < x` and the like while some scope is open: the tape keeps the outcome."""
    state = _state
    if state.tape is not None and state.recording:
        state.tape.comparisons.append((left, symbol, right, result))


def current_tape():
    """This thread's open tape, or None.

    >>> current_tape() is None
    True
    >>> with tape() as t:
    ...     current_tape() is t
    True
    """
    return _state.tape


def _update_record(state):
    """Set what this thread does with a new node, from its recording flag and its tape."""
    if not state.recording:
        state.record = DROP_GRAPH
    elif state.tape is not None:
        state.record = state.tape.nodes.append
    else:
        state.record = None


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
        _update_record(state)
        OPEN_SCOPES.append(self)
        return self

    def __exit__(self, *exc):
        OPEN_SCOPES.remove(self)
        state = _state
        state.recording = state.saved.pop()
        _update_record(state)
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


class TapeError(RuntimeError):
    """backward() inside a tape cannot give the right gradient (`tape(check=True)` asks for this instead of a sort)."""


class Tape:
    """The nodes made in one `tape()` scope, in creation order, and the data comparisons seen there.

    `nodes` holds the nodes made since the last backward() that took them; `comparisons` holds
    (left Value, '<' '<=' '>' or '>=', right Value or float, result) for each comparison of a Value
    made in the scope since that backward(), and `settled_comparisons` those made before it (kept
    so that `autograd.compile` can still check them; older ones are dropped, so that a long
    training loop keeps no old graph alive).
    """

    def __init__(self, check=False):
        self.nodes = []
        self.comparisons = []
        self.settled_comparisons = []
        self.check = check
        self.unsure = 0        # how many nodes at the start of `nodes` were made before the last backward()

    def position(self, node):
        """The index of `node` on the tape, or None (the newest node is checked first: usually the root)."""
        nodes = self.nodes
        for index in range(len(nodes) - 1, -1, -1):            # by identity: == compares the data of Values
            if nodes[index] is node:
                return index
        return None

    def take_until(self, root):
        """The tape from its start up to `root` (included), for backward(), and drops it from the tape.

        None when root is not on the tape, and None as well when the part taken starts with nodes
        made before the previous backward() (a second loss built before the first one's backward(),
        say): those may depend on nodes that backward() took, so backward() sorts the graph instead.
        """
        index = self.position(root)
        if index is None:
            return None
        nodes = self.nodes
        taken = nodes[:index + 1]
        walkable = self.unsure == 0
        del nodes[:index + 1]                                  # in place: the list is this thread's recorder
        self.unsure = len(nodes)                               # made before this backward(): may use `taken`
        self.settled_comparisons = self.comparisons
        self.comparisons = []
        return taken if walkable else None

    def recorded_comparisons(self):
        """Every comparison the tape still holds, oldest first."""
        return self.settled_comparisons + self.comparisons


class tape:
    """Context manager: record new nodes in creation order so `backward()` needs no topological sort.

    Inside it, in this thread, every node an op makes is appended to a list (a Wengert list).
    `backward()` from a root on that list walks the list backwards from the root instead of sorting
    the graph, then drops that part of the list; a root not on the list (made before the scope,
    say) is sorted as usual. Python's cyclic garbage collector is paused while any tape is open (our
    graphs have no cycles: they are freed by reference counting), then put back exactly as it was,
    so a collector the user had disabled stays disabled. Nested `tape()` scopes in one thread share
    the outer tape.

    What changes inside a tape: backward() resets the `.grad` of every inner node on the list up to
    the root, not only of the root's ancestors (the others get 0, which is their derivative anyway).
    Leaves accumulate as always, and the gradients are the same as without a tape, also for a graph
    that reaches back to nodes made before the scope opened or by a graph already differentiated in
    this scope (an RNN's state carried across steps): those are older than the list, so backward()
    finishes through them with a sort once the list is done. Two losses built before the first
    backward() are fine too; nodes made after a root and before its backward() make the next
    backward() sort (so a training loop is fastest when the loss is the last node made, with metrics
    read from `.data`). Only a graph shared between threads, where a node made in another thread
    depends on this tape's nodes, has no order to finish in: backward() raises TapeError.
    `tape(check=True)` refuses, before any gradient changes, every root that reaches off the list.

    Comparisons of Values (`if x > 0:`) are noted on the tape, so that `autograd.compile` can check
    that a compiled program takes the same branches. Nodes on the list stay alive until backward()
    takes them or the scope ends, so build graphs you will not differentiate under `no_grad()`.

    >>> from autograd import Value
    >>> w = Value(3.0)
    >>> with tape() as t:
    ...     for step in range(2):
    ...         loss = w * w + 1.0
    ...         loss.backward()
    >>> w.grad, len(t.nodes)
    (12.0, 0)
    """

    def __init__(self, check=False):
        self.check = check

    def __enter__(self):
        state = _state
        outer = state.tape
        self.outermost = outer is None
        self.recorded = Tape(self.check) if self.outermost else outer
        if self.check:
            self.recorded.check = True
        state.saved.append((outer, self.recorded.check))
        state.tape = self.recorded
        _update_record(state)
        with _gc_lock:
            if not _gc_pausers:
                _gc_was_enabled[0] = gc.isenabled()
                gc.disable()
            _gc_pausers.append(self)
        OPEN_SCOPES.append(self)
        return self.recorded

    def __exit__(self, *exc):
        OPEN_SCOPES.remove(self)
        state = _state
        outer, check = state.saved.pop()
        state.tape = outer
        self.recorded.check = check
        _update_record(state)
        if self.outermost:
            self.recorded.nodes = []                           # free the graphs nobody differentiated
        with _gc_lock:
            _gc_pausers.remove(self)
            if not _gc_pausers and _gc_was_enabled[0]:
                gc.enable()
        return False
