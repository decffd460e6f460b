"""autograd.compile: generated straight-line Python gives backward()'s values and gradients on new data."""
import math
import pathlib
import pickle
import random
import re
import threading

import pytest
from hypothesis import assume, given, strategies as st

import autograd
import nn
from autograd import Value, logsumexp, no_grad, primitive, softmax, tape, total, weighted_sum, weighted_sums
from autograd.core.compiler import MAX_LINES, BranchChanged, Program
from autograd.core.engine import walk
from test_draw import neuron
from test_properties import BINARY_OPS, UNARY_OPS, build, recipes
from torch_reference import close, torch

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")
README = pathlib.Path(__file__).resolve().parent.parent / "README.md"


def rebuilt(make, values):
    """(root value, leaf gradients) from building the graph again on `values` and calling backward()."""
    leaves = [Value(x) for x in values]
    root = make(*leaves)
    root.backward()
    return root.data, [leaf.grad for leaf in leaves]


def compiled(make, first, then):
    """Build on `first`, compile, set the leaves to `then`, run: (root value, leaf gradients)."""
    leaves = [Value(x) for x in first]
    program = autograd.compile(make(*leaves))
    for leaf, x in zip(leaves, then):
        leaf.data = x
    value = program.run()
    return value, [leaf.grad for leaf in leaves]


def assert_same(ours, expected, rel_tol=1e-12, abs_tol=1e-15):
    (value, grads), (expected_value, expected_grads) = ours, expected
    assert close(value, expected_value, rel_tol=rel_tol, abs_tol=abs_tol), (value, expected_value)
    for g, e in zip(grads, expected_grads):
        assert close(g, e, rel_tol=rel_tol, abs_tol=abs_tol), (grads, expected_grads)


# ---- every op ------------------------------------------------------------------------------------------
EVERY_OP = {f"unary {name}": (1, op) for name, op in UNARY_OPS.items()}
EVERY_OP.update({f"binary {name}": (2, op) for name, op in BINARY_OPS.items()})
EVERY_OP.update({
    "pow with Value exponent": (2, lambda a, b: (a * a + 0.5) ** b.tanh()),
    "x ** 0.5 (sqrt slope)": (1, lambda a: (a * a + 0.1) ** 0.5),
    "2 / x": (1, lambda a: 2 / (a * a + 1)),
    "total": (3, lambda a, b, c: total([a, b * 2, c, a])),
    "logsumexp": (3, lambda a, b, c: logsumexp([a, b, c * 3])),
    "softmax": (3, lambda a, b, c: softmax([a, b, c])[1] * 5),
    "weighted_sums, no bias": (3, lambda a, b, c: weighted_sums([[a, b], [b, c]], [c, a])[1] * a),
    "relu and abs through zero": (2, lambda a, b: (a - b).relu() + abs(b - a) * 2),
})


@pytest.mark.parametrize("name", sorted(EVERY_OP))
def test_every_op_on_new_data_gives_a_rebuilt_graphs_backward(name):
    """Compile on one point, run on another: value and gradients of building there and calling backward()."""
    arity, make = EVERY_OP[name]
    rng = random.Random(name)
    for _ in range(5):
        first = [rng.uniform(-2, 2) for _ in range(arity)]
        then = [rng.uniform(-2, 2) for _ in range(arity)]
        assert_same(compiled(make, first, then), rebuilt(make, then))


@needs_torch
@pytest.mark.parametrize("name", sorted(n for n in EVERY_OP if "through zero" not in n and "softmax" not in n
                                        and "logsumexp" not in n and "total" not in n and "no bias" not in n))
def test_every_op_compiled_matches_torch(name):
    """The compiled program's value and gradients equal PyTorch float64's at the new point."""
    arity, make = EVERY_OP[name]
    rng = random.Random(name)
    first = [rng.uniform(-2, 2) for _ in range(arity)]
    then = [rng.uniform(0.2, 2) for _ in range(arity)]         # away from the kinks of relu and abs
    leaves = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in then]
    theirs = make(*leaves)
    their_grads = [0.0 if g is None else g.item() for g in torch.autograd.grad(theirs, leaves, allow_unused=True)]
    assert_same(compiled(make, first, then), (theirs.item(), their_grads), rel_tol=1e-9, abs_tol=1e-12)


# ---- random DAGs ---------------------------------------------------------------------------------------
@given(recipes(), st.lists(st.floats(-4, 4, allow_nan=False), min_size=4, max_size=4))
def test_random_dag_compiled_once_runs_on_new_data(recipe, new_values):
    """Random DAGs with shared subexpressions: run() on new data = the rebuilt graph's backward()."""
    values, steps = recipe
    then = new_values[:len(values)]
    assert_same(compiled(lambda *leaves: build(steps, list(leaves)), values, then),
                rebuilt(lambda *leaves: build(steps, list(leaves)), then))


@needs_torch
@given(recipes())
def test_random_dag_compiled_matches_torch(recipe):
    """The compiled program of a random DAG gives PyTorch float64's value and leaf gradients."""
    values, steps = recipe
    leaves = [Value(x) for x in values]
    root = build(steps, leaves)
    assume(all(abs(node.parents[0].data) > 1e-6 for node in walk(root) if node.op in ("relu", "abs")))
    program = autograd.compile(root)
    value = program.run()
    tensors = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in values]
    theirs = build(steps, tensors)
    their_grads = torch.autograd.grad(theirs, tensors, allow_unused=True)
    assert close(value, theirs.item(), rel_tol=1e-9, abs_tol=1e-10)
    for leaf, g in zip(leaves, their_grads):
        assert close(leaf.grad, 0.0 if g is None else g.item(), rel_tol=1e-9, abs_tol=1e-10)


def test_a_program_repeats_backward_bit_for_bit():
    """Same graph, same data: two run() calls write exactly the numbers two backward() calls write."""
    leaves = [Value(x) for x in (0.3, -1.2, 2.5)]
    a, b, c = leaves
    shared = (a * b).tanh()
    root = (shared * c + shared.exp() - b / (c * c + 1)).sigmoid() * a - shared
    program = autograd.compile(root)
    root.backward()
    root.backward()
    expected = [leaf.grad for leaf in leaves]
    for leaf in leaves:
        leaf.grad = 0.0
    assert program.run() == program.run() == root.data
    assert [leaf.grad for leaf in leaves] == expected


def test_leaves_accumulate_and_root_and_inner_nodes_are_as_documented():
    """run() adds to leaf grads like backward(), sets root.data and root.grad, leaves inner nodes alone."""
    x = Value(2.0)
    inner = x * x
    root = inner + x
    program = autograd.compile(root)
    x.data = 3.0
    assert program.run() == 12.0 and x.grad == 7.0
    program.run()
    assert x.grad == 14.0
    assert (root.data, root.grad, inner.data) == (12.0, 1.0, 4.0)


def test_a_zero_gradient_passes_nothing_on_as_in_backward():
    """relu(a)·√b at a < 0, b = 0: the 0 upstream meets √'s infinite slope; backward() and run() give 0."""
    def make(a, b):
        return a.relu() * b.sqrt() + b * 0.0
    assert rebuilt(make, [-1.0, 0.0])[1] == [0.0, 0.0]
    assert compiled(make, [1.0, 4.0], [-1.0, 0.0])[1] == [0.0, 0.0]
    assert compiled(make, [1.0, 4.0], [1.0, 0.0])[1][1] == math.inf


def test_constants_inf_and_nan_are_written_so_they_read_back():
    x = Value(1.0)
    root = (x + math.inf) * 0.5 + (x * math.nan).relu() * 0.0 + x * -0.0
    program = autograd.compile(root)
    assert "inf" in program.source and "nan" in program.source
    value = program.run()
    assert math.isnan(value) == math.isnan(root.data) and (math.isnan(value) or value == root.data)


def test_a_leaf_root_and_a_no_grad_root():
    x = Value(5.0)
    program = autograd.compile(x)
    x.data = 6.0
    assert program.run() == 6.0 and x.grad == 1.0
    with no_grad():
        y = x * 2
    with pytest.raises(RuntimeError, match="no_grad"):
        autograd.compile(y)


def test_a_primitive_runs_through_its_f_and_df():
    """An op made by primitive() has no code row: the program calls its f and df."""
    cube = primitive("compile_test_cube", lambda x: x ** 3, lambda x: 3 * x ** 2, rule="3·{x}²")
    assert_same(compiled(lambda a: cube(a.sin()) * a, [0.5], [1.3]),
                rebuilt(lambda a: cube(a.sin()) * a, [1.3]))
    x = Value(2.0, label="x")
    source = autograd.compile(cube(x)).source
    assert "compile_test_cube(x)" in source and "3·x²" in source


def test_an_op_with_no_row_here_is_refused():
    """A graph holding an op from another session (unpickled, no row) cannot be compiled: the error says so."""
    square = primitive("compile_test_gone", lambda x: x * x, lambda x: 2 * x)
    y = square(Value(3.0)) + 1.0
    data = pickle.dumps(y)
    from autograd.core.engine import OPS
    del OPS["compile_test_gone"]
    try:
        with pytest.raises(ValueError, match="compile_test_gone.*no code here"):
            autograd.compile(pickle.loads(data))
    finally:
        OPS["compile_test_gone"] = square.row


# ---- per-sample programs and nn training -----------------------------------------------------------------
def per_sample_mlp(sizes=(2, 5, 4, 1), seed=3):
    """An MLP, its per-sample hinge loss compiled with inputs x1, x2, y, and the points."""
    random.seed(seed)
    model = nn.MLP(sizes[0], list(sizes[1:]))
    x1, x2, y = Value(0.0, label="x1"), Value(0.0, label="x2"), Value(1.0, label="y")
    score = model([x1, x2])
    loss = (1.0 - y * score).relu() / 8
    program = autograd.compile(loss, inputs=[x1, x2, y], also=[score], params=model)
    rng = random.Random(seed)
    rows = [(rng.uniform(-1.5, 1.5), rng.uniform(-1.5, 1.5), rng.choice([-1.0, 1.0])) for _ in range(8)]
    return model, program, rows


def test_run_many_equals_backward_per_sample():
    """run_many(rows) = per row, rebuild the loss and backward(): same losses, scores and summed grads."""
    model, program, rows = per_sample_mlp()
    outputs = program.run_many(rows)
    grads = [p.grad for p in model.parameters()]
    model.zero_grad()
    for (a, b, label), (loss, score) in zip(rows, outputs):
        s = model([a, b])
        expected = (1.0 - label * s).relu() / 8
        expected.backward()
        assert close(loss, expected.data) and close(score, s.data)
    for g, p in zip(grads, model.parameters()):
        assert close(g, p.grad, rel_tol=1e-12, abs_tol=1e-15)
    assert any(g != 0.0 for g in grads)


def test_run_and_run_many_of_one_row_agree_and_inputs_keep_their_data():
    model, program, rows = per_sample_mlp()
    x1, x2, y = program.inputs
    x1.data, x2.data, y.data = rows[0]
    one = program.run()
    first = [p.grad for p in model.parameters()]
    model.zero_grad()
    x1.data = 9.0
    assert program.run_many(rows[:1]) == [one] and x1.data == 9.0
    assert [p.grad for p in model.parameters()] == first


@needs_torch
def test_nn_training_with_a_compiled_program_matches_eager_and_torch_over_several_steps():
    """Four SGD steps (per-sample hinge + compiled L2): the weights eager backward() and PyTorch reach."""
    model, program, rows = per_sample_mlp()
    penalty = autograd.compile(1e-3 * total([p * p for p in model.parameters()]))
    optimizer = nn.SGD(model.parameters(), lr=0.3)
    random.seed(3)
    eager = nn.MLP(2, [5, 4, 1])
    eager_optimizer = nn.SGD(eager.parameters(), lr=0.3)
    torch_params = [torch.tensor(p.data, dtype=torch.float64, requires_grad=True) for p in eager.parameters()]
    torch_optimizer = torch.optim.SGD(torch_params, lr=0.3)
    by_value = dict(zip(eager.parameters(), torch_params))
    for step in range(4):
        optimizer.zero_grad()
        loss = sum(loss for loss, _ in program.run_many(rows)) + penalty.run()
        optimizer.step()
        eager_loss = sum((1.0 - y * eager([a, b])).relu() / 8 for a, b, y in rows) + \
            1e-3 * total([p * p for p in eager.parameters()])
        eager_optimizer.zero_grad()
        eager_loss.backward()
        eager_optimizer.step()
        assert close(loss, eager_loss.data, rel_tol=1e-12)
        torch_optimizer.zero_grad()
        torch_loss = _torch_mlp_loss(eager, by_value, rows) + 1e-3 * sum(t * t for t in torch_params)
        torch_loss.backward()
        torch_optimizer.step()
        assert close(loss, torch_loss.item(), rel_tol=1e-9)
    for ours, theirs, reference in zip(model.parameters(), eager.parameters(), torch_params):
        assert close(ours.data, theirs.data, rel_tol=1e-12, abs_tol=1e-14)
        assert close(ours.data, reference.item(), rel_tol=1e-9, abs_tol=1e-12)


def _torch_mlp_loss(model, by_value, rows):
    total_loss = 0.0
    for a, b, label in rows:
        h = [torch.tensor(a, dtype=torch.float64), torch.tensor(b, dtype=torch.float64)]
        for depth, layer in enumerate(model.layers):
            outputs = []
            for neuron in layer.neurons:
                z = sum(by_value[w] * x for w, x in zip(neuron.w, h)) + by_value[neuron.b]
                outputs.append(torch.relu(z) if depth < len(model.layers) - 1 else z)
            h = outputs
        total_loss = total_loss + torch.relu(1 - label * h[0]) / 8
    return total_loss


def test_programs_run_in_threads_at_once():
    """Four threads each run their own compiled program many times, concurrently: each gets its own numbers."""
    def job(seed):
        model, program, rows = per_sample_mlp(seed=seed)
        for _ in range(20):
            program.run_many(rows)
        return [p.grad for p in model.parameters()]

    expected = {seed: job(seed) for seed in range(4)}
    results = {}
    threads = [threading.Thread(target=lambda s=seed: results.__setitem__(s, job(s))) for seed in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert results == expected


# ---- branches ---------------------------------------------------------------------------------------------
def branchy(x, limit):
    """Python control flow on comparisons of Values: the graph depends on which way they went."""
    h = x * 3
    h.label = "h"
    y = h.log() if h > 1.0 else h * 2
    if x <= limit:
        y = y + x
    return y


def test_the_program_checks_the_comparisons_recorded_while_the_graph_was_built():
    x, limit = Value(2.0, label="x"), Value(5.0, label="limit")
    with tape() as recorded:
        y = branchy(x, limit)
    program = autograd.compile(y, tape=recorded)
    assert len(program.comparisons) == 2
    x.data = 1.0                                               # h = 3 > 1 and 1 <= 5: the same branches
    assert close(program.run(), math.log(3.0) + 1.0)
    assert close(x.grad, 1.0 / 1.0 + 1.0)
    x.data = -1.0                                              # h = -3: the graph would have been h * 2
    with pytest.raises(BranchChanged, match=r"`h > 1` was True.*now take another branch"):
        program.run()
    x.data, limit.data = 1.0, 0.5                              # 1 <= 0.5 is False now
    with pytest.raises(BranchChanged, match="x <= limit"):
        program.run()


def test_a_flipped_comparison_raises_before_any_gradient_changes():
    x, limit = Value(2.0, label="x"), Value(5.0, label="limit")
    with tape():
        program = autograd.compile(branchy(x, limit))          # inside the scope: its tape is used
    x.data = -2.0
    with pytest.raises(BranchChanged):
        program.run()
    assert x.grad == 0.0 and limit.grad == 0.0


def test_comparisons_on_values_outside_the_graph_are_not_checked():
    x, other = Value(1.0), Value(-3.0)
    with tape():
        assert other < 0
        y = x * x
        program = autograd.compile(y)
    assert program.comparisons == ()


def test_run_many_checks_the_branches_row_by_row():
    x = Value(0.5, label="x")
    with tape():
        y = x.exp() if x > 0 else -x
        program = autograd.compile(y, inputs=[x])
    assert len(program.run_many([[0.1], [2.0]])) == 2
    with pytest.raises(BranchChanged):
        program.run_many([[0.1], [-2.0]])


# ---- the source ---------------------------------------------------------------------------------------
def test_the_source_reads_as_a_lesson():
    """One forward line per op, names from labels, each backward line with its rule in a comment."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = weighted_sum([w1, w2], [x1, x2], b)
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    source = autograd.compile(o).source
    for line in [r"n = w1 \* x1 \+ w2 \* x2 \+ b +# wx\+b", r"o = tanh\(n\) +# tanh",
                 r"grad_n \+= grad_o \* \(1\.0 - o \* o\) +# ∂o/∂n = 1 - o²",
                 r"grad_w1 \+= grad_n \* x1 +# ∂n/∂w1 = x1", r"grad_b \+= grad_n +# ∂n/∂b = 1"]:
        assert re.search(rf"^ +{line}$", source, flags=re.M), line


def test_the_readme_excerpt_is_what_compile_writes():
    """The generated code shown in the README's speed section is the tanh neuron's program, line for line."""
    readme = README.read_text(encoding="utf-8")
    match = re.search(r"<!-- compiled tanh neuron -->\n```python\n(.*?)```", readme, flags=re.S)
    assert match, "README lost its compiled-neuron excerpt"
    source = autograd.compile(neuron()).source               # the README's neuron (backward run: same code)
    for line in match.group(1).splitlines():
        if line.strip() != "...":
            assert line in source.splitlines(), line


def test_labels_become_unique_identifiers_that_shadow_nothing():
    """Dots, brackets, keywords, repeats and the names of the math functions all become safe identifiers."""
    a, b, c = Value(0.5, label="h1.w[0]"), Value(0.25, label="lambda"), Value(2.0, label="tanh")
    d, e = Value(1.0, label="x"), Value(3.0, label="x")
    y = (a * b).tanh() + c.exp() + d * e
    y.label = "2y"
    program = autograd.compile(y)
    assert "mul_1 = h1_w_0 * lambda_" in program.source and "exp_1 = exp(tanh_2)" in program.source
    assert "v_2y = add_1 + mul_2" in program.source and "(1.0 - tanh_1 * tanh_1)" in program.source
    assert_same((program.run(), [v.grad for v in (a, b, c, d, e)]),
                rebuilt(lambda *v: (v[0] * v[1]).tanh() + v[2].exp() + v[3] * v[4], [0.5, 0.25, 2.0, 1.0, 3.0]))


def test_long_sums_are_split_over_lines_in_the_same_order():
    """A 1,000-term total and a 300-input neuron compile (one Python line would nest too deep) and agree."""
    xs = [Value(random.Random(k).uniform(-1, 1)) for k in range(1000)]
    root = total([x * x for x in xs]) + weighted_sum(xs[:300], xs[300:600], xs[0])
    program = autograd.compile(root)
    assert program.run() == root.data
    grads = [x.grad for x in xs]
    for x in xs:
        x.grad = 0.0
    root.backward()
    assert grads == [x.grad for x in xs]


def test_a_graph_over_the_size_limit_is_refused_with_its_size():
    y = Value(1.0)
    for _ in range(60):
        y = y * 1.01
    with pytest.raises(ValueError, match=r"60 ops and 60 edges, 120 lines.*limit of 100.*run_many"):
        autograd.compile(y, max_lines=100)
    assert MAX_LINES >= 35_000                                  # a 2-128-128-1 MLP's per-sample loss fits


# ---- bad arguments -------------------------------------------------------------------------------------
def test_bad_arguments_are_refused_clearly():
    x, w = Value(1.0), Value(2.0)
    y = x * w
    with pytest.raises(TypeError, match="needs a Value"):
        autograd.compile(3.0)
    with pytest.raises(ValueError, match="inputs must be leaves"):
        autograd.compile(y + 1.0, inputs=[y])
    with pytest.raises(ValueError, match="not part of the graph"):
        autograd.compile(y, inputs=[Value(0.0)])
    with pytest.raises(ValueError, match="twice"):
        autograd.compile(y, inputs=[x, x])
    with pytest.raises(TypeError, match="must be a Value"):
        autograd.compile(y, also=[1.0])
    program = autograd.compile(y, inputs=[x])
    with pytest.raises(ValueError, match="row 1 has 2 values for 1 inputs"):
        program.run_many([[1.0], [1.0, 2.0]])
    with pytest.raises(TypeError, match="row 0 holds str"):
        program.run_many([["1.0"]])
    with pytest.raises(TypeError, match="compiled with inputs"):
        autograd.compile(y).run_many([[1.0]])
    assert isinstance(program, Program) and "compiled program: 1 ops" in repr(program)


def test_rows_may_hold_ints_and_numpy_numbers():
    numpy = pytest.importorskip("numpy")
    x = Value(0.0)
    program = autograd.compile((x * 2.0).exp(), inputs=[x])
    assert program.run_many([[0], [numpy.float64(0.5)], (numpy.int64(1),)]) == [1.0, math.e, math.exp(2.0)]


def test_the_moons_demo_trains_the_same_with_compile(tmp_path):
    """--compile: the same losses step by step as the eager run, and the generated code written beside the plots."""
    from demos import moons
    eager = moons.main(steps=4, out_dir=tmp_path / "eager", quiet=True)
    compiled = moons.main(steps=4, out_dir=tmp_path / "compiled", quiet=True, compiled=True)
    assert close(compiled["final_loss"], eager["final_loss"], rel_tol=1e-12)
    assert compiled["accuracy"] == eager["accuracy"]
    program = pathlib.Path(compiled["files"]["program"]).read_text(encoding="utf-8")
    assert program.startswith("# loss = ") and "def forward_and_backward(leaves, rows):" in program
    assert "program" not in eager["files"]


def test_the_moons_demo_command_line_takes_compile(tmp_path):
    import subprocess
    import sys
    completed = subprocess.run([sys.executable, "-m", "demos.moons", "--compile", "--steps", "2", "--quiet",
                                "--out", str(tmp_path)], capture_output=True, text=True,
                               cwd=pathlib.Path(__file__).resolve().parent.parent, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert (tmp_path / "compiled_step.py").exists()


def test_programs_compiled_and_run_in_several_threads_match_backward():
    """Threads each build a graph in their own tape, compile it and run it on new data: every gradient
    equals that thread's plain backward(), while the other threads do the same at the same time."""
    import threading
    start = threading.Barrier(3)
    results = {}

    def work(k):
        start.wait(10)
        x, w = Value(0.5 + k, label="x"), Value(-1.5 + k, label="w")
        with tape():
            y = (x * w + 1.0).tanh() * x + (w - x).relu()
        program = autograd.compile(y)
        outcome = []
        for step in range(50):
            x.data, w.data = 0.1 * step - 2.0 + k, 1.0 - 0.05 * step
            x.grad = w.grad = 0.0
            program.run()
            compiled = (y.data, x.grad, w.grad)
            x.grad = w.grad = 0.0
            fresh = (x * w + 1.0).tanh() * x + (w - x).relu()
            fresh.backward()
            outcome.append(compiled == (fresh.data, x.grad, w.grad))
        results[k] = outcome

    threads = [threading.Thread(target=work, args=(k,)) for k in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == [0, 1, 2] and all(all(outcome) for outcome in results.values())
