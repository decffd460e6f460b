"""Running a notebook in a real Jupyter kernel of this Python, for the notebook tests."""
import json
import os
import sys

import nbclient

KERNEL = "backprop-lab-tests"


def execute(notebook, folder, cwd, env=None):
    """Run `notebook` with nbclient in a kernel spec of its own (a temporary JUPYTER_PATH under `folder`), so
    the kernel is this interpreter whatever kernels the machine has; `cwd` is the kernel's folder and `env`
    its environment (default: this process's). Errors stay in the outputs (allow_errors) for the tests to read."""
    spec = folder / "share" / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "backprop-lab tests", "language": "python"}), encoding="utf-8")
    saved = {name: os.environ.get(name) for name in ("JUPYTER_PATH", "JUPYTER_RUNTIME_DIR")}
    os.environ["JUPYTER_PATH"] = str(folder / "share")
    os.environ["JUPYTER_RUNTIME_DIR"] = str(folder / "runtime")
    env = dict(os.environ if env is None else env, IPYTHONDIR=str(folder / "ipython"), PYDEVD_DISABLE_FILE_VALIDATION="1")
    client = nbclient.NotebookClient(notebook, kernel_name=KERNEL, timeout=120, allow_errors=True,
                                     resources={"metadata": {"path": str(cwd)}})
    try:
        client.execute(env=env)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return notebook
