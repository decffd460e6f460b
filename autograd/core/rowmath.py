"""The functions an op row's expressions call: Python's math with errors that name the op and operand.

Each works on floats (what a node stores) and on Values (what `create_graph=True` differentiates),
so one expression of a row serves both. Compiled programs call the float side of the same functions.
"""
import math
import numbers


def real_number(x):
    """x as a float if it is a real number (numpy scalars and 0-d arrays too; bool excluded), else None.

    >>> real_number(3), real_number(2.5), real_number(True), real_number("1")
    (3.0, 2.5, None, None)
    """
    if type(x) is float:
        return x
    if isinstance(x, bool):
        return None
    if isinstance(x, numbers.Real):
        try:
            return float(x)
        except OverflowError:
            raise OverflowError(f"an int of {int(x).bit_length()} bits is too large for a float") from None
    if getattr(x, "ndim", None) == 0 and hasattr(x, "item"):   # a 0-d array: the number inside it
        if getattr(x, "requires_grad", False):
            raise TypeError(f"a {type(x).__name__} that requires_grad cannot become a number of a Value: reading "
                            f"its number would silently cut its own graph. Use t.detach() or t.item() if you "
                            f"mean the number")
        inside = x.item()
        return None if inside is x else real_number(inside)
    return None


def not_a_number(x):
    """What an operator of Value answers for an operand that is not a real number.

    NotImplemented, so Python can try the other operand's method (and then raise its TypeError),
    except for an array of numbers, which is refused here by name: a Value holds one number.
    >>> not_a_number("a")
    NotImplemented
    """
    shape = getattr(x, "shape", None)
    if shape:
        raise TypeError(f"unsupported operand: a Value and a {type(x).__name__} of shape {tuple(shape)} "
                        f"(a Value holds one number; combine it with the array's elements one by one)")
    return NotImplemented


def _float(x):
    """The float of a float or of a Value."""
    return x if type(x) is float else x.data


def divide(a, b):
    """a / b, with the operands named when b is 0.

    >>> divide(1.0, 4.0)
    0.25
    """
    if type(a) is not float or type(b) is not float:
        return a / b
    if b == 0.0:
        raise ZeroDivisionError(f"division by zero: {a!r} / {b!r}")
    return a / b


def power(a, b):
    """a ** b as a real number, with the operands named when it is not one.

    >>> power(2.0, 0.5) == 2.0 ** 0.5
    True
    """
    if type(a) is not float or type(b) is not float:
        return a ** b
    if a < 0.0 and math.isfinite(b) and not b.is_integer():
        raise ValueError(f"pow: negative base {a!r} with non-integer exponent {b!r} is not a real number")
    if a == 0.0 and b < 0.0:
        raise ZeroDivisionError(f"pow: {a!r} ** {b!r} divides by zero")
    try:
        return a ** b
    except OverflowError:
        raise OverflowError(f"pow: {a!r} ** {b!r} overflows a float") from None


def power_slope(a, b):
    """d(a^b)/da = b a^(b-1): 0 for b = 0, and an infinite slope where a^(b-1) blows up at a = 0.

    >>> power_slope(3.0, 2.0), power_slope(0.0, 0.5), power_slope(5.0, 0.0)
    (6.0, inf, 0.0)
    """
    a0, b0 = _float(a), _float(b)
    if b0 == 0.0:
        return 0.0
    if a0 == 0.0 and b0 < 1.0:
        return math.inf                                        # the slope of sqrt(a) at 0, say
    if type(a) is not float or type(b) is not float:
        return b * a ** (b - 1.0)
    try:
        return b0 * a0 ** (b0 - 1.0)
    except OverflowError:                                      # the value is finite, its slope is not
        odd = a0 < 0.0 and (b0 - 1.0) % 2.0 == 1.0
        return math.copysign(math.inf, -b0 if odd else b0)


def log_of_base(a):
    """ln a for d(a^b)/db = a^b ln a: 0 at a = 0 (where a^b is 0), nan for a < 0 (not real)."""
    a0 = _float(a)
    if a0 > 0.0:
        return log(a)
    return 0.0 if a0 == 0.0 else math.nan


def exp(x):
    """e^x, with the operand named when it overflows.

    >>> exp(0.0)
    1.0
    """
    if type(x) is not float:
        return x.exp()
    try:
        return math.exp(x)
    except OverflowError:
        raise OverflowError(f"exp: exp({x!r}) overflows a float") from None


def log(x):
    """ln x, with the operand named outside x > 0.

    >>> log(1.0)
    0.0
    """
    if type(x) is not float:
        return x.log()
    if x <= 0.0:
        raise ValueError(f"log: math domain error, log({x!r}) needs x > 0")
    return math.log(x)


def sqrt(x):
    """√x, with the operand named when x < 0.

    >>> sqrt(4.0)
    2.0
    """
    if type(x) is not float:
        return x.sqrt()
    if x < 0.0:
        raise ValueError(f"sqrt: math domain error, sqrt({x!r}) needs x >= 0")
    return math.sqrt(x)


def sin(x):
    """sin x, with the operand named when it is infinite.

    >>> sin(0.0)
    0.0
    """
    return x.sin() if type(x) is not float else _periodic(math.sin, x)


def cos(x):
    """cos x, with the operand named when it is infinite.

    >>> cos(0.0)
    1.0
    """
    return x.cos() if type(x) is not float else _periodic(math.cos, x)


def _periodic(function, x):
    """sin or cos of a float, with Python's domain error for ±inf named."""
    if math.isinf(x):
        raise ValueError(f"{function.__name__}: math domain error, {function.__name__}({x!r}) is undefined")
    return function(x)


def tanh(x):
    """tanh x (it never overflows).

    >>> tanh(0.0)
    0.0
    """
    return math.tanh(x) if type(x) is float else x.tanh()


def sigmoid(x):
    """1 / (1 + e^-x), never raising e to a large positive power.

    >>> sigmoid(0.0), sigmoid(-1000.0)
    (0.5, 0.0)
    """
    if type(x) is not float:
        return x.sigmoid()
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def sign(x):
    """-1.0, 0.0 or 1.0 (a constant, also for a Value: its derivative is 0 almost everywhere).

    >>> sign(-3.0), sign(0.0), sign(2.5)
    (-1.0, 0.0, 1.0)
    """
    x = _float(x)
    return math.copysign(1.0, x) if x != 0.0 else 0.0


def nonzero(x):
    """x != 0 for a float or a Value (a Value has no ==: it compares by identity).

    >>> nonzero(0.0), nonzero(-2.0)
    (False, True)
    """
    return _float(x) != 0.0


def logsumexp(xs):
    """log Σ e^x over floats, stable: the largest is taken out first.

    >>> round(logsumexp([1000.0, 1000.0]) - 1000.0, 6)
    0.693147
    """
    largest = max(xs)
    if math.isinf(largest):
        return largest
    return largest + math.log(sum([math.exp(x - largest) for x in xs]))


inf = math.inf

# Every name a row's expression may use (the builtin abs too), for the functions the engine builds
# from the rows and for the code the compiler generates.
NAMESPACE = {function.__name__: function for function in
             (divide, power, power_slope, log_of_base, exp, log, sqrt, sin, cos, tanh, sigmoid, sign,
              nonzero, logsumexp, abs)}
NAMESPACE["inf"] = inf
