"""primitive(): new ops from a float function and its derivative, first and higher order, and bad arguments."""
import gc
import math
import pickle

import pytest

from autograd import Value, grad, gradcheck, primitive
from autograd.core import engine
from torch_reference import close, flatten, our_partials, run_ours, run_torch, torch, torch_partials

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")

cube = primitive("test_primitive_cube", lambda x: x ** 3, lambda x: 3 * x ** 2)
hypot = primitive("test_primitive_hypot", math.hypot,
                  lambda x, y: (x / (x * x + y * y) ** 0.5, y / (x * x + y * y) ** 0.5))
softplus = primitive("test_primitive_softplus", lambda x: math.log1p(math.exp(x)),
                     lambda x: 1 / (1 + math.e ** -x))         # operators only: works on floats and Values
math_sin = primitive("test_primitive_math_sin", math.sin, lambda x: math.cos(x))


def test_new_op_works_at_once_with_values_and_numbers():
    """The op takes Values, ints and floats, records its name, one edge per input and df as local grad."""
    x = Value(2.0)
    y = cube(x)
    assert (y.data, y.op, y.parents, y.local_grads) == (8.0, "test_primitive_cube", (x,), (12.0,))
    assert cube(3).data == 27.0 and cube(-0.5).data == -0.125
    assert cube.__name__ == "test_primitive_cube"
    (cube(x) * 2 + 1).backward()
    assert x.grad == 24.0


def test_op_with_several_inputs_and_a_plain_number():
    """df returns one derivative per input; a number operand becomes a leaf parent."""
    x = Value(3.0)
    r = hypot(x, 4.0)
    assert r.data == 5.0
    assert r.parents[0] is x and r.parents[1].data == 4.0 and r.parents[1].is_leaf()
    r.backward()
    assert math.isclose(x.grad, 3.0 / 5.0, rel_tol=1e-15)
    assert math.isclose(r.parents[1].grad, 4.0 / 5.0, rel_tol=1e-15)


def test_df_may_return_a_list():
    """A list from df counts like a tuple."""
    scaled_sum = primitive("test_primitive_scaled_sum", lambda a, b: 2 * a + 3 * b, lambda a, b: [2.0, 3.0])
    a, b = Value(1.0), Value(1.0)
    scaled_sum(a, b).backward()
    assert (a.grad, b.grad) == (2.0, 3.0)


@needs_torch
@pytest.mark.parametrize("point", [(0.7, -1.3), (-2.0, 0.5), (1.5, 2.5)])
def test_primitives_inside_an_expression_match_torch(point):
    """Primitives composed with builtin ops give the same value and gradients as the torch expression."""
    ours, our_grads = run_ours(lambda x, y: (hypot(x, y) * x).tanh() + softplus(y) * cube(x) + math_sin(y), point)
    theirs, their_grads = run_torch(
        lambda x, y: ((x * x + y * y).sqrt() * x).tanh() + (1 + y.exp()).log() * x ** 3 + y.sin(), point)
    assert close(ours, theirs)
    assert all(close(a, b) for a, b in zip(our_grads, their_grads)), (our_grads, their_grads)


def test_primitive_passes_gradcheck():
    """A correct df passes gradcheck, with one and with several inputs."""
    assert gradcheck(lambda x, y: hypot(x, y) * softplus(x) + cube(y), [0.8, -1.1])


def test_higher_order_with_an_operator_only_derivative():
    """df written with operators is differentiable again: cube'' = 6x, cube''' = 6."""
    x = Value(-1.25)
    first = grad(cube(x), x, create_graph=True)
    second = grad(first, x, create_graph=True)
    assert first.data == 3 * 1.25 ** 2 and second.data == 6 * -1.25
    assert grad(second, x) == 6.0


@needs_torch
def test_higher_order_of_primitives_matches_torch():
    """Hessians and third derivatives through hypot and softplus match torch double backward."""
    def ours(x, y):
        return hypot(x, y) * softplus(x * y)

    def theirs(x, y):
        return (x * x + y * y).sqrt() * (1 + (x * y).exp()).log()

    for point in [(0.6, -1.2), (1.4, 0.3)]:
        for order in (2, 3):
            a, b = flatten(our_partials(ours, point, order)), flatten(torch_partials(theirs, point, order))
            assert all(close(p, q, rel_tol=1e-9, abs_tol=1e-10) for p, q in zip(a, b)), (point, order, a, b)


def test_math_derivative_works_first_order_and_refuses_create_graph_clearly():
    """df using math.* backpropagates, but create_graph=True raises a TypeError naming the op."""
    x = Value(0.4)
    y = math_sin(x)
    assert grad(y, x) == math.cos(0.4)
    with pytest.raises(TypeError, match="test_primitive_math_sin.*create_graph"):
        grad(y * 2, x, create_graph=True)


@pytest.mark.parametrize("name, f, df, error, words", [
    pytest.param("test_primitive_bad_f", 3.0, lambda x: 1.0, TypeError, "callable", id="f not callable"),
    pytest.param("test_primitive_bad_df", math.sin, None, TypeError, "callable", id="df not callable"),
    pytest.param("", math.sin, math.cos, TypeError, "name", id="empty name"),
    pytest.param(3, math.sin, math.cos, TypeError, "name", id="name not a str"),
    pytest.param("exp", math.sin, math.cos, ValueError, "built-in", id="builtin exp"),
    pytest.param("+", math.sin, math.cos, ValueError, "built-in", id="builtin +"),
    pytest.param("**", math.sin, math.cos, ValueError, "built-in", id="builtin **"),
    pytest.param("wx+b", math.sin, math.cos, ValueError, "built-in", id="builtin wx+b"),
    pytest.param("tanh", math.sin, math.cos, ValueError, "built-in", id="builtin tanh"),
])
def test_bad_arguments_raise_and_register_nothing(name, f, df, error, words):
    """A non-callable f or df, a bad name or a built-in op's name raises and leaves the op table as it was."""
    rows_before = dict(engine.OPS)
    with pytest.raises(error, match=words):
        primitive(name, f, df)
    assert engine.OPS == rows_before


def test_df_returning_the_wrong_count_raises_and_makes_no_node():
    """df giving one derivative for two inputs is a ValueError naming the op and both counts; no node is made."""
    wrong = primitive("test_primitive_wrong_count", lambda a, b: a * b, lambda a, b: b)
    a, b = Value(2.0), Value(3.0)
    gc.disable()
    try:
        young = sum(1 for obj in gc.get_objects(generation=0) if type(obj) is Value)
        with pytest.raises(ValueError, match="test_primitive_wrong_count.*1 derivatives for 2 inputs"):
            wrong(a, b)
        assert sum(1 for obj in gc.get_objects(generation=0) if type(obj) is Value) == young
    finally:
        gc.enable()
    assert a.is_leaf() and b.is_leaf() and (a.grad, b.grad) == (0.0, 0.0)


def test_f_returning_a_non_number_raises():
    """f must return a real number; otherwise a TypeError names the op."""
    bad = primitive("test_primitive_returns_str", lambda x: "one", lambda x: 0.0)
    with pytest.raises(TypeError, match="test_primitive_returns_str.*real number"):
        bad(Value(1.0))


def test_a_name_cannot_be_defined_twice():
    """Nodes find their rule by name, so a second definition of a name is refused."""
    primitive("defined_once", lambda v: 2 * v, lambda v: 2.0)
    with pytest.raises(ValueError, match="already defined"):
        primitive("defined_once", lambda v: 3 * v, lambda v: 3.0)


def test_df_returning_a_value_on_floats_is_refused():
    """On the float path df must give numbers; a Value would end up inside .grad."""
    op = primitive("value_slope", lambda v: 2 * v, lambda v: Value(2.0))
    with pytest.raises(TypeError, match="value_slope"):
        op(Value(1.0))


def test_unknown_op_after_unpickling_is_not_treated_as_constant():
    """A node whose op has no rule here cannot be differentiated twice: an error, not a silent 0."""
    x = Value(1.5)
    y = pickle.loads(pickle.dumps(x ** 3 + 0.0))                # rebuilt with a row named as here: fine
    y._op = engine.Unknown("from_elsewhere")                   # as a primitive of another session comes back
    x = y.parents[0].parents[0]
    assert grad(y, x) == 3 * 1.5 ** 2
    with pytest.raises(ValueError, match="from_elsewhere"):
        grad(y, x, create_graph=True)


def test_df_returning_a_non_number_raises_before_any_node():
    """df returning None or a str is a TypeError naming the op, raised when the node is made."""
    for n, bad in enumerate((None, "one")):
        op = primitive(f"bad_df_{n}", lambda v: v, lambda v, bad=bad: bad)
        with pytest.raises(TypeError, match=f"bad_df_{n}"):
            op(Value(1.0))
