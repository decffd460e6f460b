"""tape(): nodes recorded in creation order, backward() without a sort, the collector paused and put back."""
import contextlib
import gc
import math
import random
import threading

import pytest
from hypothesis import assume, given, strategies as st

import nn
from autograd import Value, grad, no_grad, tape, total, weighted_sum
from autograd.core.engine import walk
from autograd.core.mode import Tape, TapeError, current_tape
from test_compile import EVERY_OP
from test_properties import build, recipes
from torch_reference import close, torch

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")


@pytest.fixture(autouse=True)
def collector_enabled():
    """Every test starts and ends with the collector on (a test that turns it off turns it back on)."""
    assert gc.isenabled()
    yield
    assert gc.isenabled(), "a test left the garbage collector off"


def gradients_without_tape(steps, values):
    leaves = [Value(x) for x in values]
    root = build(steps, leaves)
    root.backward()
    return root.data, [leaf.grad for leaf in leaves]


# ---- what backward() computes inside a tape --------------------------------------------------------
def test_a_graph_reusing_nodes_of_a_graph_already_differentiated_in_the_tape_gets_the_plain_gradient():
    """h = x*x; h.backward(); (h*3).backward() inside a tape leaves x.grad at 4 + 12 = 16, as without a tape."""
    x = Value(2.0)
    with tape():
        h = x * x
        h.backward()
        (h * 3).backward()
    assert x.grad == 16.0


def test_a_graph_reaching_nodes_made_before_the_tape_gets_the_plain_gradient():
    """h made in one notebook cell, (h*3).backward() in a tape in the next: x.grad is 12, not 0."""
    x = Value(2.0)
    h = x * x
    with tape():
        (h * 3).backward()
    assert x.grad == 12.0 and h.grad == 3.0


def test_an_older_node_reached_only_through_a_zero_gradient_holds_this_pass_only():
    """h reused after its own backward(), behind a dead relu: h.grad is this pass's 0, as without a tape."""
    def run(use_tape, made_before):
        x = Value(2.0)
        h = x * x if made_before else None
        with (tape() if use_tape else contextlib.nullcontext()):
            if h is None:
                h = x * x
            h.backward()
            (h * 2 - 100).relu().backward()                    # relu of -92: nothing flows back to h
        return h.grad, x.grad
    for made_before in (False, True):
        assert run(True, made_before) == run(False, made_before) == (0.0, 4.0)


def rnn_gradient(use_tape, steps=5):
    """An RNN-style state carried across steps, each step's state differentiated: w's accumulated gradient."""
    w = Value(0.9)
    state = Value(0.5)
    with (tape() if use_tape else contextlib.nullcontext()):
        for _ in range(steps):
            state = (state * w).tanh()
            state.backward()
    return w.grad


def test_a_state_carried_across_steps_gets_the_plain_gradient():
    """state = (state*w).tanh(); state.backward() in a loop: the tape gives plain backward's 2.22..., not 1.45."""
    assert rnn_gradient(True) == pytest.approx(rnn_gradient(False), rel=1e-14)


@needs_torch
def test_a_state_carried_across_steps_matches_torch():
    """The same loop in PyTorch float64 (retain_graph, so each backward() goes through the whole history)."""
    w = torch.tensor(0.9, dtype=torch.float64, requires_grad=True)
    state = torch.tensor(0.5, dtype=torch.float64)
    for _ in range(5):
        state = torch.tanh(state * w)
        state.backward(retain_graph=True)
    assert close(rnn_gradient(True), w.grad.item(), rel_tol=1e-12)


def test_the_root_is_found_on_the_tape_by_identity_not_by_equal_data():
    """Two nodes with equal data on the tape: backward() from the older takes the tape up to it, not the newer."""
    x = Value(1.0)
    with tape() as recorded:
        first = x * 2.0
        second = x + 1.0                                       # also 2.0
        first.backward()
        assert recorded.nodes == [second] and recorded.nodes[0] is second
    assert x.grad == 2.0


def test_a_node_from_another_thread_that_depends_on_the_tape_raises_tape_error():
    """A graph shared between threads, where another thread's node depends on this tape's nodes, has no order
    to finish in: backward() raises TapeError that says so and what to do, instead of a wrong gradient."""
    x = Value(1.5)
    with tape():
        s = x * 2.0
        made = []
        worker = threading.Thread(target=lambda: made.append(s * 3.0))   # no tape in that thread
        worker.start()
        worker.join()
        root = made[0] + 1.0
        with pytest.raises(TapeError, match=r"shared between threads.*Call backward\(\) outside the tape"):
            root.backward()
    x.grad = 0.0
    root.backward()                                            # outside the tape: the plain gradient
    assert x.grad == 6.0


def apply_step(nodes, op, i, j):
    from test_properties import BINARY_OPS, UNARY_OPS
    nodes.append(BINARY_OPS[op](nodes[i], nodes[j]) if op in BINARY_OPS else UNARY_OPS[op](nodes[i]))


@given(recipes(), st.integers(0, 14), st.booleans(), st.booleans(), st.booleans())
def test_dags_mixing_nodes_made_before_and_inside_the_tape_get_plain_gradients(recipe, split, early, twice, dead):
    """Random DAGs, part built before the tape, part inside, with or without an earlier graph differentiated
    in the tape whose nodes the later one reuses, a second root, and dead relus that pass back exactly 0:
    every gradient, inner nodes' included, is plain backward's."""
    values, steps = recipe
    split = min(split, len(steps))

    def run(use_tape):
        leaves = [Value(x) for x in values]
        nodes = list(leaves)
        for op, i, j in steps[:split]:
            apply_step(nodes, op, i, j)
        with (tape() if use_tape else contextlib.nullcontext()):
            if early and len(nodes) > len(leaves):
                (nodes[-1] * 1.5).backward()                    # a graph differentiated before the next is built
            for op, i, j in steps[split:]:
                apply_step(nodes, op, i, j)
            root = nodes[-1]
            for k, node in enumerate(nodes[len(leaves):]):
                gate = (node - 100.0).relu() if dead and k % 2 else node   # a dead relu: zero flows back here
                root = root + gate * (0.1 * (k + 1))
            root.backward()
            if twice:
                (nodes[-1] * nodes[len(leaves) // 2]).backward()
        return [v.grad for v in nodes]

    for got, expected in zip(run(True), run(False)):
        assert close(got, expected, rel_tol=1e-12, abs_tol=1e-15)


@given(recipes())
def test_random_dag_in_a_tape_has_the_gradients_of_a_plain_backward(recipe):
    """Random DAGs with shared subexpressions: backward() walking the tape gives the sorted backward's numbers."""
    values, steps = recipe
    expected_value, expected = gradients_without_tape(steps, values)
    leaves = [Value(x) for x in values]
    with tape() as recorded:
        root = build(steps, leaves)
        assert recorded.nodes[-1] is root
        root.backward()
        assert recorded.nodes == []
    assert root.data == expected_value
    for leaf, g in zip(leaves, expected):
        assert close(leaf.grad, g, rel_tol=1e-12, abs_tol=1e-15)


@needs_torch
@given(recipes())
def test_random_dag_in_a_tape_matches_torch(recipe):
    """The same DAG in PyTorch float64 gives the tape's value and leaf gradients."""
    values, steps = recipe
    leaves = [Value(x) for x in values]
    with tape():
        root = build(steps, leaves)
        kinks = [node.parents[0].data for node in walk(root) if node.op in ("relu", "abs")]
        root.backward()
    assume(all(abs(x) > 1e-6 for x in kinks))                  # torch may round to the other side of a kink
    tensors = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in values]
    theirs = build(steps, tensors)
    their_grads = torch.autograd.grad(theirs, tensors, allow_unused=True)
    if not close(root.data, theirs.item(), rel_tol=1e-9, abs_tol=1e-10):
        pytest.fail(f"value {root.data} != {theirs.item()}")
    for leaf, g in zip(leaves, their_grads):
        g = 0.0 if g is None else g.item()
        assert close(leaf.grad, g, rel_tol=1e-9, abs_tol=1e-10), (leaf.grad, g)


@pytest.mark.parametrize("name", sorted(EVERY_OP))
def test_every_op_in_a_tape_gives_plain_backwards_gradients(name):
    """Each op (and the n-ary nodes) differentiated through the tape: the numbers of a sorted backward()."""
    arity, make = EVERY_OP[name]
    rng = random.Random(name)
    for _ in range(3):
        point = [rng.uniform(-2, 2) for _ in range(arity)]
        plain = [Value(x) for x in point]
        expected = make(*plain)
        expected.backward()
        leaves = [Value(x) for x in point]
        with tape() as recorded:
            root = make(*leaves)
            root.backward()
            assert recorded.nodes == []
        assert root.data == expected.data
        for leaf, reference in zip(leaves, plain):
            assert close(leaf.grad, reference.grad, rel_tol=1e-12, abs_tol=1e-15)


@needs_torch
@pytest.mark.parametrize("name", ["unary tanh", "unary log", "unary sqrt", "binary div", "binary pow",
                                  "binary weighted_sum", "pow with Value exponent", "2 / x"])
def test_ops_in_a_tape_match_torch(name):
    """Smooth ops through the tape give PyTorch float64's value and gradients."""
    arity, make = EVERY_OP[name]
    point = [0.3 + 0.4 * k for k in range(arity)]
    leaves = [Value(x) for x in point]
    with tape():
        root = make(*leaves)
        root.backward()
    tensors = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in point]
    theirs = make(*tensors)
    grads = torch.autograd.grad(theirs, tensors, allow_unused=True)
    assert close(root.data, theirs.item(), rel_tol=1e-12)
    for leaf, g in zip(leaves, grads):
        assert close(leaf.grad, 0.0 if g is None else g.item(), rel_tol=1e-9, abs_tol=1e-12)


def test_nodes_are_recorded_in_creation_order_and_taken_by_backward():
    """The tape lists each new node once, in the order made; backward() takes the part up to the root."""
    x = Value(2.0)
    with tape() as recorded:
        a = x * 3
        b = a.tanh()
        c = b + a
        assert recorded.nodes == [a, b, c]
        c.backward()
        assert recorded.nodes == []
        d = c * 2
        assert recorded.nodes == [d]
    assert recorded.nodes == []                                # nothing kept alive after the scope


def test_backward_in_a_tape_does_not_sort_and_falls_back_when_it_must(monkeypatch):
    """A step's backward() walks the tape (the sort is never called); a root made before the scope is sorted."""
    from autograd.core import engine
    sorted_roots = []
    real_walk = engine.walk

    def counting_walk(root, *args, **kwargs):
        sorted_roots.append(root)
        return real_walk(root, *args, **kwargs)

    monkeypatch.setattr(engine, "walk", counting_walk)
    x = Value(0.5)
    before = x * x
    with tape():
        loss = (x * 3.0).tanh() + x
        loss.backward()
        assert sorted_roots == []
        before.backward()
        assert sorted_roots == [before]
    assert x.grad == pytest.approx(3 * (1 - math.tanh(1.5) ** 2) + 1 + 2 * 0.5)


def test_leaves_accumulate_across_backward_calls_inside_a_tape():
    """Two steps inside one tape: leaves add up both passes, as without a tape."""
    w = Value(3.0)
    with tape():
        for _ in range(2):
            (w * w + w).backward()
    assert w.grad == 2 * (2 * 3.0 + 1)


def test_backward_resets_every_inner_node_on_the_tape_up_to_the_root():
    """The one change in meaning: an inner node on the tape that the root does not use is reset to 0."""
    x = Value(1.5)
    with tape():
        unused = x * 4
        unused.grad = 7.0                                      # as if from an earlier pass
        y = (x * x).sin()
        y.backward()
    assert unused.grad == 0.0
    assert x.grad == pytest.approx(2 * 1.5 * math.cos(2.25))
    outside = x * 4                                            # without a tape only ancestors are reset
    outside.grad = 7.0
    (x * x).backward()
    assert outside.grad == 7.0


def test_a_root_made_before_the_tape_is_sorted_as_usual():
    """A root not on the tape falls back to the sort: its gradients are right and the tape is untouched."""
    x = Value(0.5)
    y = (x * x).exp()
    with tape() as recorded:
        z = x + 1.0
        y.backward()
        assert recorded.nodes == [z]
    assert x.grad == pytest.approx(2 * 0.5 * math.exp(0.25))


def test_backward_twice_on_one_root_inside_a_tape_accumulates_leaves():
    """The second backward() finds the root gone from the tape and sorts: leaves get the gradient twice."""
    x = Value(2.0)
    with tape():
        y = x * x * x
        y.backward()
        y.backward()
    assert x.grad == 2 * 12.0


def test_two_losses_built_before_the_first_backward_both_reach_the_shared_nodes():
    """loss1 and loss2 share h; loss2.backward() after loss1.backward() still reaches x through h."""
    def run(use_tape):
        x = Value(0.7)
        with (tape() if use_tape else _NoScope()):
            h = (x * 3.0).tanh()
            loss1 = h * h
            loss2 = h.exp() + h
            loss1.backward()
            loss2.backward()
        return x.grad
    assert run(True) == pytest.approx(run(False), rel=1e-14)


class _NoScope:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_check_mode_refuses_a_graph_that_reaches_nodes_made_before_the_tape():
    """tape(check=True) raises TapeError (the tape alone would miss x's gradient through h)."""
    x = Value(0.3)
    h = x * 2.0                                                # made before the scope
    with pytest.raises(TapeError, match="not on the tape"):
        with tape(check=True):
            (h * h).backward()


def test_check_mode_refuses_reusing_nodes_of_a_graph_already_differentiated():
    """A loss built after an earlier backward() from that graph's nodes is caught by check=True."""
    x = Value(0.3)
    with pytest.raises(TapeError, match="already differentiated"):
        with tape(check=True):
            h = x.sin()
            h.backward()
            (h * 3.0).backward()


def test_check_mode_accepts_a_training_loop():
    """A training loop builds each step's graph inside the tape: check=True finds nothing wrong."""
    def train(scope):
        random.seed(1)
        model = nn.MLP(2, [4, 1])
        optimizer = nn.SGD(model.parameters(), lr=0.1)
        with scope:
            for step in range(3):
                loss = nn.mse_loss([model([0.5, -1.0]), model([1.0, 2.0])], [1.0, -1.0])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        return [p.data for p in model.parameters()], [p.grad for p in model.parameters()]

    checked = train(tape(check=True))
    assert checked == train(contextlib.nullcontext())               # the same weights and gradients as no tape


def test_grad_and_create_graph_work_inside_a_tape():
    """grad() sorts its own graph; the nodes create_graph makes are recorded like any other."""
    x = Value(1.5)
    with tape() as recorded:
        y = x ** 3
        (dy,) = grad(y, [x], create_graph=True)
        dy.backward()
        assert recorded.nodes == []
    assert dy.data == pytest.approx(3 * 1.5 ** 2)
    assert x.grad == pytest.approx(6 * 1.5)


# ---- no_grad, nesting --------------------------------------------------------------------------------
def test_no_grad_inside_a_tape_records_nothing_and_the_tape_resumes_after():
    x = Value(1.0)
    with tape() as recorded:
        with no_grad():
            y = x * 2
        z = x * 3
    assert y.is_leaf() and recorded.nodes == []
    assert not z.is_leaf()


def test_a_tape_inside_no_grad_records_nothing():
    with no_grad():
        with tape() as recorded:
            y = Value(1.0) * 2
            assert recorded.nodes == []
    assert y.is_leaf()


def test_nested_tapes_share_the_outer_tape():
    """An inner tape() is the outer one: a backward() inside it can reach the nodes made outside it."""
    x = Value(0.4)
    with tape() as outer:
        h = x * x
        with tape() as inner:
            assert inner is outer and current_tape() is outer
            y = h.tanh()
            y.backward()
        assert current_tape() is outer
    assert current_tape() is None
    assert x.grad == pytest.approx(2 * 0.4 * (1 - y.data ** 2))


# ---- the garbage collector ---------------------------------------------------------------------------
def test_the_collector_is_paused_inside_and_enabled_again_after():
    with tape():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_the_user_disabled_stays_disabled():
    gc.disable()
    try:
        with tape():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_nested_tapes_restore_the_collector_once_the_outermost_closes():
    with tape():
        with tape():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_comes_back_when_the_scope_raises():
    with pytest.raises(ZeroDivisionError):
        with tape():
            Value(1.0) / 0.0
    assert gc.isenabled() and current_tape() is None


def test_overlapping_tapes_in_two_threads_keep_the_collector_paused_until_both_close():
    """Thread A opens a tape, B opens one, A closes (still paused: B is open), B closes (restored)."""
    a_open, b_open, a_closed = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def thread_a():
        with tape():
            a_open.set()
            assert b_open.wait(10)
        a_closed.set()

    def thread_b():
        assert a_open.wait(10)
        with tape():
            b_open.set()
            assert a_closed.wait(10)
            seen["during"] = gc.isenabled()
        seen["after"] = gc.isenabled()

    threads = [threading.Thread(target=thread_a), threading.Thread(target=thread_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen == {"during": False, "after": True}


# ---- threads -----------------------------------------------------------------------------------------
def test_a_tape_in_one_thread_records_nothing_made_in_another():
    """Thread B builds and differentiates while thread A holds a tape open: A's tape stays empty."""
    a_open, b_done = threading.Event(), threading.Event()
    result = {}

    def thread_a():
        with tape() as recorded:
            a_open.set()
            assert b_done.wait(10)
            result["a_nodes"] = list(recorded.nodes)

    def thread_b():
        assert a_open.wait(10)
        assert current_tape() is None
        x = Value(3.0)
        (x * x).backward()
        result["b_grad"] = x.grad
        b_done.set()

    threads = [threading.Thread(target=thread_a), threading.Thread(target=thread_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert result == {"a_nodes": [], "b_grad": 6.0}


@needs_torch
def test_threads_training_with_tapes_get_the_gradients_torch_gets():
    """Four threads each train a neuron inside their own tape, at once; each matches PyTorch."""
    def train(seed):
        rng = random.Random(seed)
        weights = [rng.uniform(-1, 1) for _ in range(3)]
        ws = [Value(w) for w in weights[:2]]
        b = Value(weights[2])
        xs = [[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(5)]
        with tape():
            for x in xs:
                weighted_sum(ws, x, b).tanh().backward()
        tw = torch.tensor(weights[:2], dtype=torch.float64, requires_grad=True)
        tb = torch.tensor(weights[2], dtype=torch.float64, requires_grad=True)
        sum((tw @ torch.tensor(x, dtype=torch.float64) + tb).tanh() for x in xs).backward()
        return [w.grad for w in ws] + [b.grad], tw.grad.tolist() + [tb.grad.item()]

    results = {}

    def worker(seed):
        results[seed] = train(seed)

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == [0, 1, 2, 3]
    for ours, theirs in results.values():
        for a, b in zip(ours, theirs):
            assert close(a, b, rel_tol=1e-12, abs_tol=1e-14)


# ---- nn training -------------------------------------------------------------------------------------
@needs_torch
def test_nn_training_over_several_steps_in_a_tape_matches_plain_backward_and_torch():
    """Five SGD steps of an MLP (hinge + L2) inside a tape, without one, and in PyTorch: same weights."""
    points = [(0.5, -0.3), (-1.0, 0.8), (0.2, 0.9), (1.3, -1.1), (-0.4, -0.6)]
    labels = [1, -1, 1, -1, 1]

    def train(use_tape):
        random.seed(7)
        model = nn.MLP(2, [5, 4, 1])
        optimizer = nn.SGD(model.parameters(), lr=0.2)
        losses = []
        with (tape() if use_tape else _NoScope()):
            for step in range(5):
                loss = nn.hinge_loss([model(p) for p in points], labels) + \
                    1e-3 * total([p * p for p in model.parameters()])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                losses.append(loss.data)
        return model, losses

    taped, taped_losses = train(True)
    plain, plain_losses = train(False)
    for a, b in zip(taped_losses, plain_losses):
        assert close(a, b, rel_tol=1e-12)
    for a, b in zip(taped.parameters(), plain.parameters()):
        assert close(a.data, b.data, rel_tol=1e-12, abs_tol=1e-14)

    random.seed(7)
    start = nn.MLP(2, [5, 4, 1])
    layers = [(torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64, requires_grad=True),
               torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64, requires_grad=True))
              for layer in start.layers]
    params = [t for pair in layers for t in pair]
    optimizer = torch.optim.SGD(params, lr=0.2)
    x = torch.tensor(points, dtype=torch.float64)
    y = torch.tensor(labels, dtype=torch.float64)
    for step in range(5):
        h = x
        for depth, (W, b) in enumerate(layers):
            h = h @ W.T + b
            if depth < len(layers) - 1:
                h = torch.relu(h)
        loss = torch.relu(1 - y * h[:, 0]).mean() + 1e-3 * sum((p * p).sum() for p in params)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        assert close(loss.item(), taped_losses[step], rel_tol=1e-9)
    theirs = [v for W, b in layers for row, bias in zip(W.tolist(), b.tolist()) for v in row + [bias]]
    ours = [p.data for layer in taped.layers for neuron in layer.neurons for p in neuron.w + [neuron.b]]
    for a, b in zip(ours, theirs):
        assert close(a, b, rel_tol=1e-9, abs_tol=1e-12)


# ---- comparisons -------------------------------------------------------------------------------------
def test_comparisons_of_values_are_noted_on_the_tape():
    """x > 0 inside a tape is noted with its outcome; under no_grad and outside a tape nothing is noted."""
    x, y = Value(2.0), Value(-1.0)
    assert x > 0                                               # no tape: nothing to note it on
    with tape() as recorded:
        assert x > 0
        assert not x <= y
        with no_grad():
            assert x >= 1
    assert recorded.comparisons == [(x, ">", 0.0, True), (x, "<=", y, False)]


def test_the_tape_keeps_the_comparisons_of_the_last_backward_only():
    """Comparisons made before the last backward are kept (compile may still need them), older ones go."""
    x = Value(1.0)
    with tape() as recorded:
        for step in range(3):
            assert x > step - 2
            (x * x).backward()
        assert x > -5
    assert [c[2] for c in recorded.recorded_comparisons()] == [0.0, -5.0]


def test_tape_objects_can_be_made_directly():
    """Tape is a plain record: a fresh one is empty and says so."""
    recorded = Tape()
    assert (recorded.nodes, recorded.recorded_comparisons(), recorded.take_until(Value(1.0))) == ([], [], None)
