"""Tests for animate_backward: the replayed chain rule, the page it writes, and the page in a real browser."""
import html
import html.parser
import json
import math
import pathlib
import random
import re
import shutil

import pytest

from autograd import Value, animate_backward, topological_order, weighted_sum
from autograd.views.text import shown as shown_number
from autograd.views.animate import MAX_NODES, StepThrough, replay_backward
from autograd.core.naming import node_names

ARTIFACTS = pathlib.Path(__file__).resolve().parent.parent / "test-artifacts"


# ---- graphs -----------------------------------------------------------------------------------
def micrograd_neuron():
    """o = tanh(x1·w1 + x2·w2 + b) with the numbers and labels of micrograd's lecture."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1; x1w1.label = "x1*w1"
    x2w2 = x2 * w2; x2w2.label = "x2*w2"
    total = x1w1 + x2w2; total.label = "x1*w1 + x2*w2"
    n = total + b; n.label = "n"
    o = n.tanh(); o.label = "o"
    return o, {"x1": x1, "x2": x2, "w1": w1, "w2": w2, "b": b, "n": n}


def random_graph(seed, size=12):
    """A random expression DAG: shared subexpressions, x*x, plain-number operands, a neuron node."""
    rng = random.Random(seed)
    pool = [Value(rng.uniform(0.5, 2.0), label=f"x{i}") for i in range(3)]
    for _ in range(size):
        a, b = rng.choice(pool), rng.choice(pool)
        kind = rng.randrange(8)
        if kind == 0:
            node = a * a
        elif kind == 1:
            node = a * b + 1.5
        elif kind == 2:
            node = a - b * 0.5
        elif kind == 3:
            node = (a * 0.3).tanh()
        elif kind == 4:
            node = a / (b.exp() + 1.0)
        elif kind == 5:
            node = weighted_sum([a, b], [b, 2.0], rng.choice(pool))
        elif kind == 6:
            node = (a * 0.1).sigmoid() * b
        else:
            node = (a ** 2 + 1.0).sqrt().log()
        pool.append(node)
    return sum(pool[-4:], pool[0] * 0.0)


def nodes_of(root):
    """Every Value root depends on, leaves included (by identity)."""
    found, stack = {id(root): root}, [root]
    while stack:
        for parent in stack.pop().parents:
            if id(parent) not in found:
                found[id(parent)] = parent
                stack.append(parent)
    return list(found.values())


def close(a, b):
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


# ---- the replay -------------------------------------------------------------------------------
def test_replay_gives_the_closed_form_gradients_of_a_neuron():
    """o = tanh(Σ x_i w_i + b): do/dw_i = x_i (1 − o²), do/dx_i = w_i (1 − o²), do/db = 1 − o²."""
    o, v = micrograd_neuron()
    _, grads = replay_backward(o)
    slope = 1.0 - math.tanh(v["n"].data) ** 2
    assert close(grads[v["w1"]], v["x1"].data * slope) and close(grads[v["x1"]], v["w1"].data * slope)
    assert close(grads[v["w2"]], v["x2"].data * slope) and close(grads[v["x2"]], v["w2"].data * slope)
    assert close(grads[v["b"]], slope) and close(grads[o], 1.0)


@pytest.mark.parametrize("seed", range(12))
def test_replay_ends_with_the_grads_backward_gives(seed):
    """The replay's final gradient of every node equals what root.backward() stores in .grad."""
    root = random_graph(seed)
    _, grads = replay_backward(root)
    root.backward()
    nodes = nodes_of(root)
    assert set(map(id, grads)) == set(map(id, nodes))
    for node in nodes:
        assert close(grads[node], node.grad), (node, grads[node])


def test_replay_and_page_leave_every_grad_untouched(tmp_path):
    """Neither the replay nor writing the page changes any .grad (including stale ones)."""
    root = random_graph(3)
    nodes = nodes_of(root)
    for i, node in enumerate(nodes):
        node.grad = 100.0 + i
    replay_backward(root)
    animate_backward(root, tmp_path / "page.html")
    assert [node.grad for node in nodes] == [100.0 + i for i in range(len(nodes))]


def test_each_step_multiplies_upstream_by_local_and_accumulates():
    """Steps follow reversed topological_order; each edge adds upstream × local to its parent; a*a: 2 edges."""
    a = Value(3.0, label="a")
    square = a * a
    root = (square + a).tanh()
    steps, grads = replay_backward(root)
    assert [step.node for step in steps] == list(reversed(topological_order(root)))
    running = {root: 1.0}
    for step in steps:
        assert step.upstream == grads[step.node] == running[step.node]
        assert len(step.contributions) == len(step.node.parents)
        for c, parent, local in zip(step.contributions, step.node.parents, step.node.local_grads):
            assert c.parent is parent and c.local == local and c.upstream == step.upstream
            assert c.amount == local * step.upstream
            assert c.before == running.get(parent)
            running[parent] = c.amount if c.before is None else c.before + c.amount
            assert c.after == running[parent]
    square_step = next(step for step in steps if step.node is square)
    assert [c.parent for c in square_step.contributions] == [a, a]
    assert close(grads[a], (1.0 - root.data ** 2) * (2 * a.data + 1.0))  # d/da tanh(a² + a)


def test_replay_of_a_leaf_has_no_steps():
    """A leaf root: nothing to pass back; its own gradient is the seed."""
    x = Value(4.0)
    steps, grads = replay_backward(x)
    assert steps == [] and grads == {x: 1.0}


def test_replay_rejects_a_non_value_and_a_bad_seed():
    """replay_backward(3.0) or a non-number seed is a TypeError that names the type."""
    with pytest.raises(TypeError, match="float"):
        replay_backward(3.0)
    with pytest.raises(TypeError, match="seed.*str"):
        replay_backward(Value(1.0).exp(), seed="1")


def test_replay_scales_with_the_seed():
    """Seeding with s gives s times the seed-1 gradients (backward(grad=s) does the same)."""
    x = Value(0.7, label="x")
    root = (x * x).sin()
    _, grads = replay_backward(root, seed=-2.5)
    root.backward(grad=-2.5)
    assert close(grads[x], x.grad) and close(grads[x], -2.5 * math.cos(0.49) * 1.4)


def test_infinite_slopes_are_shown_not_crashed_on(tmp_path):
    """sqrt at 0 has an infinite slope: the page still writes, showing inf and nan as the engine has them."""
    x = Value(0.0, label="x")
    root = x.sqrt() * 2.0
    data = embedded_data(pathlib.Path(animate_backward(root, tmp_path / "p.html")).read_text(encoding="utf-8"))
    root.backward()
    shown = {edge["shown"] for step in data["steps"] for edge in step["edges"]}
    assert math.isinf(x.grad) and "inf" in shown


# ---- the page as a file -----------------------------------------------------------------------
class _Tags(html.parser.HTMLParser):
    """Every start tag with its attributes, and the text inside each <script>."""

    def __init__(self):
        super().__init__()
        self.tags, self.scripts, self._in_script = [], [], None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = dict(attrs)
            self.scripts.append([dict(attrs), ""])

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None

    def handle_data(self, data):
        if self._in_script is not None:
            self.scripts[-1][1] += data


def parse(text):
    tags = _Tags()
    tags.feed(text)
    return tags


def embedded_data(text):
    """The steps JSON from the page."""
    (data,) = [body for attrs, body in parse(text).scripts if attrs.get("id") == "steps-data"]
    return json.loads(data)


def test_page_is_self_contained(tmp_path):
    """No external script, style, font, image or link: the only URL is the SVG namespace."""
    root, _ = micrograd_neuron()
    text = pathlib.Path(animate_backward(root, tmp_path / "page.html")).read_text(encoding="utf-8")
    tags = parse(text)
    assert not [tag for tag, attrs in tags.tags if tag in ("link", "img", "iframe", "object", "embed")]
    assert all("src" not in attrs for tag, attrs in tags.tags)
    assert all(not attrs.get("href", "#").strip().lower().startswith(("http", "//")) for _, attrs in tags.tags)
    assert re.findall(r"https?://[^\s\"']+", text) == ["http://www.w3.org/2000/svg"]
    assert "@import" not in text and "@font-face" not in text
    assert all(url.startswith("#") for url in re.findall(r"url\(([^)]*)\)", text))
    assert len(tags.scripts) == 2 and tags.scripts[1][1].strip()      # the data and the inline player


def test_embedded_steps_replay_to_the_engine_grads(tmp_path):
    """Playing the embedded steps to the end gives every node the grad backward() gives, shown as `shown` writes it."""
    root = random_graph(7)
    text = pathlib.Path(animate_backward(root, tmp_path / "page.html")).read_text(encoding="utf-8")
    data = embedded_data(text)
    names = {int(attrs["id"][5:]): attrs["data-name"] for tag, attrs in parse(text).tags
             if tag == "g" and attrs.get("id", "").startswith("node-")}
    exact = {data["root"]: float(data["seedExact"])}
    shown = {data["root"]: data["seedShown"]}
    for step in data["steps"][1:]:
        for edge in step["edges"]:
            exact[edge["parent"]], shown[edge["parent"]] = float(edge["exact"]), edge["shown"]
    nodes = nodes_of(root)
    root.backward()
    non_leaves = len(nodes) - sum(node.is_leaf() for node in nodes)
    assert len(data["steps"]) == len(topological_order(root)) + 1 == non_leaves + 1
    assert sorted(exact) == list(range(len(nodes))) == sorted(names)
    by_name = {(n.label or None): n for n in nodes}
    for i, value in exact.items():
        node = by_name.get(names[i])
        if node is not None:                                   # labelled leaves: compare by name
            assert close(value, node.grad)
    engine_grads = sorted(node.grad for node in nodes)
    assert sorted(exact.values()) == pytest.approx(engine_grads, rel=1e-12, abs=1e-12)
    for i in exact:
        assert shown[i] == shown_number(exact[i]) and abs(float(shown[i]) - exact[i]) <= 5e-4 * abs(exact[i])


def test_step_lines_show_the_real_multiplication(tmp_path):
    """A step reads '∂o/∂x1 += upstream × local = product' with 4 significant digits."""
    o, v = micrograd_neuron()
    data = embedded_data(pathlib.Path(animate_backward(o, tmp_path / "p.html")).read_text(encoding="utf-8"))
    lines = [line for step in data["steps"] for line in step["lines"]]
    slope = 1.0 - o.data ** 2
    w1 = v["w1"].data
    assert "∂o/∂x1 += 0.5000 × -3.000 = -1.500" in lines
    assert f"∂o/∂x1 += {shown_number(slope)} × {shown_number(w1)} = {shown_number(slope * w1)}" in lines
    assert f"∂o/∂n += 1.000 × {shown_number(slope)} = {shown_number(slope)}" in lines
    assert any(line.startswith("∂o/∂(x1*w1 + x2*w2) += ") for line in lines)


def test_hostile_labels_are_escaped(tmp_path):
    """A label like '</script><b>' stays text: no new tag, scripts intact, the JSON round-trips it."""
    evil = "</script><b>bold</b> & \"q\" 'x' <!--"
    a = Value(2.0, label=evil)
    root = a * Value(3.0, label="w") + a
    text = pathlib.Path(animate_backward(root, tmp_path / "evil.html")).read_text(encoding="utf-8")
    tags = parse(text)
    assert text.count("</script>") == 2 and "<b>" not in text and "<!--" not in text
    assert not [tag for tag, _ in tags.tags if tag == "b"]
    assert evil in [attrs.get("data-name") for _, attrs in tags.tags]
    lines = [line for step in embedded_data(text)["steps"] for line in step["lines"]]
    assert any(f"∂add_1/∂({evil}) += " in line for line in lines)


def test_unlabeled_nodes_get_names_no_label_uses(tmp_path):
    """Unlabeled nodes get the names every view gives them (node_names), never clashing with labels."""
    x = Value(1.0, label="n1")
    y = Value(2.0)
    root = (x * y).exp() + y
    text = pathlib.Path(animate_backward(root, tmp_path / "p.html")).read_text(encoding="utf-8")
    names = [attrs["data-name"] for tag, attrs in parse(text).tags if attrs.get("id", "").startswith("node-")]
    assert len(names) == len(set(names)) == len(nodes_of(root))
    assert names.count("n1") == 1 and set(names) == set(node_names(root).values())


def test_without_a_path_the_page_shows_inline_in_a_notebook(tmp_path):
    """animate_backward(root) returns a StepThrough: an iframe whose srcdoc is the whole page, escaped;
    .save(path) writes the same page that animate_backward(root, path) writes."""
    o, _ = micrograd_neuron()
    inline = animate_backward(o)
    assert isinstance(inline, StepThrough) and not list(tmp_path.iterdir())
    frame = inline._repr_html_()
    assert frame.startswith('<iframe srcdoc="') and 'sandbox="allow-scripts"' in frame
    srcdoc = re.match(r'<iframe srcdoc="([^"]*)"', frame).group(1)
    assert html.unescape(srcdoc) == inline.html and "<" not in srcdoc
    written = pathlib.Path(animate_backward(o, tmp_path / "a.html")).read_text(encoding="utf-8")
    assert written == inline.html == pathlib.Path(inline.save(tmp_path / "b.html")).read_text(encoding="utf-8")
    assert "StepThrough" in repr(inline)


def test_leaf_root_gets_a_page_with_no_steps(tmp_path):
    """A lone leaf: one node, seeded with 1.0, and nothing to play."""
    data = embedded_data(pathlib.Path(animate_backward(Value(5.0, label="x"), tmp_path / "p.html"))
                         .read_text(encoding="utf-8"))
    assert data["nodeCount"] == 1 and len(data["steps"]) == 1 and data["seedShown"] == "1.000"


def test_returns_the_path_as_a_pathlib_path(tmp_path):
    """The return value is the path written, as a pathlib.Path (as draw_dot(...).save and nn.save give), for a
    str or a pathlib.Path argument; StepThrough.save does the same."""
    x = Value(1.0)
    target = tmp_path / "a.html"
    assert animate_backward(x.tanh(), target) == target and target.is_file()
    assert animate_backward(x.tanh(), str(target)) == target
    assert type(animate_backward(x.tanh(), str(target))) is type(target)
    assert animate_backward(x.tanh()).save(str(target)) == target


def test_missing_folder_is_rejected_and_nothing_written(tmp_path):
    """A path in a folder that does not exist: FileNotFoundError naming the folder; nothing is created."""
    missing = tmp_path / "no" / "such"
    with pytest.raises(FileNotFoundError, match="does not exist") as error:
        animate_backward(Value(1.0).exp(), missing / "page.html")
    assert str(missing) in str(error.value)
    assert not (tmp_path / "no").exists()


def test_bad_arguments_get_clear_errors(tmp_path):
    """Wrong root, path or max_nodes types, or a folder as path, are rejected with messages naming them."""
    x = Value(1.0).exp()
    with pytest.raises(TypeError, match="root.*float"):
        animate_backward(1.0, tmp_path / "p.html")
    with pytest.raises(TypeError, match="path.*int"):
        animate_backward(x, 42)
    with pytest.raises(IsADirectoryError, match="folder"):
        animate_backward(x, tmp_path)
    with pytest.raises(ValueError, match="max_nodes"):
        animate_backward(x, tmp_path / "p.html", max_nodes=0)
    assert list(tmp_path.iterdir()) == []


def test_graphs_over_the_node_cap_are_refused(tmp_path):
    """MAX_NODES nodes are drawn; one more is a ValueError naming the cap, and no file is written."""
    def chain(count):                                         # a leaf and count - 1 ops: count nodes
        node = Value(0.5, label="x")
        for _ in range(count - 1):
            node = node * 0.999
        return node

    assert pathlib.Path(animate_backward(chain(MAX_NODES), tmp_path / "ok.html")).is_file()
    with pytest.raises(ValueError, match=f"max_nodes={MAX_NODES}"):
        animate_backward(chain(MAX_NODES + 1), tmp_path / "big.html")
    with pytest.raises(ValueError, match="max_nodes=5"):
        animate_backward(chain(6), tmp_path / "small.html", max_nodes=5)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ok.html"]


# ---- the page in a real browser ---------------------------------------------------------------
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium driven by Playwright (skipped when either is missing)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip("no chromium executable on PATH")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


class PageWatch:
    """A loaded page plus the console errors and the network requests it made."""

    def __init__(self, browser, path):
        self.page = browser.new_page(viewport={"width": 1280, "height": 760})
        self.errors, self.requests = [], []
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.url = pathlib.Path(path).resolve().as_uri()
        self.page.goto(self.url)

    def step(self):
        return int(self.page.get_attribute("body", "data-step"))

    def grads(self):
        """{name: (data-grad attribute, shown text)} for every node on the page."""
        pairs = self.page.eval_on_selector_all(
            "g.node",
            "nodes => nodes.map(n => [n.dataset.name, n.dataset.grad, n.querySelector('.grad').textContent])")
        return {name: (exact, shown) for name, exact, shown in pairs}


def assert_grads_match_engine(grads, engine):
    for name, node in engine.items():
        exact, shown = grads[name]
        assert close(float(exact), node.grad), name
        assert shown == shown_number(node.grad), (name, shown)     # the page shows what Python's `shown` writes


def test_page_steps_through_backward_in_a_browser(browser, tmp_path):
    """Buttons and keys (→ ← space r) step the page; at the end every grad shown equals the engine's."""
    o, _ = micrograd_neuron()
    ARTIFACTS.mkdir(exist_ok=True)
    path = animate_backward(o, ARTIFACTS / "animate_backward.html")
    engine = {node.label: node for node in nodes_of(o)}
    o.backward()
    last = len(topological_order(o))
    last_node = topological_order(o)[0]                        # the node backward() visits last
    others = [node for node in topological_order(o) if node is not last_node]
    reached_last = {p.label for p in last_node.parents if not any(p in n.parents for n in others)}

    watch = PageWatch(browser, path)
    page = watch.page
    start = watch.grads()
    assert start.pop("o") == ("1.0", "1.000") and all(shown == ("", "?") for shown in start.values())

    clicks, tops = 0, set()                                    # the Next button, to the end
    graph_top = "document.getElementById('graph').getBoundingClientRect().top"
    while page.is_enabled("#next"):
        page.click("#next")
        tops.add(page.evaluate(graph_top))
        clicks += 1
        if clicks == 3:
            page.screenshot(path=str(ARTIFACTS / "animate_backward_step.png"), full_page=True)
    assert clicks == last and watch.step() == last
    assert len(tops) == 1                                      # the graph never jumps as the text changes
    assert page.text_content("#counter") == f"{last} / {last}"
    assert_grads_match_engine(watch.grads(), engine)
    page.screenshot(path=str(ARTIFACTS / "animate_backward_final.png"), full_page=True)

    page.click("#back")                                        # back: the last step's new grads clear
    assert watch.step() == last - 1
    assert reached_last and {name for name, (exact, _) in watch.grads().items() if exact == ""} == reached_last

    page.keyboard.press("r")                                   # the keyboard: reset, then → to the end
    assert watch.step() == 0 and sum(exact != "" for exact, _ in watch.grads().values()) == 1
    for _ in range(last):
        page.keyboard.press("ArrowRight")
    assert watch.step() == last
    assert_grads_match_engine(watch.grads(), engine)
    page.keyboard.press("ArrowLeft")
    assert watch.step() == last - 1

    page.keyboard.press("r")                                   # space plays (once, even on a focused button)
    page.select_option("#speed", label="slow")
    page.focus("#next")
    page.keyboard.press(" ")
    assert watch.step() == 1 and "Pause" in page.text_content("#play")
    page.keyboard.press(" ")
    assert "Play" in page.text_content("#play")
    page.select_option("#speed", label="fast")
    page.focus("#play")
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press(" ")
    page.wait_for_function(f"document.body.dataset.step === '{last}'", timeout=10_000)
    assert_grads_match_engine(watch.grads(), engine)

    assert watch.errors == []
    assert set(watch.requests) == {watch.url}
    page.close()


def test_hostile_label_page_runs_cleanly_in_a_browser(browser, tmp_path):
    """A '</script><b>' label shows as text, adds no element, and the page plays without errors."""
    evil = "</script><b>bold</b><script>window.hacked = 1</script>"
    a = Value(-1.5, label=evil)
    root = (a * a).tanh()
    watch = PageWatch(browser, animate_backward(root, tmp_path / "evil.html"))
    page = watch.page
    assert page.query_selector("b") is None and page.evaluate("window.hacked === undefined")
    assert page.get_attribute("#node-0", "data-name") == evil
    assert evil[:12] in page.text_content("#node-0 .name")
    page.keyboard.press("End")
    root.backward()
    assert close(float(page.get_attribute("#node-0", "data-grad")), a.grad)
    assert watch.errors == [] and set(watch.requests) == {watch.url}
    page.close()


def test_replay_agrees_with_backward_where_zero_meets_an_infinite_slope():
    """A zero upstream gradient times sqrt's infinite slope at 0 passes nothing on, as in backward()."""
    x = Value(0.0, label="x")
    y = (x.sqrt() - 5.0).relu() + x
    _, grads = replay_backward(y)
    y.backward()
    assert grads[x] == x.grad == 1.0
