"""Tests for the practice page, animate_backward(root, practice=True): it asks for each gradient in check's
order, answers in check's words from a key computed in Python, reveals upstream × local, and keeps score."""
import json
import pathlib
import re

import pytest

from autograd import animate_backward
from autograd.core.naming import node_names
from autograd.practice import breakdown, check, exercise, slips
from test_animate import PageWatch, browser, micrograd_neuron  # noqa: F401  (browser is a fixture)

ARTIFACTS = pathlib.Path(__file__).resolve().parent.parent / "test-artifacts"


def embedded(text):
    """The page's embedded JSON."""
    return json.loads(re.search(r'<script type="application/json" id="steps-data">(.*?)</script>', text, re.S).group(1))


def test_questions_come_in_checks_order_from_a_python_key(tmp_path):
    """One question per node but the root, in the order of check's rows; the first for micrograd's neuron is
    δ(n) = 0.5; each question carries the true answer, the labelled slips and the breakdown from practice."""
    o, _ = micrograd_neuron()
    page = pathlib.Path(animate_backward(o, tmp_path / "practice.html", practice=True)).read_text(encoding="utf-8")
    data = embedded(page)
    questions = data["practice"]["questions"]
    o.backward()
    truth = {name: node.grad for node, name in node_names(o).items()}
    rows = [row.name for row in check(o, truth).rows]
    assert [q["name"] for q in questions] == rows[1:] and rows[0] == "o"
    first = questions[0]
    assert first["name"] == "n" and first["question"] == "δ(n) = ∂o/∂n" and abs(first["answer"] - 0.5) < 1e-12
    for question in questions:
        assert question["answer"] == truth[question["name"]]
        expected = [(kind, value) for kind, values in slips(o, question["name"]).items() for value in values]
        assert [(s["kind"], s["value"]) for s in question["slips"]] == expected
        assert question["breakdown"] == breakdown(o, question["name"])
    assert data["practice"]["relTol"] == 1e-3 and 'data-mode="practice"' in page and 'id="answer"' in page


def test_the_ordinary_page_is_unchanged_and_practice_is_checked(tmp_path):
    """Without practice the page has no practice panel; practice must be a bool; inline works too."""
    o, _ = micrograd_neuron()
    plain = pathlib.Path(animate_backward(o, tmp_path / "plain.html")).read_text(encoding="utf-8")
    assert 'data-mode="steps"' in plain and 'id="answer"' not in plain and "practice" not in embedded(plain)
    with pytest.raises(TypeError, match="practice"):
        animate_backward(o, practice="yes")
    with pytest.raises(KeyError, match="nope"):
        animate_backward(o, tmp_path / "never.html", practice=["n", "nope"])
    assert not (tmp_path / "never.html").exists()
    frame = animate_backward(o, practice=True)._repr_html_()
    assert frame.startswith("<iframe") and "id=&quot;answer&quot;" in frame


def answer(page, text):
    page.fill("#answer", text)
    page.press("#answer", "Enter")
    return page.text_content("#feedback")


def score(page):
    return int(page.get_attribute("#score", "data-right")), int(page.get_attribute("#score", "data-done"))


def test_practice_page_in_a_browser(browser):
    """Right, wrong (each named in check's words), not-a-number and revealed answers, the score, the keyboard,
    reset, and at the end every gradient shown equals the engine's."""
    o, values = micrograd_neuron()
    ARTIFACTS.mkdir(exist_ok=True)
    path = animate_backward(o, ARTIFACTS / "practice_page.html", practice=True)
    questions = embedded(pathlib.Path(path).read_text(encoding="utf-8"))["practice"]["questions"]
    watch = PageWatch(browser, path)
    page = watch.page
    assert page.text_content("#question") == "δ(n) = ∂o/∂n =" and score(page) == (0, 0)
    assert page.evaluate("document.activeElement === document.body || document.activeElement.id === 'answer'")

    assert answer(page, "-0.5").startswith("✗ sign")                       # a wrong answer, named
    assert page.get_attribute("#feedback", "data-verdict") == "sign"
    assert answer(page, "half") == "not a number, try again"
    assert answer(page, "0.5").startswith("✓ right") and score(page) == (0, 1)  # right, but not at the first try
    assert page.text_content(f"#grad-{questions[0]['node']}") == questions[0]["answerShown"]
    assert page.text_content("#question").startswith("δ(b)")

    assert answer(page, "0.5").startswith("✓ right") and score(page) == (1, 2)  # b: right at the first try
    page.focus("#answer")                                                  # the keyboard reaches Reveal
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "submit"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "reveal"
    page.keyboard.press("Enter")                                           # reveal x1*w1 + x2*w2
    assert page.text_content("#feedback").startswith("revealed") and score(page) == (1, 3)
    lines = page.eval_on_selector_all("#breakdown li", "items => items.map(i => i.textContent)")
    assert lines == questions[2]["breakdown"] and " × " in lines[0]

    while questions[int(page.get_attribute("body", "data-question"))]["name"] != "w1":   # on to w1
        answer(page, repr(questions[int(page.get_attribute("body", "data-question"))]["answer"]))
    # δ(w1) = δ(x1*w1) × x1 = 0.5 × 2 = 1: w1's own value (-3) for x1 gives -1.5, x1 alone gives 2
    assert answer(page, "-1.5").startswith("✗ swapped_operands")
    assert answer(page, "−1").startswith("✗ sign")                        # a typographic minus reads as one
    assert answer(page, "2").startswith("✗ no_upstream")
    assert answer(page, "7").startswith("✗ other")
    page.screenshot(path=str(ARTIFACTS / "practice_page.png"), full_page=True)

    page.click("#practice-reset")                                         # reset starts over
    assert score(page) == (0, 0) and page.text_content("#question") == "δ(n) = ∂o/∂n ="
    assert page.text_content(f"#grad-{questions[0]['node']}") == "?"
    for question in questions:                                             # all right, by keyboard
        page.keyboard.type(repr(question["answer"]))
        page.keyboard.press("Enter")
    assert score(page) == (len(questions), len(questions)) and page.text_content("#question").startswith("Done")
    o.backward()
    shown = {q["name"]: page.text_content(f"#grad-{q['node']}") for q in questions}
    for name, node in values.items():
        assert float(shown[name]) == pytest.approx(node.grad, rel=1e-3, abs=1e-3), name
    assert watch.errors == [] and set(watch.requests) == {watch.url}
    page.close()


def test_an_exercise_page_names_every_labelled_slip(browser, tmp_path):
    """On a level-2 exercise's page, asking only the exercise's nodes (not its target t), each labelled slip
    typed at its question gets that slip's word."""
    e = exercise(2, seed=0)
    assert len(e.asked) < len(e.names) - 1
    path = animate_backward(e.root, tmp_path / "exercise.html", practice=e.asked)
    questions = embedded(pathlib.Path(path).read_text(encoding="utf-8"))["practice"]["questions"]
    assert [q["name"] for q in questions] == [e.names[node] for node in e.asked]
    page = PageWatch(browser, path).page
    named = 0
    for question in questions:
        for slip in question["slips"]:
            assert answer(page, repr(slip["value"])).startswith("✗ " + slip["kind"])
            named += 1
        assert answer(page, repr(question["answer"])).startswith("✓ right")
    assert named >= len(questions) and score(page) == (0, len(questions))
    page.close()


def test_infinite_gradients_do_not_break_the_practice_page(tmp_path):
    """sqrt at 0 has an infinite slope: the practice page still writes; that question has no number to type
    (answer null, shown 'inf'), and no slip is an infinite number."""
    from autograd import Value
    x = Value(0.0, label="x")
    root = x.sqrt() * 2.0
    page = pathlib.Path(animate_backward(root, tmp_path / "inf.html", practice=True)).read_text(encoding="utf-8")
    questions = {q["name"]: q for q in embedded(page)["practice"]["questions"]}
    assert questions["x"]["answer"] is None and questions["x"]["answerShown"] == "inf"
    assert all(slip["value"] is not None for q in questions.values() for slip in q["slips"])


VISIBLE_TEXT = """() => {
  const texts = [], walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!node.textContent.trim() || parent.closest('title, script, style')) continue;
    if (parent.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) texts.push(node.textContent);
  }
  return texts;
}"""


def active_labels(page):
    return page.eval_on_selector_all(".edge-label.active", "labels => labels.map(label => label.textContent)")


def test_edges_show_the_rule_not_the_number_in_practice_mode(tmp_path):
    """In practice mode an edge is labelled with its rule from the op row ('× (1 - o²)', '× x1'), never with the
    local derivative's number, which with δ(o) = 1 would be δ(n) itself; the help line names the root."""
    o, _ = micrograd_neuron()
    page = pathlib.Path(animate_backward(o, tmp_path / "practice.html", practice=True)).read_text(encoding="utf-8")
    questions = {q["name"]: q for q in embedded(page)["practice"]["questions"]}

    def labels(name):
        return [re.search(rf'<text id="{edge}-local"[^>]*>([^<]*)</text>', page).group(1)
                for edge in questions[name]["uses"]]
    assert labels("n") == ["× (1 - o²)"] and labels("w1") == ["× x1"] and labels("x1") == ["× w1"]
    assert labels("b") == ["× 1"]
    graph = re.search(r"<svg.*</svg>", page, re.S).group(0)
    assert "× 0.5000" not in graph and "Type ∂o/∂node" in page
    plain = pathlib.Path(animate_backward(o, tmp_path / "plain.html")).read_text(encoding="utf-8")
    assert "× 0.5000" in re.search(r"<svg.*</svg>", plain, re.S).group(0)     # the step-through page keeps its numbers


def test_the_page_gives_nothing_away_and_never_jumps(browser):
    """Before the first answer no visible text holds δ(n) = 0.5000; every question's highlighted edges show rules,
    not numbers. The previous answer's working shows only under its own title and is cleared by the next answer;
    the graph stays put while feedback and working come and go."""
    o, _ = micrograd_neuron()
    ARTIFACTS.mkdir(exist_ok=True)
    path = animate_backward(o, ARTIFACTS / "practice_page_working.html", practice=True)
    questions = embedded(pathlib.Path(path).read_text(encoding="utf-8"))["practice"]["questions"]
    watch = PageWatch(browser, path)
    page = watch.page
    texts = page.evaluate(VISIBLE_TEXT)
    assert not [text for text in texts if "0.5000" in text], texts
    assert active_labels(page) == ["× (1 - o²)"] and any("∂o/∂node" in text for text in texts)
    graph_top = "document.getElementById('graph').getBoundingClientRect().top"
    tops = {page.evaluate(graph_top)}

    def working():
        return (page.text_content("#working-title"),
                page.eval_on_selector_all("#breakdown li", "items => items.map(i => i.textContent)"))

    assert working() == ("", [])
    assert answer(page, "-0.5").startswith("✗ sign") and working() == ("", [])
    tops.add(page.evaluate(graph_top))
    assert answer(page, "0.5").startswith("✓ right")              # n done: its working, titled as n's
    title, lines = working()
    assert "δ(n)" in title and lines == questions[0]["breakdown"]
    tops.add(page.evaluate(graph_top))
    assert answer(page, "7").startswith("✗ other") and working() == ("", [])   # b's feedback, not n's working
    tops.add(page.evaluate(graph_top))
    page.click("#reveal")                                              # b revealed: its working, titled as b's
    title, lines = working()
    assert "δ(b)" in title and lines == questions[1]["breakdown"]
    tops.add(page.evaluate(graph_top))
    assert answer(page, "half") == "not a number, try again" and working() == ("", [])
    for question in questions[2:]:
        assert not [label for label in active_labels(page) if re.search(r"\d\.\d", label)], question["name"]
        if question["name"] == "w1":
            assert active_labels(page) == ["× x1"]
            page.screenshot(path=str(ARTIFACTS / "practice_page_w1.png"), full_page=True)
        answer(page, repr(question["answer"]))
        tops.add(page.evaluate(graph_top))
    assert page.text_content("#question").startswith("Done") and len(tops) == 1, tops
    page.screenshot(path=str(ARTIFACTS / "practice_page_done.png"), full_page=True)
    assert watch.errors == []
    page.close()


def test_the_page_takes_an_answer_worked_from_the_shown_numbers(browser, tmp_path):
    """tanh(2.5) shows as 0.9866: typing 1 − 0.9866² (0.02662, true 0.026592) gets "✓ right", as check() says."""
    from autograd import Value
    x = Value(2.5, label="x")
    y = x.tanh(); y.label = "y"
    path = animate_backward(y, tmp_path / "tanh.html", practice=True)
    (question,) = embedded(pathlib.Path(path).read_text(encoding="utf-8"))["practice"]["questions"]
    assert question["byHand"] == pytest.approx(0.02662) and question["answer"] == pytest.approx(0.0265922, rel=1e-5)
    page = PageWatch(browser, path).page
    assert answer(page, "0.02662").startswith("✓ right")
    page.close()
