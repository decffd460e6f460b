"""Comparisons are one family (==, !=, <, <=, >, >= all compare data), truth is data != 0, identity stays the hash,
and the calls that would drop a gradient (float, int, round, math.exp) say what to use instead."""
import math

import pytest

from autograd import Value, compile, tape
from autograd.core.compiler import BranchChanged

CASES = [(2.0, 2.0), (1.0, 2.0), (3.0, 2.0), (-0.0, 0.0)]


@pytest.mark.parametrize("left, right", CASES)
def test_all_six_comparisons_agree_with_the_datas(left, right):
    """Each comparison of Values (and of a Value with a number, either side) is the one of their data."""
    v, w = Value(left), Value(right)
    for a, b, x, y in [(v, w, left, right), (v, right, left, right), (left, w, left, right)]:
        assert (a == b) is (x == y) and (a != b) is (x != y)
        assert (a < b) is (x < y) and (a <= b) is (x <= y) and (a > b) is (x > y) and (a >= b) is (x >= y)


def test_ge_and_le_both_true_means_equal():
    """v >= 2 and v <= 2 together imply v == 2 (they used to disagree)."""
    v = Value(2.0)
    assert v >= 2.0 and v <= 2.0 and v == 2.0 and not v != 2.0


def test_truth_is_data_not_zero():
    """bool(v) is v.data != 0, as in PyTorch."""
    assert not Value(0.0) and not Value(-0.0)
    assert Value(0.5) and Value(-3.0) and Value(float("nan"))


def test_hash_stays_identity():
    """Two Values with equal data are two keys of a dict and two members of a set."""
    a, b = Value(1.0), Value(1.0)
    assert a == b and hash(a) != hash(b)
    assert len({a: 1, b: 2}) == 2 and len({a, b}) == 2
    assert {a: 1}.get(b) is None


def test_equality_with_a_non_number_is_false_not_an_error():
    """v == 'x' is False and v != None is True, like any Python object compared with an unrelated type."""
    v = Value(1.0)
    assert (v == "x") is False and (v != None) is True  # noqa: E711
    with pytest.raises(TypeError):
        v < "x"


@pytest.mark.parametrize("call, hint", [(float, "item()"), (int, "item()"), (round, "item()"),
                                        (lambda v: round(v, 2), "item()"), (math.exp, "exp()"),
                                        (math.tanh, "tanh()"), (math.log, "log()")])
def test_calls_that_would_drop_the_gradient_name_what_to_use(call, hint):
    """float(v), int(v), round(v), math.exp(v) raise a TypeError that names v.item() and the Value's own methods."""
    with pytest.raises(TypeError) as error:
        call(Value(1.5))
    assert hint in str(error.value) and "gradient" in str(error.value)


def test_a_compiled_program_checks_equality_branches():
    """`if a == 1` inside a tape is recorded, and the compiled program refuses data that changes the branch."""
    a = Value(1.0, label="a")
    with tape():
        y = a * 2 if a == 1.0 else a * 3
        program = compile(y)
    assert [symbol for _, symbol, _, _ in program.comparisons] == ["=="]
    assert program.run() == 2.0 and a.grad == 2.0
    a.data = 2.0
    with pytest.raises(BranchChanged, match="a == 1"):
        program.run()


def test_nothing_in_the_project_asks_eq_of_two_values(monkeypatch, tmp_path):
    """With == between two Values and their truth made to raise, the engine, nn, compile, every view, practice,
    training health and the torch bridge still work: they key by identity and never use `in`, `index`,
    `remove` or `count` on lists of Values, nor `if v:`."""
    import random

    import nn
    from autograd import animate_backward, draw_dot, explain, format_tree, grad, no_grad

    def refuse(self, other):
        if type(other) is Value:
            raise AssertionError("== or != asked of two Values")
        return NotImplemented
    def no_truth(self):
        raise AssertionError("the truth of a Value asked (if v:, v or w)")
    monkeypatch.setattr(Value, "__eq__", refuse)
    monkeypatch.setattr(Value, "__ne__", refuse)
    monkeypatch.setattr(Value, "__bool__", no_truth)
    random.seed(0)
    model = nn.MLP(2, [3, 3, 1], activation="tanh")
    optimizer = nn.Adam(model.parameters(), lr=0.01)
    for _ in range(2):
        with tape():
            loss = nn.mse_loss([model([0.5, -1.0]), model([1.0, 2.0])], [1.0, -1.0])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    x = Value(0.5, label="x")
    y = (x * x).tanh() + x * 3 - x.exp() / 2
    y.backward()
    grad(y, [x], create_graph=True)
    explain(y, x)
    explain(loss, model.parameters()[0])
    draw_dot(loss, params=model).save(tmp_path / "loss.svg")
    draw_dot(y).save(tmp_path / "y.svg")
    format_tree(y)
    animate_backward(y, tmp_path / "y.html")
    with tape():
        compile(loss).run()
    with no_grad():
        model([0.1, 0.2])
    nn.save(model, tmp_path / "model.json")
    nn.load(model, tmp_path / "model.json")
    from autograd import practice
    lesson = practice.exercise(5, seed=1)
    lesson.check({node: 0.5 for node in lesson.asked})
    practice.check(y, {x: 1.0})
    animate_backward(lesson.root, tmp_path / "practice.html", practice=True)
    points, labels = [[0.5, -1.0], [1.0, 2.0], [-0.3, 0.2]], [1.0, -1.0, 1.0]
    report = nn.health(model, points, labels, loss=nn.mse_loss)
    str(report)
    report._repr_html_()
    with nn.Recorder(model, optimizer) as recorder:
        for _ in range(2):
            loss = nn.mse_loss([model(p) for p in points], labels)
            optimizer.zero_grad()
            loss.backward()
            recorder.step(loss)
    str(recorder)
    try:
        import torch  # noqa: F401
    except ImportError:
        return
    back = nn.from_torch(nn.to_torch(model))
    explain(back([0.5, 0.5]), back.parameters()[0])
