"""gradcheck and numerical_grad: correct functions pass, a wrong derivative is caught and named."""
import math

import pytest

from autograd import (GradcheckError, Value, grad, gradcheck, logsumexp, no_grad, numerical_grad, primitive,
                      topological_order, total, weighted_sum)
from autograd.core.engine import BUILTIN_OPS

CORRECT = [
    ("product and tanh", lambda x, y: (x * y).tanh() + y.exp(), [0.3, -0.7]),
    ("quotient and log", lambda x, y: (x / y).log() + x.sqrt(), [1.2, 0.4]),
    ("trig and powers", lambda x, y: x.sin() * y.cos() + x ** 3 - 2 ** y + y ** x, [0.9, 1.7]),
    ("sigmoid of weighted_sum", lambda w1, w2, b: weighted_sum([w1, w2], [0.5, -2.0], b).sigmoid(),
     [0.4, 0.1, -0.3]),
    ("abs and relu away from 0", lambda x: abs(x) + x.relu() * 3 - (-x) / 2, [-0.6]),
    ("one input unused", lambda x, y: x * x, [1.5, 2.5]),
]


@pytest.mark.parametrize("f, point", [pytest.param(f, p, id=name) for name, f, p in CORRECT])
def test_gradcheck_passes_on_correct_functions(f, point):
    """Backprop through builtin ops agrees with central differences."""
    assert gradcheck(f, point) is True


def test_gradcheck_accepts_values_and_leaves_their_grad_alone():
    """Inputs may be Values; their data is used and their .grad is not touched."""
    x, y = Value(0.5), Value(-1.5)
    x.grad = 7.0
    assert gradcheck(lambda a, b: a * b + a.tanh(), [x, y]) is True
    assert (x.grad, y.grad) == (7.0, 0.0)


def test_wrong_derivative_is_caught_with_index_analytic_and_numeric():
    """A primitive whose df says 3x for x² makes gradcheck raise GradcheckError naming input 1 and both values."""
    bad_square = primitive("test_gradcheck_bad_square", lambda v: v * v, lambda v: 3 * v)
    x0, y0 = 1.5, 2.0
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda x, y: x * bad_square(y), [x0, y0])
    error = caught.value
    assert isinstance(error, AssertionError)
    assert error.index == 1
    assert error.analytic == x0 * 3 * y0                       # what the wrong rule gives
    assert math.isclose(error.numeric, x0 * 2 * y0, rel_tol=1e-6)  # the true derivative
    message = str(error)
    assert "input 1" in message and repr(error.analytic) in message and repr(error.numeric) in message


def test_wrong_derivative_of_the_first_input_is_named_first():
    """With two wrong inputs the first one (index 0) is reported."""
    bad_product = primitive("test_gradcheck_bad_product", lambda a, b: a * b, lambda a, b: (b + 1, a + 1))
    with pytest.raises(GradcheckError, match="input 0"):
        gradcheck(bad_product, [0.5, -0.25])


def test_tolerances_decide_a_small_error():
    """A derivative off by 1% fails the default rtol 1e-3 and passes rtol 0.05."""
    almost = primitive("test_gradcheck_almost_exp", math.exp, lambda v: 1.01 * math.exp(v))
    with pytest.raises(GradcheckError):
        gradcheck(almost, [0.3])
    assert gradcheck(almost, [0.3], rtol=0.05) is True


def test_gradcheck_needs_f_to_return_a_value():
    """f returning a plain number is a TypeError that names gradcheck and the type."""
    with pytest.raises(TypeError, match="gradcheck.*float"):
        gradcheck(lambda x: 2.0, [1.0])
    with pytest.raises(TypeError, match="gradcheck.*NoneType"):
        gradcheck(lambda x: None, [1.0])


def test_numerical_grad_matches_closed_form():
    """Central differences of x² y + sin(y) are (2xy, x² + cos y) up to O(eps²)."""
    x0, y0 = 1.3, -0.4
    dx, dy = numerical_grad(lambda x, y: x * x * y + y.sin(), [x0, y0])
    assert math.isclose(dx, 2 * x0 * y0, rel_tol=1e-7)
    assert math.isclose(dy, x0 ** 2 + math.cos(y0), rel_tol=1e-7)


def test_numerical_grad_gives_f_fresh_leaves():
    """f gets new leaf Values holding the shifted point; the caller's Values are not passed in or touched."""
    x = Value(2.0)
    x.grad = 7.0
    seen = []

    def f(v):
        seen.append(v)
        return v * v

    numerical_grad(f, [x], eps=0.5)
    assert sorted(v.data for v in seen) == [1.5, 2.5]
    assert all(v.is_leaf() and v is not x for v in seen)
    assert (x.data, x.grad) == (2.0, 7.0)


# ---- functions that call grad() themselves: the derivative of a derivative ----------------------------
def test_numerical_grad_of_a_function_that_calls_grad():
    """f(x) = d/dx x³ = 3x² is evaluated with its graph, so central differences give 6x, not 0."""
    (slope,) = numerical_grad(lambda x: grad(x ** 3, [x], create_graph=True)[0], [1.5])
    assert math.isclose(slope, 6 * 1.5, rel_tol=1e-7)


def test_numerical_grad_and_gradcheck_work_inside_no_grad():
    """Called inside no_grad(), both still record what they need: no false alarm, no zero slope."""
    with no_grad():
        (slope,) = numerical_grad(lambda x: grad(x * x, [x], create_graph=True)[0], [1.5])
        assert math.isclose(slope, 2.0, rel_tol=1e-7)
        assert gradcheck(lambda x: x * x.sin(), [0.7]) is True


# Every op of the rule table, with a point inside its domain (away from kinks and from 0 for log, sqrt, /).
OPS = [
    ("+", lambda x, y: x + y, [0.7, -1.3]),
    ("-", lambda x, y: x - y, [0.7, -1.3]),
    ("*", lambda x, y: x * y, [0.7, -1.3]),
    ("/", lambda x, y: x / y, [0.7, -1.3]),
    ("**", lambda x, y: x ** y, [1.3, 0.7]),
    ("neg", lambda x: -x, [0.7]),
    ("abs", lambda x: abs(x), [-0.6]),
    ("relu", lambda x: x.relu(), [0.8]),
    ("relu below 0", lambda x: x.relu(), [-0.8]),
    ("tanh", lambda x: x.tanh(), [0.4]),
    ("sigmoid", lambda x: x.sigmoid(), [-0.9]),
    ("exp", lambda x: x.exp(), [0.6]),
    ("log", lambda x: x.log(), [0.6]),
    ("sqrt", lambda x: x.sqrt(), [0.6]),
    ("sin", lambda x: x.sin(), [0.9]),
    ("cos", lambda x: x.cos(), [0.9]),
    ("x**3", lambda x: x ** 3, [-0.8]),
    ("x**0.5", lambda x: x ** 0.5, [0.8]),
    ("x**-2", lambda x: x ** -2, [0.8]),
    ("x**2.5", lambda x: x ** 2.5, [1.1]),
    ("2**x", lambda x: 2 ** x, [0.3]),
    ("2-x, 2/x, x-2, x/2", lambda x: (2 - x) * (2 / x) + (x - 2) * (x / 2), [0.8]),
    ("wx+b", lambda w1, w2, x1, x2, b: weighted_sum([w1, w2], [x1, x2], b), [0.4, -0.3, 1.2, 0.7, 0.1]),
    ("w·x", lambda w1, w2, x1, x2: weighted_sum([w1, w2], [x1, x2]), [0.4, -0.3, 1.2, 0.7]),
    ("sum", lambda x, y, z: total([x, y, z]), [0.4, -0.3, 1.2]),
    ("logsumexp", lambda x, y, z: logsumexp([x, y, z]), [0.4, -0.3, 1.2]),
]


def test_the_table_covers_every_builtin_op():
    """Every built-in op of the engine appears in some function of OPS, so each one's second derivative is checked."""
    used = {node.op for _, f, point in OPS for node in topological_order(f(*map(Value, point)))}
    assert BUILTIN_OPS <= used


def derivative(f, index):
    """The function d f / d x_index, built with grad(create_graph=True) so it can be differentiated again."""
    def df(*xs):
        return grad(f(*xs), list(xs), create_graph=True)[index]
    return df


@pytest.mark.parametrize("f, point", [pytest.param(f, p, id=name) for name, f, p in OPS])
def test_gradcheck_of_first_derivative_against_second(f, point):
    """gradcheck of each first partial derivative (a function that calls grad) passes for every op."""
    assert gradcheck(f, point) is True
    for index in range(len(point)):
        assert gradcheck(derivative(f, index), point) is True


def test_derivative_check_catches_a_wrong_second_derivative():
    """A primitive with the right first derivative but a wrong second one fails the derivative check."""
    def cube_slope_rule(v):                                    # d/dx x³ = 3x², but written so that
        return 3 * v.data ** 2 if type(v) is Value else 3 * v ** 2   # create_graph sees a constant
    cube = primitive("test_gradcheck_cube_constant_slope", lambda v: v ** 3, cube_slope_rule)
    assert gradcheck(cube, [0.7]) is True
    with pytest.raises(GradcheckError):
        gradcheck(derivative(cube, 0), [0.7])


def test_mismatch_names_the_input_by_label_and_value():
    """The error names the failing input by index, by its label when it has one, and by its value."""
    wrong = primitive("wrong_square_for_label", lambda x: x * x, lambda x: 3 * x)
    with pytest.raises(GradcheckError, match=r"input 0 \(a = 0\.5\)"):
        gradcheck(lambda a, b: wrong(a) * b, [Value(0.5, label="a"), 2.0])
    with pytest.raises(GradcheckError, match=r"input 0 \(at 0\.5\)"):
        gradcheck(lambda a: wrong(a), [0.5])
