"""Tests of the training demos (moons, xor, spiral) and their data sets: they run, learn, and write PNGs."""
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

import nn
from demos import moons, spiral, xor
from demos.__main__ import list_demos
from demos.datasets import make_moons, make_spiral, xor_data
from test_demos_help import assert_help_matches

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
REPO = Path(__file__).resolve().parent.parent


def assert_png(path):
    data = Path(path).read_bytes()
    assert data.startswith(PNG_SIGNATURE), path
    assert len(data) > 5000, f"{path} is suspiciously small"


# ---- data sets ----------------------------------------------------------------------------------------
def test_moons_data_is_deterministic_and_balanced():
    """make_moons: n points, labels ±1 half and half, same seed same data, other seed other data."""
    points, labels = make_moons(n_samples=100, noise=0.1, seed=0)
    assert len(points) == len(labels) == 100
    assert labels.count(1) == labels.count(-1) == 50
    assert all(len(p) == 2 and all(isinstance(c, float) for c in p) for p in points)
    assert make_moons(100, 0.1, seed=0) == (points, labels)
    assert make_moons(100, 0.1, seed=1) != (points, labels)


def test_moons_without_noise_lie_on_the_two_half_circles():
    """With noise 0, label −1 points are on the unit circle (y ≥ 0), +1 points on the one around (1, 0.5)."""
    points, labels = make_moons(n_samples=21, noise=0.0)
    for (x, y), label in zip(points, labels):
        cx, cy = (0.0, 0.0) if label == -1 else (1.0, 0.5)
        assert math.hypot(x - cx, y - cy) == pytest.approx(1.0)
        assert (y >= -1e-12) if label == -1 else (y <= 0.5 + 1e-12)


def test_spiral_data():
    """make_spiral: n_per_class points per class, labels 0..K−1, radius within 1, deterministic by seed."""
    points, labels = make_spiral(n_per_class=10, n_classes=4, seed=3)
    assert len(points) == 40 and [labels.count(k) for k in range(4)] == [10, 10, 10, 10]
    assert all(math.hypot(x, y) <= 1.0 + 1e-12 for x, y in points)
    assert make_spiral(n_per_class=10, n_classes=4, seed=3) == (points, labels)


def test_xor_data():
    """xor_data: the four cases with target a XOR b."""
    points, targets = xor_data()
    assert [(int(a) ^ int(b)) for a, b in points] == [int(t) for t in targets]
    assert sorted(points) == [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)]


@pytest.mark.parametrize("call, error", [
    (lambda: make_moons(n_samples=1), ValueError),
    (lambda: make_moons(n_samples=10.0), TypeError),
    (lambda: make_moons(noise=-0.1), ValueError),
    (lambda: make_spiral(n_classes=1), ValueError),
    (lambda: make_spiral(noise=float("nan")), ValueError),
])
def test_data_sets_reject_bad_arguments(call, error):
    """Bad sizes or noise raise a clear error."""
    with pytest.raises(error):
        call()


# ---- smoke tests: a few steps, files written -------------------------------------------------------
def test_moons_smoke(tmp_path):
    """moons.main with a few steps writes two PNGs and a model file that nn.load reads back."""
    results = moons.main(steps=3, out_dir=tmp_path, seed=1, quiet=True)
    assert set(results["files"]) == {"decision_boundary", "loss_curve", "model"}
    assert_png(results["files"]["decision_boundary"])
    assert_png(results["files"]["loss_curve"])
    assert all(Path(path).parent == tmp_path for path in results["files"].values())
    model = nn.load(nn.MLP(2, [16, 16, 1]), results["files"]["model"])
    points, labels = make_moons(n_samples=100, noise=0.1, seed=1)
    correct = sum((model(p).data > 0) == (y > 0) for p, y in zip(points, labels))
    assert correct / len(labels) == results["accuracy"]
    assert math.isfinite(results["final_loss"]) and results["steps"] == 3
    assert_help_matches("moons", tmp_path)


def test_xor_smoke(tmp_path):
    """xor.main with a few steps writes its loss curve and reports the four outputs."""
    results = xor.main(steps=5, out_dir=tmp_path, quiet=True)
    assert_png(results["files"]["loss_curve"])
    assert len(results["outputs"]) == 4 and all(0.0 < y < 1.0 for y in results["outputs"])
    assert_help_matches("xor", tmp_path)


def test_spiral_smoke(tmp_path):
    """spiral.main with a few steps writes the decision regions and the loss curve."""
    results = spiral.main(steps=3, out_dir=tmp_path / "nested" / "folder", quiet=True)
    assert_png(results["files"]["decision_regions"])
    assert_png(results["files"]["loss_curve"])
    assert 0.0 <= results["accuracy"] <= 1.0
    assert_help_matches("spiral", tmp_path / "nested" / "folder")


def test_progress_bar_shows_loss_unless_quiet(tmp_path, capsys):
    """Without quiet a tqdm bar with the loss in its postfix goes to stderr, and a summary to stdout."""
    xor.main(steps=2, out_dir=tmp_path, quiet=False)
    captured = capsys.readouterr()
    assert "loss=" in captured.err and "xor" in captured.err
    assert "final loss" in captured.out
    xor.main(steps=2, out_dir=tmp_path, quiet=True)
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


@pytest.mark.parametrize("steps", [0, -5, 2.5, True])
def test_bad_steps_raise_before_writing_anything(tmp_path, steps):
    """steps < 1 or not an int raises ValueError and creates no output folder."""
    with pytest.raises(ValueError, match="steps"):
        moons.main(steps=steps, out_dir=tmp_path / "out", quiet=True)
    assert not (tmp_path / "out").exists()


def test_command_line_runs_a_demo(tmp_path):
    """`python -m demos.moons --steps 2 --out DIR --quiet` runs and writes its files into DIR."""
    completed = subprocess.run([sys.executable, "-m", "demos.moons", "--steps", "2", "--out", str(tmp_path),
                                "--quiet"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["decision_boundary.png", "loss_curve.png", "model.json"]
    assert json.loads((tmp_path / "model.json").read_text())["architecture"]["nouts"] == [16, 16, 1]


def test_demos_are_listed():
    """`python -m demos` lists moons, xor and spiral with a one-line summary."""
    listed = dict(list_demos())
    for name in ("moons", "xor", "spiral"):
        assert listed.get(name), name


# ---- the demos learn ----------------------------------------------------------------------------------
def test_moons_defaults_reach_full_training_accuracy(tmp_path):
    """With its defaults (100 steps) moons classifies every training point right, checked on the saved model."""
    results = moons.main(out_dir=tmp_path, quiet=True)
    assert results["accuracy"] == 1.0
    model = nn.load(nn.MLP(2, [16, 16, 1]), results["files"]["model"])
    points, labels = make_moons(n_samples=100, noise=0.1, seed=0)
    assert all((model(p).data > 0) == (y > 0) for p, y in zip(points, labels))


def test_xor_defaults_solve_xor(tmp_path):
    """With its defaults the 2-2-1 sigmoid net puts all four outputs on the right side of 0.5."""
    results = xor.main(out_dir=tmp_path, quiet=True)
    _, targets = xor_data()
    assert results["solved"]
    assert all((y > 0.5) == (t > 0.5) for y, t in zip(results["outputs"], targets))


def test_spiral_learns_in_a_short_run(tmp_path):
    """Forty Adam steps take the spiral from chance (about 1/3) to at least 90% training accuracy."""
    results = spiral.main(steps=40, out_dir=tmp_path, quiet=True)
    assert results["accuracy"] >= 0.9
