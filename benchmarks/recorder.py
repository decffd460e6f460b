"""The recorder workload: the moons training step with and without `nn.Recorder` recording every step.

Both run the demos' loop (forward, hinge loss + L2, zero_grad, backward, SGD step) in a tape, from
the same weights, for the same consecutive steps; one calls `recorder.step(loss)` where the other
calls `optimizer.step()`. The recorder only reads, so both must compute the same losses. The target:
recording every step costs under 15% of the step: the median, over 3× the suite's repetitions, of
the ratio of the two runs of one repetition, which run back to back (a machine that slows down or
speeds up between repetitions then moves both alike). The ratio of the two medians is shown too.
"""
import time

import nn
from autograd import tape

from .data import copy_weights_into
from .timing import Case, median, run_interleaved
from .usercode import ALPHA, LEARNING_RATE

PLAIN = "moons step in a tape (the demos' fit loop)"
RECORDED = "the same + nn.Recorder.step every step"
TITLE = ("training health: {steps} consecutive moons steps (MLP(2, [16, 16, 1]), hinge + L2, SGD, {n} points) "
         "with and without recording every step")
TARGET = 0.15                  # recording may cost at most 15% of the step
REPEAT_FACTOR = 3              # this section runs 3× the suite's repetitions: it measures a small difference


def moons_step(model, points, labels):
    """The step's loss: mean hinge loss + ALPHA · Σ p², as the moons demo and the nn_step workload compute it.

    >>> import random; random.seed(0)
    >>> from benchmarks.data import moons
    >>> points, labels = moons(4)
    >>> loss = moons_step(nn.MLP(2, [3, 1]), points, labels)
    >>> loss.data > 0.0, loss.is_leaf()
    (True, False)
    """
    scores = [model(point) for point in points]
    return nn.hinge_loss(scores, labels) + ALPHA * sum(p * p for p in model.parameters())


def cases(weights, points, labels, steps):
    """The two timing Cases; each run trains `steps` steps from `weights` and returns the losses.

    The recorded case makes a new Recorder in its (untimed) prepare, closing the one before, so
    every run starts with empty histories. Its run also sums the time spent inside recorder.step.
    >>> from benchmarks.data import initial_weights, moons
    >>> points, labels = moons(6)
    >>> plain, recorded = cases(initial_weights((2, 3, 1)), points, labels, steps=2)
    >>> plain.run(plain.prepare()) == recorded.run(recorded.prepare())
    True
    """
    plain_model = nn.MLP(2, [len(layer) for layer in weights])
    recorded_model = nn.MLP(2, [len(layer) for layer in weights])
    plain_optimizer = nn.SGD(plain_model.parameters(), lr=LEARNING_RATE)
    recorded_optimizer = nn.SGD(recorded_model.parameters(), lr=LEARNING_RATE)
    state = {"recorder": None, "inside": []}

    def prepare_plain():
        copy_weights_into(plain_model, weights)
        return plain_model

    def run_plain(model):
        losses = []
        with tape():
            for _ in range(steps):
                loss = moons_step(model, points, labels)
                plain_optimizer.zero_grad()
                loss.backward()
                plain_optimizer.step()
                losses.append(loss.data)
        return losses

    def prepare_recorded():
        if state["recorder"] is not None:
            state["recorder"].close()
        copy_weights_into(recorded_model, weights)
        state["recorder"] = nn.Recorder(recorded_model, recorded_optimizer)
        return state["recorder"]

    def run_recorded(recorder):
        losses, inside = [], 0.0
        with tape():
            for _ in range(steps):
                loss = moons_step(recorded_model, points, labels)
                recorded_optimizer.zero_grad()
                loss.backward()
                began = time.perf_counter()
                recorder.step(loss)
                inside += time.perf_counter() - began
                losses.append(loss.data)
        state["inside"].append(inside / steps)
        return losses

    plain = Case(PLAIN, prepare=prepare_plain, run=run_plain)
    recorded = Case(RECORDED, prepare=prepare_recorded, run=run_recorded)
    recorded.inside = state["inside"]
    return [plain, recorded]


def section(config, max_difference, weights, points, labels):
    """Run both cases interleaved; the report's section with the overhead (median paired ratio − 1) in its notes.

    `max_difference(cases, results)` measures how far the two cases' losses are apart.
    >>> from benchmarks.data import initial_weights, moons
    >>> points, labels = moons(4)
    >>> config = {"consecutive_steps": 1, "repeats": 1, "disable_gc": False}
    >>> result = section(config, lambda cases, results: 0.0, initial_weights((2, 3, 1)), points, labels)
    >>> result["notes"][0].startswith(("PASS", "FAIL")), len(result["seconds"][PLAIN]), result["target"]
    (True, 3, 0.15)
    """
    steps = config["consecutive_steps"]
    workload = cases(weights, points, labels, steps)
    repeats = REPEAT_FACTOR * config["repeats"]               # a difference of a few % needs more runs
    times, results = run_interleaved(workload, repeats, disable_gc=config["disable_gc"])
    plain, recorded = median(times[PLAIN]), median(times[RECORDED])
    paired = [with_recorder / without for with_recorder, without in zip(times[RECORDED], times[PLAIN])]
    overhead = median(paired) - 1.0                            # the two runs of one repetition are back to back
    inside = median(workload[1].inside)
    verdict = "PASS" if overhead < TARGET else "FAIL"
    notes = [f"{verdict}: recording every step costs {100 * overhead:.1f}% of the moons step (target under "
             f"{100 * TARGET:.0f}%): the median over {repeats} repetitions of recorded time / plain time, the two "
             f"run back to back ({steps} steps each)",
             f"the ratio of the two medians: {100 * (recorded / plain - 1.0):.1f}% ({1000 * plain / steps:.2f} ms "
             f"per step plain, {1000 * recorded / steps:.2f} ms recorded)",
             f"time inside recorder.step (the optimizer's step included): median {1000 * inside:.2f} ms per step"]
    return {"title": TITLE.format(steps=steps, n=len(points)),
            "implementations": [case.name for case in workload], "seconds": times,
            "max_relative_difference": max_difference(workload, results),
            "overhead": overhead, "target": TARGET, "inside_ms_per_step": 1000 * inside, "notes": notes}
