"""`compile(root)`: a graph turned into straight-line Python that runs its forward and backward pass again.

Backprop is just code. `compile` walks a graph that has been built once and writes that code out: one
line per op for the forward pass, then, from the root down, one line per edge for the backward pass,
each multiplying the upstream gradient by the op's local derivative. Every expression comes from the op
table's rows (`row.code`), so no derivative is written twice. The source is in `program.source`;
`program.run()` reads every leaf's current `.data`, sets `root.data` and adds to every leaf's `.grad`
as `backward()` does, so an optimizer's `step()` works on it unchanged.

The code runs without making a single Value, which is why it is fast. What it cannot replay is Python
control flow: the graph records which ops ran, not why. Comparisons of Values made inside a `tape()`
while the graph was built (`if x > 0:`) are noted, and the program checks each one again and raises
BranchChanged when new data would take the other branch; a test on `.data` (a plain float) is not
seen, so its branch is baked into the program.
"""
import builtins
import keyword
import time
import unicodedata

from . import mode
from .engine import DOT, Sum, Value, WeightedSum, check_differentiable, real_number, walk
from .functional import Primitive
from .naming import format_number, node_names
from .rowmath import NAMESPACE

TERMS_PER_LINE = 128           # a longer sum is written over several lines (Python's parser nests a + b + ...)
MAX_LINES = 60_000             # ops + edges: one line each. A 2-128-128-1 MLP's per-sample loss has ~34,000.
COMMENT_COLUMN = 48            # generated comments start here when the code is shorter
FUNCTION_NAME = "forward_and_backward"


class BranchChanged(RuntimeError):
    """New data would make a comparison recorded while the graph was built come out the other way."""


class Program:
    """A graph compiled to Python: `run()` redoes its forward and backward pass on the leaves' current data.

    `source` is the generated code; `leaves` are the Values it reads (those of the graph first, then any
    read only by a checked comparison); `inputs` are the leaves `run_many` sets row by row; `comparisons`
    the recorded comparisons it checks; `ops`, `edges` and `lines` measure its size, and
    `compile_seconds` the time to write and compile it.
    """

    def __init__(self, root, leaves, graph_leaves, inputs, also, comparisons, source, function, sizes, seconds):
        self.root = root
        self.leaves = tuple(leaves)
        self.graph_leaves = tuple(graph_leaves)
        self.inputs = tuple(inputs)
        self.also = tuple(also)
        self.comparisons = tuple(comparisons)
        self.source = source
        self.ops, self.edges, self.lines = sizes
        self.compile_seconds = seconds
        self._function = function

    def run(self):
        """One forward and backward pass on the leaves' current data, like `root.backward()` on a rebuilt graph.

        Sets `root.data` (and `root.grad` to 1) and adds d(root)/d(leaf) to every leaf's `.grad`; inner
        nodes keep the values from when the graph was built. Returns the root's value, or a tuple
        (root, *also) when the program was compiled with `also`.
        >>> from autograd import Value
        >>> x = Value(3.0, label="x"); y = x * x + x
        >>> program = compile(y)
        >>> x.data = 5.0
        >>> program.run(), x.grad                              # 5² + 5, and 2·5 + 1
        (30.0, 11.0)
        """
        if self.inputs:
            outputs, grads = self._function(self.leaves, [tuple(leaf.data for leaf in self.inputs)])
            output = outputs[0]
        else:
            output, grads = self._function(self.leaves)
        self._finish(output, grads)
        return output

    def run_many(self, rows):
        """run() once per row of values for `inputs`, in one call: the root's value for each row.

        Equal to setting the inputs' `.data` to each row in turn and calling run(): leaves accumulate
        every row's gradient, so a per-sample loss compiled once trains on a whole batch. The other
        leaves are read once, before the first row, and the inputs' `.data` is left as it was.
        >>> from autograd import Value
        >>> w, x = Value(2.0, label="w"), Value(0.0, label="x")
        >>> program = compile((w * x).tanh(), inputs=[x])
        >>> [round(y, 4) for y in program.run_many([[0.5], [-0.5]])], round(w.grad, 4)
        ([0.7616, -0.7616], 0.0)
        """
        if not self.inputs:
            raise TypeError("run_many() needs a program compiled with inputs=[...]: the leaves each row sets")
        width = len(self.inputs)
        checked = []
        for index, row in enumerate(rows):
            values = tuple(value if type(value) is float else _row_number(value, index) for value in row)
            if len(values) != width:
                raise ValueError(f"run_many: row {index} has {len(values)} values for {width} inputs")
            checked.append(values)
        outputs, grads = self._function(self.leaves, checked)
        self._finish(outputs[-1] if outputs else None, grads)
        return outputs

    def _finish(self, output, grads):
        for leaf, grad in zip(self.graph_leaves, grads):
            leaf.grad = grad
        if output is None:
            return
        root = self.root
        root.data = output[0] if self.also else output
        if root._edges:
            root.grad = 1.0

    def __repr__(self):
        return (f"<compiled program: {self.ops:,} ops, {self.edges:,} edges, {len(self.leaves):,} leaves, "
                f"{self.lines:,} lines, compiled in {self.compile_seconds:.3f} s>")


def compile(root, inputs=(), also=(), tape=None, params=None, max_lines=MAX_LINES):
    """Write root's forward and backward pass out as straight-line Python; returns a `Program`.

    `inputs`: leaves of the graph that `program.run_many(rows)` sets row by row (one sample's inputs
    and label, say). `also`: Values of the graph whose data run() and run_many() return beside the
    root's (a score beside the loss). `tape`: where the comparisons made while the graph was built were
    recorded (default: this thread's open tape, if any). `params`: a model, so unlabelled parameters
    are named by their place in it. Graphs with more than `max_lines` ops + edges are refused.
    (`autograd.compile` is this function; it shadows Python's builtin `compile` only if imported bare.)
    >>> from autograd import Value
    >>> x, w = Value(2.0, label="x"), Value(-1.5, label="w")
    >>> y = (x * w).tanh(); y.label = "y"
    >>> program = compile(y)
    >>> print(program.source.split("    # backward")[0])
    # y = tanh(mul_1), generated by autograd.compile: 2 ops, 3 edges, 2 leaves.
    # Forward: one line per op. Backward: grad_v is ∂y/∂v, the sum over the nodes u that use v of grad_u × ∂u/∂v
    # (the chain rule); a gradient that is exactly 0 passes nothing on, as in backward().
    def forward_and_backward(leaves):
        x, w = [leaf.data for leaf in leaves]       # every leaf's current value
        # forward
        mul_1 = x * w                               # mul
        y = tanh(mul_1)                             # tanh
    <BLANKLINE>
    >>> x.data, w.data = 0.0, 2.0                           # new data, same graph
    >>> program.run(), x.grad, w.grad                       # tanh(0) = 0 with slope 1, so ∂y/∂x = w
    (0.0, 2.0, 0.0)
    """
    began = time.perf_counter()
    if type(root) is not Value:
        raise TypeError(f"compile needs a Value, got {type(root).__name__}")
    check_differentiable(root, "compile()")
    graph = _Graph(root, inputs, also, mode.current_tape() if tape is None else tape, params, max_lines)
    names = _Names(graph, params)
    source = _write(graph, names)
    namespace = dict(NAMESPACE, nan=float("nan"), branch_changed=_branch_changed(graph.comparisons, names))
    namespace.update(names.functions)
    exec(builtins.compile(source, f"<autograd.compile: {names.of[root]}>", "exec"), namespace)
    seconds = time.perf_counter() - began
    return Program(root, graph.leaves, graph.graph_leaves, graph.inputs, graph.also, graph.comparisons, source,
                   namespace[FUNCTION_NAME], (len(graph.ops), graph.edge_count, graph.line_count), seconds)


# ---- the graph: what to write, in which order -------------------------------------------------------
class _Graph:
    """The Values of the program in topological order, its leaves, its inputs and its checked comparisons."""

    def __init__(self, root, inputs, also, tape, params, max_lines):
        self.root = root
        values = walk(root, leaves=True)
        in_graph = set(values)
        self.ops = [v for v in values if v._edges]              # inner nodes, each after its parents
        self.edge_count = sum(len(v._edges) // 2 for v in self.ops)
        self.line_count = len(self.ops) + self.edge_count
        if self.line_count > max_lines:
            raise ValueError(
                f"compile: the graph has {len(self.ops):,} ops and {self.edge_count:,} edges, "
                f"{self.line_count:,} lines of code in all, over the limit of {max_lines:,}: Python would "
                f"take long to compile it. Compile one sample's loss and run it with run_many(), or pass "
                f"max_lines=... to raise the limit.")
        for node in self.ops:
            _check_row(node)
        self.comparisons = self._comparisons(tape, in_graph)
        extra = []                                              # Values only a comparison reads
        for left, _, right, _ in self.comparisons:
            for side in (left, right):
                if type(side) is Value and side not in in_graph:
                    for v in walk(side, leaves=True):
                        if v not in in_graph:
                            in_graph.add(v)
                            extra.append(v)
        for node in extra:
            if node._edges:
                _check_row(node)
        self.forward = self.ops + [v for v in extra if v._edges]
        self.forward_only = set(v for v in extra if v._edges)
        self.inputs = self._leaves_of("inputs", inputs, in_graph)
        self.also = self._values_of("also", also, in_graph)
        self.graph_leaves = self._in_reading_order([v for v in values if not v._edges], params)
        self.leaves = self.graph_leaves + [v for v in extra if not v._edges]

    def _in_reading_order(self, leaves, params):
        """The leaves with the inputs first, then a model's parameters in its order, then the rest as found."""
        present = set(leaves)
        first = [v for v in self.inputs if v in present]
        if params is not None and hasattr(params, "parameters"):
            inputs = set(first)
            first += [p for p in params.parameters() if p in present and p not in inputs]
        chosen = set(first)
        return first + [v for v in leaves if v not in chosen]

    @staticmethod
    def _comparisons(tape, in_graph):
        """The comparisons recorded on the tape that have a Value of the graph on one side."""
        if tape is None:
            return []
        return [(left, symbol, right if type(right) is Value else real_number(right), result)
                for left, symbol, right, result in tape.recorded_comparisons()
                if left in in_graph or (type(right) is Value and right in in_graph)]

    def _leaves_of(self, what, values, in_graph):
        chosen = self._values_of(what, values, in_graph)
        for index, value in enumerate(chosen):
            if value._edges:
                raise ValueError(f"compile: {what}[{index}] is made by an op ({value.op}); inputs must be leaves, "
                                 f"Values you set yourself")
        if len(set(chosen)) != len(chosen):
            raise ValueError(f"compile: {what} lists a Value twice")
        return chosen

    @staticmethod
    def _values_of(what, values, in_graph):
        if type(values) is Value:
            values = [values]
        chosen = list(values)
        for index, value in enumerate(chosen):
            if type(value) is not Value:
                raise TypeError(f"compile: {what}[{index}] must be a Value, got {type(value).__name__}")
            if value not in in_graph:
                raise ValueError(f"compile: {what}[{index}] (data {value.data!r}) is not part of the graph")
        return chosen


def _check_row(node):
    row = node.row
    if not hasattr(row, "code") and type(row) is not Primitive:
        raise ValueError(f"compile: op {row.name!r} has no code here (a primitive from another session, "
                         f"unpickled?): define it with primitive() and rebuild the graph")


# ---- names: one identifier per Value, from its label ------------------------------------------------
class _Names:
    """Python identifiers for the Values (from their labels), their gradients and the primitives' functions."""

    RESERVED = (set(NAMESPACE) | {"nan", "leaves", "rows", "outputs", "leaf", "branch_changed", FUNCTION_NAME,
                                  "float", "print", "True", "False", "None"})

    def __init__(self, graph, params):
        values = graph.leaves + graph.forward
        texts = node_names(graph.root, values) if params is None else node_names(graph.root, values, params=params)
        self.taken = set(self.RESERVED)
        self.functions = {}                                     # primitive rows' f and df, by name
        self.primitive_names = {}
        for node in graph.forward:
            if type(node.row) is Primitive and node.row not in self.primitive_names:
                self._name_primitive(node.row)
        self.of = {value: self._unique(_identifier(texts[value])) for value in values}
        self.text = {value: texts[value] for value in values}
        self.grad = {value: self._unique("grad_" + self.of[value]) for value in graph.graph_leaves + graph.ops}

    def _unique(self, name):
        candidate, count = name, 1
        while candidate in self.taken or keyword.iskeyword(candidate):
            count += 1
            candidate = f"{name}_{count}"
        self.taken.add(candidate)
        return candidate

    def _name_primitive(self, row):
        forward = self._unique(_identifier(row.word))
        slopes = self._unique(forward + "_slopes")
        self.functions[forward] = lambda *xs, row=row: row.on_floats(xs)[0]
        self.functions[slopes] = lambda *xs, row=row: row.on_floats(xs)[1]
        self.primitive_names[row] = (forward, slopes)


def _identifier(text):
    """A Python identifier made from a name: 'h1.w[0]' -> 'h1_w_0', '2x' -> 'v_2x', 'λ' stays 'λ'.

    >>> _identifier("h1.w[0]"), _identifier("2x"), _identifier("λ"), _identifier("if")
    ('h1_w_0', 'v_2x', 'λ', 'if_')
    """
    text = unicodedata.normalize("NFKC", text)                 # Python reads identifiers in this form
    kept = "".join(ch if ("_" + ch).isidentifier() else "_" for ch in text)
    while "__" in kept:
        kept = kept.replace("__", "_")
    kept = kept.strip("_") or "v"
    if not kept[0].isidentifier():
        kept = "v_" + kept
    return kept + "_" if keyword.iskeyword(kept) else kept


# ---- writing the source ------------------------------------------------------------------------------
def _write(graph, names):
    """The program's source: read the leaves, then forward and backward, looping over rows if there are inputs."""
    root = graph.root
    lines = []
    root_text = names.of[root]
    formula = _formula(root, names.of) if root._edges else "a leaf"
    lines.append(f"# {root_text} = {formula}, generated by autograd.compile: {len(graph.ops):,} ops, "
                 f"{graph.edge_count:,} edges, {len(graph.leaves):,} leaves.")
    lines.append(f"# Forward: one line per op. Backward: grad_v is ∂{root_text}/∂v, the sum over the nodes u that "
                 f"use v of grad_u × ∂u/∂v")
    lines.append("# (the chain rule); a gradient that is exactly 0 passes nothing on, as in backward().")
    if graph.inputs:
        lines.append("# The inputs take each row's values in turn; the other leaves are read once, and every "
                     "leaf's gradient")
        lines.append("# adds up over the rows.")
    lines.append(f"def {FUNCTION_NAME}(leaves{', rows' if graph.inputs else ''}):")
    lines += _assign(1, [names.of[leaf] for leaf in graph.leaves], "[leaf.data for leaf in leaves]",
                     "every leaf's current value")
    grad_leaves = [names.grad[leaf] for leaf in graph.graph_leaves]
    read_grads = ("[leaf.grad for leaf in leaves]" if len(graph.graph_leaves) == len(graph.leaves) else
                  f"[leaf.grad for leaf in leaves[:{len(grad_leaves)}]]")
    indent = 1
    if graph.inputs:
        lines += _assign(1, grad_leaves, read_grads, "leaves add to what they hold")
        lines.append("    outputs = []")
        lines.append(f"    for {', '.join(names.of[x] for x in graph.inputs)}{',' if len(graph.inputs) == 1 else ''}"
                     f" in rows:")
        indent = 2
    pad = "    " * indent
    checks = _checks_by_position(graph, names, pad)
    lines.append(pad + "# forward")
    lines += checks.get(None, [])
    for node in graph.forward:
        comment = _op_name(node) + (" (read only by a comparison)" if node in graph.forward_only else "")
        name = names.of[node]
        for index, forward in enumerate(_forward(node, names)):
            lines.append(_commented(pad + f"{name} = {forward}", comment if index == 0 else None))
        lines += checks.get(node, [])
    lines.append(pad + f"# backward, from {root_text} down to the leaves")
    if not graph.inputs:
        lines += _assign(indent, grad_leaves, read_grads, "leaves add to what they hold")
    lines += _backward(graph, names, pad)
    outputs = ", ".join(names.of[v] for v in (root,) + tuple(graph.also))
    if len(graph.also) > 0:
        outputs = f"({outputs})"
    if graph.inputs:
        lines.append(pad + f"outputs.append({outputs})")
        lines += _return("    ", "outputs", grad_leaves)
    else:
        lines += _return("    ", outputs, grad_leaves)
    return "\n".join(lines) + "\n"


def _backward(graph, names, pad):
    """The backward lines: inner gradients start at 0, the root's at 1, then each node pushes to its operands."""
    root = graph.root
    lines = []
    if not root._edges:                                         # a leaf: d(root)/d(root) = 1, and that is all
        lines.append(_commented(pad + f"{names.grad[root]} += 1.0", f"∂{names.of[root]}/∂{names.of[root]} = 1"))
        return lines
    inner = [names.grad[node] for node in reversed(graph.ops) if node is not root]
    lines += _assign(len(pad) // 4, inner, "0.0", "inner nodes start from 0",
                     chained=True)
    lines.append(_commented(pad + f"{names.grad[root]} = 1.0", f"∂{names.of[root]}/∂{names.of[root]} = 1"))
    for node in reversed(graph.ops):
        if node is root:
            lines.append(pad + f"# {names.of[node]} = {_formula(node, names.of)}")
            lines += _pushes(node, names, pad)
        else:
            lines.append(_commented(pad + f"if {names.grad[node]} != 0.0:",
                                    f"{names.of[node]} = {_formula(node, names.of)}"))
            lines += _pushes(node, names, pad + "    ")
    return lines


def _pushes(node, names, pad):
    """One line per edge of `node`: its operand's gradient grows by node's gradient × the local derivative."""
    _, locals_ = _code(node, names)
    _, rules = node.row.text([_operand_text(v, names.of) for v in node.operands], names.of[node])
    upstream = names.grad[node]
    lines = []
    for position, operand in enumerate(node.operands):
        if type(operand) is not Value:                         # x * 2: the number has no gradient
            continue
        local, rule = locals_[position], rules[position]
        target = names.grad[operand]
        if local == "1.0":
            code = f"{target} += {upstream}"
        elif local == "-1.0":
            code = f"{target} -= {upstream}"
        else:
            code = f"{target} += {upstream} * {_atom(local)}"
        if rule is None:
            rule = f"from {node.row.name}'s df"
        lines.append(_commented(pad + code, f"∂{names.of[node]}/∂{names.of[operand]} = {rule}"))
    return lines


def _forward(node, names):
    """The expression(s) computing `node`: one, or for a long sum several, each adding to the one before."""
    row = node.row
    operands = node.operands
    if len(operands) <= TERMS_PER_LINE or not isinstance(row, (Sum, WeightedSum)):
        return [_code(node, names)[0]]
    codes = [names.of[v] for v in operands]
    name = names.of[node]
    if isinstance(row, Sum):
        chunks = [row.code(codes[i:i + TERMS_PER_LINE], name)[0] for i in range(0, len(codes), TERMS_PER_LINE)]
    else:                                                       # w·x in pieces, then the bias (if any) last
        weights, inputs, bias = row.parts(codes)
        starts = range(0, len(weights), TERMS_PER_LINE)
        pieces = [weights[i:i + TERMS_PER_LINE] + inputs[i:i + TERMS_PER_LINE] for i in starts]
        chunks = [DOT.code(piece, name)[0] for piece in pieces[:-1]]
        chunks.append(row.code(pieces[-1] + ([bias] if bias is not None else []), name)[0])
    return [chunks[0]] + [f"{name} + {chunk}" for chunk in chunks[1:]]


def _code(node, names):
    """(forward expression, local derivative expression per operand) from the node's row."""
    operands = [names.of[v] if type(v) is Value else _number(v) for v in node.operands]
    row = node.row
    if type(row) is Primitive:
        forward, slopes = names.primitive_names[row]
        arguments = ", ".join(operands)
        return f"{forward}({arguments})", [f"{slopes}({arguments})[{i}]" for i in range(len(operands))]
    return row.code(operands, names.of[node])


def _op_name(node):
    """The op as a forward line's comment: its name when it has letters (wx+b), else its row's word (mul for *)."""
    name = node.op
    return name if any(ch.isalpha() for ch in name) else node.row.word


def _formula(node, texts):
    return node.row.text([_operand_text(v, texts) for v in node.operands], texts[node])[0]


def _operand_text(operand, texts):
    return texts[operand] if type(operand) is Value else format_number(operand)


def _number(x):
    """A float constant as Python source that reads back exactly: repr, or inf / nan from the namespace.

    >>> _number(0.1), _number(-2.0), _number(float("-inf"))
    ('0.1', '-2.0', '-inf')
    """
    if x != x:
        return "nan"
    return repr(x) if abs(x) != float("inf") else ("inf" if x > 0 else "-inf")


def _atom(expression):
    """The expression, in parentheses unless it is a name, a number or a call: safe as a factor."""
    if expression.replace("_", "a").replace(".", "0").isalnum():
        return expression
    if expression.endswith(")") and expression.index("(") > 0 and expression[:expression.index("(")].isidentifier() \
            and _balanced_call(expression):
        return expression
    return f"({expression})"


def _balanced_call(expression):
    """True if the first '(' of `expression` closes at its very end: f(a, g(b)) but not f(a) + g(b)."""
    depth = 0
    for index, ch in enumerate(expression):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return index == len(expression) - 1
    return False


def _assign(indent, names, value, comment=None, chained=False):
    """`a, b, c = value` (or `a = b = c = value`), wrapped over several lines when there are many names."""
    pad = "    " * indent
    if not names:
        return []
    if chained:
        groups, current = [], []
        for name in names:
            if current and len(" = ".join(current + [name])) > 80:
                groups.append(current)
                current = []
            current.append(name)
        groups.append(current)
        return [_commented(pad + " = ".join(group) + f" = {value}", comment if index == 0 else None)
                for index, group in enumerate(groups)]
    if len(names) == 1:
        return [_commented(pad + f"{names[0]}, = {value}", comment)]
    text = ", ".join(names)
    if len(text) <= 80:
        return [_commented(pad + f"{text} = {value}", comment)]
    return [pad + "("] + _wrapped(pad + "    ", names) + [_commented(pad + f") = {value}", comment)]


def _wrapped(pad, names):
    """The names separated by commas, filling lines of about 100 characters."""
    lines, current = [], pad
    for name in names:
        if len(current) + len(name) + 2 > 104 and current != pad:
            lines.append(current.rstrip())
            current = pad
        current += name + ", "
    lines.append(current.rstrip())
    return lines


def _return(pad, head, names):
    """`return head, (names...)`, the names wrapped over several lines when there are many."""
    text = ", ".join(names) + ("," if len(names) == 1 else "")
    if len(text) <= 80:
        return [pad + f"return {head}, ({text})"]
    return [pad + f"return {head}, ("] + _wrapped(pad + "    ", names) + [pad + ")"]


def _commented(code, comment):
    """The line with `# comment` after it, lined up at COMMENT_COLUMN when the code is shorter."""
    return f"{code.ljust(COMMENT_COLUMN - 2)}  # {comment}" if comment else code


# ---- comparisons: the branches the graph was built on ------------------------------------------------
def _checks_by_position(graph, names, pad):
    """{node (or None for 'before any op'): the check lines to write right after it}."""
    position = {node: index for index, node in enumerate(graph.forward)}
    checks = {}
    for index, (left, symbol, right, result) in enumerate(graph.comparisons):
        sides = [v for v in (left, right) if type(v) is Value and v._edges]
        after = max(sides, key=position.__getitem__) if sides else None
        left_code = names.of[left]
        right_code = names.of[right] if type(right) is Value else _number(right)
        test = f"{left_code} {symbol} {right_code}"
        line = f"if {'not ' if result else ''}{test}: branch_changed({index}, {left_code}, {right_code})"
        checks.setdefault(after, []).append(_commented(pad + line, f"the graph was built when {test} was {result}"))
    return checks


def _branch_changed(comparisons, names):
    """The function a program calls when a recorded comparison now comes out the other way: it raises."""
    described = [(f"{names.text[left]} {symbol} "
                  f"{names.text[right] if type(right) is Value else format_number(right)}", result)
                 for left, symbol, right, result in comparisons]

    def branch_changed(index, left, right):
        text, result = described[index]
        raise BranchChanged(
            f"the graph was built when `{text}` was {result}, but with the current data ({left!r} against "
            f"{right!r}) it is {not result}: the Python code that built the graph would now take another "
            f"branch, which the compiled program cannot follow. Build the graph again from this data and "
            f"compile it again.")

    return branch_changed


def _row_number(value, index):
    number = real_number(value)
    if number is None:
        raise TypeError(f"run_many: row {index} holds {type(value).__name__} {value!r}; rows must hold real numbers")
    return number
