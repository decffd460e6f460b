"""explain(): the written-out chain rule matches backward, grad() and PyTorch; paths, names, no side effects."""
import math
import random
import re
import sys

import pytest
import torch

import nn
from autograd import Value, explain, grad, weighted_sum
from autograd.core.naming import graph_values, node_names
from autograd.views.text import shown


def reuse_graph():
    """y = x*x + x*z + exp(x/z): x used four times (twice by one op)."""
    x, z = Value(1.5, label="x"), Value(-0.5, label="z")
    y = x * x + x * z + (x / z).exp()
    y.label = "y"
    return y, [x, z]


def fan_out_graph():
    """One hidden value h feeds three branches that meet again."""
    a, b = Value(0.3, label="a"), Value(-1.2, label="b")
    h = (a * b + 0.7).tanh()
    h.label = "h"
    y = h.sigmoid() * h ** 2 - (h + a).relu() + abs(h - b) / 2.0
    y.label = "y"
    return y, [a, b]


def mlp_graph():
    """A 3-4-4-1 tanh MLP with squared error on one sample."""
    random.seed(3)
    model = nn.MLP(3, [4, 4, 1], activation="tanh")
    loss = (model([0.5, -1.0, 2.0]) - 0.25) ** 2
    return loss, model.parameters()


def micrograd_graph():
    """The expression of micrograd's README."""
    a, b = Value(-4.0, label="a"), Value(2.0, label="b")
    c = a + b
    d = a * b + b ** 3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e ** 2
    g = f / 2.0
    g += 10.0 / f
    return g, [a, b]


GRAPHS = [reuse_graph, fan_out_graph, mlp_graph, micrograd_graph]


def all_grads(root):
    return [v.grad for v in graph_values(root)]


def diamond_chain(stages):
    """v ← 2v + 3v, `stages` times: 2**stages paths, 4 edges per stage, ∂y/∂x = 5**stages."""
    x = Value(1.0, label="x")
    v = x
    for _ in range(stages):
        v = v * 2.0 + v * 3.0
    v.label = "y"
    return v, x


def enumerate_paths(node, target):
    """Every path target → node as a list of local derivatives, by plain recursion (small graphs only)."""
    if node is target:
        return [[]]
    return [path + [local] for parent, local in zip(node.parents, node.local_grads)
            for path in enumerate_paths(parent, target)]


@pytest.mark.parametrize("build", GRAPHS)
def test_final_number_is_the_gradient_from_backward(build):
    """After backward, explain(output, leaf) ends in shown(leaf.grad) and .gradient equals leaf.grad exactly."""
    output, leaves = build()
    output.backward()
    for leaf in leaves[:6]:
        explanation = explain(output, leaf)
        assert str(explanation).endswith(f" = {shown(leaf.grad)}")
        assert explanation.gradient == leaf.grad
        assert float(explanation) == leaf.grad


@pytest.mark.parametrize("build", GRAPHS)
def test_explain_before_backward_matches_grad_and_touches_no_grad(build):
    """Before backward, explain computes ∂output/∂leaf itself (equal to grad()) and every .grad stays 0."""
    output, leaves = build()
    expected = grad(output, leaves)
    for leaf, value in zip(leaves[:6], expected):
        explanation = explain(output, leaf)
        assert math.isclose(explanation.gradient, value, rel_tol=1e-12, abs_tol=1e-15)
        assert str(explanation).endswith(f" = {shown(value)}")
        assert "backward has not run" in str(explanation) or value == 0.0
    assert all(g == 0.0 for g in all_grads(output))


def test_explain_after_backward_changes_no_grad():
    """explain reads the graph only: every .grad is the same before and after."""
    output, leaves = fan_out_graph()
    output.backward()
    before = all_grads(output)
    explain(output, leaves[0])
    assert all_grads(output) == before


def test_deltas_are_the_gradients_backward_leaves_on_inner_nodes():
    """Each δ(v) in the explanation is the .grad backward gives v (inner nodes hold the latest pass)."""
    output, leaves = fan_out_graph()
    output.backward()
    explanation = explain(output, leaves[0])
    names = node_names(output)
    on_the_way = [v for v in graph_values(output) if names[v] in explanation.deltas]
    assert len(on_the_way) == len(explanation.deltas) > 5
    for value in on_the_way:
        assert explanation.deltas[names[value]] == value.grad


def test_explain_matches_torch():
    """The fan-out graph's gradients as explained equal PyTorch float64's."""
    output, leaves = fan_out_graph()
    a, b = (torch.tensor(v.data, dtype=torch.float64, requires_grad=True) for v in leaves)
    h = torch.tanh(a * b + 0.7)
    y = torch.sigmoid(h) * h ** 2 - torch.relu(h + a) + torch.abs(h - b) / 2.0
    y.backward()
    for leaf, reference in zip(leaves, [a.grad.item(), b.grad.item()]):
        assert math.isclose(explain(output, leaf).gradient, reference, rel_tol=1e-12)


def test_micrograd_numbers():
    """micrograd's README expression: ∂g/∂a = 138.8338 and ∂g/∂b = 645.5773 (its documented values)."""
    g, (a, b) = micrograd_graph()
    assert str(explain(g, a)).endswith("= 138.8") and f"{explain(g, a).gradient:.4f}" == "138.8338"
    assert str(explain(g, b)).endswith("= 645.6") and f"{explain(g, b).gradient:.4f}" == "645.5773"


@pytest.mark.parametrize("build", [reuse_graph, fan_out_graph])
def test_path_sum_equals_the_gradient(build):
    """Sum over paths of the product of local derivatives = ∂output/∂leaf; paths match a recursive enumeration."""
    output, leaves = build()
    for leaf in leaves:
        explanation = explain(output, leaf)
        reference = enumerate_paths(output, leaf)
        assert explanation.path_count == len(reference) <= 12
        products = sorted(math.prod(path) for path in reference)
        assert sorted(product for _, _, product in explanation.paths) == pytest.approx(products, rel=1e-12)
        assert explanation.path_sum == pytest.approx(explanation.gradient, rel=1e-12, abs=1e-15)
        assert abs(float(shown(explanation.path_sum)) - float(shown(explanation.gradient))) <= 1e-3 * abs(
            explanation.gradient) + 1e-12


def test_paths_of_a_diamond_chain():
    """v ← 2v + 3v three times: 8 paths listed, products 2^i 3^(3-i), 12 edges, sum 125."""
    y, x = diamond_chain(3)
    explanation = explain(y, x)
    assert explanation.path_count == 8 and explanation.edge_count == 12
    expected = sorted(2.0 ** i * 3.0 ** (3 - i) for i in range(4) for _ in range(math.comb(3, i)))
    assert sorted(product for _, _, product in explanation.paths) == expected
    assert explanation.gradient == 125.0
    text = str(explanation)
    assert "sum over the 8 paths" in text
    assert "12 edges between x and y, against 8 paths" in text
    assert len(re.findall(r"^  x → ", text, flags=re.M)) == 8


def test_too_many_paths_are_counted_not_listed():
    """v ← 2v + 3v twelve times: 4096 paths (> 12) are counted, not listed; still 4 edges per stage."""
    y, x = diamond_chain(12)
    explanation = explain(y, x)
    assert explanation.path_count == 2 ** 12 and explanation.edge_count == 48
    assert explanation.paths is None and explanation.path_sum is None
    assert "There are 4096 paths from x to y, too many to list" in str(explanation)
    assert explanation.gradient == 5.0 ** 12
    assert len(explain(y, x, max_paths=5000).paths) == 4096


def test_each_step_is_upstream_times_local():
    """Every 'δ(u) × ∂u/∂v = A × B = C' line has C = A × B (to the 4 significant digits shown)."""
    output, leaves = micrograd_graph()
    output.backward()
    text = str(explain(output, leaves[1]))
    number = r"-?\d+(?:\.\d+)?(?:e[+-]\d+)?"
    steps = re.findall(rf"= ({number}) × ({number}) = ({number})", text)
    assert len(steps) > 20
    for upstream, local, contribution in steps:
        assert abs(float(upstream) * float(local) - float(contribution)) <= 1.5e-3 * abs(float(contribution))


def test_a_value_used_several_times_sums_its_contributions():
    """x in x*x + x: three uses listed (both operands of x*x), their sum is the gradient 2x + 1."""
    x = Value(3.0, label="x")
    y = x * x + x
    y.label = "y"
    text = str(explain(y, x))
    block = text[text.index("δ(x) = Σ over the 3 uses of x:"):]
    assert block.count("∂mul_1/∂x = x") == 2 and "∂y/∂x = 1" in block
    assert "= 1.000 + 3.000 + 3.000 = 7.000" in block
    assert "(a route listed twice runs along two different edges" in text


def test_local_derivative_rules_are_written_out():
    """The reason column names the rule: 1 - o² for tanh, o·(1 - o) for sigmoid, 2·e for e ** 2, -10/f² for 10/f."""
    x = Value(0.4, label="x")
    o = x.tanh()
    o.label = "o"
    s = o.sigmoid()
    s.label = "s"
    e = s - 1.0
    e.label = "e"
    f = e ** 2
    f.label = "f"
    y = 10.0 / f
    y.label = "y"
    text = str(explain(y, x))
    for rule in ["∂o/∂x = 1 - o²", "∂s/∂o = s·(1 - s)", "∂f/∂e = 2·e", "∂y/∂f = -10/f²", "∂e/∂s = 1",
                 "y = 10 / f"]:
        assert rule in text


def test_weighted_sum_node_explained():
    """A neuron's n-ary w·x + b node: ∂z/∂w_i = x_i; the result equals backward's."""
    w = [Value(0.5, label="w1"), Value(-2.0, label="w2")]
    b = Value(0.1, label="b")
    x = [Value(3.0, label="x1"), Value(4.0, label="x2")]
    z = weighted_sum(w, x, b)
    z.label = "z"
    y = z.tanh()
    y.backward()
    text = str(explain(y, w[1]))
    assert "z = w1·x1 + w2·x2 + b" in text and "∂z/∂w2 = x2" in text
    assert text.endswith(f"= {shown(w[1].grad)}")


def test_auto_names_for_unlabelled_values():
    """Unlabelled Values are named by op in order ('mul_1', 'tanh_1'); repeated labels get a suffix."""
    x = Value(0.5, label="x")
    y = (x * 3.0).tanh() + Value(2.0, label="x")
    names = node_names(y)
    assert sorted(names.values()) == ["add_1", "mul_1", "tanh_1", "x", "x_2"]
    text = str(explain(y, x))
    assert "δ(tanh_1) = δ(add_1) × ∂add_1/∂tanh_1" in text
    assert "tanh_1 = tanh(mul_1)" in text


def test_names_are_unique_even_when_labels_look_like_auto_names():
    """A label 'mul_1' pushes the auto name of an unlabelled product to 'mul_2'."""
    a = Value(1.0, label="mul_1")
    y = a * a
    assert sorted(node_names(y).values()) == ["mul_1", "mul_2"]


def test_several_backward_calls_are_pointed_out():
    """After two backward calls leaf.grad is doubled; explain gives the true derivative and says why they differ."""
    x = Value(2.0, label="x")
    y = x * x
    y.backward()
    y.backward()
    text = str(explain(y, x))
    assert x.grad == 8.0 and text.endswith("= 4.000")
    assert "x.grad is 8.000, not this derivative" in text


def test_unrelated_value_and_the_output_itself():
    """∂y/∂u = 0 when y does not depend on u; ∂y/∂y = 1."""
    x, unrelated = Value(1.0, label="x"), Value(5.0, label="u")
    y = x.exp()
    y.label = "y"
    nothing = explain(y, unrelated)
    assert nothing.gradient == 0.0 and nothing.path_count == 0
    assert "y does not depend on u" in str(nothing) and str(nothing).endswith("= 0")
    itself = explain(y, y)
    assert itself.gradient == 1.0 and itself.path_count == 1 and str(itself).endswith("= 1.000")
    leaf = Value(3.0, label="c")
    assert explain(leaf, leaf).gradient == 1.0


def test_first_layer_weight_of_an_mlp():
    """In a 3-4-4-1 MLP a first-layer weight reaches the loss through each of the 4 second-layer neurons."""
    loss, parameters = mlp_graph()
    loss.backward()
    weight = parameters[0]
    explanation = explain(loss, weight)
    assert explanation.path_count == 4 and explanation.paths is not None
    assert explanation.path_sum == pytest.approx(weight.grad, rel=1e-9, abs=1e-12)
    assert explanation.gradient == weight.grad


def test_repr_is_the_text():
    """The REPL shows the explanation itself."""
    x = Value(1.0, label="x")
    explanation = explain(x * 2.0, x)
    assert repr(explanation) == str(explanation) == explanation.text
    assert "\n" in repr(explanation)


def test_deep_chain_is_explained_without_recursion():
    """A chain deeper than Python's recursion limit is explained (the walks are iterative)."""
    x = Value(0.1, label="x")
    y = x
    depth = sys.getrecursionlimit() + 100
    for _ in range(depth):
        y = y + 1.0
    explanation = explain(y, x)
    assert explanation.gradient == 1.0 and explanation.path_count == 1 and explanation.edge_count == depth


def test_bad_arguments():
    """Non-Values and a negative max_paths raise errors that say what was wrong."""
    x = Value(1.0)
    with pytest.raises(TypeError, match="output must be a Value"):
        explain(1.0, x)
    with pytest.raises(TypeError, match="wrt must be a Value"):
        explain(x * 2, 2.0)
    with pytest.raises(ValueError, match="max_paths"):
        explain(x * 2, x, max_paths=-1)


def test_a_zero_delta_passes_nothing_on_like_backward():
    """Behind a dead relu, sqrt's infinite slope at 0 meets δ = 0: like backward, explain gives 0, not nan."""
    x = Value(0.0, label="x")
    r = x.sqrt()
    r.label = "r"
    y = (r - 5.0).relu() + x
    y.label = "y"
    y.backward()
    explanation = explain(y, x)
    assert x.grad == 1.0 and explanation.gradient == x.grad
    assert str(explanation).endswith("= 1.000")
    assert "δ(r) × ∂r/∂x = 0 × inf = 0" in str(explanation)


def test_labels_that_are_expressions_are_bracketed_once():
    """A label like 'x1*w1 + x2*w2' reads δ(x1*w1 + x2*w2), not δ((…)); inside ∂a/∂b it is bracketed once."""
    x1, w1 = Value(2.0, label="x1"), Value(-3.0, label="w1")
    x2, w2 = Value(0.0, label="x2"), Value(1.0, label="w2")
    product = x1 * w1
    product.label = "x1*w1"
    total = product + x2 * w2
    total.label = "x1*w1 + x2*w2"
    o = total.tanh()
    o.label = "o"
    text = str(explain(o, w1))
    assert "δ(x1*w1 + x2*w2) = δ(o) × ∂o/∂(x1*w1 + x2*w2)" in text
    assert "δ(x1*w1) = δ(x1*w1 + x2*w2) × ∂(x1*w1 + x2*w2)/∂(x1*w1)" in text
    assert "δ((" not in text and "((" not in text


def test_no_negative_zero_is_printed():
    """A product with -0.0 prints as 0 everywhere in the text, never -0; 1e-12 keeps its digits."""
    x = Value(-2.0, label="x")
    y = (x * -0.0).tanh() + x * 1e-12
    y.label = "y"
    text = str(explain(y, x))
    assert not re.search(r"(?<![\d.e])-0(?![.\de])|-0\.0+(?!\d*[1-9])", text) and " = 0 " in text
    assert "1.000e-12" in text


def test_parameters_are_named_by_their_place_in_the_model():
    """explain(loss, w, params=model) names an unlabelled weight w[layer][neuron][input], like the drawings."""
    random.seed(0)
    model = nn.MLP(2, [2, 1])
    loss = (model([1.0, -1.0]) - 1.0) ** 2
    weight = model.layers[0].neurons[1].w[0]
    text = str(explain(loss, weight, params=model))
    assert text.endswith(f"∂pow_1/∂w[0][1][0] = δ(w[0][1][0]) = {shown(explain(loss, weight).gradient)}")


def test_a_big_graph_is_capped_but_the_answer_is_exact():
    """explain on a model's loss keeps max_lines per listing, says how many it left out, and is exact."""
    import random
    import nn
    from autograd import grad
    random.seed(1)
    model = nn.MLP(2, [8, 8, 1])
    loss = nn.mse_loss([model([random.random(), random.random()]) for _ in range(10)], [0.5] * 10)
    weight = model.layers[0].neurons[0].w[1]
    capped = explain(loss, weight, max_lines=10)
    full = explain(loss, weight, max_lines=None)
    assert capped.gradient == full.gradient == grad(loss, [weight])[0]
    assert "max_lines=None" in str(capped) and "max_lines=None" not in str(full)
    assert len(str(capped).splitlines()) < len(str(full).splitlines())
    with pytest.raises(ValueError, match="max_lines"):
        explain(loss, weight, max_lines=0)
