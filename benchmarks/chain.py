"""Long chains of one op: build and backward time, retained graph bytes per node, and micrograd's depth limit.

Memory is measured with tracemalloc in a run of its own (tracing slows Python down several times, so
those runs are never timed): retained bytes per node = (traced memory after building − before) / nodes,
and the backward peak = (peak during backward − traced memory after building) / nodes.
"""
import gc
import sys
import time
import tracemalloc

from .timing import collector_paused


def times_w(value_class, length):
    """x, w and y = x·w·w·…·w (`length` multiplications by the Value w = 1).

    >>> from autograd import Value
    >>> x, w, y = times_w(Value, 3); y.backward()
    >>> y.data, x.grad, w.grad
    (0.5, 1.0, 1.5)
    """
    x, w = value_class(0.5), value_class(1.0)
    y = x
    for _ in range(length):
        y = y * w
    return x, w, y


def plus_one(value_class, length):
    """x, None and y = x + 1.0 + 1.0 + … (`length` additions of a plain number).

    >>> from autograd import Value
    >>> x, _, y = plus_one(Value, 3); y.backward()
    >>> y.data, x.grad
    (3.5, 1.0)
    """
    x = value_class(0.5)
    y = x
    for _ in range(length):
        y = y + 1.0
    return x, None, y


def relu_chain(value_class, length):
    """x, None and y = relu(relu(…relu(x))) (`length` relus of a positive x)."""
    x = value_class(0.5)
    y = x
    for _ in range(length):
        y = y.relu()
    return x, None, y


def tanh_chain(value_class, length):
    """x, None and y = tanh(tanh(…tanh(x))) (`length` tanhs; micrograd 0.1.0 has no tanh)."""
    x = value_class(0.5)
    y = x
    for _ in range(length):
        y = y.tanh()
    return x, None, y


KINDS = {"y = y * w": times_w, "y = y + 1.0": plus_one, "y = y.relu()": relu_chain, "y = y.tanh()": tanh_chain}
MICROGRAD_KINDS = ("y = y * w", "y = y + 1.0", "y = y.relu()")


def check_gradients(kind, length, x, w):
    """Whether the leaves got the closed-form gradient after backward (None: no closed form checked).

    `y * w` with x = 0.5, w = 1 gives dy/dx = 1 and dy/dw = 0.5 · length; `y + 1.0` and relu of a positive x give 1.
    """
    if kind == "y = y * w":
        return x.grad == 1.0 and w.grad == 0.5 * length
    if kind in ("y = y + 1.0", "y = y.relu()"):
        return x.grad == 1.0
    return None


def time_build_and_backward(value_class, kind, length, disable_gc=False):
    """(build seconds, backward seconds, gradients correct?) for one chain; the chain is freed after."""
    gc.collect()
    with collector_paused(disable_gc):
        began = time.perf_counter()
        x, w, y = KINDS[kind](value_class, length)
        built = time.perf_counter()
        y.backward()
        done = time.perf_counter()
    correct = check_gradients(kind, length, x, w)
    del x, w, y
    return built - began, done - built, correct


def time_build(value_class, kind, length, disable_gc=False):
    """Seconds to build one chain (no backward); the chain is freed after."""
    gc.collect()
    with collector_paused(disable_gc):
        began = time.perf_counter()
        chain = KINDS[kind](value_class, length)
        elapsed = time.perf_counter() - began
    del chain
    gc.collect()
    return elapsed


def memory_per_node(value_class, kind, length, backward=True):
    """Retained bytes per op node after building, and (with backward) the extra peak per node during it.

    >>> from autograd import Value
    >>> measured = memory_per_node(Value, "y = y + 1.0", 1000)
    >>> 0 < measured["retained_bytes_per_node"] < 1000, measured["gradients_correct"]
    (True, True)
    """
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        x, w, y = KINDS[kind](value_class, length)
        after_build = tracemalloc.get_traced_memory()[0]
        result = {"nodes": length, "retained_bytes_per_node": (after_build - before) / length}
        if backward:
            tracemalloc.reset_peak()
            y.backward()
            after_backward, peak = tracemalloc.get_traced_memory()
            result["backward_peak_bytes_per_node"] = (peak - after_build) / length
            result["gradients_bytes_per_node"] = (after_backward - after_build) / length
            result["gradients_correct"] = check_gradients(kind, length, x, w)
        del x, w, y
    finally:
        tracemalloc.stop()
        gc.collect()
    return result


def micrograd_depth_limit(value_class, length=5000):
    """Run micrograd's backward on a `length`-deep chain; returns (raised RecursionError?, recursion limit).

    micrograd 0.1.0 sorts the graph with a recursive function, so a chain deeper than the recursion
    limit raises RecursionError; this runs it to check rather than assume.
    """
    x, w, y = times_w(value_class, length)
    try:
        y.backward()
        raised = False
    except RecursionError:
        raised = True
    del x, w, y
    gc.collect()
    return raised, sys.getrecursionlimit()
