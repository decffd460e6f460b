"""docs/tutorial.ipynb runs top to bottom in a real Jupyter kernel with no Graphviz on PATH, showing rich output."""
import ast
import base64
import os
import pathlib
import re
import time

import pytest

from autograd import shown

nbclient = pytest.importorskip("nbclient", reason="nbclient is not installed (pip install -e '.[test]')")
nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed (pip install -e '.[test]')")
pytest.importorskip("ipykernel", reason="ipykernel is not installed (pip install -e '.[test]')")

from notebook_kernel import execute  # noqa: E402  (after the skips: it imports nbclient)

ROOT = pathlib.Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "docs" / "tutorial.ipynb"


def path_without_dot():
    """PATH with every folder that holds a `dot` program left out."""
    folders = os.environ.get("PATH", "").split(os.pathsep)
    return os.pathsep.join(f for f in folders if f and not os.path.exists(os.path.join(f, "dot")))


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The tutorial executed by nbclient in a kernel of this Python, with no `dot` on its PATH: (notebook, seconds).

    A kernel spec of its own (in a temporary JUPYTER_PATH) makes sure the kernel is this interpreter,
    whatever kernels the machine has; the test adds one first cell, not stored in the notebook, that
    checks the kernel really cannot find `dot`.
    """
    folder = tmp_path_factory.mktemp("notebook")
    env = {name: value for name, value in os.environ.items() if name != "MPLBACKEND"}   # the inline backend
    env.update(PATH=path_without_dot())
    notebook = nbformat.read(TUTORIAL, as_version=4)
    check = nbformat.v4.new_code_cell("import shutil\nassert shutil.which('dot') is None, shutil.which('dot')")
    check.metadata["tags"] = ["test-only"]
    notebook.cells.insert(0, check)
    start = time.perf_counter()
    execute(notebook, folder, cwd=folder, env=env)
    return notebook, time.perf_counter() - start


def tagged(notebook, tag):
    return [cell for cell in notebook.cells if tag in cell.metadata.get("tags", [])]


def test_the_tutorial_is_stored_without_outputs():
    """The notebook in the repository has no outputs and no execution counts (it is run, not read back)."""
    notebook = nbformat.read(TUTORIAL, as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code and all(cell.outputs == [] and cell.execution_count is None for cell in code)


def test_every_cell_runs_without_an_error(executed):
    """No cell of the tutorial raises, with no Graphviz on the kernel's PATH (the first, added cell checks it)."""
    notebook, seconds = executed
    errors = [(cell.source[:60], output.get("ename"), output.get("evalue"))
              for cell in notebook.cells if cell.cell_type == "code"
              for output in cell.outputs if output.output_type == "error"]
    assert errors == []
    assert all(cell.execution_count for cell in notebook.cells if cell.cell_type == "code")
    assert seconds < 120, f"the tutorial took {seconds:.1f} s"


def test_every_drawing_cell_returns_svg(executed):
    """Each drawing cell's result is image/svg+xml that scales to the cell width, and no traceback text."""
    notebook, _ = executed
    drawings = tagged(notebook, "drawing")
    assert len(drawings) == 5
    for cell in drawings:
        results = [o for o in cell.outputs if o.output_type == "execute_result"]
        assert len(results) == 1, cell.source
        svg = results[0].data["image/svg+xml"]
        assert svg.startswith("<svg") and "max-width:100%" in svg and "viewBox" in svg
        assert not [o for o in cell.outputs if o.output_type == "stream" and o.name == "stderr"], cell.source


def test_explain_cell_shows_the_gradient(executed):
    """explain(L, a) renders as HTML whose highlighted answer is ∂L/∂a = f·b = 6."""
    notebook, _ = executed
    (cell,) = tagged(notebook, "explain")
    (result,) = [o for o in cell.outputs if o.output_type == "execute_result"]
    page = result.data["text/html"]
    assert "∂L/∂a = δ(a) = 6.000" in page and "<table" in page
    assert "∂L/∂a = δ(a) = 6.000" in result.data["text/plain"]


def test_step_through_cell_returns_the_page_as_html(executed):
    """animate_backward(o) with no path shows the whole page inline, in an iframe."""
    notebook, _ = executed
    (cell,) = tagged(notebook, "page")
    (result,) = [o for o in cell.outputs if o.output_type == "execute_result"]
    frame = result.data["text/html"]
    assert frame.startswith("<iframe srcdoc=") and "steps-data" in frame and "node-0" in frame


def test_values_and_models_show_html_summaries(executed):
    """The first cell's Value and the model show compact HTML; the plot is an image."""
    notebook, _ = executed
    values = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs
              if o.output_type == "execute_result" and "text/html" in o.data and "Value(" in o.data["text/plain"]]
    assert values and "-8.000" in values[0].data["text/html"]
    (training,) = tagged(notebook, "training")
    (summary,) = [o for o in training.outputs if o.output_type == "execute_result"]
    assert "337 parameters" in summary.data["text/html"] and "max |grad|" in summary.data["text/html"]
    (plot,) = tagged(notebook, "plot")
    assert any("image/png" in o.get("data", {}) for o in plot.outputs)


def test_progress_bar_is_a_widget_in_the_notebook(executed):
    """tqdm.auto gives the training loop a notebook widget (ipywidgets), not carriage-return text."""
    pytest.importorskip("ipywidgets", reason="ipywidgets is not installed (pip install -e '.[test]')")
    notebook, _ = executed
    (training,) = tagged(notebook, "training")
    widgets = [o for o in training.outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert widgets
    assert not [o for o in training.outputs if o.output_type == "stream" and "\r" in o.text]


def test_the_second_derivative_is_right(executed):
    """The higher-order cell ends with dy/dx = 3x² = 6.75 and d²y/dx² = 6x = 9 at x = 1.5."""
    notebook, _ = executed
    (cell,) = [cell for cell in notebook.cells if cell.cell_type == "code" and "create_graph=True" in cell.source]
    (result,) = [o for o in cell.outputs if o.output_type == "execute_result"]
    assert result.data["text/plain"] == "(6.75, 9.0)"


def test_training_health_cells_show_a_report_the_chain_rule_and_pictures(executed):
    """The health section: the report is an HTML table with findings, why() writes tanh's chain-rule step,
    every picture cell returns one PNG image, and the too-large initialization ends with the higher loss."""
    notebook, _ = executed
    (report_cell,) = tagged(notebook, "health-report")
    (report,) = [o for o in report_cell.outputs if o.output_type == "execute_result"]
    assert "<table" in report.data["text/html"] and "Findings" in report.data["text/html"]
    (why_cell,) = tagged(notebook, "health-why")
    (why,) = [o for o in why_cell.outputs if o.output_type == "execute_result"]
    assert "(h = tanh(z); ∂h/∂z = 1 - h²)" in why.data["text/plain"]
    pictures = tagged(notebook, "health-plot")
    assert len(pictures) == 6
    for cell in pictures:
        results = [o for o in cell.outputs if o.output_type == "execute_result"]
        assert len(results) == 1, cell.source
        assert base64.b64decode(results[0].data["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"
    (losses_cell,) = tagged(notebook, "health-losses")
    (losses,) = [o for o in losses_cell.outputs if o.output_type == "execute_result"]
    bad, good = ast.literal_eval(losses.data["text/plain"])
    assert bad > good


def test_the_torch_cell_round_trips_a_model(executed):
    """With torch installed (the test extra), the round-trip cell prints the same output and gradient both ways."""
    pytest.importorskip("torch", reason="PyTorch is not installed (pip install -e '.[test]')")
    notebook, _ = executed
    (cell,) = tagged(notebook, "torch-round-trip")
    text = "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")
    assert "Sequential(" in text and "0.weight[3, 1] is layers[0].neurons[3].w[1] here" in text
    ours, torch_value = re.search(r"ours: (\S+)\s+torch: (\S+)", text).groups()
    assert float(ours) == pytest.approx(float(torch_value), rel=1e-12)
    shown_gradient, torch_gradient = re.search(r"= (\S+)\s+torch: (\S+)\s*$", text.strip()).groups()
    assert shown_gradient == shown(float(torch_gradient))      # explain's gradient, as shown, is torch's
