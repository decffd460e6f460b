"""Smoke tests for the backward_steps and numerical_vs_backprop demos (tiny sizes, tmp folders)."""
import json
import math
import re
import subprocess
import sys

import pytest

from autograd import Value
from demos import backward_steps, numerical_vs_backprop
from demos.numerical_vs_backprop import SeedNetwork, backprop_gradient, numerical_gradient

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def embedded_steps(page_text):
    """The JSON the step-through page plays."""
    match = re.search(r'<script type="application/json" id="steps-data">(.*?)</script>', page_text, re.S)
    return json.loads(match.group(1))


# ---- backward_steps ---------------------------------------------------------------------------
def test_backward_steps_writes_the_neuron_page(tmp_path, capsys):
    """The page is written where asked, its path and file:// address are printed, grads are the closed form."""
    results = backward_steps.main(out_dir=tmp_path)
    page = results["files"]["page"]
    printed = capsys.readouterr().out
    assert page in printed and (tmp_path / "backward_steps.html").resolve().as_uri() in printed
    text = (tmp_path / "backward_steps.html").read_text(encoding="utf-8")
    for name in ("x1", "x2", "w1", "w2", "mul_1", "mul_2", "add_1", "n", "o"):    # named as every view names them
        assert f'data-name="{name}"' in text
    n = 2.0 * -3.0 + 0.0 * 1.0 + 6.8813735870195432          # o = tanh(n): do/dn = 1 − tanh(n)²
    slope = 1.0 - math.tanh(n) ** 2
    expected = {"x1": -3.0 * slope, "w1": 2.0 * slope, "x2": 1.0 * slope, "w2": 0.0 * slope, "b": slope,
                "n": slope, "o": 1.0}
    for label, value in expected.items():
        assert math.isclose(results["grads"][label], value, rel_tol=1e-12, abs_tol=1e-12), label
    final = {}
    for step in embedded_steps(text)["steps"]:
        for edge in step["edges"]:
            final[edge["parent"]] = float(edge["exact"])
    assert sorted(final.values()) == pytest.approx(
        sorted(g for label, g in results["grads"].items() if label != "o"), abs=1e-12)


def test_backward_steps_runs_from_the_command_line(tmp_path):
    """`python -m demos.backward_steps --out DIR --quiet` writes the page and prints nothing."""
    done = subprocess.run([sys.executable, "-m", "demos.backward_steps", "--out", str(tmp_path), "--quiet"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and (tmp_path / "backward_steps.html").is_file()


def test_lecture_neuron_has_the_lecture_output():
    """o = tanh(2·(−3) + 0·1 + b) with the lecture's b is 1/√2."""
    o, values = backward_steps.lecture_neuron()
    assert math.isclose(o.data, 2 ** -0.5, rel_tol=1e-12)
    assert {"x1", "x2", "w1", "w2", "b", "n", "o"} <= set(values)


# ---- numerical_vs_backprop --------------------------------------------------------------------
def test_numerical_and_backprop_agree_and_the_files_exist(tmp_path, capsys):
    """Tiny widths: both gradients agree to 1e-6, the counts are 2h² + 2h weights, a PNG is written."""
    results = numerical_vs_backprop.main(out_dir=tmp_path, widths=(3, 1, 2), repeats=1)
    rows = results["rows"]
    assert [row["width"] for row in rows] == [1, 2, 3]
    for row in rows:
        h = row["width"]
        assert row["weights"] == 2 * h * h + 2 * h and row["forward_passes"] == 2 * row["weights"]
        assert row["max_abs_difference"] < 1e-6
        assert row["numerical_seconds"] > 0 and row["backprop_seconds"] > 0
    plot = tmp_path / "numerical_vs_backprop.png"
    assert results["files"]["plot"] == str(plot)
    assert plot.read_bytes()[:8] == PNG_SIGNATURE and plot.stat().st_size > 10_000
    printed = capsys.readouterr().out
    assert re.search(r"weights\s+forward passes\s+numerical \(s\)\s+backprop \(s\)\s+ratio", printed)
    assert re.search(r"^\s+12\s+24\s", printed, re.M)             # the h = 2 row: 12 weights, 24 passes
    assert "largest disagreement" in printed


def test_numerical_gradient_matches_a_hand_derivation():
    """On the 1-1-1 network, the delta rule by hand agrees with both methods."""
    net = SeedNetwork(1, seed=3)
    (w1,), b1 = net.layers[0][0]
    (w2,), b2 = net.layers[1][0]
    x, t = net.inputs[0], net.targets[0]
    y = 1 / (1 + math.exp(-(w1.data * x + b1.data)))
    z = 1 / (1 + math.exp(-(w2.data * y + b2.data)))
    delta_z = (z - t) * z * (1 - z)                            # dE/d(pre-activation of z)
    delta_y = delta_z * w2.data * y * (1 - y)
    by_hand = [delta_y * x, delta_y, delta_z * y, delta_z]     # w1, b1, w2, b2
    assert backprop_gradient(net) == pytest.approx(by_hand, rel=1e-12, abs=1e-15)
    assert numerical_gradient(net) == pytest.approx(by_hand, rel=1e-6, abs=1e-9)


def test_numerical_gradient_leaves_the_weights_as_they_were():
    """Nudging each weight up and down restores it exactly, and builds no graph."""
    net = SeedNetwork(3)
    before = [p.data for p in net.parameters()]
    numerical_gradient(net)
    assert [p.data for p in net.parameters()] == before
    assert all(p.grad == 0.0 for p in net.parameters())


def test_bad_sizes_are_rejected_before_anything_is_written(tmp_path):
    """Empty or non-positive widths, or repeats < 1, are ValueErrors naming the argument; no folder appears."""
    for kwargs, name in (({"widths": []}, "widths"), ({"widths": [2, 0]}, "widths"),
                         ({"widths": [2.5]}, "widths"), ({"repeats": 0}, "repeats")):
        with pytest.raises(ValueError, match=name):
            numerical_vs_backprop.main(out_dir=tmp_path / "out", quiet=True, **kwargs)
    assert not (tmp_path / "out").exists()


def test_numerical_vs_backprop_runs_from_the_command_line(tmp_path):
    """`python -m demos.numerical_vs_backprop --widths 1 2 --repeats 1` prints the table and writes the plot."""
    done = subprocess.run([sys.executable, "-m", "demos.numerical_vs_backprop", "--widths", "1", "2",
                           "--repeats", "1", "--out", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "forward passes" in done.stdout and (tmp_path / "numerical_vs_backprop.png").is_file()
    refused = subprocess.run([sys.executable, "-m", "demos.numerical_vs_backprop", "--widths", "0"],
                             cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "--widths" in refused.stderr


def test_seed_network_counts_its_parameters():
    """An h-h-h network has 2 layers of h neurons, each with h weights and a bias: 2h² + 2h Values."""
    for h in (1, 2, 5):
        parameters = SeedNetwork(h).parameters()
        assert len(parameters) == 2 * h * h + 2 * h and all(type(p) is Value for p in parameters)
        assert len(set(map(id, parameters))) == len(parameters)
