"""Any real number goes wherever a number goes in the engine; other types raise a TypeError naming them."""
import fractions
import numbers

import numpy as np
import pytest

from autograd import Value, grad, no_grad

REALS = [np.float16(1.5), np.float32(1.5), np.float64(1.5), np.int8(3), np.int16(3), np.int32(3), np.int64(3),
         np.uint8(3), np.uint64(3), np.array(2.5), np.array(3, dtype=np.int32), fractions.Fraction(3, 2)]
NOT_REALS = [True, np.bool_(True), 1 + 2j, np.complex128(1), "1.0", None, np.array([1.0, 2.0]), np.array([1.0]),
             np.array(True), [1.0]]


@pytest.mark.parametrize("number", REALS, ids=repr)
def test_value_accepts_every_real_number(number):
    """Value(numpy scalar / 0-d array / Fraction) stores a Python float."""
    v = Value(number)
    assert type(v.data) is float and v.data == float(number)


@pytest.mark.parametrize("number", REALS, ids=repr)
def test_real_numbers_work_on_either_side_of_every_operator(number):
    """x op n and n op x give the same node as with float(n), for + - * / ** and comparisons."""
    x = Value(2.0)
    c = float(number)
    for make in (lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / b,
                 lambda a, b: a ** b):
        assert make(x, number).data == make(x, c).data
        assert grad(make(x, number), x) == grad(make(x, c), x)
        left = make(number, x)                                 # numpy scalars on the left hand over to Value
        assert type(left) is Value and left.data == make(c, x).data
    assert (x > number) == (2.0 > c) and (x <= number) == (2.0 <= c)
    assert (Value(c) >= number) and not (Value(c) < number)


def test_numpy_scalars_on_the_left_of_a_comparison_mirror():
    """np.float32(1) < Value(2) and Value(2) > np.float32(1) both work and agree."""
    assert Value(2.0) > np.float32(1) and np.float32(1) < Value(2.0)


class Tenth(numbers.Real):
    """A user-defined real number, registered as numbers.Real: a count of tenths."""

    def __init__(self, tenths):
        self.tenths = tenths

    def __float__(self):
        return self.tenths / 10

    # The abstract methods numbers.Real asks for; only __float__ matters to the engine.
    __abs__ = __add__ = __ceil__ = __eq__ = __floor__ = __floordiv__ = __le__ = __lt__ = __mod__ = \
        __mul__ = __neg__ = __pos__ = __pow__ = __radd__ = __rfloordiv__ = __rmod__ = __rmul__ = \
        __round__ = __rpow__ = __rtruediv__ = __truediv__ = __trunc__ = lambda *args: NotImplemented
    __hash__ = object.__hash__


def test_anything_registered_as_a_real_number_is_accepted():
    """A class registered as numbers.Real goes into Value(...) and into operators through float()."""
    assert Value(Tenth(25)).data == 2.5
    assert (Value(1.0) * Tenth(5)).data == 0.5


@pytest.mark.parametrize("bad", NOT_REALS, ids=repr)
def test_value_of_a_non_real_raises_type_error_naming_the_type(bad):
    """bool, complex, str, None, lists and multi-element arrays are refused by name."""
    with pytest.raises(TypeError, match=type(bad).__name__):
        Value(bad)


@pytest.mark.parametrize("bad", [1 + 2j, "1.0", None, [1.0]], ids=repr)
def test_operators_with_a_non_real_raise_type_error(bad):
    """x * 'a', x + None ...: TypeError, and no node is made."""
    x = Value(2.0)
    with pytest.raises(TypeError):
        x * bad
    with pytest.raises(TypeError):
        bad + x
    with pytest.raises(TypeError, match=type(bad).__name__):
        x < bad


def test_the_engine_never_imports_numpy_by_itself():
    """Using the engine without numpy objects does not import numpy."""
    import subprocess
    import sys
    code = ("import sys; from autograd import Value, grad, explain; x = Value(2.0); y = (x * x).tanh(); "
            "y.backward(); explain(y, x); print('numpy' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "False"


def test_format_spec_formats_the_data_and_item_returns_the_float():
    """f"{v:.4f}" formats v.data (f"{v}" stays the repr) and v.item() is the float."""
    v = Value(2.0) / 3
    assert f"{v:.4f}" == "0.6667" and f"{v:>8.2f}" == "    0.67" and f"{v}" == repr(v)
    assert v.item() == 2.0 / 3 and type(v.item()) is float


def test_backward_with_a_list_seed_names_the_seed_not_an_internal_function():
    """backward([1.0]) says the seed must be a real number."""
    y = Value(2.0) * 3
    with pytest.raises(TypeError, match=r"backward\(grad=\.\.\.\) needs a real number.*list"):
        y.backward([1.0])


def test_backward_and_grad_of_a_value_computed_under_no_grad_raise_naming_no_grad():
    """The graph was never recorded: an error naming no_grad, not a silent 0 (as PyTorch refuses too)."""
    x = Value(2.0)
    with no_grad():
        y = x * x
    with pytest.raises(RuntimeError, match="no_grad"):
        y.backward()
    with pytest.raises(RuntimeError, match="no_grad"):
        grad(y, [x])
    assert x.grad == 0.0 and y.grad == 0.0


def test_a_plain_leaf_still_backpropagates_to_itself():
    """backward() on a leaf the user made gives it the seed (only op results from no_grad are refused)."""
    x = Value(2.0)
    x.backward()
    assert x.grad == 1.0 and grad(x, [x]) == [1.0]


def test_a_value_made_under_no_grad_is_still_refused_after_pickling():
    """The no_grad mark survives a pickle round trip, so backward() still names no_grad."""
    import pickle
    x = Value(2.0)
    with no_grad():
        y = x * x
    copy = pickle.loads(pickle.dumps(y))
    with pytest.raises(RuntimeError, match="no_grad"):
        copy.backward()


@pytest.mark.parametrize("array", [np.array([1.0, 2.0]), np.array([[1.0]]), np.array([1.0])], ids=repr)
def test_an_array_with_elements_on_either_side_of_an_operator_is_refused(array):
    """Value + array and array * Value raise a TypeError naming ndarray (no object array of Values)."""
    x = Value(2.0)
    with pytest.raises(TypeError, match="ndarray"):
        x + array
    with pytest.raises(TypeError, match="ndarray"):
        array * x


def test_negative_zero_constants_are_kept_exactly():
    """x * -0.0 keeps -0.0 on its node even after x * 0.0 (the two are equal as dict keys)."""
    import math
    x = Value(3.0)
    zero, negative_zero = x * 0.0, x * -0.0
    assert math.copysign(1.0, zero.operands[1]) == 1.0
    assert math.copysign(1.0, negative_zero.operands[1]) == -1.0
    assert math.copysign(1.0, (0.0 + x).operands[0]) == 1.0 and (0 + x).operands[0] == 0.0
