"""Rich display in notebooks: HTML for a Value, a model and explain(); plain repr unchanged; tqdm.auto bars."""
import html.parser
import random
import sys
import types

import pytest

import nn
from autograd import Value, explain, shown
from autograd.views.display import explanation_html, module_html, value_html


class _Text(html.parser.HTMLParser):
    """The text of an HTML fragment, and its tags (to check it parses and holds no script)."""

    def __init__(self, fragment):
        super().__init__()
        self.text, self.tags = [], []
        self.feed(fragment)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def text_of(fragment):
    parsed = _Text(fragment)
    assert "script" not in parsed.tags and "style" not in parsed.tags
    return " ".join(" ".join(parsed.text).split())


def test_value_shows_label_data_grad_and_its_op_as_html():
    """A Value's HTML names it and shows data, grad (coloured by sign) and the op that made it."""
    a = Value(2.0, label="a")
    y = a * a - 1.0
    y.label = "y"
    y.backward()
    assert text_of(y._repr_html_()) == "y data 3.000 grad 1.000 made by − 1 from 1 Value"
    assert text_of(a._repr_html_()) == "a data 2.000 grad 4.000 leaf"
    assert "background:#2166ac" in a._repr_html_()                     # a positive grad is blue
    assert text_of(value_html(Value(-0.0))) == "Value data 0 grad 0 leaf"


def test_plain_repr_and_str_stay_as_they_are():
    """The terminal keeps the old text: repr of a Value, str of a model, str and repr of an explanation."""
    x = Value(1.5, label="x")
    assert repr(x) == "Value(data=1.5, grad=0.0, label='x')"
    random.seed(0)
    model = nn.MLP(2, [3, 1])
    assert repr(model).startswith("MLP(nin=2, nouts=[3, 1]") and "<" not in repr(model)
    explanation = explain(x * 2.0, x)
    assert repr(explanation) == str(explanation) == explanation.text


def test_hostile_labels_are_escaped_in_html():
    """A label with <, & and quotes is text in the HTML, never markup."""
    evil = '<img src=x onerror="alert(1)"> & co'
    x = Value(1.0, label=evil)
    assert evil in text_of(value_html(x)) and "<img" not in value_html(x)
    assert "<img" not in explanation_html(explain(x * 2.0, x).parts)


def test_model_summary_shows_layers_parameters_and_gradient_sizes():
    """A model's HTML: its repr lines, its parameter count, and per layer the data range and max |grad|."""
    random.seed(0)
    model = nn.MLP(2, [3, 1], activation="tanh")
    loss = (model([1.0, -2.0]) - 1.0) ** 2
    loss.backward()
    text = text_of(model._repr_html_())
    assert "MLP(nin=2, nouts=[3, 1], activation='tanh'" in text and "13 parameters" in text
    assert "Layer(nin=2, nout=3, activation='tanh')" in text
    layer0 = model.layers[0].parameters()
    biggest = max(abs(p.grad) for p in layer0)
    assert f"layers[0] 9 {shown(min(p.data for p in layer0))} … {shown(max(p.data for p in layer0))} {shown(biggest)}" in text
    assert text_of(module_html(nn.Module())).startswith("Module(0 parameters)")


def test_explanation_html_aligns_the_rows_and_highlights_the_answer():
    """explain()'s HTML has the δ rows as table rows (equation | why) and the answer in a highlighted block."""
    x1, w1 = Value(2.0, label="x1"), Value(-3.0, label="w1")
    o = (x1 * w1).tanh()
    o.label = "o"
    explanation = explain(o, w1)
    page = explanation._repr_html_()
    rows = page.count("<tr>")
    assert rows == len([line for line in explanation.text.splitlines() if line.startswith("  δ(")])
    answer = explanation.text.splitlines()[-1]
    assert answer == f"∂o/∂w1 = δ(w1) = {shown(explanation.gradient)}"
    assert "background:#fff4dc;" in page and page.index(answer) > page.index("<table")
    assert "Backward pass, from o down to w1:" in text_of(page)


def test_demo_progress_bars_come_from_tqdm_auto(monkeypatch):
    """The demos' progress bar is tqdm.auto's (a widget in a notebook, text in a terminal)."""
    from demos import _common
    made = []
    fake = types.ModuleType("tqdm.auto")
    fake.tqdm = lambda iterable, **options: made.append(options) or iterable
    monkeypatch.setitem(sys.modules, "tqdm.auto", fake)
    assert list(_common.progress(3, "demo", quiet=False)) == [0, 1, 2]
    assert made and made[0]["desc"] == "demo"
    assert list(_common.progress(2, "demo", quiet=True)) == [0, 1]
