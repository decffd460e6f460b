"""`Module`: the base of every model, which finds its parameters and saves or restores their values."""
import math
import re
from collections.abc import Mapping

from autograd import Value

from .reals import real_number


class Module:
    """Anything with parameters. Its parameters are the Values found in its attributes, in order.

    An attribute that is a Value is a parameter; one that is a Module, or a list or tuple of Values
    and Modules, is searched in turn, so a subclass only has to store its pieces as attributes:

    >>> class Scale(Module):
    ...     def __init__(self):
    ...         self.factor = Value(2.0)
    ...     def __call__(self, x):
    ...         return self.factor * x
    >>> model = Scale()
    >>> model.named_parameters()
    [('factor', Value(data=2.0, grad=0.0))]
    >>> model.state_dict()
    {'factor': 2.0}
    """

    def named_parameters(self):
        """(name, Value) for every parameter; a name is the attribute path, e.g. 'layers.0.neurons.3.b'.

        A Value reached twice (a shared weight) is listed once, under its first name, and each
        Module is searched once, so a module shared by two parents, or a reference back to a parent,
        adds nothing the second time (as in torch).
        >>> parent = Module(); parent.child = Module(); parent.child.weight = Value(1.0)
        >>> parent.child.parent = parent; parent.same_child = parent.child
        >>> parent.named_parameters()
        [('child.weight', Value(data=1.0, grad=0.0))]
        """
        return [(name, item) for name, item in _walk(self) if type(item) is Value]

    def named_modules(self):
        """(name, Module) for this module (named '') and every Module under it, in the same walk as
        `named_parameters()` (depth first, in attribute order, each once), as torch's `named_modules`.

        >>> import random, nn; random.seed(0)
        >>> [name for name, _ in nn.MLP(2, [3, 1]).named_modules()][:4]
        ['', 'layers.0', 'layers.0.neurons.0', 'layers.0.neurons.1']
        """
        return [("", self)] + [(name, item) for name, item in _walk(self) if type(item) is not Value]

    def parameters(self):
        """Every parameter (a Value) of the model, in the order of `named_parameters()`."""
        return [parameter for _, parameter in self.named_parameters()]

    def zero_grad(self):
        """Set every parameter's gradient to 0 (backward() adds to it, so do this before each pass).

        >>> x = Value(3.0); model = Module(); model.weight = Value(2.0)
        >>> (model.weight * x).backward(); model.weight.grad
        3.0
        >>> model.zero_grad(); model.weight.grad
        0.0
        """
        for parameter in self.parameters():
            parameter.grad = 0.0

    def state_dict(self):
        """The parameters' values as a new {name: float} dict (a snapshot: later training won't change it).

        >>> model = Module(); model.weight = Value(2.0)
        >>> model.state_dict()
        {'weight': 2.0}
        """
        return {name: parameter.data for name, parameter in self.named_parameters()}

    def load_state_dict(self, state):
        """Set every parameter from a {name: number} dict such as `state_dict()` gives; returns self.

        Everything is checked before anything is set, so on an error the model is unchanged:
        a missing name raises KeyError, an unknown name or a NaN/inf value ValueError, and a value
        that is not a real number (a bool or a str, say) TypeError.
        >>> model = Module(); model.weight = Value(2.0)
        >>> model.load_state_dict({"weight": 5.0}).weight.data
        5.0
        >>> model.load_state_dict({"weight": True})
        Traceback (most recent call last):
        ...
        nn.reals.NumberTypeError: parameter 'weight' must be a real number, got bool: True
        """
        if not isinstance(state, Mapping):
            raise TypeError(f"load_state_dict needs a dict of name -> number, got {type(state).__name__}")
        named = self.named_parameters()
        values = checked_state_values(named, state, f"this {type(self).__name__}", "the state dict")
        for (_, parameter), value in zip(named, values):
            parameter.data = value
        return self

    def architecture(self):
        """A JSON-ready description of the model's shape, stored by `nn.save` and checked by `nn.load`.

        >>> Module().architecture()
        {'type': 'Module'}
        """
        return {"type": type(self).__name__}

    def __repr__(self):
        return f"{type(self).__name__}({len(self.parameters())} parameters)"

    def _repr_html_(self):
        from autograd.views.display import module_html              # notebooks: a compact summary
        return module_html(self)


def checked_state_values(named, state, owner, source):
    """The values of `state` in the order of `named` as floats, after checking every name and value.

    A name of `named` absent from `state` raises KeyError; a name `owner` does not have, ValueError;
    a bad value, TypeError or ValueError (see checked_parameter_value). `source` names the state.
    """
    missing = [name for name, _ in named if name not in state]
    if missing:
        raise KeyError(f"{source} lacks {len(missing)} of the {len(named)} parameters of {owner}: "
                       f"{_some(missing)}")
    known = {name for name, _ in named}
    unknown = [name for name in state if name not in known]
    if unknown:
        raise ValueError(f"{source} has {len(unknown)} parameter name(s) that {owner} does not have: "
                         f"{_some(unknown)}")
    return [checked_parameter_value(name, state[name]) for name, _ in named]


def checked_parameter_value(name, value):
    """`value` as a float if it is a finite real number; TypeError or ValueError naming `name` if not.

    >>> checked_parameter_value("b", 1)
    1.0
    >>> checked_parameter_value("b", float("nan"))
    Traceback (most recent call last):
    ...
    ValueError: parameter 'b' must be finite, got nan
    """
    number = real_number(value, f"parameter {name!r}")
    if not math.isfinite(number):
        raise ValueError(f"parameter {name!r} must be finite, got {number!r}")
    return number


def python_path(path):
    """A dotted path of `named_parameters()` or `named_modules()` as Python writes it: indices in brackets.

    >>> python_path("layers.0.neurons.3.w.1"), python_path("neurons.2.b")
    ('layers[0].neurons[3].w[1]', 'neurons[2].b')
    """
    return re.sub(r"\.(\d+)", r"[\1]", path)


def _walk(module):
    """(name, Value or Module) for every parameter and every Module under `module`, depth first in
    attribute order (a Module comes before what it holds).

    Every Value, Module, list and tuple is visited once (by identity): a second path to it, a
    cycle through a back-reference included, is skipped. The walk keeps its own stack, so a deep
    chain of modules needs no deep recursion.
    """
    found, seen = [], {id(module)}
    stack = [("", iter(vars(module).items()))]
    while stack:
        prefix, items = stack[-1]
        for name, item in items:
            if id(item) in seen:
                continue
            if type(item) is Value:
                seen.add(id(item))
                found.append((prefix + name, item))
            elif isinstance(item, Module):
                seen.add(id(item))
                found.append((prefix + name, item))
                stack.append((f"{prefix}{name}.", iter(vars(item).items())))
                break
            elif isinstance(item, (list, tuple)):
                seen.add(id(item))
                stack.append((f"{prefix}{name}.", ((str(index), inner) for index, inner in enumerate(item))))
                break
        else:
            stack.pop()
    return found


def _some(names, shown=5):
    """A short listing of names for an error message: the first few, then how many more."""
    listed = ", ".join(repr(name) for name in names[:shown])
    return listed + (f" and {len(names) - shown} more" if len(names) > shown else "")
