"""Grad mode is per thread, like PyTorch's: no_grad() in one thread never changes what another records."""
import threading

import pytest

from autograd import Value, grad, no_grad
from autograd.core.engine import is_recording


def run_in_thread(target):
    """Run `target` in a new thread and return what it returned (re-raising what it raised)."""
    result = {}

    def wrapper():
        try:
            result["value"] = target()
        except BaseException as error:                         # handed back to the test
            result["error"] = error

    thread = threading.Thread(target=wrapper)
    thread.start()
    return thread, result


def finish(thread, result):
    thread.join(timeout=10)
    assert not thread.is_alive(), "thread did not finish"
    if "error" in result:
        raise result["error"]
    return result.get("value")


def test_a_graph_built_while_another_thread_is_in_no_grad_records():
    """Thread B builds y = x * x and backpropagates while thread A sits inside no_grad(): x.grad is 2x."""
    a_inside, b_done = threading.Event(), threading.Event()

    def thread_a():
        with no_grad():
            a_inside.set()
            assert b_done.wait(10)
            return is_recording()

    def thread_b():
        assert a_inside.wait(10)
        x = Value(3.0)
        y = x * x
        y.backward()
        b_done.set()
        return x.grad, y.is_leaf()

    a, a_result = run_in_thread(thread_a)
    b, b_result = run_in_thread(thread_b)
    assert finish(b, b_result) == (6.0, False)
    assert finish(a, a_result) is False


def test_overlapping_no_grad_blocks_in_two_threads_leave_recording_on():
    """A in, B in, A out, B out: afterwards every thread records again."""
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()

    def thread_a():
        with no_grad():
            a_in.set()
            assert b_in.wait(10)
        a_out.set()
        return is_recording()

    def thread_b():
        assert a_in.wait(10)
        with no_grad():
            b_in.set()
            assert a_out.wait(10)
            inside = is_recording()
        return inside, is_recording()

    a, a_result = run_in_thread(thread_a)
    b, b_result = run_in_thread(thread_b)
    assert finish(a, a_result) is True
    assert finish(b, b_result) == (False, True)
    assert is_recording()
    x = Value(2.0)
    assert not (x * x).is_leaf()


def test_a_thread_started_inside_no_grad_records():
    """A thread starts with recording on, as in PyTorch, even when its parent is inside no_grad()."""
    with no_grad():
        thread, result = run_in_thread(lambda: (is_recording(), (Value(1.0) * 2).is_leaf()))
        assert finish(thread, result) == (True, False)
        assert not is_recording()


def test_create_graph_in_one_thread_does_not_switch_recording_on_in_another():
    """grad(create_graph=True) in thread B leaves thread A's no_grad() in force."""
    a_inside, b_done = threading.Event(), threading.Event()

    def thread_a():
        with no_grad():
            a_inside.set()
            assert b_done.wait(10)
            made = Value(2.0) * 3.0
            return is_recording(), made.is_leaf()

    def thread_b():
        assert a_inside.wait(10)
        x = Value(2.0)
        (dy,) = grad(x ** 3, [x], create_graph=True)
        b_done.set()
        return dy.data, grad(dy, [x])[0]

    a, a_result = run_in_thread(thread_a)
    b, b_result = run_in_thread(thread_b)
    assert finish(b, b_result) == (12.0, 12.0)
    assert finish(a, a_result) == (False, True)


@pytest.mark.parametrize("threads", [4])
def test_many_threads_training_in_parallel_get_their_own_gradients(threads):
    """Threads alternating no_grad() and backward() each get exact gradients of their own graphs."""
    start = threading.Barrier(threads)

    def work(k):
        start.wait(10)
        results = []
        for step in range(200):
            x = Value(float(k + 1))
            if step % 2:
                with no_grad():
                    assert (x * x).is_leaf()
            y = x * x * x
            y.backward()
            results.append(x.grad)
        return results

    running = [run_in_thread(lambda k=k: work(k)) for k in range(threads)]
    for k, (thread, result) in enumerate(running):
        assert finish(thread, result) == [3.0 * (k + 1) ** 2] * 200
