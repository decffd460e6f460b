"""Numbers from anywhere (int, float, numpy scalars, 0-d arrays, any numbers.Real) as plain floats and ints.

numpy is never imported here: an array is recognised by its `ndim` and read with `item()`, so numpy
stays optional, and only code that already holds numpy objects ever touches it.
"""
import numbers

from autograd.core.rowmath import real_number as any_real_number


class NumberTypeError(TypeError, ValueError):
    """A value of the wrong type where nn needs a number.

    A TypeError, as the wrong type is; also a ValueError, which the losses raised for a bad target
    before they took numpy numbers, so code that caught that still catches it.
    """


def real_number(x, what, expected="a real number"):
    """`x` as a float if it is a real number (bool excluded) or a 0-d array holding one.

    bool, complex, str, None and arrays that are not 0-d raise NumberTypeError (a TypeError):
    "{what} must be {expected}, got {the type}: {x}".
    >>> real_number(3, "the target"), real_number(0.5, "the target")
    (3.0, 0.5)
    >>> real_number(True, "the target")
    Traceback (most recent call last):
    ...
    nn.reals.NumberTypeError: the target must be a real number, got bool: True
    """
    try:
        number = any_real_number(x)                            # the engine's own rule of what is a number
    except OverflowError:
        raise ValueError(f"{what} is too large for a float: {x!r}") from None
    if number is None:
        raise NumberTypeError(f"{what} must be {expected}, got {_describe(x)}")
    return number


def whole_number(x, what):
    """`x` as an int if it is integral (a numbers.Integral, bool excluded) or a 0-d integer array.

    >>> whole_number(2, "the class index")
    2
    >>> whole_number(2.0, "the class index")
    Traceback (most recent call last):
    ...
    nn.reals.NumberTypeError: the class index must be an int, got float: 2.0
    """
    if type(x) is int:
        return x
    if isinstance(x, numbers.Integral) and not isinstance(x, bool):
        return int(x)
    if getattr(x, "ndim", None) == 0 and hasattr(x, "item"):
        inside = x.item()
        if isinstance(inside, numbers.Integral) and not isinstance(inside, bool):
            return int(inside)
    raise NumberTypeError(f"{what} must be an int, got {_describe(x)}")


def as_list(items, what):
    """A list, tuple or 1-d array as a list; None for anything else (a single item, say).

    An array of 2 or more dimensions raises NumberTypeError naming its shape: it is not one row of
    numbers, and reading its rows as numbers would fail later with a vaguer message.
    >>> as_list((1, 2), "targets"), as_list(3.0, "targets")
    ([1, 2], None)
    """
    if isinstance(items, (list, tuple)):
        return list(items)
    dimensions = getattr(items, "ndim", None)
    if not isinstance(dimensions, int) or isinstance(items, (str, bytes)):
        return None
    if dimensions == 1:
        return list(items)
    if dimensions >= 2:
        raise NumberTypeError(f"{what} must be a list or a 1-d array, got {_describe(items)}")
    return None


def _describe(x):
    """The type of `x` for an error message: with its shape and dtype if it is an array of 1 or more dimensions."""
    shape, dtype = getattr(x, "shape", None), getattr(x, "dtype", None)
    if isinstance(shape, tuple) and shape and dtype is not None:
        return f"{type(x).__name__} of shape {shape} and dtype {dtype}"
    return f"{type(x).__name__}: {x!r}"


def positive_size(what, n):
    """A layer or table size as an int: a positive whole number (an int or a numpy int, not a bool or a float).

    >>> positive_size("Layer nout", 3)
    3
    >>> positive_size("Layer nout", 0)
    Traceback (most recent call last):
    ...
    ValueError: Layer nout must be a positive int, got 0
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"{what} must be a positive int, got {type(n).__name__}: {n!r}")
    if n <= 0:
        raise ValueError(f"{what} must be a positive int, got {n}")
    return int(n)
