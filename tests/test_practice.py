"""Tests for autograd.practice: check() names the first mistake and its kind, marks what only follows from it
as inherited, and exercise() poses fair, seeded, friendly graphs."""
import copy
import math
import pickle
import random

import pytest
from hypothesis import given, strategies as st

import nn
from autograd import Value, log_softmax, shown, walk, weighted_sum
from autograd.core.naming import node_names
from autograd.practice import (MISTAKES, Exercise, breakdown, by_hand, check, close, exercise, is_fair, slips)
from test_animate import micrograd_neuron

import autograd.practice


# ---- graphs ----------------------------------------------------------------------------------------
def neuron():
    """micrograd's neuron: o = tanh(x1·w1 + x2·w2 + b), products and sum labelled as in its lecture."""
    return micrograd_neuron()[0]


def mlp():
    """A 2-2-1 tanh MLP (weighted-sum nodes) with a squared error."""
    random.seed(3)
    model = nn.MLP(2, [2, 1], activation="tanh")
    y = model([Value(0.7, label="x1"), Value(-1.3, label="x2")])
    return (y - 0.5) ** 2


def softmax_cross_entropy():
    """−log softmax(logits)[1] over three logits that are themselves products (a logsumexp node)."""
    w = [Value(v, label=f"w{i}") for i, v in enumerate((0.5, -1.2, 0.8))]
    x = Value(1.5, label="x")
    logits = [wi * x for wi in w]
    return -log_softmax(logits)[1]


def shared():
    """Shared subexpressions: a is used three times, e twice, and a * a has two edges to a."""
    a, b = Value(1.5, label="a"), Value(-0.7, label="b")
    e = a * b; e.label = "e"
    s = a * a; s.label = "s"
    d = (e + a).tanh() * e + s.sigmoid(); d.label = "d"
    return d


GRAPHS = {"neuron": neuron, "mlp": mlp, "softmax_cross_entropy": softmax_cross_entropy, "shared": shared}


def true_answers(root):
    """{name: the true gradient} for every node, by the engine's backward()."""
    root.backward()
    return {name: node.grad for node, name in node_names(root).items()}


def propagate(root, overrides):
    """The answers of a learner who writes `overrides` (by name) and then applies the chain rule correctly."""
    names = node_names(root)
    answers = {}
    for node in reversed(walk(root, leaves=True)):
        name = names[node]
        if name in overrides:
            answers[name] = overrides[name]
        elif node is root:
            answers[name] = 1.0
        else:
            answers[name] = sum(answers[names[child]] * local for child in walk(root)
                                for parent, local in zip(child.parents, child.local_grads) if parent is node)
    return answers


def unambiguous(root, name, kind):
    """The number slip `kind` gives at `name` when it matches no other slip, else None."""
    found = slips(root, name)
    if kind not in found:
        return None
    value = found[kind][0]
    if any(close(value, other) for other_kind, values in found.items() if other_kind != kind for other in values):
        return None
    return value


# ---- every kind of mistake is named, on every graph --------------------------------------------------
@pytest.mark.parametrize("graph", sorted(GRAPHS))
def test_each_injected_slip_is_named_where_it_is_made(graph):
    """At every node where a slip is possible and unambiguous, injecting it gives first_mistake = that node
    and mistake = that kind; the nodes downstream (answered right) stay right."""
    root = GRAPHS[graph]()
    truth = true_answers(root)
    kinds_seen = set()
    for name in truth:
        for kind in MISTAKES[:-1]:
            value = unambiguous(root, name, kind)
            if value is None:
                continue
            report = check(root, dict(truth, **{name: value}))
            assert (report.first_mistake, report.mistake) == (name, kind), (graph, name, kind)
            assert [row.name for row in report.rows if row.status != "right"] == [name]
            kinds_seen.add(kind)
    expected_kinds = {"neuron": {"sign", "no_upstream", "input_for_output", "swapped_operands"},
                      "mlp": {"sign", "missing_use", "no_upstream", "input_for_output", "swapped_operands"},
                      "softmax_cross_entropy": {"sign", "missing_use", "no_upstream", "swapped_operands"},
                      "shared": set(MISTAKES[:-1])}[graph]
    assert expected_kinds <= kinds_seen, expected_kinds - kinds_seen


@pytest.mark.parametrize("graph", sorted(GRAPHS))
def test_a_number_no_slip_explains_is_other(graph):
    """A wrong number that matches no slip is a mistake of kind 'other'."""
    root = GRAPHS[graph]()
    truth = true_answers(root)
    name = max(truth, key=lambda n: abs(truth[n]))
    report = check(root, dict(truth, **{name: truth[name] * 1.37 + 0.113}))
    assert (report.first_mistake, report.mistake) == (name, "other")


def test_the_first_mistake_in_backward_order_is_reported():
    """With two independent mistakes, the one backward() reaches first is reported, whatever the dict order."""
    root = neuron()
    truth = true_answers(root)
    answers = dict(truth, w1=-truth["w1"], n=-truth["n"])     # n comes before w1 going backward
    report = check(root, answers)
    assert report.first_mistake == "n" and report.mistake == "sign"
    statuses = {row.name: row.status for row in report.rows}
    assert statuses["n"] == "wrong" and statuses["w1"] == "wrong"
    assert [row.name for row in report.rows][0] == "o"


def test_what_follows_from_a_mistake_is_inherited_not_blamed():
    """A learner who slips at n and then applies the chain rule correctly: n is the one mistake, every node
    below it is inherited, and the mistake is the slip made at n."""
    root = neuron()
    (slip,) = slips(root, "n")["input_for_output"]
    answers = propagate(root, {"n": slip})
    report = check(root, answers)
    statuses = {row.name: row.status for row in report.rows}
    assert report.first_mistake == "n" and report.mistake == "input_for_output"
    assert statuses["o"] == "right"
    below = ["b", "x1*w1 + x2*w2", "x1*w1", "x2*w2", "w1", "x1", "x2"]
    assert all(statuses[name] == "inherited" for name in below), statuses
    assert statuses["w2"] == "right"                           # x2 = 0: ∂o/∂w2 = x2 · δ is 0 whatever δ is
    assert not report.ok and "inherited" in str(report)


def test_a_second_mistake_below_an_inherited_one_is_still_found():
    """Inherited rows do not hide a later mistake: a slip made below them is 'wrong', measured against the
    learner's own (inherited) numbers."""
    root = neuron()
    answers = propagate(root, {"n": -0.5})
    answers["w1"] = answers["w1"] * 3.0                        # a slip of its own on top of the inherited numbers
    report = check(root, answers)
    statuses = {row.name: row.status for row in report.rows}
    assert report.first_mistake == "n" and statuses["w1"] == "wrong" and statuses["x1*w1"] == "inherited"


def test_unanswered_downstream_nodes_count_with_their_true_gradients():
    """Answering only w1 with x1 · δ(x1*w1) is right; answering it with x1 · (a wrong δ) is wrong, because
    the learner gave no δ(x1*w1) it could follow from."""
    root = neuron()
    truth = true_answers(root)
    assert check(root, {"w1": truth["w1"]}).ok
    report = check(root, {"w1": 2.0 * 0.25})
    assert report.rows[0].status == "wrong"


def test_report_rows_in_backward_order_with_names_and_numbers():
    """Rows come in the order backward() completes the nodes; given and expected are the numbers."""
    root = neuron()
    truth = true_answers(root)
    report = check(root, truth)
    assert report.ok and report.first_mistake is None and report.mistake is None and report.diagnosis is None
    assert [row.name for row in report.rows] == [node_names(root)[node] for node in reversed(walk(root, leaves=True))]
    assert [row.name for row in report.rows][:2] == ["o", "n"]
    n_row = report.rows[1]
    assert n_row.given == n_row.expected and math.isclose(n_row.expected, 0.5, rel_tol=1e-12)
    assert all(row.status == "right" for row in report.rows)


def test_answers_may_be_values_or_names_and_numpy_numbers():
    """A node can be named or given as its Value; numpy scalars are numbers."""
    np = pytest.importorskip("numpy")
    root = neuron()
    n = root.parents[0]
    assert check(root, {n: np.float32(0.5), "b": np.float64(0.5)}).ok


def test_the_root_is_one():
    """The root's own gradient is 1; any other number for it is a mistake made there."""
    root = neuron()
    assert check(root, {"o": 1.0}).ok
    report = check(root, {"o": -1.0})
    assert report.first_mistake == "o" and report.mistake == "sign"


def test_check_never_touches_grad():
    """check reads the graph only: every .grad stays as it was."""
    root = shared()
    nodes = walk(root, leaves=True)
    for node in nodes:
        node.grad = 7.0
    check(root, {"a": 1.0, "e": 2.0, "d": 1.0})
    assert all(node.grad == 7.0 for node in nodes)


def test_diagnosis_shows_upstream_times_local_with_the_rule_text():
    """At the first mistake the diagnosis writes δ(use) × local with the op row's rule text and real numbers."""
    root = neuron()
    truth = true_answers(root)
    report = check(root, dict(truth, n=1.0 - 0.8813735870195432 ** 2))   # 1 − n² instead of 1 − o²
    assert report.mistake == "input_for_output"
    text = report.diagnosis
    assert "First mistake at n" in text and "δ(o) × ∂o/∂n" in text and "1 - o²" in text
    assert "input_for_output" in text and "0.5" in text
    assert "← first mistake" in str(report)


def test_the_report_table_and_html():
    """str() is a table with one line per row and a summary; the HTML highlights the first mistake and greys
    the inherited rows."""
    root = neuron()
    report = check(root, propagate(root, {"n": -0.5}))
    text = str(report)
    assert text.splitlines()[0].split() == ["node", "yours", "expected", "status"]
    assert "first mistake at n: sign" in text
    page = report._repr_html_()
    assert page.count("first-mistake") == 1 and 'class="inherited"' in page and "color:#9aa3ad" in page


def test_missing_answers_and_not_answered_yet():
    """Asked nodes without an answer (or answered None) are 'missing'; all missing reads 'not answered yet'."""
    e = exercise(4, seed=1)
    report = e.check(e.blank())
    assert {row.status for row in report.rows} == {"missing"} and not report.ok
    assert "not answered yet" in str(report) and "not answered yet" in report._repr_html_()
    key = e.answer_key()
    first = next(iter(key))
    report = e.check({first: key[first]})
    assert report.rows[0].status == "right" and all(row.status == "missing" for row in report.rows[1:])


@pytest.mark.parametrize("bad, error, words", [
    ({"n": "0.5"}, TypeError, "'n'"), ({"n": None, "w1": [1.0]}, TypeError, "'w1'"),
    ({"n": float("nan")}, ValueError, "'n'"), ({"b": float("inf")}, ValueError, "'b'"),
    ({"nope": 1.0}, KeyError, "nope"), ({3: 1.0}, TypeError, "key"), ({"n": True}, TypeError, "'n'"),
])
def test_bad_answers_raise_clear_errors(bad, error, words):
    """A non-number is a TypeError, NaN or infinity a ValueError, an unknown name a KeyError, each naming it."""
    with pytest.raises(error, match=words):
        check(neuron(), bad)


def test_other_bad_input():
    """A Value from another graph, an answer given twice, a non-dict and a non-Value root are refused."""
    root = neuron()
    with pytest.raises(ValueError, match="not in the graph"):
        check(root, {Value(1.0, label="stranger"): 1.0})
    with pytest.raises(ValueError, match="twice"):
        check(root, {"n": 0.5, root.parents[0]: 0.5})
    with pytest.raises(TypeError, match="dict"):
        check(root, [0.5])
    with pytest.raises(TypeError, match="root"):
        check(2.0, {})
    with pytest.raises(TypeError, match="Value"):
        check(root, {"n": root.parents[0]})


# ---- random graphs: the right answers are always right ---------------------------------------------
@st.composite
def random_graphs(draw):
    """A random expression DAG with shared nodes, x * x, constants, tanh, sigmoid, exp and weighted sums."""
    pool = [Value(draw(st.floats(-2, 2).filter(lambda v: abs(v) > 0.1)), label=f"x{i}") for i in range(3)]
    for _ in range(draw(st.integers(1, 10))):
        a = pool[draw(st.integers(0, len(pool) - 1))]
        b = pool[draw(st.integers(0, len(pool) - 1))]
        kind = draw(st.integers(0, 6))
        node = [lambda: a * b, lambda: a + b * 0.5, lambda: (a * 0.3).tanh(), lambda: (a * 0.2).sigmoid() * b,
                lambda: a * a - b, lambda: weighted_sum([a, b], [b, 1.5], a), lambda: (a * 0.1).exp() / (b * b + 1.0)][kind]()
        pool.append(node)
    return pool[-1] + pool[-2] * pool[1]


@given(random_graphs(), st.randoms(use_true_random=False))
def test_right_answers_are_always_right(root, rng):
    """On random graphs, the true gradients (of any subset of nodes) are all 'right' and the report is ok."""
    truth = true_answers(root)
    chosen = {name: value for name, value in truth.items() if rng.random() < 0.6} or truth
    report = check(root, chosen)
    assert report.ok and all(row.status == "right" for row in report.rows)


@given(random_graphs(), st.randoms(use_true_random=False))
def test_a_mistake_and_what_follows_are_told_apart_on_random_graphs(root, rng):
    """One mistake, then correct chain rule below it: the mistake's node is the first mistake, and every row
    that differs from the truth below it is inherited, never wrong."""
    truth = true_answers(root)
    names = [node_names(root)[node] for node in reversed(walk(root, leaves=True))]
    name = rng.choice(names[1:])
    if abs(truth[name]) < 1e-3:
        return
    answers = propagate(root, {name: truth[name] * -2.5 + 0.3})
    report = check(root, answers)
    statuses = {row.name: row.status for row in report.rows}
    assert report.first_mistake == name
    assert all(status in ("right", "inherited") for other, status in statuses.items() if other != name)


# ---- exercises ----------------------------------------------------------------------------------
LEVELS = (1, 2, 3, 4, 5, "delta_rule", "one_path", "drummyfish")


@pytest.mark.parametrize("level", LEVELS)
def test_exercises_are_seeded_and_differ_by_seed(level):
    """The same level and seed give the same numbers; different seeds give different numbers."""
    first, again = exercise(level, seed=4), exercise(level, seed=4)
    assert first.answer_key() == again.answer_key() and str(first) == str(again)
    keys = [exercise(level, seed).answer_key() for seed in range(8)]
    assert all(key != following for key, following in zip(keys, keys[1:]))
    assert len({tuple(sorted(key.items())) for key in keys}) >= 7


@pytest.mark.parametrize("level", LEVELS)
def test_exercises_are_fair_for_many_seeds(level):
    """For 15 seeds: the answer key checks right; every asked gradient is nonzero and at least 2 % away
    from every labelled slip, the slips of different kinds are 2 % apart; each slip injected is named;
    a learner working from the shown numbers (4 significant digits) gets everything right."""
    for seed in range(15):
        e = exercise(level, seed)
        key = e.answer_key()
        assert e.asked and e.check(key).ok and is_fair(e)
        assert e.check(by_hand(e)).ok
        for node in e.asked:
            name = e.names[node]
            found = slips(e.root, node)
            assert abs(key[name]) >= 1e-3
            for kind, values in found.items():
                for value in values:
                    assert not math.isclose(value, key[name], rel_tol=2e-2), (level, seed, name, kind)
                    for other_kind, others in found.items():
                        if other_kind != kind:
                            assert all(not math.isclose(value, other, rel_tol=2e-2) for other in others)
                    report = e.check(dict(key, **{name: value}))
                    assert (report.first_mistake, report.mistake) == (name, kind), (level, seed, name, kind)


def test_levels_have_the_shapes_the_issue_lists():
    """Level 1 is one op, 3 reuses a Value, 4 is a tanh neuron, 5 a 2-2-1 sigmoid network with squared error."""
    for seed in range(6):
        assert len(walk(exercise(1, seed).root)) == 1
        root = exercise(3, seed).root
        uses = {}
        for child in walk(root):
            for parent in child.parents:
                uses[id(parent)] = uses.get(id(parent), 0) + 1
        assert max(uses.values()) >= 2
        neuron_root = exercise(4, seed).root
        assert neuron_root.op == "tanh" and neuron_root.label == "o"
        five = exercise(5, seed)
        assert [v.op for v in walk(five.root)].count("sigmoid") == 3 and five.names[five.root] == "E"
        assert {"w13", "w23", "w14", "w24", "w35", "w45"} <= set(five.answer_key())


def test_friendly_numbers():
    """Levels 1-4 use short decimals: every leaf but a neuron's bias has at most 2 decimals, and the
    answers of the product levels are short decimals too."""
    for level in (1, 2, 3, 4):
        for seed in range(10):
            e = exercise(level, seed)
            for node in walk(e.root, leaves=True):
                if node.is_leaf() and e.names[node] not in ("b", "x"):
                    assert round(node.data, 2) == node.data, (level, seed, e.names[node], node.data)
            if level in (1, 3):
                assert all(round(v, 4) == pytest.approx(v, abs=1e-12) for v in e.answer_key().values()
                           if e.names[e.root] == "L")


@pytest.mark.parametrize("name", ["delta_rule", "one_path", "drummyfish"])
def test_seed_exercises_are_the_seeds_networks(name):
    """A seed exercise computes the same error as the network the derivations demo checks, with the seed's names."""
    from demos.seed_networks import DELTA_RULE, DRUMMYFISH, ONE_PATH
    network = {"delta_rule": DELTA_RULE, "one_path": ONE_PATH, "drummyfish": DRUMMYFISH}[name]
    for seed in range(3):
        e = exercise(name, seed)
        params = {e.names[v]: v.data for v in walk(e.root, leaves=True) if e.names[v] in network.params}
        assert set(params) == set(network.params)
        error, nodes = network.forward(params, e.data)
        assert math.isclose(error, e.root.data, rel_tol=1e-12)
        names = set(e.names.values())
        assert {label for label in nodes if label != "E"} <= names


def test_exercise_text_and_bad_levels():
    """str(exercise) shows the forward pass and what is asked; bad levels and seeds are refused."""
    e = exercise(4, seed=0)
    text = str(e)
    assert "forward pass:" in text and "o = tanh(n) = " in text and "give ∂o/∂v for: n, b" in text
    assert e.question(e.asked[0]) == "δ(n) = ∂o/∂n"
    with pytest.raises(ValueError, match="level"):
        exercise(6)
    with pytest.raises(TypeError, match="seed"):
        exercise(1, seed="x")


def test_breakdown_lines():
    """breakdown() writes the true gradient as upstream × local per use, with the rule text, then the sum."""
    root = neuron()
    lines = breakdown(root, "n")
    assert lines[0].startswith("δ(o) × ∂o/∂n = ") and "1 - o²" in lines[0]
    assert lines[-1].startswith("δ(n) = ")
    assert len(breakdown(shared(), "a")) == 4 + 1


def test_module_is_importable_both_ways():
    """`import autograd.practice` and `from autograd import practice` give the same module."""
    from autograd import practice
    assert practice is autograd.practice and Exercise is practice.Exercise


def test_reports_and_exercises_pickle_and_deep_copy():
    """A report and an exercise survive pickle and deepcopy, and still check the same."""
    e = exercise(3, seed=2)
    report = e.check(e.answer_key())
    for clone in (pickle.loads(pickle.dumps(e)), copy.deepcopy(e)):
        assert clone.answer_key() == e.answer_key() and clone.check(clone.answer_key()).ok
    again = pickle.loads(pickle.dumps(report))
    assert str(again) == str(report) and copy.deepcopy(report).ok


# ---- what a learner sees: no answer key before an answer, no repeated numbers ------------------------
def key_texts(value):
    """The ways a gradient could be written out: as every view shows it, and to 4 significant digits."""
    from autograd import shown
    return {shown(value), f"{value:.4g}"}


def test_a_missing_row_never_shows_its_expected_value():
    """While a row is missing, str(), the table and the HTML show '?' where its expected value goes; its
    `.expected` stays for code. An answered row still shows its expected value."""
    e = exercise(4, seed=1)
    key = e.answer_key()
    report = e.check(e.blank())
    for text in (str(report), report.table(), report._repr_html_()):
        assert not any(written in text for value in key.values() for written in key_texts(value)), text
    assert [line.split()[-2] for line in report.table().splitlines()[2:]] == ["?"] * len(key)
    assert [row.expected for row in report.rows] == list(key.values())
    first = next(iter(key))                                     # n answered: its own expected value shows
    table = e.check({first: key[first]}).table().splitlines()
    assert table[2].split()[2] in key_texts(key[first])
    assert all(line.split()[-2] == "?" for line in table[3:])


def test_the_diagnosis_does_not_give_away_an_unanswered_upstream():
    """A wrong answer below asked nodes not answered yet: the diagnosis names the mistake but shows no
    missing row's true gradient (it asks for the upstream answers first)."""
    e = exercise(4, seed=1)
    key = e.answer_key()
    report = e.check({"w1": -key["w1"]})
    assert report.first_mistake == "w1" and report.mistake == "sign"
    hidden = {name: value for name, value in key.items() if name != "w1"}
    text = str(report) + report._repr_html_()
    leaked = [name for name, value in hidden.items() if any(w in text for w in key_texts(value))]
    assert leaked == [], (leaked, text)
    assert "x1*w1" in report.diagnosis and "not answered yet" in report.diagnosis


def test_a_rule_that_is_a_number_is_written_once_and_negatives_subtract():
    """breakdown: 'δ(L) × ∂L/∂a = 1.000 × 1 = 1.000' (a rule that is already the number is not repeated);
    a sum of negative parts reads '-1.250 − 1.250', never '+ -1.250'; the diagnosis follows the same style."""
    a, c = Value(2.0, label="a"), Value(5.0, label="c")
    L = c + a; L.label = "L"
    assert breakdown(L, "a") == ["δ(L) × ∂L/∂a = 1.000 × 1 = 1.000", "δ(a) = 1.000"]
    a, b, d, f = Value(2.0, label="a"), Value(-1.25, label="b"), Value(-1.25, label="d"), Value(0.25, label="f")
    M = a * b + a * d + a * f; M.label = "M"
    lines = breakdown(M, "a")
    assert lines[-1] == "δ(a) = -1.250 − 1.250 + 0.2500 = -2.250"
    assert not any("+ -" in line for line in lines)
    wrong = check(M, {"a": -2.5})                               # the use through a * f left out
    assert wrong.mistake == "missing_use" and "+ -" not in wrong.diagnosis and "− 1.250" in wrong.diagnosis
    diagnosis = check(L, {"a": -1.0}).diagnosis
    assert "= 1.000 (true) × 1 = 1.000  " in diagnosis and "× 1.000 =" not in diagnosis


def test_a_label_that_is_its_formula_is_written_once():
    """Level 4's sum is labelled 'x1*w1 + x2*w2': the forward pass writes it once, then its value."""
    e = exercise(4, seed=0)
    lines = e.forward_lines()
    (line,) = [line for line in lines if line.startswith("x1*w1 + x2*w2 =")]
    assert line == "x1*w1 + x2*w2 = -2.600"
    assert "x1*w1 = x1 * w1 = -0.6000" in lines and "o = tanh(n) = -0.5000" in lines


def test_a_hand_answer_from_the_shown_numbers_is_right_where_the_rule_magnifies_rounding():
    """tanh(2.5) shows as 0.9866; 1 − 0.9866² = 0.02662 (true 0.026592) is the careful learner's answer: right."""
    x = Value(2.5, label="x")
    y = x.tanh(); y.label = "y"
    assert shown(y.data) == "0.9866"
    report = check(y, {"x": 1 - 0.9866 ** 2})
    assert report.rows[0].status == "right" and report.ok
    assert check(y, {"x": 0.0270}).rows[0].status == "wrong"    # not any number near it


def test_a_number_that_follows_from_right_answers_is_right_not_inherited():
    """Drift within the tolerance at each step: b follows from c's right (rounded) answer, so it is right too;
    'inherited' needs a wrong answer downstream."""
    x = Value(1.0, label="x")
    b = x * 1.0; b.label = "b"
    c = b * 1.0; c.label = "c"
    L = c * 1.0; L.label = "L"
    rows = {row.name: row.status for row in check(L, {"c": 1.0009, "b": 1.0018}).rows}
    assert rows == {"c": "right", "b": "right"}
    rows = {row.name: row.status for row in check(L, {"c": 2.0, "b": 2.0}).rows}
    assert rows == {"c": "wrong", "b": "inherited"}
