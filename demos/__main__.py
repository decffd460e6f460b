"""List the demos: `python -m demos` prints each one with the first line of its docstring."""
import ast
import pathlib


def list_demos():
    """(name, summary) for every demo module here (one with a `main`), read without importing it.

    >>> all(summary for name, summary in list_demos())
    True
    """
    demos = []
    for path in sorted(pathlib.Path(__file__).parent.glob("*.py")):
        if path.stem.startswith("_"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if not any(isinstance(node, ast.FunctionDef) and node.name == "main" for node in tree.body):
            continue                                           # a helper module, not a demo
        doc = ast.get_docstring(tree) or ""
        demos.append((path.stem, doc.strip().splitlines()[0] if doc.strip() else ""))
    return demos


def main():
    print("Demos (run one with: python -m demos.NAME [--help]):")
    for name, summary in list_demos():
        print(f"  {name:<22} {summary}")


if __name__ == "__main__":
    main()
