"""The nn training step over consecutive steps (in a tape, compiled, plain) and compiled at several widths."""
import nn
from autograd import tape

from . import handwritten
from .data import copy_weights_into, initial_weights
from .timing import Case, median, run_interleaved
from .usercode import ALPHA, LEARNING_RATE
from .workloads import COMPILED, TAPE, CompiledStep, nn_training_step

PLAIN = "ours: nn.MLP + SGD, no tape"
FLOATS = "hand-written floats"
STEPS_TITLE = "nn training, {steps} consecutive steps: MLP(2, [16, 16, 1]), hinge loss + L2, SGD, {n} moons points"
WIDTHS_TITLE = "the compiled step at other widths: MLP(2, [w, w, 1]), per-sample program run over {n} points"


def model_with(weights):
    """Our nn.MLP with the given weights copied in (its sizes read from the weights).

    >>> model_with(initial_weights((2, 3, 1)))
    MLP(nin=2, nouts=[3, 1], activation='relu', output_activation='linear')
      (0): Layer(nin=2, nout=3, activation='relu')
      (1): Layer(nin=3, nout=1, activation='linear')
      13 parameters
    """
    sizes = [len(weights[0][0][0])] + [len(layer) for layer in weights]
    model = nn.MLP(sizes[0], sizes[1:])
    copy_weights_into(model, weights)
    return model


def tape_steps(model, optimizer, points, labels, steps):
    """`steps` eager steps inside one tape; the last loss.

    >>> from benchmarks.data import moons
    >>> points, labels = moons(4)
    >>> model = model_with(initial_weights((2, 3, 1)))
    >>> first = tape_steps(model, nn.SGD(model.parameters(), lr=0.1), points, labels, steps=1)
    >>> tape_steps(model, nn.SGD(model.parameters(), lr=0.1), points, labels, steps=3) < first
    True
    """
    with tape():
        for _ in range(steps):
            loss = nn_training_step(nn, model, optimizer, points, labels)
    return loss


def agreement(weights, points, labels):
    """Largest relative difference between the compiled program's loss and gradients and eager backward()'s.

    >>> from benchmarks.data import moons
    >>> points, labels = moons(6)
    >>> agreement(initial_weights((2, 4, 1)), points, labels) < 1e-12
    True
    """
    eager = model_with(weights)
    scores = [eager(point) for point in points]
    loss = nn.hinge_loss(scores, labels) + ALPHA * sum(p * p for p in eager.parameters())
    loss.backward()
    compiled_model = model_with(weights)
    compiled_loss = CompiledStep(compiled_model, points, labels).loss_and_gradients()
    pairs = [(loss.data, compiled_loss)] + [(p.grad, q.grad) for p, q in zip(eager.parameters(),
                                                                            compiled_model.parameters())]
    return max(abs(a - b) / max(1.0, abs(a), abs(b)) for a, b in pairs)


def steps_cases(weights, points, labels, steps):
    """`steps` consecutive training steps: hand-written floats first, then ours with a tape, compiled, plain."""
    def ours(run):
        model = model_with(weights)
        optimizer = nn.SGD(model.parameters(), lr=LEARNING_RATE)

        def prepare():
            copy_weights_into(model, weights)
            return model, optimizer
        return prepare, run

    def run_handwritten(params):
        for _ in range(steps):
            loss = handwritten.training_step(params, points, labels)
        return loss

    compiled_model = model_with(weights)
    compiled_step = CompiledStep(compiled_model, points, labels)

    def run_compiled(_):
        for _ in range(steps):
            loss = compiled_step()
        return loss

    def run_plain(state):
        for _ in range(steps):
            loss = nn_training_step(nn, *state, points, labels)
        return loss

    tape_prepare, tape_run = ours(lambda state: tape_steps(*state, points, labels, steps))
    plain_prepare, plain_run = ours(run_plain)
    return [Case(FLOATS, prepare=lambda: handwritten.from_weights(weights), run=run_handwritten),
            Case(TAPE, prepare=tape_prepare, run=tape_run),
            Case(COMPILED, prepare=lambda: copy_weights_into(compiled_model, weights), run=run_compiled),
            Case(PLAIN, prepare=plain_prepare, run=plain_run)]


def compiled_step_facts(weights, points, labels):
    """The compiled step's size, compile time and agreement with eager backward(), for the report (untimed)."""
    model = model_with(weights)
    step = CompiledStep(model, points, labels)
    difference = agreement(weights, points, labels)
    notes = [f"compiled program: {step.sample.ops:,} ops and {step.sample.edges:,} edges per sample "
             f"({len(step.sample.source) / 1024:,.0f} KiB of Python), L2 penalty {step.penalty.ops:,} ops; "
             f"written and compiled in {step.compile_seconds * 1e3:.0f} ms",
             f"compiled program vs eager backward(), one step from the same weights: the loss and all "
             f"{len(model.parameters())} gradients agree to {difference:.1e} (relative)"]
    return {"notes": notes, "compile_seconds": step.compile_seconds, "compiled_agreement": difference}


def widths_section(config, points, labels):
    """Per width: the compiled program's size and compile time, and its step time against hand-written floats."""
    rows = []
    for width in config["compile_widths"]:
        sizes = (2, width, width, 1)
        weights = initial_weights(sizes, seed=config["seed"])
        model = model_with(weights)
        step = CompiledStep(model, points, labels)

        def prepare_compiled(model=model, weights=weights):
            copy_weights_into(model, weights)

        workload = [Case(FLOATS, prepare=lambda weights=weights: handwritten.from_weights(weights),
                         run=lambda params: handwritten.training_step(params, points, labels)),
                    Case(COMPILED, prepare=prepare_compiled, run=lambda _, step=step: step())]
        times, results = run_interleaved(workload, config["width_repeats"], disable_gc=config["disable_gc"])
        rows.append({"width": width, "ops": step.sample.ops, "edges": step.sample.edges, "lines": step.sample.lines,
                     "source_bytes": len(step.sample.source.encode("utf-8")),
                     "penalty_ops": step.penalty.ops, "compile_seconds": step.compile_seconds,
                     "seconds": times, "loss_difference": abs(results[FLOATS] - results[COMPILED])})
    return {"title": WIDTHS_TITLE.format(n=len(points)), "rows": rows}


def widths_table(section):
    """Lines: per width, the per-sample program's size, the compile time, and the step time vs hand-written.

    >>> row = {"width": 4, "ops": 13, "edges": 60, "source_bytes": 4096, "compile_seconds": 0.01,
    ...        "seconds": {FLOATS: [0.002], COMPILED: [0.001]}}
    >>> widths_table({"title": "widths", "rows": [row]})[2]
    '      4     13       60       4 KiB     0.01 s        1.00 ms       2.00 ms   0.50×'
    """
    lines = [section["title"],
             f"  {'width':>5} {'ops':>6} {'edges':>8} {'source':>10} {'compile':>10} {'compiled step':>14} "
             f"{'hand-written':>13} {'ratio':>7}"]
    for row in section["rows"]:
        compiled, floats = median(row["seconds"][COMPILED]), median(row["seconds"][FLOATS])
        lines.append(f"  {row['width']:>5} {row['ops']:>6,} {row['edges']:>8,} "
                     f"{row['source_bytes'] / 1024:>7,.0f} KiB {row['compile_seconds']:>8.2f} s "
                     f"{compiled * 1e3:>11.2f} ms {floats * 1e3:>10.2f} ms {compiled / floats:>6.2f}×")
    lines.append("  (ops, edges and source: one sample's program; compile: that and the L2 program, written and "
                 "compiled)")
    return lines
