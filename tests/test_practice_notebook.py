"""docs/practice.ipynb runs in a real kernel: as stored, every check says "not answered yet" with no error;
with the solutions from tests/practice_solutions.json filled in, every check is all right."""
import json
import os
import pathlib
import re
import sys

import pytest

nbclient = pytest.importorskip("nbclient", reason="nbclient is not installed (pip install -e '.[test]')")
nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed (pip install -e '.[test]')")
pytest.importorskip("ipykernel", reason="ipykernel is not installed (pip install -e '.[test]')")

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "docs" / "practice.ipynb"
SOLUTIONS = pathlib.Path(__file__).resolve().parent / "practice_solutions.json"
KERNEL = "backprop-lab-practice-tests"
CHECKS = ["check-1", "check-2", "check-3", "check-4", "check-5", "check-ninja"]


def tagged(notebook, tag):
    (cell,) = [cell for cell in notebook.cells if tag in cell.metadata.get("tags", [])]
    return cell


def execute(notebook, folder):
    """Run `notebook` in a kernel of this Python (a kernel spec of its own, in a temporary JUPYTER_PATH)."""
    spec = folder / "share" / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "backprop-lab practice tests", "language": "python"}), encoding="utf-8")
    saved = {name: os.environ.get(name) for name in ("JUPYTER_PATH", "JUPYTER_RUNTIME_DIR")}
    os.environ["JUPYTER_PATH"] = str(folder / "share")
    os.environ["JUPYTER_RUNTIME_DIR"] = str(folder / "runtime")
    env = dict(os.environ, IPYTHONDIR=str(folder / "ipython"), PYDEVD_DISABLE_FILE_VALIDATION="1")
    client = nbclient.NotebookClient(notebook, kernel_name=KERNEL, timeout=120, allow_errors=True,
                                     resources={"metadata": {"path": str(ROOT / "docs")}})
    try:
        client.execute(env=env)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return notebook


def errors(notebook):
    return [(cell.source[:60], output.get("ename"), output.get("evalue"))
            for cell in notebook.cells if cell.cell_type == "code"
            for output in cell.outputs if output.output_type == "error"]


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


def test_as_stored_every_check_says_not_answered_yet(tmp_path):
    """Executed as stored: no cell errors, and each check cell reports 'not answered yet'."""
    notebook = execute(nbformat.read(NOTEBOOK, as_version=4), tmp_path)
    assert errors(notebook) == []
    for tag in CHECKS:
        text, page = report_text(tagged(notebook, tag))
        assert "not answered yet" in text and "not answered yet" in page, tag
        assert "missing" in text


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
