"""Tests of nn's optimizers: SGD and Adam step by step against torch.optim (float64), and bad arguments."""
import random

import pytest
import torch

from autograd import Value

from nn import MLP, SGD, Adam


def run_side_by_side(make_ours, make_theirs, steps=6, size=5, seed=0):
    """Feed both optimizers the same gradients for several steps; yield both parameter lists after each."""
    rng = random.Random(seed)
    start = [rng.uniform(-2, 2) for _ in range(size)]
    ours = [Value(x) for x in start]
    theirs = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    our_optimizer, their_optimizer = make_ours(ours), make_theirs([theirs])
    for _ in range(steps):
        gradients = [rng.gauss(0, 1) for _ in range(size)]
        for p, g in zip(ours, gradients):
            p.grad = g
        theirs.grad = torch.tensor(gradients, dtype=torch.float64)
        our_optimizer.step()
        their_optimizer.step()
        yield [p.data for p in ours], theirs.detach().tolist()


@pytest.mark.parametrize("options", [
    {},
    {"momentum": 0.9},
    {"weight_decay": 0.1},
    {"momentum": 0.5, "weight_decay": 0.01},
])
def test_sgd_matches_torch_step_by_step(options):
    """SGD (plain, momentum with buf = μ·buf + g, weight decay) follows torch.optim.SGD every step."""
    steps = list(run_side_by_side(lambda ps: SGD(ps, lr=0.1, **options),
                                  lambda ps: torch.optim.SGD(ps, lr=0.1, **options)))
    for ours, theirs in steps:
        assert ours == pytest.approx(theirs, rel=1e-13, abs=1e-15)
    assert steps[0][0] != steps[-1][0]                                  # the parameters did move


@pytest.mark.parametrize("options", [
    {},
    {"lr": 0.01, "betas": (0.8, 0.99)},
    {"lr": 0.05, "weight_decay": 0.1},
    {"lr": 0.1, "betas": (0.0, 0.9), "eps": 1e-4, "weight_decay": 0.01},
])
def test_adam_matches_torch_step_by_step(options):
    """Adam (bias correction, weight decay added to the gradient) follows torch.optim.Adam every step."""
    steps = list(run_side_by_side(lambda ps: Adam(ps, **options), lambda ps: torch.optim.Adam(ps, **options),
                                  steps=8))
    for ours, theirs in steps:
        assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-15)
    assert steps[0][0] != steps[-1][0]


def test_training_an_mlp_matches_torch():
    """Three Adam steps on an MLP's loss give the same weights as torch (our gradients, torch's too)."""
    random.seed(4)
    model = MLP(2, [3, 1], activation="tanh")
    weights = [(torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64,
                             requires_grad=True),
                torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64, requires_grad=True))
               for layer in model.layers]
    ours = Adam(model.parameters(), lr=0.1, weight_decay=0.01)
    theirs = torch.optim.Adam([t for pair in weights for t in pair], lr=0.1, weight_decay=0.01)
    points, targets = [(0.5, -1.0), (2.0, 0.25)], [1.0, -1.0]
    for _ in range(3):
        loss = sum((model(x) - t) ** 2 for x, t in zip(points, targets))
        ours.zero_grad()
        loss.backward()
        ours.step()
        (W1, b1), (W2, b2) = weights
        torch_loss = sum(((W2 @ torch.tanh(W1 @ torch.tensor(x, dtype=torch.float64) + b1) + b2)[0] - t) ** 2
                         for x, t in zip(points, targets))
        theirs.zero_grad()
        torch_loss.backward()
        theirs.step()
    for layer, (W, b) in zip(model.layers, weights):
        for j, neuron in enumerate(layer.neurons):
            assert [w.data for w in neuron.w] == pytest.approx(W[j].tolist(), rel=1e-10)
            assert neuron.b.data == pytest.approx(b[j].item(), rel=1e-10)


def test_zero_grad_and_step_change_only_data_in_place():
    """zero_grad sets gradients to 0; step changes .data of the same Values and records no graph."""
    params = [Value(1.0), Value(-2.0)]
    optimizer = SGD(params, lr=0.5)
    (params[0] * params[1]).backward()                                  # grads: -2, 1
    optimizer.step()
    assert [p.data for p in params] == [2.0, -2.5]
    assert all(p.is_leaf() for p in params) and optimizer.params[0] is params[0]
    optimizer.zero_grad()
    assert [p.grad for p in params] == [0.0, 0.0]
    optimizer.step()                                                    # no gradient, no move
    assert [p.data for p in params] == [2.0, -2.5]


def test_sgd_minimizes_a_quadratic():
    """Repeated SGD steps on (x − 3)² reach x = 3 (a sanity check of the sign of the update)."""
    x = Value(0.0)
    optimizer = SGD([x], lr=0.1, momentum=0.5)
    for _ in range(200):
        optimizer.zero_grad()
        ((x - 3.0) ** 2).backward()
        optimizer.step()
    assert x.data == pytest.approx(3.0, abs=1e-9)


def test_learning_rate_can_change_between_steps():
    """Setting optimizer.lr (a schedule) is used by the next step."""
    x = Value(1.0)
    optimizer = SGD([x], lr=1.0)
    x.grad = 1.0
    optimizer.lr = 0.25
    optimizer.step()
    assert x.data == 0.75


@pytest.mark.parametrize("build, error, words", [
    (lambda p: SGD(p, lr=-0.1), ValueError, "lr"),
    (lambda p: SGD(p, lr="0.1"), TypeError, "lr"),
    (lambda p: SGD(p, lr=0.1, momentum=-0.9), ValueError, "momentum"),
    (lambda p: SGD(p, lr=0.1, weight_decay=float("nan")), ValueError, "weight_decay"),
    (lambda p: Adam(p, betas=(0.9, 1.0)), ValueError, r"betas\[1\]"),
    (lambda p: Adam(p, betas=(-0.1, 0.9)), ValueError, r"betas\[0\]"),
    (lambda p: Adam(p, betas=0.9), TypeError, "betas"),
    (lambda p: Adam(p, eps=-1e-8), ValueError, "eps"),
    (lambda p: SGD([], lr=0.1), ValueError, "empty"),
    (lambda p: SGD(p + [1.0], lr=0.1), TypeError, "parameter 2 is a float"),
    (lambda p: SGD(p + p[:1], lr=0.1), ValueError, "more than once"),
    (lambda p: SGD(MLP(2, [1]), lr=0.1), TypeError, r"model.parameters\(\)"),
    (lambda p: Adam(5), TypeError, "iterable"),
])
def test_bad_arguments_raise_naming_them(build, error, words):
    """Bad hyper-parameters or parameter lists raise a clear error that names the argument."""
    with pytest.raises(error, match=words):
        build([Value(1.0), Value(2.0)])


@pytest.mark.parametrize("build, words", [
    (lambda p: Adam(p, eps=0.0), "eps"),
    (lambda p: Adam(p, eps=-0.0), "eps"),
    (lambda p: Adam(p, lr=-1e-3), "lr"),
    (lambda p: Adam(p, betas=(1.5, 0.9)), r"betas\[0\]"),
    (lambda p: Adam(p, betas=(0.9, -0.5)), r"betas\[1\]"),
    (lambda p: Adam(p, betas=(0.9, float("nan"))), r"betas\[1\]"),
    (lambda p: Adam(p, eps=float("inf")), "eps"),
    (lambda p: SGD(p, lr=float("-inf")), "lr"),
])
def test_invalid_hyperparameters_are_refused_at_construction(build, words):
    """eps <= 0, a negative lr and betas outside [0, 1) raise ValueError when the optimizer is made (as torch.optim)."""
    with pytest.raises(ValueError, match=words):
        build([Value(1.0)])


def test_adam_with_a_zero_gradient_never_divides_by_zero():
    """A parameter whose gradient stays 0 does not move, with the smallest eps allowed."""
    w = Value(1.0)
    optimizer = Adam([w], eps=5e-324)
    for _ in range(3):
        optimizer.step()
    assert w.data == 1.0
