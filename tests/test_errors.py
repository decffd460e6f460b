"""Bad input: each raises its error type with a message naming the op or type, and changes nothing."""
import gc
import math

import pytest

from autograd import Value, grad, no_grad, weighted_sum, weighted_sums
from autograd.core.engine import is_recording

INF = math.inf

# (id, operand data, the bad op on the operand x, error type, words the message must contain)
BAD_OPS = [
    ("log(0)", 0.0, lambda x: x.log(), ValueError, ["log", "0.0"]),
    ("log(-2)", -2.0, lambda x: x.log(), ValueError, ["log", "-2.0"]),
    ("sqrt(-1)", -1.0, lambda x: x.sqrt(), ValueError, ["sqrt", "-1.0"]),
    ("1 / x, x = 0", 0.0, lambda x: 1 / x, ZeroDivisionError, ["division", "0.0"]),
    ("x / 0", 3.0, lambda x: x / 0, ZeroDivisionError, ["division", "3.0"]),
    ("x / Value(0)", 3.0, lambda x: x / Value(0.0), ZeroDivisionError, ["division", "3.0"]),
    ("Value(0) / Value(0)", 0.0, lambda x: x / Value(0), ZeroDivisionError, ["division", "0.0 / 0.0"]),
    ("0 ** -1", 0.0, lambda x: x ** -1, ZeroDivisionError, ["pow", "0.0", "-1"]),
    ("0 ** Value(-1)", 0.0, lambda x: x ** Value(-1), ZeroDivisionError, ["pow", "0.0", "-1"]),
    ("0 ** x, x = -1", -1.0, lambda x: 0 ** x, ZeroDivisionError, ["pow", "0.0", "-1"]),
    ("(-8) ** (1/3)", -8.0, lambda x: x ** (1 / 3), ValueError, ["pow", "-8.0", "0.333"]),
    ("(-8) ** Value(1/3)", -8.0, lambda x: x ** Value(1 / 3), ValueError, ["pow", "-8.0", "0.333"]),
    ("(-8) ** x, x = 0.5", 0.5, lambda x: (-8.0) ** x, ValueError, ["pow", "-8.0", "0.5"]),
    ("exp(1000)", 1000.0, lambda x: x.exp(), OverflowError, ["exp", "1000.0"]),
    ("2 ** 5000", 2.0, lambda x: x ** 5000, OverflowError, ["pow", "2.0", "5000"]),
    ("2 ** x, x = 5000", 5000.0, lambda x: 2 ** x, OverflowError, ["pow", "2.0", "5000"]),
    ("sin(inf)", INF, lambda x: x.sin(), ValueError, ["sin", "inf"]),
    ("cos(-inf)", -INF, lambda x: x.cos(), ValueError, ["cos", "-inf"]),
    ("x + 'a'", 1.0, lambda x: x + "a", TypeError, ["Value", "str"]),
    ("'a' + x", 1.0, lambda x: "a" + x, TypeError, ["Value", "str"]),
    ("x - [1]", 1.0, lambda x: x - [1], TypeError, ["Value", "list"]),
    ("None * x", 1.0, lambda x: None * x, TypeError, ["Value", "NoneType"]),
    ("x / '2'", 1.0, lambda x: x / "2", TypeError, ["Value", "str"]),
    ("x ** '2'", 1.0, lambda x: x ** "2", TypeError, ["Value", "str"]),
    ("'2' ** x", 1.0, lambda x: "2" ** x, TypeError, ["Value", "str"]),
    ("x * True", 1.0, lambda x: x * True, TypeError, ["Value", "bool"]),
    ("x < 'a'", 1.0, lambda x: x < "a", TypeError, ["Value", "str"]),
    ("backward(grad='x')", 1.0, lambda x: x.backward(grad="x"), TypeError, ["backward", "str"]),
    ("backward(grad=None)", 1.0, lambda x: x.backward(grad=None), TypeError, ["backward", "NoneType"]),
    ("grad of a non-Value", 1.0, lambda x: grad(3.0, [x]), TypeError, ["grad", "output", "float"]),
    ("grad for a non-Value input", 1.0, lambda x: grad(x * x, [x, 2.0]), TypeError,
     ["grad", "inputs[1]", "float"]),
    ("weighted_sum length mismatch", 1.0, lambda x: weighted_sum([x, x], [1.0], x), ValueError,
     ["weighted_sum", "2 weights", "1 inputs"]),
]
BAD_OP_PARAMS = [pytest.param(data, bad, error, words, id=name) for name, data, bad, error, words in BAD_OPS]

BAD_CONSTRUCTORS = [
    ("Value('3')", lambda: Value("3"), ["Value", "str", "'3'"]),
    ("Value(None)", lambda: Value(None), ["Value", "NoneType"]),
    ("Value(True)", lambda: Value(True), ["Value", "bool"]),
    ("Value([1])", lambda: Value([1]), ["Value", "list"]),
    ("Value(1j)", lambda: Value(1j), ["Value", "complex"]),
    ("Value(Value(1))", lambda: Value(Value(1.0)), ["Value", "Value"]),
    ("Value(1.0, label=3)", lambda: Value(1.0, label=3), ["label", "int"]),
]


def young_values():
    """How many Values were made since the last garbage collection and are still alive (gc disabled)."""
    return sum(1 for obj in gc.get_objects(generation=0) if type(obj) is Value)


def state(node):
    """Everything about a node an op could change."""
    return node.data, node.grad, node.op, node.label, node._edges


def error_message(error_type, thunk):
    """Run `thunk`, which must raise `error_type`; return the message (the traceback is dropped)."""
    try:
        thunk()
    except error_type as error:
        return str(error)
    pytest.fail(f"no {error_type.__name__} raised")


def check_raises_and_changes_nothing(data, bad, error, words):
    """The bad op on a non-leaf operand raises `error` naming `words`, makes no node, changes no node."""
    leaf = Value(data, label="leaf")
    x = leaf * 1.0 if math.isfinite(data) else leaf + 0.0    # an inner node, so its edges can be checked
    x.grad, leaf.grad = 0.25, 0.5
    before = [state(x), state(leaf)]
    gc.disable()
    try:
        count = young_values()
        message = error_message(error, lambda: bad(x))
        assert young_values() == count, "a Value was left behind"
    finally:
        gc.enable()
    assert [state(x), state(leaf)] == before
    for word in words:
        assert word in message, (word, message)
    assert is_recording()


@pytest.mark.parametrize("data, bad, error, words", BAD_OP_PARAMS)
def test_bad_op_raises_clear_error_and_changes_nothing(data, bad, error, words):
    """Domain errors, division by zero, overflow and wrong types raise with the op/operand/type named."""
    check_raises_and_changes_nothing(data, bad, error, words)


@pytest.mark.parametrize("data, bad, error, words", BAD_OP_PARAMS)
def test_bad_op_raises_the_same_under_no_grad(data, bad, error, words):
    """Not recording a graph does not skip any check."""
    with no_grad():
        leaf = Value(data)
        x = leaf * 1.0 if math.isfinite(data) else leaf + 0.0
        message = error_message(error, lambda: bad(x))
        assert not is_recording()
    assert all(word in message for word in words), message
    assert is_recording()


@pytest.mark.parametrize("make, words", [pytest.param(m, w, id=name) for name, m, w in BAD_CONSTRUCTORS])
def test_bad_constructor_argument_raises_type_error(make, words):
    """Value() of a non-number (bool, None, str, list, complex, Value) or a non-str label is a TypeError."""
    gc.disable()
    try:
        count = young_values()
        message = error_message(TypeError, make)
        assert young_values() == count
    finally:
        gc.enable()
    for word in words:
        assert word in message, (word, message)


def test_failed_backward_keeps_every_gradient():
    """backward(grad='x') fails before zeroing or seeding anything."""
    a = Value(2.0)
    b = a * a
    c = b + 1
    c.backward()
    grads = (a.grad, b.grad, c.grad)
    error_message(TypeError, lambda: c.backward(grad="x"))
    assert (a.grad, b.grad, c.grad) == grads == (4.0, 1.0, 1.0)


@pytest.mark.parametrize("x0", [1000.0, -1000.0, 40.0, -40.0, 710.0, -710.0])
def test_sigmoid_and_tanh_stay_finite_with_correct_limits(x0):
    """sigmoid and tanh at large |x| give their limits (or the closed form), with finite gradients."""
    x = Value(x0)
    s, t = x.sigmoid(), x.tanh()
    (s + t).backward()
    expected_sigmoid = 1 / (1 + math.exp(-x0)) if x0 > 0 else math.exp(x0) / (1 + math.exp(x0))
    assert math.isclose(s.data, expected_sigmoid, rel_tol=1e-12, abs_tol=0.0)
    assert t.data == math.copysign(1.0, x0)
    assert math.isfinite(x.grad) and 0.0 <= x.grad < 1e-15
    if abs(x0) >= 1000:
        assert s.data == (1.0 if x0 > 0 else 0.0) and x.grad == 0.0


def test_exp_just_below_overflow_is_fine():
    """exp(709) is finite (its gradient too); overflow is reported only where the float really overflows."""
    x = Value(709.0)
    y = x.exp()
    y.backward()
    assert y.data == math.exp(709.0) and x.grad == y.data


def test_huge_int_is_named_in_the_error():
    """An int too large for a float raises OverflowError that says so."""
    with pytest.raises(OverflowError, match="too large for a float"):
        Value(10 ** 400)


def test_weighted_sum_rejects_plain_number_bias_and_weights():
    """weighted_sum needs Values for weights and bias, and says which one was wrong."""
    with pytest.raises(TypeError, match="bias"):
        weighted_sum([Value(1.0)], [2.0], 0.5)
    with pytest.raises(TypeError, match="weight"):
        weighted_sum([1.0], [2.0], Value(0.5))


def test_overflowing_slope_is_infinite_not_an_error():
    """x ** c whose value is finite but whose slope overflows gets an infinite local derivative."""
    y = Value(1e-310) ** -0.9
    assert math.isfinite(y.data)
    assert y.local_grads == (-math.inf,)


def test_weighted_sums_rejects_rows_and_biases_of_different_lengths():
    """Two rows of weights with one bias is an error, not a silently dropped neuron."""
    with pytest.raises(ValueError, match="2 rows of weights but 1 biases"):
        weighted_sums([[Value(1.0)], [Value(2.0)]], [1.0], [Value(0.0)])


def test_relu_of_nan_is_nan_as_in_the_rule_table():
    """relu keeps nan (the fast path agrees with RULES and with PyTorch)."""
    assert math.isnan(Value(math.nan).relu().data)


def test_int_too_large_to_print_is_still_an_overflow_error():
    """An int with thousands of digits raises OverflowError (its message does not print it)."""
    with pytest.raises(OverflowError, match="bits is too large"):
        Value(10 ** 5000)


def test_negative_base_to_an_infinite_power_follows_python():
    """(-2) ** inf is inf and (-2) ** nan is nan, as for Python floats."""
    assert (Value(-2.0) ** math.inf).data == (-2.0) ** math.inf == math.inf
    assert math.isnan((Value(-2.0) ** math.nan).data)
