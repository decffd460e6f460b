"""The README's front door stays true: its test command is what CI runs, its demo command exists."""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands():
    return [line.strip() for line in re.findall(r"```bash\n(.*?)```", README, flags=re.S)
            for line in line.splitlines() if line.strip()]


def test_ci_runs_exactly_the_readme_test_command():
    """The README's set-up-and-test line appears verbatim in .ci/run."""
    test_lines = [c for c in _commands() if "pytest" in c and ".[test]" in c]
    assert test_lines, "README has no test command"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert all(line in ci for line in test_lines)


def test_readme_demo_command_names_an_existing_demo_with_main():
    """The README's set-up-and-demo line runs a module in demos/ that defines main()."""
    demo_lines = [c for c in _commands() if "python -m demos." in c]
    assert demo_lines, "README has no demo command"
    for line in demo_lines:
        name = re.search(r"python -m demos\.(\w+)", line).group(1)
        source = (ROOT / "demos" / f"{name}.py").read_text(encoding="utf-8")
        assert "def main(" in source


def test_extras_named_in_the_readme_exist_in_pyproject():
    """Every `.[extra]` the README installs is defined in pyproject.toml."""
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for extra in set(re.findall(r'\.\[(\w+)\]', README)):
        assert re.search(rf"^{extra} = \[", pyproject, flags=re.M), extra


def _python_blocks():
    return re.findall(r"```python\n(.*?)```", README, flags=re.S)


def test_readme_python_sessions_print_what_they_show(tmp_path, monkeypatch):
    """Every ```python block of the README runs as a doctest (in a scratch folder) and matches."""
    import doctest
    monkeypatch.chdir(tmp_path)
    blocks = _python_blocks()
    assert len(blocks) >= 3
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    namespace = {}
    for number, block in enumerate(blocks):
        test = parser.get_doctest(block, namespace, f"README block {number}", "README.md", 0)
        runner.run(test, clear_globs=False)
        namespace = test.globs                                 # later blocks continue the session
    assert runner.failures == 0, f"{runner.failures} README example(s) print something else"
