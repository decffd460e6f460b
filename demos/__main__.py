"""List the demos: `python -m demos` prints each one with the first line of its docstring."""
import ast
import pathlib


def list_demos():
    """(name, summary) for every demo module in this folder, read without importing it.

    >>> ("moons", ) == tuple(name for name, _ in list_demos() if name == "moons")
    True
    """
    demos = []
    for path in sorted(pathlib.Path(__file__).parent.glob("*.py")):
        if path.stem.startswith("_"):
            continue
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        demos.append((path.stem, doc.strip().splitlines()[0] if doc.strip() else ""))
    return demos


def main():
    print("Demos (run one with: python -m demos.NAME [--help]):")
    for name, summary in list_demos():
        print(f"  {name:<22} {summary}")


if __name__ == "__main__":
    main()
