"""Each demo's --help says what it writes: every kind of file its --out help promises is written by a short run,
and every file it writes is of a kind the help names."""
import re
import subprocess
import sys
import pathlib

import pytest

from demos import backward_steps, derivations, gpt, graphs, numerical_vs_backprop

ROOT = pathlib.Path(__file__).resolve().parent.parent

# The words a help text uses for each kind of file, by how the file's name ends.
KINDS = {"model.json": "model", "history.json": "history", ".png": "plot", ".svg": "drawing", ".dot": "DOT",
         ".html": "page", ".txt": "report|explanation", ".py": "code"}

# Short runs of the demos whose tests elsewhere do not already run them (those call `assert_help_matches`).
SHORT_RUNS = {
    "gpt": lambda out: gpt.main(steps=1, out_dir=out, samples=1, quiet=True),
    "graphs": lambda out: graphs.main(out_dir=out, quiet=True),
    "backward_steps": lambda out: backward_steps.main(out_dir=out, quiet=True),
    "numerical_vs_backprop": lambda out: numerical_vs_backprop.main(out_dir=out, widths=[2], repeats=1, quiet=True),
    "derivations": lambda out: derivations.main(out_dir=out, quiet=True),
}


def kind_of(path):
    for ending, words in KINDS.items():
        if path.name == ending or (ending.startswith(".") and path.suffix == ending):
            return words
    return path.suffix


def help_text(name):
    """(the whole `python -m demos.NAME --help`, the help of its --out option), spaces collapsed."""
    text = subprocess.run([sys.executable, "-m", f"demos.{name}", "--help"], cwd=ROOT, capture_output=True,
                          text=True, check=True, timeout=60).stdout
    match = re.search(r"--out (?:DIR|OUT)\s+(.*?)(?=\n  -|\n\n|\Z)", text, re.S)
    assert match, f"demos.{name} --help has no --out option:\n{text}"
    return " ".join(text.split()), " ".join(match.group(1).split())


def assert_help_matches(name, folder):
    """Every kind of file in `folder` is named by the demo's --help, and every kind its --out help promises
    is there."""
    whole, promise = help_text(name)
    written = sorted(p for p in pathlib.Path(folder).rglob("*") if p.is_file())
    assert written, f"demos.{name} wrote nothing"
    kinds = {kind_of(path) for path in written}
    for kind in kinds:
        assert re.search(kind, whole, re.I), f"demos.{name} writes {kind} files but its help does not say so"
    for words in set(KINDS.values()):
        if re.search(rf"\b(?:{words})s?\b", promise, re.I):
            assert words in kinds, f"demos.{name} --help promises a {words} ({promise!r}) but wrote {written}"


@pytest.mark.parametrize("name", sorted(SHORT_RUNS))
def test_help_says_what_the_demo_writes(name, tmp_path):
    """A short run writes each kind of file the --out help promises, and nothing its --help leaves unsaid."""
    SHORT_RUNS[name](tmp_path / "out")
    assert_help_matches(name, tmp_path / "out")
