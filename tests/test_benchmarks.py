"""Smoke tests of the benchmark suite: every workload runs at a tiny size and its implementations agree.

No timing is asserted anywhere: only that the compared implementations compute the same numbers (so
the timings compare like with like), checked against PyTorch float64 or closed forms where possible.
"""
import json
import math
import sys

import pytest

import nn
from autograd import Value
from benchmarks import chain, compiled, data, handwritten, report, suite, timing, usercode, workloads

TINY_SIZES = (2, 5, 4, 1)
TOLERANCE = 1e-9

micrograd = workloads.micrograd_modules()
needs_micrograd = pytest.mark.skipif(micrograd is None, reason="micrograd not installed (the bench extra)")


def tiny_problem(n_points=12, seed=3):
    """A few moons points with labels, and small MLP weights (nonzero biases, so copying them matters)."""
    points, labels = data.moons(n_points, seed=seed)
    return data.initial_weights(TINY_SIZES, seed=seed), points, labels


def assert_close(actual, expected, tolerance=TOLERANCE):
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected):
        assert abs(a - e) <= tolerance * max(1.0, abs(e)), (a, e)


def flat_gradients(grads):
    """handwritten's (W, b) gradients flattened in parameter order (each neuron's weights, then bias)."""
    return [g for grad_W, grad_b in grads for row, b in zip(grad_W, grad_b) for g in row + [b]]


def test_handwritten_loss_and_gradients_match_torch():
    """The hand-written forward/backward gives PyTorch float64's loss and gradient for every parameter."""
    torch = pytest.importorskip("torch")
    weights, points, labels = tiny_problem()
    loss, grads = handwritten.loss_and_gradients(handwritten.from_weights(weights), points, labels)
    layers = [(torch.tensor([ws for ws, b in layer], dtype=torch.float64, requires_grad=True),
               torch.tensor([b for ws, b in layer], dtype=torch.float64, requires_grad=True)) for layer in weights]
    h = torch.tensor(points, dtype=torch.float64)
    for depth, (W, b) in enumerate(layers):
        h = h @ W.T + b
        if depth < len(layers) - 1:
            h = torch.relu(h)
    y = torch.tensor(labels, dtype=torch.float64)
    params = [t for pair in layers for t in pair]
    expected = torch.relu(1 - y * h[:, 0]).mean() + usercode.ALPHA * sum((p * p).sum() for p in params)
    expected.backward()
    assert_close([loss], [expected.item()])
    for (grad_W, grad_b), (W, b) in zip(grads, layers):
        assert_close([g for row in grad_W for g in row], W.grad.flatten().tolist())
        assert_close(grad_b, b.grad.tolist())


def test_user_code_gradients_equal_handwritten():
    """The micrograd-style code on our Value gives the hand-written loss and gradients on the same weights."""
    weights, points, labels = tiny_problem()
    layers = usercode.make_mlp(Value, weights)
    total = usercode.loss(Value, layers, points, labels)
    total.backward()
    loss, grads = handwritten.loss_and_gradients(handwritten.from_weights(weights), points, labels)
    assert_close([total.data], [loss])
    assert_close([p.grad for p in usercode.parameters(layers)], flat_gradients(grads))
    assert any(g != 0.0 for g in flat_gradients(grads))


def test_user_code_step_updates_like_handwritten():
    """One user-code training step moves every parameter exactly as the hand-written SGD step does."""
    weights, points, labels = tiny_problem()
    layers = usercode.make_mlp(Value, weights)
    loss = usercode.training_step(Value, layers, points, labels)
    params = handwritten.from_weights(weights)
    expected_loss = handwritten.training_step(params, points, labels)
    assert_close([loss], [expected_loss])
    assert_close([p.data for p in usercode.parameters(layers)], handwritten.parameters(params))


@needs_micrograd
def test_user_code_same_loss_with_micrograd():
    """The same user code on micrograd's Value computes the same loss and the same updated weights."""
    weights, points, labels = tiny_problem()
    ours = usercode.make_mlp(Value, weights)
    theirs = usercode.make_mlp(micrograd[0].Value, weights)
    assert_close([usercode.training_step(Value, ours, points, labels)],
                 [usercode.training_step(micrograd[0].Value, theirs, points, labels)])
    assert_close([p.data for p in usercode.parameters(ours)], [p.data for p in usercode.parameters(theirs)])


def test_nn_step_gradients_and_update_equal_handwritten():
    """Our nn step (hinge + L2, SGD) has the hand-written loss, gradients and updated weights."""
    weights, points, labels = tiny_problem()
    model = nn.MLP(TINY_SIZES[0], list(TINY_SIZES[1:]))
    data.copy_weights_into(model, weights)
    optimizer = nn.SGD(model.parameters(), lr=usercode.LEARNING_RATE)
    loss = workloads.nn_training_step(nn, model, optimizer, points, labels)
    params = handwritten.from_weights(weights)
    expected_loss, grads = handwritten.loss_and_gradients(params, points, labels)
    handwritten.sgd_update(params, grads)
    by_neuron = [p for layer in model.layers for neuron in layer.neurons for p in neuron.w + [neuron.b]]
    assert_close([loss], [expected_loss])
    assert_close([p.grad for p in by_neuron], flat_gradients(grads))
    assert_close([p.data for p in by_neuron], handwritten.parameters(params))


@needs_micrograd
def test_micrograd_nn_step_equals_handwritten():
    """micrograd's own demo loop with its nn.MLP, given our weights, takes the hand-written step."""
    weights, points, labels = tiny_problem()
    model = micrograd[1].MLP(TINY_SIZES[0], list(TINY_SIZES[1:]))
    data.copy_weights_into(model, weights)
    loss = workloads.micrograd_training_step(micrograd[0], model, points, labels)
    params = handwritten.from_weights(weights)
    assert_close([loss], [handwritten.training_step(params, points, labels)])
    assert_close([p.data for p in model.parameters()], handwritten.parameters(params))


def test_workload_cases_agree_at_tiny_size():
    """Every case of every workload runs, and all implementations of a workload give the same result."""
    weights, points, labels = data.initial_weights(seed=1), *data.moons(6, seed=1)
    for cases in (workloads.user_code_cases(weights, points, labels),
                  workloads.nn_step_cases(weights, points, labels),
                  workloads.inference_cases(weights, data.grid(points, side=3))):
        times, results = timing.run_interleaved(cases, repeats=1)
        assert all(len(samples) == 1 and samples[0] > 0 for samples in times.values())
        first = results[cases[0].name]
        for case in cases[1:]:
            if isinstance(first, list):
                assert_close(results[case.name], first)
            else:
                assert_close([results[case.name]], [first])


def test_grid_inference_scores_equal_handwritten():
    """The inference cases return one score per grid point, equal to the hand-written forward pass."""
    weights = data.initial_weights(seed=2)
    grid_points = data.grid([(0.0, 0.0), (1.0, 1.0)], side=4)
    params = handwritten.from_weights(weights)
    expected = [handwritten.score(params, p) for p in grid_points]
    for case in workloads.inference_cases(weights, grid_points):
        assert_close(case.run(case.prepare()), expected)


@pytest.mark.parametrize("kind", list(chain.KINDS))
def test_chain_backward_gives_closed_form_gradients(kind):
    """Each chain kind builds and backpropagates, with the closed-form leaf gradient where one exists."""
    build, backward, correct = chain.time_build_and_backward(Value, kind, 2000)
    assert build > 0 and backward > 0
    assert correct is not False
    if kind == "y = y.tanh()":                          # d/dx of tanh applied n times: Π (1 - y_k²)
        x, _, y = chain.tanh_chain(Value, 50)
        y.backward()
        expected, current = 1.0, 0.5
        for _ in range(50):
            current = math.tanh(current)
            expected *= 1.0 - current * current
        assert math.isclose(x.grad, expected, rel_tol=1e-12)


def test_chain_deeper_than_recursion_limit():
    """Our backward works on a chain far deeper than Python's recursion limit, with exact gradients."""
    length = 5 * sys.getrecursionlimit()
    x, w, y = chain.times_w(Value, length)
    y.backward()
    assert chain.check_gradients("y = y * w", length, x, w)


def test_memory_per_node_is_measured():
    """tracemalloc sees a positive retained size per node and a correct backward for every kind."""
    for kind in chain.KINDS:
        measured = chain.memory_per_node(Value, kind, 2000)
        assert measured["retained_bytes_per_node"] > 0
        assert measured["backward_peak_bytes_per_node"] >= 0
        assert measured["gradients_correct"] is not False


@needs_micrograd
def test_micrograd_backward_hits_the_recursion_limit():
    """micrograd's recursive topological sort raises RecursionError on a chain past the limit."""
    raised, limit = chain.micrograd_depth_limit(micrograd[0].Value, 5 * sys.getrecursionlimit())
    assert raised and limit == sys.getrecursionlimit()


def test_tiny_suite_run_renders_targets(tmp_path, monkeypatch):
    """`python -m benchmarks` at a tiny size prints the tables and a PASS/FAIL/SKIP line per target,
    saves JSON with the machine, and finds no disagreement between implementations."""
    monkeypatch.setitem(suite.QUICK, "n_samples", 6)
    monkeypatch.setitem(suite.QUICK, "grid_side", 3)
    monkeypatch.setitem(suite.QUICK, "chain_lengths", [200, 2000])
    monkeypatch.setitem(suite.QUICK, "memory_length", 1000)
    monkeypatch.setitem(suite.QUICK, "micrograd_memory_length", 500)
    monkeypatch.setitem(suite.QUICK, "micrograd_depth", 3000)
    monkeypatch.setitem(suite.QUICK, "consecutive_steps", 2)
    monkeypatch.setitem(suite.QUICK, "compile_widths", [3])
    out = tmp_path / "bench.json"
    from benchmarks.__main__ import main
    assert main(["--quick", "--repeats", "1", "--json", str(out)]) == 0
    saved = json.loads(out.read_text())
    assert saved["machine"]["python"] == sys.version.split()[0] and saved["machine"]["cpu"]
    assert {t["status"] for t in saved["targets"]} <= {"PASS", "FAIL", "SKIP"}
    assert len(saved["targets"]) == 11
    assert any(t["target"].startswith("nn.Recorder every step") and t["status"] in {"PASS", "FAIL"}
               for t in saved["targets"])
    assert saved["workloads"]["nn_steps"]["compiled_agreement"] <= report.COMPILED_TOLERANCE
    assert [row["width"] for row in saved["compile_widths"]["rows"]] == [3]
    assert not report.disagreements(saved)
    assert saved["chain"]["ours"]["y = y * w"]["2000"]["gradients_correct"] == [True]


def test_bad_settings_are_rejected():
    """Unknown sections, unknown chain kinds and zero repetitions raise ValueError naming the problem."""
    with pytest.raises(ValueError, match="unknown section"):
        suite.settings(only=["nope"])
    with pytest.raises(ValueError, match="unknown chain kind"):
        suite.settings(chain_kinds=["y = y ** 3"])
    with pytest.raises(ValueError, match="repeats"):
        suite.settings(repeats=0)
    with pytest.raises(ValueError, match="unknown setting"):
        suite.settings(colour="blue")


def test_copy_weights_rejects_a_different_architecture():
    """Copying weights of another shape into a model raises ValueError and says which count differs."""
    class Neuron:
        def __init__(self, n):
            self.w, self.b = [Value(0.0) for _ in range(n)], Value(0.0)

    class Layer:
        def __init__(self, n_in, n_out):
            self.neurons = [Neuron(n_in) for _ in range(n_out)]

    class Model:
        layers = [Layer(2, 3), Layer(3, 1)]

    with pytest.raises(ValueError, match="neurons"):
        data.copy_weights_into(Model(), data.initial_weights((2, 4, 1)))
    data.copy_weights_into(Model(), data.initial_weights((2, 3, 1)))


def test_tape_and_compiled_steps_update_like_handwritten():
    """One step in a tape and one compiled step move every parameter as the hand-written SGD step does."""
    weights, points, labels = tiny_problem()
    params = handwritten.from_weights(weights)
    expected_loss = handwritten.training_step(params, points, labels)
    for run in ("tape", "compiled"):
        model = compiled.model_with(weights)
        if run == "tape":
            optimizer = nn.SGD(model.parameters(), lr=usercode.LEARNING_RATE)
            loss = compiled.tape_steps(model, optimizer, points, labels, steps=1)
        else:
            loss = workloads.CompiledStep(model, points, labels)()
        by_neuron = [p for layer in model.layers for neuron in layer.neurons for p in neuron.w + [neuron.b]]
        assert_close([loss], [expected_loss])
        assert_close([p.data for p in by_neuron], handwritten.parameters(params))


def test_compiled_step_gradients_equal_eager_backward():
    """The compiled program's loss and gradients are eager backward()'s to 1e-12 (the benchmark's check)."""
    weights, points, labels = tiny_problem()
    assert compiled.agreement(weights, points, labels) <= report.COMPILED_TOLERANCE


def test_consecutive_steps_cases_agree():
    """Three consecutive steps: hand-written, tape, compiled and plain reach the same loss."""
    weights, points, labels = tiny_problem()
    cases = compiled.steps_cases(weights, points, labels, steps=3)
    times, results = timing.run_interleaved(cases, repeats=1)
    assert [case.name for case in cases][0] == compiled.FLOATS
    assert_close([results[case.name] for case in cases], [results[compiled.FLOATS]] * len(cases))


def test_widths_section_reports_sizes_and_times():
    """The widths table: one row per width with the program's size, compile time and both step times."""
    points, labels = data.moons(6)
    section = compiled.widths_section({"compile_widths": [2, 3], "seed": 0, "width_repeats": 1,
                                       "disable_gc": False}, points, labels)
    rows = section["rows"]
    assert [row["width"] for row in rows] == [2, 3] and rows[0]["edges"] < rows[1]["edges"]
    assert all(row["loss_difference"] < 1e-12 and row["compile_seconds"] > 0 for row in rows)
    table = compiled.widths_table(section)
    assert len(table) == 2 + len(rows) + 1 and "KiB" in table[2]
