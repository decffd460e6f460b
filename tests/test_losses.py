"""Tests of nn's losses: values and gradients against PyTorch float64, stability at ±1000, and bad input."""
import math
import random

import pytest
import torch
import torch.nn.functional as F

from autograd import Value, gradcheck

from nn import binary_cross_entropy, cross_entropy, hinge_loss, mse_loss


def values(numbers):
    return [Value(x) for x in numbers]


def ours_and_grads(loss_fn, numbers, *args):
    """Our loss on fresh Values made from `numbers`: (loss float, gradient list)."""
    xs = values(numbers)
    loss = loss_fn(xs, *args)
    loss.backward()
    return loss.data, [x.grad for x in xs]


def torch_and_grads(loss_fn, numbers):
    """A PyTorch loss (a function of one float64 tensor) and its gradient as lists."""
    x = torch.tensor(numbers, dtype=torch.float64, requires_grad=True)
    loss = loss_fn(x)
    loss.backward()
    return loss.item(), x.grad.tolist()


def assert_matches(ours, theirs):
    (our_loss, our_grads), (their_loss, their_grads) = ours, theirs
    assert math.isfinite(our_loss) and all(math.isfinite(g) for g in our_grads)
    assert our_loss == pytest.approx(their_loss, rel=1e-12, abs=1e-15)
    assert our_grads == pytest.approx(their_grads, rel=1e-12, abs=1e-15)


# ---- mean squared error ---------------------------------------------------------------------------
def test_mse_matches_torch():
    """mse_loss is the mean of squared errors, value and gradient equal to torch's MSELoss."""
    rng = random.Random(0)
    predictions = [rng.uniform(-3, 3) for _ in range(7)]
    targets = [rng.uniform(-3, 3) for _ in range(7)]
    assert_matches(ours_and_grads(mse_loss, predictions, targets),
                   torch_and_grads(lambda x: F.mse_loss(x, torch.tensor(targets, dtype=torch.float64)),
                                   predictions))


def test_mse_single_value_and_value_targets():
    """A single Value with a float target works (no lists), and a Value target gets its gradient too."""
    p = Value(3.0)
    loss = mse_loss(p, 1.0)
    loss.backward()
    assert (loss.data, p.grad) == (4.0, 4.0)                          # (3 - 1)², d/dp = 2 (p - t)
    p, t = Value(3.0), Value(1.0)
    mse_loss([p], [t]).backward()
    assert (p.grad, t.grad) == (4.0, -4.0)


# ---- hinge ------------------------------------------------------------------------------------------
def test_hinge_matches_torch():
    """hinge_loss = mean relu(1 − y·s), value and gradient equal to torch's clamp-based formula."""
    scores = [2.5, 0.3, -0.4, -3.0, 0.9, -0.2]                      # none exactly on the margin
    labels = [1, 1, -1, 1, -1, 1.0]
    y = torch.tensor(labels, dtype=torch.float64)
    assert_matches(ours_and_grads(hinge_loss, scores, labels),
                   torch_and_grads(lambda s: torch.clamp(1 - y * s, min=0).mean(), scores))


def test_hinge_is_zero_beyond_the_margin():
    """Scores on the right side by more than 1 cost nothing and get no gradient."""
    loss, grads = ours_and_grads(hinge_loss, [1.5, -2.0], [1, -1])
    assert loss == 0.0 and grads == [0.0, 0.0]


# ---- binary cross-entropy on logits ------------------------------------------------------------------
@pytest.mark.parametrize("logits, targets", [
    ([0.3, -1.2, 2.0, -0.1], [1, 0, 0, 1]),
    ([1000.0, -1000.0, 1000.0, -1000.0], [1, 0, 0, 1]),               # huge |logit|, right and wrong
    ([50.0, -50.0, 35.5, -709.0, 800.0], [0.0, 1.0, 0.25, 0.5, 1.0]),  # soft targets too
    ([0.0, 0.0, 0.0], [0, 1, 0.5]),                                     # z = 0: gradient σ(0) − t = 0.5 − t
])
def test_binary_cross_entropy_matches_torch(logits, targets):
    """binary_cross_entropy equals torch's binary_cross_entropy_with_logits, finite even at |z| = 1000."""
    t = torch.tensor(targets, dtype=torch.float64)
    assert_matches(ours_and_grads(binary_cross_entropy, logits, targets),
                   torch_and_grads(lambda z: F.binary_cross_entropy_with_logits(z, t), logits))


def test_binary_cross_entropy_gradient_is_sigmoid_minus_target():
    """d loss / d z = (σ(z) − t) / n, computed independently from the closed form."""
    logits, targets = [-3.0, 0.0, 0.5, 12.0], [1, 0, 1, 0]
    _, grads = ours_and_grads(binary_cross_entropy, logits, targets)
    expected = [(1 / (1 + math.exp(-z)) - t) / len(logits) for z, t in zip(logits, targets)]
    assert grads == pytest.approx(expected, rel=1e-12)


# ---- softmax cross-entropy ---------------------------------------------------------------------------
@pytest.mark.parametrize("logits, index", [
    ([0.5, -1.0, 2.0], 0),
    ([0.5, -1.0, 2.0], 2),
    ([1000.0, 0.0, -1000.0], 1),                                     # far from the right class
    ([1000.0, 999.0, -1000.0], 0),
    ([-1000.0, -1000.0], 1),
    ([3.0], 0),                                                      # one class: the loss is 0
])
def test_cross_entropy_one_sample_matches_torch(logits, index):
    """cross_entropy on one list of logits equals torch's cross_entropy, finite at ±1000."""
    assert_matches(ours_and_grads(cross_entropy, logits, index),
                   torch_and_grads(lambda z: F.cross_entropy(z.unsqueeze(0), torch.tensor([index])), logits))


def test_cross_entropy_batch_matches_torch():
    """A batch (list of logit lists, list of indices) gives the mean loss and gradients torch gives."""
    rng = random.Random(3)
    batch = [[rng.uniform(-5, 5) for _ in range(4)] for _ in range(5)] + [[-1000.0, 1000.0, 0.0, 2.0]]
    indices = [0, 3, 1, 2, 2, 0]
    xs = [values(row) for row in batch]
    loss = cross_entropy(xs, indices)
    loss.backward()
    z = torch.tensor(batch, dtype=torch.float64, requires_grad=True)
    torch_loss = F.cross_entropy(z, torch.tensor(indices))
    torch_loss.backward()
    assert loss.data == pytest.approx(torch_loss.item(), rel=1e-12)
    assert [v.grad for row in xs for v in row] == pytest.approx(z.grad.flatten().tolist(), rel=1e-12, abs=1e-15)


def test_cross_entropy_gradients_pass_finite_differences():
    """Each loss's gradient matches central finite differences (autograd.gradcheck)."""
    assert gradcheck(lambda a, b, c: cross_entropy([a, b, c], 1), [0.2, -0.7, 1.1])
    assert gradcheck(lambda a, b: binary_cross_entropy([a, b], [1, 0.3]), [0.4, -2.0])
    assert gradcheck(lambda a, b: mse_loss([a, b], [1.0, -1.0]), [0.4, -2.0])


# ---- bad input ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("call, words", [
    (lambda: mse_loss(values([1, 2]), [1.0]), "2 predictions but 1 targets"),
    (lambda: mse_loss([], []), "empty"),
    (lambda: hinge_loss(values([1, 2]), [1, 1, -1]), "2 predictions but 3 targets"),
    (lambda: hinge_loss(values([1, 2]), [1, 0]), "index 1"),
    (lambda: hinge_loss(values([1]), [2]), r"\+1 or -1"),
    (lambda: hinge_loss(values([1]), [True]), r"\+1 or -1"),
    (lambda: hinge_loss([], []), "empty"),
    (lambda: binary_cross_entropy(values([1]), [2]), r"\[0, 1\]"),
    (lambda: binary_cross_entropy(values([1, 2]), [1, -0.5]), "index 1"),
    (lambda: binary_cross_entropy(values([1]), ["1"]), r"\[0, 1\]"),
    (lambda: binary_cross_entropy(values([1]), [False]), r"\[0, 1\]"),
    (lambda: binary_cross_entropy(values([1, 2]), [1]), "2 predictions but 1 targets"),
    (lambda: cross_entropy(values([1, 2]), 2), "out of range"),
    (lambda: cross_entropy(values([1, 2]), -1), "out of range"),
    (lambda: cross_entropy(values([1, 2]), 1.0), "must be an int"),
    (lambda: cross_entropy(values([1, 2]), True), "must be an int"),
    (lambda: cross_entropy([], 0), "non-empty"),
    (lambda: cross_entropy([values([1, 2]), values([3, 4])], [0]), "2 logit lists but 1"),
    (lambda: cross_entropy([values([1, 2])], 0), "needs a list of class indices"),
    (lambda: cross_entropy([values([1, 2]), []], [0, 0]), "non-empty"),
])
def test_bad_input_raises_value_error_naming_it(call, words):
    """Mismatched lengths, empty inputs and bad labels raise ValueError saying what is wrong."""
    with pytest.raises(ValueError, match=words):
        call()


def test_non_number_prediction_raises_type_error():
    """A prediction that is not a Value or number raises TypeError."""
    with pytest.raises(TypeError):
        mse_loss(["a"], [1.0])


def test_mse_loss_names_a_bad_target():
    """A bool, a str or a nan target is a ValueError that names its index."""
    for bad in (True, "1.0", float("nan")):
        with pytest.raises(ValueError, match=r"targets\[1\]"):
            mse_loss([Value(1.0), Value(2.0)], [0.0, bad])
