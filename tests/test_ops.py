"""Every op's value and gradient against PyTorch float64 and central differences; fast paths vs the plain path."""
import math

import pytest

from autograd import Value, grad, no_grad, weighted_sums
from autograd.core import engine
from torch_reference import close, run_both, run_ours, torch, weighted_sum

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")

ANYWHERE = [(-1.7,), (-0.3,), (0.4,), (2.2,)]
POSITIVE = [(0.3,), (1.0,), (2.7,)]
PAIRS = [(0.7, -1.3), (-2.1, 0.4), (1.5, 2.5)]
POSITIVE_BASE_PAIRS = [(0.7, -1.3), (2.1, 0.4), (1.5, 2.5)]

# One row per op: (name, expression, points away from its kinks and outside its domain errors).
OPS = [
    ("x + y", lambda x, y: x + y, PAIRS),
    ("x + c", lambda x: x + 2.5, ANYWHERE),
    ("c + x", lambda x: 2.5 + x, ANYWHERE),
    ("x - y", lambda x, y: x - y, PAIRS),
    ("x - c", lambda x: x - 2.5, ANYWHERE),
    ("c - x", lambda x: 2 - x, ANYWHERE),
    ("x * y", lambda x, y: x * y, PAIRS),
    ("x * c", lambda x: x * -1.5, ANYWHERE),
    ("c * x", lambda x: 3 * x, ANYWHERE),
    ("x / y", lambda x, y: x / y, PAIRS),
    ("x / c", lambda x: x / 4, ANYWHERE),
    ("c / x", lambda x: 2 / x, ANYWHERE),
    ("x ** y", lambda x, y: x ** y, POSITIVE_BASE_PAIRS),
    ("c ** x", lambda x: 2 ** x, ANYWHERE),
    ("x ** 3", lambda x: x ** 3, ANYWHERE),
    ("x ** 2", lambda x: x ** 2, ANYWHERE),
    ("x ** -2", lambda x: x ** -2, ANYWHERE),
    ("x ** 0.5", lambda x: x ** 0.5, POSITIVE),
    ("x ** -1.5", lambda x: x ** -1.5, POSITIVE),
    ("x ** 1", lambda x: x ** 1, ANYWHERE),
    ("x ** 0", lambda x: x ** 0, ANYWHERE),
    ("-x", lambda x: -x, ANYWHERE),
    ("abs(x)", lambda x: abs(x), ANYWHERE),
    ("relu", lambda x: x.relu(), ANYWHERE),
    ("tanh", lambda x: x.tanh(), ANYWHERE),
    ("sigmoid", lambda x: x.sigmoid(), ANYWHERE),
    ("exp", lambda x: x.exp(), ANYWHERE),
    ("log", lambda x: x.log(), POSITIVE),
    ("sqrt", lambda x: x.sqrt(), POSITIVE),
    ("sin", lambda x: x.sin(), ANYWHERE),
    ("cos", lambda x: x.cos(), ANYWHERE),
    ("weighted_sum, constant inputs", lambda w1, w2: weighted_sum([w1, w2], [2.0, -3.0], 0.5), PAIRS),
    ("weighted_sum, all Values", lambda x, y: weighted_sum([x, y], [y, x], x), PAIRS),
]
OP_PARAMS = [pytest.param(fn, points, id=name) for name, fn, points in OPS]


def central_differences(fn, point, h=1e-3):
    """d fn / d point[i] by the fourth-order five-point stencil, from forward values only."""
    def at(shifted):
        with no_grad():
            return fn(*(Value(x) for x in shifted)).data

    grads = []
    for i in range(len(point)):
        def shifted(k):
            return at([x + k * h if j == i else x for j, x in enumerate(point)])
        grads.append((shifted(-2) - 8 * shifted(-1) + 8 * shifted(1) - shifted(2)) / (12 * h))
    return grads


@needs_torch
@pytest.mark.parametrize("fn, points", OP_PARAMS)
def test_op_value_and_gradient_match_torch_float64(fn, points):
    """Each op's value and gradients equal PyTorch float64's to ~1e-12 at every point."""
    for point in points:
        ours, our_grads, theirs, their_grads = run_both(fn, point)
        assert close(ours, theirs), (point, ours, theirs)
        for ours_i, theirs_i in zip(our_grads, their_grads):
            assert close(ours_i, theirs_i), (point, our_grads, their_grads)


@pytest.mark.parametrize("fn, points", OP_PARAMS)
def test_op_gradient_matches_central_differences(fn, points):
    """Each op's backpropagated gradients match a five-point finite-difference estimate (no torch)."""
    for point in points:
        _, our_grads = run_ours(fn, point)
        numeric = central_differences(fn, point)
        for ours_i, numeric_i in zip(our_grads, numeric):
            assert math.isclose(ours_i, numeric_i, rel_tol=1e-7, abs_tol=1e-8), (point, our_grads, numeric)


def test_op_names_and_parents():
    """Each op records its documented name; a plain-number operand is never a parent."""
    x, y = Value(1.5), Value(0.5)
    expected = [
        (x + y, "+", (x, y)), (x + 2, "+", (x,)), (2 + x, "+", (x,)),
        (x - y, "-", (x, y)), (x - 2, "-", (x,)), (2 - x, "-", (x,)),
        (x * y, "*", (x, y)), (x * 2, "*", (x,)), (2 * x, "*", (x,)),
        (x / y, "/", (x, y)), (x / 2, "/", (x,)),
        (x ** y, "**", (x, y)), (x ** 2, "**", (x,)), (x ** 0.5, "**", (x,)), (x ** -1, "**", (x,)),
        (-x, "neg", (x,)), (abs(x), "abs", (x,)), (x.relu(), "relu", (x,)), (x.tanh(), "tanh", (x,)),
        (x.sigmoid(), "sigmoid", (x,)), (x.exp(), "exp", (x,)), (x.log(), "log", (x,)),
        (x.sqrt(), "sqrt", (x,)), (x.sin(), "sin", (x,)), (x.cos(), "cos", (x,)),
    ]
    for node, op, parents in expected:
        assert node.op == op
        assert node.parents == parents, op
        assert len(node.local_grads) == len(parents)
    for node in (2 / x, 2 ** x):                               # the constant stays on the node's op
        assert node.parents == (x,) and node.operands == (2.0, x)
    assert (x * 2.0).local_grads == (2.0,)
    assert x.op == "" and x.is_leaf() and not (x + 1).is_leaf()


def test_comparisons_read_data_and_unary_plus_is_identity():
    """< <= > >= compare the data with Values or numbers; +x is x itself."""
    a, b = Value(1.0), Value(2.0)
    assert a < b and a <= b and b > a and b >= a and a <= 1 and a >= 1.0 and not a > 1
    assert 0.5 < a and not (3 < a)
    assert +a is a


# ---- the op rows: each op is one row, and every way of running it agrees -----------------------
# (id, the row, the expression, the operands as (number, is it a Value))
ROW_CASES = [
    ("Value + Value", engine.ADD, lambda a, b: a + b, [(1.5, True), (-0.25, True)]),
    ("Value + c", engine.ADD, lambda a, b: a + b, [(1.5, True), (-0.25, False)]),
    ("c + Value", engine.ADD, lambda a, b: a + b, [(1.5, False), (-0.25, True)]),
    ("Value - c", engine.SUB, lambda a, b: a - b, [(1.5, True), (-0.25, False)]),
    ("c - Value", engine.SUB, lambda a, b: a - b, [(1.5, False), (-0.25, True)]),
    ("Value * Value", engine.MUL, lambda a, b: a * b, [(1.5, True), (-0.25, True)]),
    ("c * Value", engine.MUL, lambda a, b: a * b, [(1.5, False), (-0.25, True)]),
    ("Value / Value", engine.DIV, lambda a, b: a / b, [(1.5, True), (-0.25, True)]),
    ("c / Value", engine.DIV, lambda a, b: a / b, [(1.5, False), (-0.25, True)]),
    ("Value ** Value", engine.POW, lambda a, b: a ** b, [(1.5, True), (-0.25, True)]),
    ("c ** Value", engine.POW, lambda a, b: a ** b, [(2.0, False), (-0.25, True)]),
    ("Value ** 3", engine.POW, lambda a, b: a ** b, [(-1.5, True), (3.0, False)]),
    ("Value ** 0.5", engine.POW, lambda a, b: a ** b, [(1.5, True), (0.5, False)]),
    ("Value ** 0", engine.POW, lambda a, b: a ** b, [(-1.5, True), (0.0, False)]),
    ("0 ** 0.5", engine.POW, lambda a, b: a ** b, [(0.0, True), (0.5, False)]),
    ("neg", engine.NEG, lambda a: -a, [(-0.75, True)]),
    ("abs", engine.ABS, lambda a: abs(a), [(-0.75, True)]),
    ("relu +", engine.RELU, lambda a: a.relu(), [(1.5, True)]),
    ("relu 0", engine.RELU, lambda a: a.relu(), [(0.0, True)]),
    ("tanh", engine.TANH, lambda a: a.tanh(), [(0.6, True)]),
    ("sigmoid", engine.SIGMOID, lambda a: a.sigmoid(), [(-0.6, True)]),
    ("exp", engine.EXP, lambda a: a.exp(), [(0.6, True)]),
    ("log", engine.LOG, lambda a: a.log(), [(0.6, True)]),
    ("sqrt", engine.SQRT, lambda a: a.sqrt(), [(0.6, True)]),
    ("sin", engine.SIN, lambda a: a.sin(), [(0.6, True)]),
    ("cos", engine.COS, lambda a: a.cos(), [(0.6, True)]),
]
ROW_PARAMS = [pytest.param(row, fn, operands, id=name) for name, row, fn, operands in ROW_CASES]


def build(fn, operands):
    """The node for `operands` ((number, is_value) pairs), and its Value operands."""
    args = [Value(x) if is_value else x for x, is_value in operands]
    return fn(*args), [a for a in args if type(a) is Value]


@pytest.mark.parametrize("row, fn, operands", ROW_PARAMS)
def test_node_stores_what_its_row_computes_on_floats(row, fn, operands):
    """A node's data and local derivatives are its row's float function's, for the Value operands only."""
    node, values = build(fn, operands)
    numbers = [x for x, _ in operands]
    y, *locals_ = row.on_floats(*numbers)
    assert node.row is row and node.op == row.name
    assert node.data == y or (math.isnan(y) and math.isnan(node.data))
    assert node.parents == tuple(values)
    assert list(node.local_grads) == [d for d, (_, is_value) in zip(locals_, operands) if is_value]


@pytest.mark.parametrize("row, fn, operands", ROW_PARAMS)
def test_node_keeps_its_plain_number_operand(row, fn, operands):
    """A plain-number operand is kept on the node, in its place: (x * 2).operands == (x, 2.0)."""
    node, values = build(fn, operands)
    given = iter(values)
    expected = tuple(next(given) if is_value else x for x, is_value in operands)
    assert len(node.operands) == len(expected)
    assert all(a is b if type(b) is Value else a == b for a, b in zip(node.operands, expected))


@pytest.mark.parametrize("row, fn, operands", ROW_PARAMS)
def test_rows_value_derivatives_equal_the_float_ones(row, fn, operands):
    """The row's derivatives evaluated on Values (for create_graph) have the float derivatives' data."""
    node, _ = build(fn, operands)
    as_values = engine.local_grads_as_values(node)
    assert [float(d.data if type(d) is Value else d) for d in as_values] == pytest.approx(
        list(node.local_grads), rel=1e-15, abs=1e-300, nan_ok=True)


@needs_torch
@pytest.mark.parametrize("row, fn, operands", ROW_PARAMS)
def test_row_matches_torch(row, fn, operands):
    """A node's value and local gradients equal PyTorch float64's for that one op."""
    node, _ = build(fn, operands)
    value_numbers = [x for x, is_value in operands if is_value]

    def with_constants(*values):
        given = iter(values)
        return fn(*(next(given) if is_value else x for x, is_value in operands))

    _, _, theirs, their_grads = run_both(with_constants, value_numbers)
    assert close(node.data, theirs)
    assert all(close(ours, t) for ours, t in zip(node.local_grads, their_grads)), (node.local_grads, their_grads)


@pytest.mark.parametrize("row, fn, operands", ROW_PARAMS)
def test_every_op_records_nothing_under_no_grad(row, fn, operands):
    """Under no_grad every op returns a leaf with the same value."""
    node, _ = build(fn, operands)
    with no_grad():
        quiet, _ = build(fn, operands)
    assert quiet.is_leaf() and quiet.op == ""
    assert quiet.data == node.data


def test_weighted_sums_is_one_weighted_sum_per_row():
    """A layer's weighted_sums equal row-by-row weighted_sum, in value and every gradient."""
    rows = [[Value(0.3), Value(-1.2), Value(0.7)], [Value(2.0), Value(0.1), Value(-0.4)]]
    biases = [Value(0.5), Value(-0.25)]
    inputs = [Value(1.5), -0.5, Value(2.0)]
    layer = weighted_sums(rows, inputs, biases)
    one_by_one = [engine.weighted_sum(w, inputs, b) for w, b in zip(rows, biases)]
    assert [s.data for s in layer] == [s.data for s in one_by_one]
    leaves = [v for row in rows for v in row] + biases + [inputs[0], inputs[2]]
    assert grad(layer[0] * layer[1], leaves) == grad(one_by_one[0] * one_by_one[1], leaves)


def test_backward_skips_nodes_with_zero_gradient_but_resets_them():
    """A node whose upstream gradient is 0 passes nothing on, and a later pass still resets it."""
    x = Value(-2.0)
    h = x * 3.0
    dead = h.relu()                       # relu'(h) = 0: nothing reaches h or x through it
    h.grad = 5.0                          # a stale value from some earlier pass
    dead.backward()
    assert (h.grad, x.grad) == (0.0, 0.0)
