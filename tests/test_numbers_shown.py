"""Numbers on screen add up: `shown` keeps 4 significant digits, never shows a nonzero number as 0 or '-0',
and the arithmetic every view writes (explain's δ lines and sums, its paths, the page's steps) holds at the
precision shown."""
import json
import math
import pathlib
import re

import pytest
from hypothesis import given, strategies as st

import nn
from autograd import Value, animate_backward, draw_dot, explain, format_tree, shown
from autograd.views.display import module_html, value_html

NUMBER = r"-?(?:\d+(?:\.\d+)?(?:e[+-]\d+)?|inf|nan)"
RELATIVE = 5e-4 * (1 + 1e-9)           # 4 significant digits: the last one is within half a unit of 1e-3 of the first


def reading(text):
    """(the number a reader sees in `text`, half a unit of its last shown digit)."""
    assert re.fullmatch(NUMBER, text), f"{text!r} is not a number as the views show them"
    mantissa, _, exponent = text.partition("e")
    decimals = len(mantissa.partition(".")[2])
    return float(text), 0.5 * 10.0 ** (int(exponent or 0) - decimals)


def assert_precise(text):
    """A shown number other than an exact 0 carries at least 4 significant digits."""
    value, half_unit = reading(text)
    assert value == 0.0 or half_unit <= RELATIVE * abs(value), f"{text!r} shows fewer than 4 significant digits"
    assert not re.fullmatch(r"-0(\.0*)?(e[+-]\d+)?", text), f"{text!r} is a negative zero"


def assert_product_holds(left, right, result, where):
    """left × right = result holds within the rounding of the shown digits, each shown to 4 digits."""
    for text in (left, right, result):
        assert_precise(text)
    (a, ha), (b, hb), (c, hc) = reading(left), reading(right), reading(result)
    slack = abs(a) * hb + abs(b) * ha + ha * hb + hc
    assert abs(a * b - c) <= slack * (1 + 1e-9), f"{left} × {right} ≠ {result} at the shown precision: {where}"
    assert (c == 0.0) == (a == 0.0 or b == 0.0), f"a product shown as 0 when its factors are not: {where}"


def assert_sum_holds(terms, result, where):
    """t1 ± t2 ± ... = result holds within the rounding of the shown digits."""
    readings = [reading(text) for text in terms]
    for text in terms + [result]:
        assert_precise(text)
    total, total_h = reading(result)
    slack = sum(h for _, h in readings) + total_h
    assert abs(sum(v for v, _ in readings) - total) <= slack * (1 + 1e-9), f"sum does not hold: {where}"


def signed_terms(text):
    """'1.000 - 0.5000 + 2.000' -> ['1.000', '-0.5000', '2.000']."""
    pieces = re.split(r" ([+-]) ", text.strip())
    terms = [pieces[0]]
    for sign, number in zip(pieces[1::2], pieces[2::2]):
        terms.append(number if sign == "+" else (number[1:] if number.startswith("-") else "-" + number))
    return terms


def check_explanation(text):
    """Every product, sum and answer explain writes holds at its shown precision; returns how many were checked."""
    checked = 0
    for line in text.splitlines():
        product = re.search(rf"δ\(.+?\) × ∂.+? = ({NUMBER}) × ({NUMBER}) = ({NUMBER})", line)
        if product:
            assert_product_holds(*product.groups(), line)
            checked += 1
        total = re.match(rf"\s+= ((?:{NUMBER})(?: [+-] {NUMBER})+) = ({NUMBER})$", line)
        if total:
            assert_sum_holds(signed_terms(total.group(1)), total.group(2), line)
            checked += 1
        path = re.match(rf"\s+\S.*?:  ((?:{NUMBER})(?: × {NUMBER})*) = ({NUMBER})$", line)
        if path:
            factors = path.group(1).split(" × ")
            value, half = reading(factors[0])
            for factor in factors[1:]:                          # multiply intervals along the path
                v, h = reading(factor)
                value, half = value * v, abs(value) * h + abs(v) * half + half * h
            for text in factors + [path.group(2)]:
                assert_precise(text)
            result, result_half = reading(path.group(2))
            assert abs(value - result) <= (half + result_half) * (1 + 1e-9), line
            checked += 1
        path_sum = re.match(rf"\s+sum = (.+) = ({NUMBER})$", line)
        if path_sum:
            assert_sum_holds(signed_terms(path_sum.group(1)), path_sum.group(2), line)
            checked += 1
        answer = re.match(rf"∂.+ = δ\(.+\) = ({NUMBER})$", line)
        if answer:
            assert_precise(answer.group(1))
    return checked


# ---- the graphs ------------------------------------------------------------------------------------
def saturated_tanh():
    """tanh of a large input: its gradient is about 8e-9."""
    x = Value(10.0, label="x")
    y = (x * 1.0).tanh()
    y.label = "y"
    return y, x


def deep_chain(depth=24):
    """A GPT-like deep chain: residual blocks of a small linear map, rmsnorm-free tanh, scaled down each time;
    the gradient at the bottom is tiny and every δ between is a product of many factors."""
    x = Value(0.7, label="x")
    h = x
    for _ in range(depth):
        h = (h * 0.35 + 0.1).tanh() * 0.9 + h * 0.05
    loss = h * h
    loss.label = "loss"
    return loss, x


def reused_small_gradient():
    """A Value used three times, with contributions of mixed signs and small sizes (sums with cancellation)."""
    a = Value(0.0013, label="a")
    b = Value(-3.0, label="b")
    y = a * b + a * a * 250.0 - (a * 7.5).sigmoid()
    y.label = "y"
    return y, a


def micrograd_neuron():
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.label = "o"
    return o, w1


GRAPHS = [saturated_tanh, deep_chain, reused_small_gradient, micrograd_neuron]


# ---- shown itself ----------------------------------------------------------------------------------
@given(st.floats(min_value=-1e300, max_value=1e300, allow_nan=False))
def test_shown_keeps_four_significant_digits_of_any_number(x):
    """shown(x) reads back to x within half a unit of its last digit, and that unit is at most 1e-3 of x."""
    text = shown(x)
    value, half_unit = reading(text)
    assert abs(value - x) <= half_unit * (1 + 1e-9) or x == 0.0
    assert_precise(text)
    assert (value == 0.0) == (x == 0.0)


def test_small_numbers_are_never_shown_as_zero_nor_negative_zero():
    """1e-7 is shown as 1.000e-07 (not 0), -1e-12 keeps its sign, and -0.0 is plain 0."""
    assert shown(1e-7) == "1.000e-07" and shown(-1e-12) == "-1.000e-12"
    assert shown(-0.0) == shown(0.0) == "0"
    assert shown(0.5) == "0.5000" and shown(-2.0) == "-2.000" and shown(0.0013) == "0.001300"
    assert shown(12.5) == "12.50" and shown(1234.56) == "1235" and shown(-98765.4) == "-98765"
    assert shown(1234567.0) == "1.235e+06" and shown(float("-inf")) == "-inf" and shown(float("nan")) == "nan"


# ---- the views ------------------------------------------------------------------------------------
@pytest.mark.parametrize("graph", GRAPHS, ids=lambda g: g.__name__)
def test_explain_arithmetic_holds_at_the_precision_shown(graph):
    """Each δ line's upstream × local = contribution, each sum over uses, each path product and path sum
    holds within the rounding of the digits shown, every number to 4 significant digits."""
    output, wrt = graph()
    explanation = explain(output, wrt, max_lines=None)
    text = str(explanation)
    assert check_explanation(text) >= 2
    answer, half_unit = reading(text.splitlines()[-1].rpartition(" = ")[2])
    assert abs(answer - explanation.gradient) <= half_unit and (answer == 0.0) == (explanation.gradient == 0.0)


def test_tiny_gradients_are_shown_in_every_view(tmp_path):
    """A gradient of about 8e-9 is shown as its 4 digits by print_tree, explain, draw_dot, the page and the
    HTML displays, never as 0."""
    y, x = saturated_tanh()
    gradient = 1.0 - math.tanh(10.0) ** 2
    expected = shown(gradient)
    assert expected.endswith("e-09")
    y.backward()
    assert f"grad {expected}" in format_tree(y)
    assert str(explain(y, x)).splitlines()[-1].endswith(f"= {expected}")
    assert f">{expected}<" in draw_dot(y).svg
    assert expected in value_html(x)
    page = pathlib.Path(animate_backward(y, tmp_path / "page.html")).read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script[^>]*id="steps-data"[^>]*>(.*?)</script>', page, re.S).group(1))
    assert expected in [edge["shown"] for step in data["steps"] for edge in step["edges"]]


def test_page_step_lines_add_up_at_the_precision_shown(tmp_path):
    """Each step line of the page, '∂y/∂v += upstream × local = amount (was before, now after)', holds."""
    checked = 0
    for graph in (deep_chain, reused_small_gradient):
        output, _ = graph()
        page = pathlib.Path(animate_backward(output, tmp_path / "page.html")).read_text(encoding="utf-8")
        data = json.loads(re.search(r'<script[^>]*id="steps-data"[^>]*>(.*?)</script>', page, re.S).group(1))
        for step in data["steps"]:
            for line in step["lines"]:
                match = re.search(rf"\+= ({NUMBER}) × ({NUMBER}) = ({NUMBER})(?:   \(was ({NUMBER}), now "
                                  rf"({NUMBER})\))?$", line)
                assert match, line
                assert_product_holds(*match.group(1, 2, 3), line)
                if match.group(4):
                    assert_sum_holds([match.group(4), match.group(3)], match.group(5), line)
                checked += 1
    assert checked > 20


def test_model_summary_shows_small_gradients():
    """module_html's max |grad| column shows a 3e-6 gradient as its digits, not 0."""
    model = nn.MLP(2, [2, 1])
    for p in model.parameters():
        p.grad = 3e-6
    assert shown(3e-6) in module_html(model) and shown(3e-6) == "3.000e-06"
