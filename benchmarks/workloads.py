"""The compared implementations of each workload, as timing Cases: user code, nn training step, inference.

micrograd is optional here (it comes with the bench extra): without it its columns are left out and
`missing()` says so, so the suite still runs (and the smoke test still tests) without it.
"""
import time

import nn
from autograd import Value, compile as compile_graph, no_grad, tape, weighted_sum

from . import handwritten, usercode
from .data import MLP_SIZES, copy_weights_into
from .timing import Case
from .usercode import ALPHA, LEARNING_RATE

TAPE = "ours: nn.MLP + SGD in a tape"
COMPILED = "ours: compiled program"


def micrograd_modules():
    """(micrograd.engine, micrograd.nn), or None when micrograd is not installed."""
    try:
        import micrograd.engine
        import micrograd.nn
    except ImportError:
        return None
    return micrograd.engine, micrograd.nn


def missing():
    """What is not installed or not importable, as human-readable notes (empty when all is there)."""
    notes = []
    if micrograd_modules() is None:
        notes.append("micrograd is not installed (pip install -e '.[bench]'): its columns are left out")
    return notes


# ---- micrograd-style user code --------------------------------------------------------------------
def user_code_cases(weights, points, labels):
    """The micrograd-style training step with our Value and with micrograd's Value."""
    engines = [("ours: autograd.Value", Value)]
    modules = micrograd_modules()
    if modules is not None:
        engines.append(("micrograd.engine.Value", modules[0].Value))
    return [_user_code_case(name, value_class, weights, points, labels) for name, value_class in engines]


def _user_code_case(name, value_class, weights, points, labels):
    return Case(name,
                prepare=lambda: usercode.make_mlp(value_class, weights),
                run=lambda layers: usercode.training_step(value_class, layers, points, labels))


# ---- the nn training step -------------------------------------------------------------------------
def nn_training_step(nn, model, optimizer, points, labels, alpha=ALPHA):
    """One step with our nn: hinge loss + alpha · Σ p², zero_grad, backward, SGD step; returns the loss."""
    scores = [model(point) for point in points]
    total = nn.hinge_loss(scores, labels) + alpha * sum(p * p for p in model.parameters())
    optimizer.zero_grad()
    total.backward()
    optimizer.step()
    return total.data


def micrograd_training_step(engine, model, points, labels, lr=LEARNING_RATE, alpha=ALPHA):
    """One step of micrograd's own demo loop with its nn.MLP; returns the loss."""
    inputs = [list(map(engine.Value, point)) for point in points]
    scores = list(map(model, inputs))
    losses = [(1 + -y * s).relu() for y, s in zip(labels, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = alpha * sum(p * p for p in model.parameters())
    total = data_loss + reg_loss
    model.zero_grad()
    total.backward()
    for p in model.parameters():
        p.data -= lr * p.grad
    return total.data


def our_nn_model(nn, weights):
    """Our nn.MLP with the given weights copied in."""
    model = nn.MLP(MLP_SIZES[0], list(MLP_SIZES[1:]))
    copy_weights_into(model, weights)
    return model


def micrograd_model(modules, weights):
    """micrograd's nn.MLP with the given weights copied in."""
    model = modules[1].MLP(MLP_SIZES[0], list(MLP_SIZES[1:]))
    copy_weights_into(model, weights)
    return model


def nn_step_cases(weights, points, labels):
    """One training step: our nn (plain, in a tape, compiled), micrograd's nn (its demo loop), hand-written floats."""
    model = our_nn_model(nn, weights)
    optimizer = nn.SGD(model.parameters(), lr=LEARNING_RATE)

    def prepare_ours():
        copy_weights_into(model, weights)
        return model

    def in_a_tape(m):
        with tape():
            return nn_training_step(nn, m, optimizer, points, labels)

    compiled_model = our_nn_model(nn, weights)
    compiled_step = CompiledStep(compiled_model, points, labels)
    cases = [Case("ours: nn.MLP + SGD", prepare=prepare_ours,
                  run=lambda m: nn_training_step(nn, m, optimizer, points, labels)),
             Case(TAPE, prepare=prepare_ours, run=in_a_tape),
             Case(COMPILED, prepare=lambda: copy_weights_into(compiled_model, weights), run=lambda _: compiled_step())]
    modules = micrograd_modules()
    if modules is not None:
        micro_model = micrograd_model(modules, weights)

        def prepare_micrograd():
            copy_weights_into(micro_model, weights)
            return micro_model

        cases.append(Case("micrograd.nn.MLP", prepare=prepare_micrograd,
                          run=lambda m: micrograd_training_step(modules[0], m, points, labels)))
    cases.append(Case("hand-written floats", prepare=lambda: handwritten.from_weights(weights),
                      run=lambda params: handwritten.training_step(params, points, labels)))
    return cases


class CompiledStep:
    """An MLP's training step (mean hinge loss + alpha · Σ p², SGD) as two compiled programs; call it for one step.

    What `python -m demos.moons --compile` runs: one sample's loss, relu(1 − y·score) / n, built once on
    the input leaves x1, x2 and y, compiled and run over the batch with `run_many`; the L2 penalty
    compiled as a second program; then the same SGD step.

    >>> from benchmarks.data import moons
    >>> points, labels = moons(4)
    >>> model = nn.MLP(2, [3, 1])
    >>> step = CompiledStep(model, points, labels)
    >>> step.sample.inputs == (step.x1, step.x2, step.label), step() > 0
    (True, True)
    """

    def __init__(self, model, points, labels, lr=LEARNING_RATE, alpha=ALPHA):
        began = time.perf_counter()
        self.x1, self.x2, self.label = Value(0.0, label="x1"), Value(0.0, label="x2"), Value(1.0, label="y")
        score = model([self.x1, self.x2])
        score.label = "score"
        sample_loss = (1.0 - self.label * score).relu() / len(points)      # one sample's share of the mean hinge
        sample_loss.label = "loss"
        parameters = model.parameters()
        penalty = alpha * weighted_sum(parameters, parameters)            # Σ p·p as one node: 2 edges a parameter
        penalty.label = "penalty"
        self.sample = compile_graph(sample_loss, inputs=[self.x1, self.x2, self.label], params=model)
        self.penalty = compile_graph(penalty, params=model)
        self.compile_seconds = time.perf_counter() - began
        self.rows = [(float(x1), float(x2), float(label)) for (x1, x2), label in zip(points, labels)]
        self.optimizer = nn.SGD(parameters, lr=lr)

    def loss_and_gradients(self):
        """The loss, with every parameter's `.grad` set to its gradient (no update)."""
        self.optimizer.zero_grad()
        return sum(self.sample.run_many(self.rows)) + self.penalty.run()

    def __call__(self):
        """One training step: the loss before the update."""
        loss = self.loss_and_gradients()
        self.optimizer.step()
        return loss


# ---- forward-only inference on a grid -----------------------------------------------------------
def inference_cases(weights, grid_points):
    """The MLP's score at every grid point: our nn without and with recording, micrograd, floats."""
    model = our_nn_model(nn, weights)
    cases = [Case("ours: nn under no_grad()", run=lambda _: _scores_without_graph(model, grid_points)),
             Case("ours: nn, recording graph", run=lambda _: [model(p).data for p in grid_points])]
    modules = micrograd_modules()
    if modules is not None:
        micro_model = micrograd_model(modules, weights)
        value_class = modules[0].Value
        cases.append(Case("micrograd.nn.MLP", run=lambda _: [micro_model(list(map(value_class, p))).data
                                                             for p in grid_points]))
    params = handwritten.from_weights(weights)
    cases.append(Case("hand-written floats", run=lambda _: [handwritten.score(params, p) for p in grid_points]))
    return cases


def _scores_without_graph(model, grid_points):
    with no_grad():
        return [model(p).data for p in grid_points]
