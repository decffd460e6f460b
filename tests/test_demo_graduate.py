"""Tests of `python -m demos.graduate`: the loss curves here and in torch match step for step, the timings and
the crossover are recorded, and the files it writes (two PNGs, a step-through page, history.json) open."""
import contextlib
import io
import json
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
image = pytest.importorskip("matplotlib.image")

from demos import graduate                                     # noqa: E402  (after the torch check)
from demos.__main__ import list_demos                         # noqa: E402


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """One short, quiet run of the demo (6 steps, widths 2 and 4, brief timings) in a temporary folder;
    what it printed is kept too."""
    folder = tmp_path_factory.mktemp("graduate")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        result = graduate.main(steps=6, out_dir=folder, quiet=True, widths=(2, 4), timing_seconds=0.01)
    result["printed"] = printed.getvalue()
    return result, folder


def test_the_loss_curves_match_step_for_step_and_continue_after_the_switch(history):
    """Here for steps 0-2, then in torch for 3-5: each loss equals torch-trained-throughout's within 1e-12,
    and the loss falls over the run."""
    result, _ = history
    losses = result["losses"]
    assert result["switch"] == 3 and len(losses["here"]) == 3 and len(losses["torch_after"]) == 3
    joined = losses["here"] + losses["torch_after"]
    assert all(abs(a - b) <= 1e-12 for a, b in zip(joined, losses["torch_throughout"]))
    assert len(losses["torch_throughout"]) == 6
    assert result["max_difference"]["before_switch"] <= 1e-12 and result["max_difference"]["after_switch"] <= 1e-12
    assert joined[-1] < joined[0]


def test_the_files_are_written_and_open(history):
    """loss_curves.png and step_times.png are real images; the page holds the torch names; history.json reads back."""
    result, folder = history
    for name in ("loss_curves", "step_times"):
        path = Path(result["files"][name])
        assert path.parent == folder and path.exists()
        pixels = image.imread(path)
        assert pixels.shape[0] > 300 and pixels.shape[1] > 500
        assert pixels.std() > 0.05                             # not a blank picture
    page = Path(result["files"]["imported_steps"]).read_text(encoding="utf-8")
    assert "0.weight[1, 0]" in page and "2.bias[0]" in page
    saved = json.loads(Path(result["files"]["history"]).read_text(encoding="utf-8"))
    assert saved["losses"] == result["losses"] and saved["switch"] == 3


def test_the_imported_model_has_torch_gradients(history):
    """The 9 gradients of the imported torch Sequential equal torch's, under their torch names."""
    result, _ = history
    gradients = result["gradients"]
    assert set(gradients) == {"0.weight[0, 0]", "0.weight[0, 1]", "0.weight[1, 0]", "0.weight[1, 1]", "0.bias[0]",
                              "0.bias[1]", "2.weight[0, 0]", "2.weight[0, 1]", "2.bias[0]"}
    assert all(abs(ours - theirs) <= 1e-12 for ours, theirs in gradients.values())
    assert any(ours != 0.0 for ours, _ in gradients.values())


def test_the_timings_and_the_crossover_are_recorded(history):
    """For each batch size: a time per width here and in torch, and a crossover entry."""
    result, _ = history
    for name in ("100 points", "1 point"):
        timing = result["timings"][name]
        assert timing["widths"] == [2, 4]
        assert all(t is not None and t > 0 for t in timing["ours"] + timing["torch"])
        assert set(timing["crossover"]) == {"width", "between", "estimate"}


def test_ours_is_skipped_where_a_step_would_take_too_long():
    """With a budget no step can meet, ours is timed at the first width only; torch at every width."""
    timings = graduate.time_steps(widths=(2, 4), batches={"1 point": 1}, budget_seconds=1e-12, seconds=0.01)
    assert timings["1 point"]["ours"][0] > 0 and timings["1 point"]["ours"][1] is None
    assert all(t > 0 for t in timings["1 point"]["torch"])


def test_crossover_sentences():
    """The console line says where the lines cross, or that torch wins everywhere measured."""
    crossing = {"widths": [4, 8], "ours": [1.0, 4.0], "torch": [2.0, 2.0]}
    crossing["crossover"] = graduate.crossover(crossing["widths"], crossing["ours"], crossing["torch"])
    assert graduate.crossover_sentence("1 point", crossing).startswith(
        "1 point: crossover between widths 4 and 8 (about 6): here is 2× faster at 4, torch 2× faster at 8")
    everywhere = {"widths": [4, 8], "ours": [3.0, 6.0], "torch": [1.0, 1.0]}
    everywhere["crossover"] = graduate.crossover(everywhere["widths"], everywhere["ours"], everywhere["torch"])
    assert "torch is faster at every width measured, already 3× at width 4" in \
        graduate.crossover_sentence("100 points", everywhere)


def test_the_demo_is_listed_and_quiet_means_quiet(history):
    """`python -m demos` lists it; with --quiet it prints nothing."""
    assert "graduate" in dict(list_demos())
    assert history[0]["printed"] == ""


def test_the_command_line_passes_its_options_on(monkeypatch):
    """--steps, --out, --quiet and --widths reach main()."""
    seen = {}
    monkeypatch.setattr(graduate, "main", lambda **options: seen.update(options))
    graduate.command_line(["--steps", "7", "--out", "somewhere", "--quiet", "--widths", "64,16"])
    assert seen == {"steps": 7, "out_dir": "somewhere", "seed": 0, "quiet": True, "widths": (16, 64)}


def test_bad_widths_are_refused(capsys):
    """--widths takes whole numbers >= 1 separated by commas; anything else stops with a message."""
    for text in ("16,x", "0,4"):
        with pytest.raises(SystemExit):
            graduate.command_line(["--widths", text])
        assert "--widths" in capsys.readouterr().err


def test_help_says_what_the_demo_writes(history):
    """--help names every kind of file the run wrote (plots, history, page) and promises nothing else."""
    from test_demos_help import assert_help_matches
    _, folder = history
    assert_help_matches("graduate", folder)
