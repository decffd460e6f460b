"""backward(): deep graphs, memory, fan-out and reuse, accumulation, no_grad, detach and pickling."""
import gc
import math
import pickle
import sys

import pytest

from autograd import Value, grad, no_grad, primitive, topological_order, weighted_sum
from autograd.core.engine import is_recording

MILLION = 1_000_000


def test_million_op_chain_backward_gives_closed_form_gradient():
    """y = x * c * c * ... (a million times): backward runs without RecursionError and dy/dx = c**n."""
    c = 1 + 1e-7
    x = Value(1.0)
    y = x
    for _ in range(MILLION):
        y = y * c
    y.backward()
    assert math.isclose(x.grad, c ** MILLION, rel_tol=1e-9)
    assert math.isclose(y.data, c ** MILLION, rel_tol=1e-9)


def test_million_node_graph_is_freed_when_dropped_and_has_no_cycles():
    """A dropped million-node graph frees its memory by reference counting alone: gc.collect() finds nothing."""
    gc.collect()
    gc.disable()
    try:
        baseline = sys.getallocatedblocks()
        x = Value(0.5)
        y = x
        for _ in range(MILLION):
            y = y + x                                          # two edges per node, all sharing x
        y.backward()
        assert x.grad == MILLION + 1
        while_alive = sys.getallocatedblocks()
        del y
        after_drop = sys.getallocatedblocks()
        assert gc.collect() == 0, "the dropped graph left reference cycles"
    finally:
        gc.enable()
    assert while_alive - baseline > MILLION                    # the graph really was big
    assert after_drop - baseline < 10_000                      # and it is gone


def test_mixed_graph_and_its_gradient_graph_leave_no_reference_cycles():
    """Graphs built from every kind of op, backward and grad(create_graph=True) all drop without cycles."""
    cube = primitive("test_backward_cube", lambda v: v ** 3, lambda v: 3 * v ** 2)
    gc.collect()
    gc.disable()
    try:
        x, w = Value(0.3), Value(-0.7)
        y = x
        for _ in range(2000):
            y = (weighted_sum([w], [y], x).tanh() + y.sigmoid() * 2 ** x - abs(y) / 3
                 + (y * y + 1).log().sqrt() + cube(y.sin()) + y.cos().exp().relu() - (-y) ** 2) * 0.1
        y.backward()
        first = grad(y, [x, w], create_graph=True)
        second = grad(first[0], [x, w])
        assert all(math.isfinite(g) for g in [x.grad, w.grad, *second])
        del y, first, second
        assert gc.collect() == 0, "the dropped graph left reference cycles"
    finally:
        gc.enable()


def test_deep_chain_through_the_plain_path_and_grad():
    """grad() handles a 200,000-op chain of RULES ops: d/dx of x -> log(exp(x)) repeated is 1."""
    x = Value(0.4)
    y = x
    for _ in range(100_000):
        y = y.exp().log()
    assert math.isclose(grad(y, x), 1.0, rel_tol=1e-9)


def test_deep_chain_second_derivative():
    """y = x ** (n+1) as a chain of n products with x; at x = 1, grad twice gives n+1 and (n+1) n."""
    n = 20_000
    x = Value(1.0)
    y = x
    for _ in range(n):
        y = y * x
    first = grad(y, x, create_graph=True)
    assert first.data == n + 1
    assert grad(first, x) == (n + 1) * n


# ---- fan-out, reuse and accumulation -----------------------------------------------------------
def test_reusing_a_value_makes_one_edge_per_use():
    """a * a has two edges to a, local grads (a, a) and gradient 2a; a * a * a gives 3a**2."""
    a = Value(-1.5)
    square = a * a
    assert square.parents == (a, a) and square.local_grads == (-1.5, -1.5)
    square.backward()
    assert a.grad == 2 * -1.5
    a.grad = 0.0
    (a * a * a).backward()
    assert a.grad == 3 * 1.5 ** 2


def test_fan_out_sums_every_path():
    """A shared subexpression e in f = e*e + e gets df/de = 2e + 1, passed on once to its inputs."""
    a = Value(0.75)
    e = a * 2
    f = e * e + e
    f.backward()
    assert e.grad == 2 * e.data + 1
    assert a.grad == 2 * (2 * e.data + 1)


def test_second_backward_accumulates_on_leaves_only():
    """b = a + a, c = b + b: backward gives a.grad 4; again gives 8 while b.grad stays 2 and c.grad 1."""
    a = Value(3.0)
    b = a + a
    c = b + b
    c.backward()
    assert (a.grad, b.grad, c.grad) == (4.0, 2.0, 1.0)
    c.backward()
    assert (a.grad, b.grad, c.grad) == (8.0, 2.0, 1.0)


def test_backward_from_another_root_does_not_double_count_shared_inner_nodes():
    """An inner node shared by two roots holds the latest pass's gradient; only the leaf accumulates."""
    a = Value(3.0)
    b = a + a
    c = b + b
    d = b * 3
    c.backward()
    d.backward()
    assert b.grad == 3.0
    assert a.grad == 4.0 + 6.0


def test_backward_on_a_leaf_and_with_a_seed():
    """x.backward() gives dx/dx = 1 and accumulates; backward(grad=s) scales every gradient by s."""
    x = Value(2.0)
    x.backward()
    x.backward()
    assert x.grad == 2.0
    y = Value(-0.5)
    (x * y).backward(grad=2.5)
    assert y.grad == 2.5 * 2.0
    assert x.grad == 2.0 + 2.5 * -0.5


def test_minibatch_accumulation_equals_gradient_of_the_summed_loss():
    """Backward per minibatch, without zeroing, sums to the closed-form gradient of the total loss."""
    data = [(0.5, 1.0), (-1.0, 0.2), (2.0, 3.5), (1.5, -0.5), (-0.3, 0.0), (0.8, 1.1)]
    w, b = Value(0.7), Value(-0.2)
    for start in range(0, len(data), 2):
        loss = sum((w * x + b - t) ** 2 for x, t in data[start:start + 2])
        loss.backward()
    residuals = [(0.7 * x - 0.2 - t, x) for x, t in data]
    assert math.isclose(w.grad, sum(2 * r * x for r, x in residuals), rel_tol=1e-12)
    assert math.isclose(b.grad, sum(2 * r for r, _ in residuals), rel_tol=1e-12)

    w2, b2 = Value(0.7), Value(-0.2)
    sum((w2 * x + b2 - t) ** 2 for x, t in data).backward()
    assert math.isclose(w.grad, w2.grad, rel_tol=1e-12) and math.isclose(b.grad, b2.grad, rel_tol=1e-12)


def test_topological_order_of_a_diamond():
    """Each inner node once, parents first, root last; a leaf has an empty order."""
    x = Value(1.0)
    left, right = x * 2, x + 1
    top = left * right
    order = topological_order(top)
    assert order[-1] is top and len(order) == 3
    assert {id(n) for n in order[:2]} == {id(left), id(right)}
    assert topological_order(x) == []


# ---- no_grad and detach -------------------------------------------------------------------------
def test_no_grad_records_no_graph_for_any_kind_of_op():
    """Inside no_grad every op (fast path, RULES op, weighted_sum, primitive) returns a leaf."""
    halve = primitive("test_backward_halve", lambda v: v / 2, lambda v: 0.5)
    x, w = Value(0.5), Value(2.0)
    with no_grad():
        assert not is_recording()
        made = [x + 1, x * w, x / w, -x, x.tanh(), x.relu(), x ** 2, x ** w, 2 ** x, 1 / x, abs(x),
                x.exp(), x.log(), x.sqrt(), x.sin(), x.cos(), x.sigmoid(), weighted_sum([w], [x], x),
                weighted_sum([w], [3.0], x), halve(x)]
    assert is_recording()
    for node in made:
        assert node.is_leaf() and node.op == "" and node.parents == ()
    assert made[1].data == 1.0 and made[-1].data == 0.25
    assert not (x * w).is_leaf()


def test_nested_no_grad_restores_recording_even_on_exception():
    """Leaving an inner no_grad keeps recording off; leaving the outer one, even by an exception, turns it on."""
    with pytest.raises(RuntimeError, match="boom"):
        with no_grad():
            with no_grad():
                assert not is_recording()
            assert not is_recording()
            assert (Value(1.0) * 2).is_leaf()
            raise RuntimeError("boom")
    assert is_recording()
    assert not (Value(1.0) * 2).is_leaf()


def test_no_grad_leaves_an_existing_graph_intact():
    """Using a recorded Value inside no_grad makes an unrecorded result and leaves the old graph usable."""
    x = Value(1.5)
    y = x * x
    with no_grad():
        z = y * 2
    assert z.is_leaf() and y.parents == (x, x)
    y.backward()
    assert x.grad == 3.0


def test_detach_makes_a_leaf_that_stops_the_gradient():
    """detach() keeps data and label, has no history, and no gradient flows through it."""
    x = Value(1.5, label="x")
    inner = x * x
    copy = inner.detach()
    assert copy.is_leaf() and copy.data == inner.data and copy is not inner
    assert x.detach().label == "x" and x.detach() is not x
    y = x * x.detach() + copy * x                              # d/dx = x + x**2, not 2x + 3x**2
    y.backward()
    assert x.grad == 1.5 + 1.5 ** 2
    assert inner.grad == 0.0


# ---- pickling -------------------------------------------------------------------------------------
def test_pickled_graph_backpropagates_like_the_original():
    """A Value pickles with its graph (shared nodes stay shared); backward on the copy gives the same grads."""
    a, b = Value(0.6, label="a"), Value(-1.2, label="b")
    shared = a * b
    y = (shared.tanh() + shared * shared + weighted_sum([a, b], [2.0, b], a) + 2 ** b
         + (a / b).exp() + abs(b) ** 0.5)
    copy = pickle.loads(pickle.dumps(y))
    copy_order = topological_order(copy)
    assert [n.op for n in copy_order] == [n.op for n in topological_order(y)]
    assert [n.data for n in copy_order] == [n.data for n in topological_order(y)]

    leaves = {}
    for node in copy_order:
        for parent in node.parents:
            if parent.is_leaf() and parent.label:
                leaves.setdefault(parent.label, parent)
                assert leaves[parent.label] is parent          # one copy of each leaf, however many uses
    y.backward()
    copy.backward()
    assert leaves["a"] is not a
    assert (leaves["a"].grad, leaves["b"].grad) == (a.grad, b.grad)
    assert a.grad != 0.0 and b.grad != 0.0


def test_deep_graph_pickles_flat_and_keeps_leaf_identity():
    """A 5,000-deep graph pickles (no recursion per node); a leaf pickled beside it stays one object."""
    w = Value(0.5, label="w")
    y = w
    for _ in range(5_000):
        y = y * 1.0001 + w
    y.label = "y"
    copy_y, copy_w = pickle.loads(pickle.dumps([y, w]))
    assert copy_y.data == y.data and copy_y.label == "y"
    y.backward()
    copy_y.backward()
    assert copy_w.grad == w.grad
    assert copy_w is topological_order(copy_y)[0].parents[0]


def test_one_no_grad_object_can_be_nested():
    """Entering the same no_grad twice restores recording when both exit."""
    ng = no_grad()
    with ng:
        with ng:
            assert not is_recording()
        assert not is_recording()
    assert is_recording()


def test_backward_and_grad_agree_where_zero_meets_an_infinite_slope():
    """sqrt at 0 has slope inf; times an upstream 0 both backward() and grad() pass nothing on."""
    x = Value(0.0)
    y = x.sqrt() * 0.0 + x
    assert grad(y, x) == 1.0
    y.backward()
    assert x.grad == 1.0
