"""grad(): second and third derivatives against closed forms and PyTorch double backward; .grad untouched."""
import math

import pytest

from autograd import Value, grad, no_grad
from torch_reference import close, flatten, our_partials, torch, torch_partials, weighted_sum

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")


@pytest.mark.parametrize("x0", [-1.5, 0.5, 2.0])
def test_derivatives_of_x_cubed(x0):
    """d/dx x³ = 3x², d²/dx² = 6x, d³/dx³ = 6, and the fourth derivative is 0."""
    x = Value(x0)
    first = grad(x ** 3, x, create_graph=True)
    second = grad(first, x, create_graph=True)
    third = grad(second, x, create_graph=True)
    assert math.isclose(first.data, 3 * x0 ** 2, rel_tol=1e-12)
    assert math.isclose(second.data, 6 * x0, rel_tol=1e-12)
    assert third.data == 6.0
    assert grad(third, x) == 0.0


def test_mixed_partials_are_symmetric_and_match_closed_form():
    """For f = x² y³: d²f/dx dy = d²f/dy dx = 6 x y², d²f/dy² = 6 x² y, d³f/dx dy² = 12 x y."""
    x0, y0 = 1.25, -0.8
    x, y = Value(x0), Value(y0)
    dfdx, dfdy = grad(x ** 2 * y ** 3, [x, y], create_graph=True)
    d2_dxdy = grad(dfdx, y, create_graph=True)
    d2_dydx = grad(dfdy, x)
    d2_dy2 = grad(dfdy, y)
    assert math.isclose(d2_dxdy.data, 6 * x0 * y0 ** 2, rel_tol=1e-12)
    assert math.isclose(d2_dydx, d2_dxdy.data, rel_tol=1e-12)
    assert math.isclose(d2_dy2, 6 * x0 ** 2 * y0, rel_tol=1e-12)
    assert math.isclose(grad(d2_dxdy, y), 12 * x0 * y0, rel_tol=1e-12)


# Composite expressions of two inputs, and points away from kinks and domain edges.
COMPOSITES = [
    ("tanh and sigmoid", lambda x, y: (x * y).tanh() + x.sigmoid() * y),
    ("exp, log and sin", lambda x, y: (x.exp() + y.log()) * x.sin()),
    ("cos over a square", lambda x, y: x.cos() / (y * y + 1)),
    ("pow with a Value exponent", lambda x, y: x ** y + y ** x),
    ("constant to a product", lambda x, y: 2 ** (x * y) - 3 / y),
    ("plain exponents", lambda x, y: y ** 3 * x ** 0.5 + x ** -2 - (3 - y) ** 2),
    ("sqrt of a quotient", lambda x, y: (x / y).sqrt() * (x - y)),
    ("weighted_sum", lambda x, y: weighted_sum([x, y], [y.tanh(), 2.0], x * y).sigmoid()),
    ("weighted_sum squared", lambda x, y: weighted_sum([x * x, y], [y, x.exp()], y) ** 2),
    ("abs, relu, neg", lambda x, y: -x * abs(y) + (x - y).relu() * x + (-y).relu()),
    ("log of sigmoid", lambda x, y: (x * y).sigmoid().log() + (x / 2 + y).cos().exp()),
]
POINTS = [(0.7, 1.3), (1.9, 0.4), (0.35, 2.2)]
COMPOSITE_PARAMS = [pytest.param(fn, id=name) for name, fn in COMPOSITES]


@needs_torch
@pytest.mark.parametrize("order", [1, 2, 3])
@pytest.mark.parametrize("fn", COMPOSITE_PARAMS)
def test_partials_match_torch_double_backward(fn, order):
    """Every partial derivative up to order 3 matches torch.autograd.grad(create_graph=True) in float64."""
    for point in POINTS:
        ours = flatten(our_partials(fn, point, order))
        theirs = flatten(torch_partials(fn, point, order))
        assert len(ours) == len(theirs) == 2 ** order
        for a, b in zip(ours, theirs):
            assert close(a, b, rel_tol=1e-9, abs_tol=1e-10), (point, ours, theirs)


def test_grad_does_not_touch_dot_grad():
    """grad(), with or without create_graph, leaves every .grad (leaves and inner nodes) as it was."""
    x, y = Value(0.3), Value(-1.1)
    inner = (x * y).tanh()
    out = inner * x + y.exp()
    for k, node in enumerate([x, y, inner, out]):
        node.grad = 10.0 + k
    grad(out, [x, y])
    first = grad(out, [x, y], create_graph=True)
    grad(first[0], [x, y], create_graph=True)
    assert [node.grad for node in (x, y, inner, out)] == [10.0, 11.0, 12.0, 13.0]


def test_grad_of_an_unconnected_input_is_zero():
    """An input the output does not depend on gets 0.0 (a Value 0 with create_graph, itself differentiable)."""
    x, unused = Value(2.0), Value(5.0)
    y = x * x
    assert grad(y, [x, unused]) == [4.0, 0.0]
    dx, dunused = grad(y, [x, unused], create_graph=True)
    assert type(dunused) is Value and dunused.data == 0.0
    assert grad(dunused, [x, unused]) == [0.0, 0.0]
    assert grad(dx, x) == 2.0


def test_grad_with_respect_to_inner_nodes_and_itself():
    """grad reaches inner nodes too (dc/db for c = b + b is 2), and d(y)/d(y) is 1."""
    a = Value(3.0)
    b = a + a
    c = b + b
    assert grad(c, [b, a, c]) == [2.0, 4.0, 1.0]
    assert grad(a, a) == 1.0


def test_single_input_gives_single_result():
    """A single Value input returns one number (or Value), a list of one returns a list."""
    x = Value(3.0)
    y = x * x
    assert grad(y, x) == 6.0
    assert grad(y, [x]) == [6.0]
    assert grad(y, (v for v in [x])) == [6.0]
    assert type(grad(y, x, create_graph=True)) is Value


def test_create_graph_through_constant_slope_ops():
    """Ops with a plain-number operand (x*c, c-x, x/c, c/x, x**c, c**x) differentiate twice correctly."""
    x0 = 0.6
    x = Value(x0)
    y = (x * 3) * (2 - x) / 4 + 1 / x + x ** 2.5 + 2 ** x       # 3x(2 - x)/4 + 1/x + x^2.5 + 2^x
    first = grad(y, x, create_graph=True)
    second = grad(first, x)
    expected_first = (6 - 6 * x0) / 4 - 1 / x0 ** 2 + 2.5 * x0 ** 1.5 + math.log(2) * 2 ** x0
    expected_second = -6 / 4 + 2 / x0 ** 3 + 3.75 * x0 ** 0.5 + math.log(2) ** 2 * 2 ** x0
    assert math.isclose(first.data, expected_first, rel_tol=1e-12)
    assert math.isclose(second, expected_second, rel_tol=1e-12)


def test_second_derivative_at_the_edge_of_pow_does_not_raise():
    """At x = 0, x**0 and x**0.5 differentiate twice: slopes 0 and inf, like the first pass."""
    x = Value(0.0)
    (d_const,) = grad(x ** 0, [x], create_graph=True)
    (d_sqrt,) = grad(x ** 0.5, [x], create_graph=True)
    assert d_const.data == 0.0
    assert d_sqrt.data == math.inf


def test_create_graph_inside_no_grad_still_differentiates_twice():
    """grad(create_graph=True) records its graph even inside no_grad, as PyTorch does."""
    x = Value(2.0)
    y = x ** 3
    with no_grad():
        (dy,) = grad(y, [x], create_graph=True)
    assert grad(dy, [x]) == [12.0]
