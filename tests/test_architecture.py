"""The package's architecture: no import circle among the modules of autograd/ and nn/ (function-level imports
included), and the engine (autograd/core) imports no view and not the package's joining __init__."""
import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGES = ("autograd", "nn")


def module_name(path):
    """'autograd.core.engine' for autograd/core/engine.py, 'autograd.core' for autograd/core/__init__.py."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules():
    """{module name: path} for every module of the packages."""
    return {module_name(path): path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))}


def imported_modules(name, path, known):
    """The project modules that module `name` imports anywhere in its file (top level, in functions, in
    classes, under `if`), relative imports resolved; `from package import name` counts the submodule when
    `name` is one, else the package."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[:len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                found.add(submodule if submodule in known else target)
    edges = set()
    for target in found:
        while target and target not in known:               # 'autograd.core.engine.Value' -> its module
            target = target.rpartition(".")[0]
        if target and target != name:
            edges.add(target)
    return edges


def import_graph():
    known = project_modules()
    return {name: imported_modules(name, path, known) for name, path in known.items()}


def find_cycle(graph):
    """One import circle as a list of modules (first == last), or None."""
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                return stack[stack.index(target):] + [target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        state[node] = "done"
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_the_reader_sees_function_level_and_relative_imports():
    """The import reader itself: a function-level relative import and a package import are both found."""
    graph = import_graph()
    assert "autograd.core.engine" in graph["autograd.views.draw"]
    assert "autograd.views.display" in graph["autograd.views.explain"]          # imported inside a method
    assert {"autograd.core.engine", "autograd.views.draw"} <= graph["autograd"]


def test_find_cycle_finds_a_circle_and_only_a_circle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_no_import_circle():
    """No module of autograd/ or nn/ imports, directly or through others, a module that imports it back."""
    cycle = find_cycle(import_graph())
    assert cycle is None, "import circle: " + " -> ".join(cycle)


def test_the_engine_imports_no_view():
    """autograd/core imports nothing from autograd/views and not autograd/__init__ (which joins the two)."""
    graph = import_graph()
    wrong = {(name, target) for name, targets in graph.items() if name.startswith("autograd.core")
             for target in targets if target == "autograd" or target.startswith("autograd.views")}
    assert not wrong, f"the engine imports views: {sorted(wrong)}"
