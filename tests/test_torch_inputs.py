"""Torch tensors as numbers: one that requires grad is refused (its graph would be cut silently); a plain 0-d one is a number."""
import operator

import pytest

from autograd import Value
from torch_reference import torch

OPERATORS = [operator.add, operator.sub, operator.mul, operator.truediv, operator.pow, operator.lt, operator.ge]


def test_value_of_a_tensor_that_requires_grad_is_refused():
    """Value(t) with t.requires_grad names the problem and the way out (.detach() or .item())."""
    t = torch.tensor(2.0, requires_grad=True)
    with pytest.raises(TypeError) as error:
        Value(t)
    assert "requires_grad" in str(error.value) and ".detach()" in str(error.value) and ".item()" in str(error.value)


@pytest.mark.parametrize("op", OPERATORS, ids=lambda op: op.__name__)
def test_operators_with_a_tensor_that_requires_grad_are_refused(op):
    """Value ∘ t raises TypeError instead of reading t.item() and cutting torch's graph."""
    t = torch.tensor(2.0, requires_grad=True)
    with pytest.raises(TypeError) as error:
        op(Value(3.0), t)
    assert "requires_grad" in str(error.value)


@pytest.mark.parametrize("op", [operator.add, operator.mul], ids=lambda op: op.__name__)
def test_a_tensor_that_requires_grad_on_the_left_is_refused_too(op):
    """t ∘ Value: torch hands over to Value or fails; either way no Value silently detached from t comes out."""
    t = torch.tensor(2.0, requires_grad=True)
    with pytest.raises(TypeError):
        op(t, Value(3.0))


def test_a_plain_zero_d_tensor_is_a_number():
    """A 0-d tensor that does not require grad works like a 0-d numpy array."""
    t = torch.tensor(2.0, dtype=torch.float64)
    assert Value(t).data == 2.0 and (Value(3.0) * t).data == 6.0
    assert (Value(3.0) * torch.tensor(2.0, requires_grad=True).detach()).data == 6.0
