"""Smoke runs of the graphs and newton demos, their numbers against PyTorch float64 and closed forms, and docs/."""
import math
import pathlib
import re
import subprocess
import sys

import pytest
import torch

from autograd import draw_dot, explain, shown
from demos import graphs, newton

ROOT = pathlib.Path(__file__).resolve().parent.parent
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def torch_micrograd_expression():
    """micrograd's README expression in PyTorch float64: (g, dg/da, dg/db)."""
    a = torch.tensor(-4.0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    c = a + b
    d = a * b + b ** 3
    c = c + (c + 1)
    c = c + (1 + c + (-a))
    d = d + (d * 2 + (b + a).relu())
    d = d + (3 * d + (b - a).relu())
    e = c - d
    f = e ** 2
    g = f / 2.0
    g = g + 10.0 / f
    g.backward()
    return g.item(), a.grad.item(), b.grad.item()


@pytest.fixture(scope="module")
def graphs_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("graphs")
    return folder, graphs.main(out_dir=folder, quiet=True)


def test_expression_matches_torch(graphs_run):
    """g and its gradients equal PyTorch's (and micrograd's documented 24.7041, 138.8338, 645.5773)."""
    _, results = graphs_run
    g, da, db = torch_micrograd_expression()
    ours = results["expression"]
    assert math.isclose(ours["g"][0], g, rel_tol=1e-12)
    assert math.isclose(ours["a"][1], da, rel_tol=1e-12)
    assert math.isclose(ours["b"][1], db, rel_tol=1e-12)
    assert (f"{g:.4f}", f"{da:.4f}", f"{db:.4f}") == ("24.7041", "138.8338", "645.5773")


def test_neuron_matches_the_closed_form(graphs_run):
    """o = tanh(n): do/dw1 = x1(1 - o²), do/dx1 = w1(1 - o²), do/db = 1 - o², and o = 1/√2 here."""
    _, results = graphs_run
    neuron = results["neuron"]
    x1, x2, w1, w2 = (neuron[name][0] for name in ["x1", "x2", "w1", "w2"])
    o = math.tanh(x1 * w1 + x2 * w2 + graphs.NEURON_BIAS)
    slope = 1.0 - o * o
    assert math.isclose(neuron["o"][0], o, rel_tol=1e-15)
    assert math.isclose(o, 1 / math.sqrt(2), rel_tol=1e-12)
    expected = {"w1": x1 * slope, "w2": x2 * slope, "x1": w1 * slope, "x2": w2 * slope, "b": slope}
    for name, value in expected.items():
        assert math.isclose(neuron[name][1], value, rel_tol=1e-12, abs_tol=1e-15), name


def test_explanation_ends_in_the_weight_gradient(graphs_run):
    """The printed explain(o, w1) ends in ∂o/∂w1 = x1(1 - o²), as `shown` writes it."""
    folder, results = graphs_run
    neuron = results["neuron"]
    o = neuron["o"][0]
    assert results["explanation"].endswith(f"= {shown(neuron['x1'][0] * (1 - o * o))}")
    assert (folder / "neuron_explain.txt").read_text(encoding="utf-8") == results["explanation"] + "\n"


def test_mlp_gradients_match_torch():
    """The tiny MLP's loss and parameter gradients equal PyTorch's for the same weights."""
    loss, model = graphs.tiny_mlp()
    x = torch.tensor([1.0, -2.0], dtype=torch.float64)
    hidden, output = model.layers
    tensors = [torch.tensor(p.data, dtype=torch.float64, requires_grad=True) for p in model.parameters()]
    h = []
    for j in range(len(hidden.neurons)):
        w1, w2, b = tensors[3 * j:3 * j + 3]
        h.append(torch.tanh(w1 * x[0] + w2 * x[1] + b))
    *v, c = tensors[9:]
    y = sum(vi * hi for vi, hi in zip(v, h)) + c
    reference = (y - 1.0) ** 2
    reference.backward()
    assert math.isclose(loss.data, reference.item(), rel_tol=1e-12)
    for p, t in zip(model.parameters(), tensors):
        assert math.isclose(p.grad, t.grad.item(), rel_tol=1e-10, abs_tol=1e-14), p.label


def test_graphs_demo_writes_svg_and_dot(graphs_run):
    """Every drawing is saved as SVG (pure Python) and as DOT text (the graphviz package is installed here)."""
    folder, results = graphs_run
    files = results["files"]
    for stem in ["expression", "neuron", "mlp"]:
        assert (folder / f"{stem}.dot").read_text(encoding="utf-8").startswith("digraph autograd")
        svg = (folder / f"{stem}.svg").read_text(encoding="utf-8")
        assert svg.startswith("<svg") and re.search(r">grad</text><text [^>]*>1\.000<", svg)
    assert all(pathlib.Path(path).exists() for path in files.values())
    assert "{ a | data -4.000 | grad 138.8 }" in (folder / "expression.dot").read_text(encoding="utf-8")


def test_graphs_demo_without_dot_still_draws_svg(tmp_path, monkeypatch, capsys):
    """With no `dot` on PATH the demo writes every SVG (no Graphviz needed) and prints the explanation."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    results = graphs.main(out_dir=tmp_path, quiet=False)
    out = capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.glob("*.svg")) == ["expression.svg", "mlp.svg", "neuron.svg"]
    assert "∂o/∂w1 = δ(w1) = 1.000" in out and results["explanation"] in out


def torch_derivatives(x0):
    """(f', f'') of x⁴ − 3x² + x at x0 by PyTorch float64 double backward."""
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    (slope,) = torch.autograd.grad(x ** 4 - 3 * x ** 2 + x, x, create_graph=True)
    (curvature,) = torch.autograd.grad(slope, x)
    return slope.item(), curvature.item()


@pytest.fixture(scope="module")
def newton_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("newton")
    return folder, newton.main(out_dir=folder, quiet=True)


def test_newton_second_derivatives_match_torch_and_closed_form(newton_run):
    """At every iterate f' and f'' equal PyTorch's double backward and 4x³ − 6x + 1, 12x² − 6."""
    _, results = newton_run
    assert results["largest_curvature_error"] <= 1e-12
    for _, iterates in results["runs"]:
        for step in iterates:
            slope, curvature = torch_derivatives(step["x"])
            assert math.isclose(step["slope"], slope, rel_tol=1e-12, abs_tol=1e-12)
            assert math.isclose(step["curvature"], curvature, rel_tol=1e-12)
            assert math.isclose(step["curvature"], 12 * step["x"] ** 2 - 6, rel_tol=1e-12)


def test_newton_steps_and_where_they_end(newton_run):
    """Each step is x − f'/f''; the runs end where f' = 0: minima from ±2 (f'' > 0), the maximum from 0."""
    _, results = newton_run
    ends = {}
    for start, iterates in results["runs"]:
        assert iterates[0]["x"] == start
        for before, after in zip(iterates, iterates[1:]):
            assert after["x"] == before["x"] - before["slope"] / before["curvature"]
        last = iterates[-1]
        assert abs(4 * last["x"] ** 3 - 6 * last["x"] + 1) < 1e-10
        ends[start] = (last["x"], last["curvature"] > 0)
    assert ends[-2.0][1] and ends[2.0][1] and not ends[0.0][1]
    assert ends[-2.0][0] < -1.0 < 0.0 < ends[0.0][0] < 1.0 < ends[2.0][0]


def test_newton_hessian_matches_torch_and_reaches_the_minimum(newton_run):
    """Rosenbrock: each Hessian equals torch.autograd.functional.hessian; Newton ends at (1, 1)."""
    _, results = newton_run
    valley = results["rosenbrock"]
    for step in valley:
        point = torch.tensor(step["point"], dtype=torch.float64)
        reference = torch.autograd.functional.hessian(lambda p: newton.rosenbrock(p[0], p[1]), point)
        for ours, theirs in zip(step["hessian"], reference.tolist()):
            assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-9)
    x, y = valley[-1]["point"]
    assert abs(x - 1.0) < 1e-9 and abs(y - 1.0) < 1e-9
    assert len(valley) <= 12


def test_newton_help_says_what_it_writes(newton_run):
    """`python -m demos.newton --help` names the kinds of file the run wrote, and it wrote what --out promises."""
    from test_demos_help import assert_help_matches
    assert_help_matches("newton", newton_run[0])


def test_newton_writes_png_plots(newton_run):
    """The two plots are real PNG files."""
    _, results = newton_run
    assert set(results["files"]) == {"newton_1d", "newton_2d"}
    for path in results["files"].values():
        assert pathlib.Path(path).read_bytes()[:8] == PNG_MAGIC


def test_newton_rejects_no_starts(tmp_path):
    """An empty list of starts is an error, and nothing is written."""
    with pytest.raises(ValueError, match="at least one start"):
        newton.main(out_dir=tmp_path / "n", quiet=True, starts=[])
    assert not (tmp_path / "n").exists()


@pytest.mark.parametrize("name, arguments, produced", [
    ("graphs", [], "neuron.svg"),
    ("newton", ["--start", "1.5"], "newton_1d.png"),
])
def test_demo_command_line(tmp_path, name, arguments, produced):
    """`python -m demos.NAME --out DIR --quiet` runs and writes its files."""
    command = [sys.executable, "-m", f"demos.{name}", "--out", str(tmp_path), "--quiet", *arguments]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, timeout=120)
    assert (tmp_path / produced).exists()


def test_docs_explain_example_is_current():
    """docs/explain_example.txt is exactly what explain(o, w1) prints for the demo's neuron today."""
    neuron = graphs.tanh_neuron()
    text = (ROOT / "docs" / "explain_example.txt").read_text(encoding="utf-8")
    assert text == str(explain(neuron["o"], neuron["w1"])) + "\n"


def test_docs_neuron_image_is_the_current_drawing():
    """docs/images/neuron.svg is exactly what draw_dot draws for the demo's neuron today (the README's picture)."""
    svg = (ROOT / "docs" / "images" / "neuron.svg").read_text(encoding="utf-8")
    neuron = graphs.tanh_neuron()
    params = [neuron["w1"], neuron["w2"], neuron["b"]]
    assert svg == draw_dot(neuron["o"], params=params, show_local=True, legend=True).svg + "\n"
