"""docs/practice.ipynb runs in a real kernel: as stored, every check says "not answered yet" with no error;
with the solutions from tests/practice_solutions.json filled in, every check is all right."""
import json
import math
import pathlib
import re

import pytest

nbclient = pytest.importorskip("nbclient", reason="nbclient is not installed (pip install -e '.[test]')")
nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed (pip install -e '.[test]')")
pytest.importorskip("ipykernel", reason="ipykernel is not installed (pip install -e '.[test]')")

from notebook_kernel import execute as run_in_kernel  # noqa: E402  (after the skips: it imports nbclient)

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "docs" / "practice.ipynb"
SOLUTIONS = pathlib.Path(__file__).resolve().parent / "practice_solutions.json"
CHECKS = ["check-1", "check-2", "check-3", "check-4", "check-5", "check-ninja"]


def tagged(notebook, tag):
    (cell,) = [cell for cell in notebook.cells if tag in cell.metadata.get("tags", [])]
    return cell


def execute(notebook, folder):
    """Run `notebook` in a kernel of this Python, in the docs folder (where the notebook lives)."""
    return run_in_kernel(notebook, folder, cwd=ROOT / "docs")


def errors(notebook):
    return [(cell.source[:60], output.get("ename"), output.get("evalue"))
            for cell in notebook.cells if cell.cell_type == "code"
            for output in cell.outputs if output.output_type == "error"]


def numbers_in(text):
    """Every number written in `text` on its own (not the digits of a name such as x1 or net_3)."""
    found = re.findall(r"(?<![\w.])[-−]?\d+(?:\.\d+)?(?:e[-+]?\d+)?(?![\w.])", text)
    return [float(number.replace("−", "-")) for number in found]


def report_text(cell):
    (result,) = [output for output in cell.outputs if output.output_type == "execute_result"]
    return result.data["text/plain"], result.data["text/html"]


def test_the_notebook_is_stored_blank():
    """No outputs are stored, and every answer cell holds only None answers (or the seed dL = 1)."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)
    for tag in ("answer-1", "answer-2", "answer-3", "answer-4", "answer-5", "answer-ninja"):
        lines = [line.split("#")[0].strip() for line in tagged(notebook, tag).source.splitlines()]
        given = [re.split(r": |= ", line, maxsplit=1)[1].rstrip(",") for line in lines
                 if re.match(r"^('[^']+'|\w+)(: | = )", line) and not line.startswith(("answers_", "dL = "))]
        assert given and set(given) == {"None"}, (tag, given)


KEYS_CELL = """import json
exercises = {"check-1": exercise_1, "check-2": exercise_2, "check-3": exercise_3, "check-4": exercise_4,
             "check-5": exercise_5, "check-ninja": ninja}
print(json.dumps({tag: {"key": e.answer_key(), "shown": str(e)} for tag, e in exercises.items()}))"""


def test_as_stored_every_check_says_not_answered_yet_and_gives_nothing_away(tmp_path):
    """Executed as stored: no cell errors, and each check cell reports 'not answered yet' without a single true
    gradient in its text or HTML (a missing row's expected value reads '?'). The other outputs are only the
    exercises' forward passes (str(exercise)) and the ninja's forward numbers."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(KEYS_CELL))       # the answer key, read back from the kernel
    notebook = execute(notebook, tmp_path)
    assert errors(notebook) == []
    keys = json.loads("".join(output["text"] for output in notebook.cells.pop().outputs
                              if output.get("name") == "stdout"))
    for tag in CHECKS:
        text, page = report_text(tagged(notebook, tag))
        assert "not answered yet" in text and "not answered yet" in page, tag
        assert "missing" in text
        written = numbers_in(text) + numbers_in(page)
        for name, value in keys[tag]["key"].items():
            assert not [x for x in written if math.isclose(x, value, rel_tol=1e-3)], (tag, name, value, text)
    printed = {tuple(cell.metadata.get("tags", [])): cell.outputs for cell in notebook.cells
               if cell.cell_type == "code" and cell.outputs}
    assert set(printed) == {(tag.replace("check", "exercise"),) for tag in CHECKS[:-1]} | {
        ("ninja-forward",)} | {(tag,) for tag in CHECKS}
    for tag in CHECKS[:-1]:
        outputs = printed[(tag.replace("check", "exercise"),)]       # print() may arrive in several chunks
        assert {output.output_type for output in outputs} == {"stream"}
        assert "".join(output["text"] for output in outputs) == keys[tag]["shown"] + "\n"


def test_with_the_solutions_every_check_is_all_right(tmp_path):
    """With each answer cell replaced by its solution (the ninja's is a backward pass in plain floats), every
    check cell reports every row right."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    solutions = json.loads(SOLUTIONS.read_text(encoding="utf-8"))["cells"]
    assert sorted(solutions) == sorted(tag.replace("check", "answer") for tag in CHECKS)
    for tag, source in solutions.items():
        tagged(notebook, tag).source = source
    notebook = execute(notebook, tmp_path)
    assert errors(notebook) == []
    for tag in CHECKS:
        text, _ = report_text(tagged(notebook, tag))
        assert "✓ all right" in text and "missing" not in text and "wrong" not in text, (tag, text)
    text, _ = report_text(tagged(notebook, "check-ninja"))
    assert "15 of 15 right" in text
