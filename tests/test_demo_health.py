"""The health demo: each of its five variants shows its signature over several seeds, and a run writes
the pictures, the table, summary.json and the reports its --help names."""
import json

import pytest

from autograd import shown
from demos import health as demo
from demos.datasets import make_spiral
from test_demos_help import assert_help_matches
from test_health import assert_numbers_shown

SMALL = {"widths": (6, 6, 6, 6), "n_per_class": 10, "steps": 25}     # a smaller net, so the test is fast
SEEDS = (0, 1, 2)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def summaries():
    """{seed: {variant: summary}} for the small network, each variant trained SMALL["steps"] steps."""
    found = {}
    for seed in SEEDS:
        points, labels = make_spiral(n_per_class=SMALL["n_per_class"], seed=seed)
        held_out = make_spiral(n_per_class=SMALL["n_per_class"], seed=seed + demo.HELD_OUT_SEED)
        found[seed] = {variant: demo.train_variant(variant, points, labels, held_out, SMALL["steps"], seed,
                                                   SMALL["widths"])["summary"] for variant in demo.VARIANTS}
    return found


@pytest.mark.parametrize("seed", SEEDS)
def test_each_variant_shows_its_signature(summaries, seed):
    """Large init saturates (> 50%), good init hardly (< 10%); the −3 bias kills nearly every relu (> 90%);
    the 30× learning rate makes updates above 1e-2 of the weights; the good init ends with the lowest loss."""
    runs = summaries[seed]
    assert runs["large_init"]["saturated"] > 0.5
    assert runs["good_init"]["saturated"] < 0.1
    assert runs["dead_relu"]["dead"] > 0.9 and runs["dead_relu"]["saturated"] is None
    assert runs["high_lr"]["median_update_ratio"] > 1e-2
    assert runs["good_init"]["median_update_ratio"] < 1e-2
    good = runs["good_init"]["final_loss"]
    assert all(good < run["final_loss"] for variant, run in runs.items() if variant != "good_init")


def test_the_causes_show_at_step_zero(summaries):
    """At step 0 large init is already saturated and the relus already dead, and the losses start as the
    health report says: large init far above chance, small init and dead relus at chance."""
    for runs in summaries.values():
        assert runs["large_init"]["saturated_at_start"] > 0.5 and runs["dead_relu"]["dead_at_start"] == 1.0
        assert runs["large_init"]["initial_loss"] > 2 * runs["large_init"]["chance_loss"]
        for variant in ("small_init", "dead_relu"):
            assert runs[variant]["initial_loss"] == pytest.approx(runs[variant]["chance_loss"], rel=1e-3)


def test_a_run_writes_the_table_summary_json_and_the_reports(tmp_path, capsys):
    """main() writes summary.json with the five variants and their four numbers, summary.txt and reports.txt,
    and prints each variant's health report at step 0 and at the end."""
    results = demo.main(steps=2, out_dir=tmp_path, widths=(3, 3), n_per_class=4, quiet=False, pictures=False)
    printed = capsys.readouterr().out
    assert printed.count("At step 0:") == 5 and printed.count("After 2 steps:") == 5
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert list(summary) == list(demo.VARIANTS) and summary == json.loads(json.dumps(results["summary"]))
    for numbers in summary.values():
        assert {"final_loss", "saturated", "dead", "median_update_ratio"} <= set(numbers)
        for key in ("saturated", "dead"):
            assert numbers[key] is None or 0.0 <= numbers[key] <= 1.0
    table = (tmp_path / "summary.txt").read_text(encoding="utf-8")
    assert all(variant in table for variant in demo.VARIANTS) and "update:data" in table
    assert (tmp_path / "reports.txt").read_text(encoding="utf-8").count("Findings:") == 10


def test_a_run_writes_every_picture_its_help_names(tmp_path):
    """Each variant gets five PNGs (two histograms, the update ratios, saturation/dead, the histogram over
    time), and every kind of file written is named by --help."""
    results = demo.main(steps=2, out_dir=tmp_path, widths=(3, 3), n_per_class=4, quiet=True, variants=["good_init"])
    pictures = sorted(tmp_path.glob("*.png"))
    assert [path.name for path in pictures] == sorted(f"good_init_{name}.png" for name in
                                                      ("activations", "gradients", "update_ratios", "saturation",
                                                       "histogram_over_time"))
    assert all(path.read_bytes().startswith(PNG_SIGNATURE) for path in pictures)
    assert set(results["files"]["pictures"]["good_init"].values()) == {str(path) for path in pictures}
    assert_help_matches("health", tmp_path)


def test_unknown_variants_are_refused(tmp_path):
    """A variant name that is not one of the five is a clear error, and nothing is written."""
    with pytest.raises(ValueError, match="variants"):
        demo.main(steps=2, out_dir=tmp_path / "out", variants=["huge_init"], quiet=True)
    assert not (tmp_path / "out").exists()


def test_the_losses_a_run_prints_are_labelled_and_agree(capsys):
    """Each variant's printout names its three losses (before the first update, before the last, after it);
    the one after is the end report's loss and the table's final loss, written alike; every number by shown()."""
    results = demo.main(steps=3, widths=(3, 3), n_per_class=4, quiet=False, pictures=False,
                        variants=["high_lr", "good_init"])
    printed = capsys.readouterr().out
    table = results["table"].splitlines()
    for variant, row in results["summary"].items():
        part = printed.split(f"=== {variant}:")[1].split("\n=== ")[0]
        end = part.split("After 3 steps:")[1]
        final = shown(row["final_loss"])
        assert f"loss {final} (cross_entropy)" in end
        assert "the loss of each step's batch, before that step's update" in part
        assert (f"{shown(row['initial_loss'])} before the first update" in part
                and f"{final} after it (the report after 3 steps, and the table's final loss)" in part)
        (table_row,) = [line for line in table if line.startswith(variant)]
        assert table_row.split()[1] == final
    assert_numbers_shown(printed)
