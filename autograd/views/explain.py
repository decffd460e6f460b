"""`explain(output, wrt)`: the chain rule for ∂output/∂wrt written out with the graph's real numbers."""
import textwrap

from ..core.engine import Value, walk
from ..core.naming import format_number, graph_values, node_names, parameter_names
from .text import as_token, describe, formula, shown
from .replay import replay_backward

MAX_PATHS = 12                                                  # list the paths one by one up to this many
MAX_LINES = 60                                                  # the forward and backward listings keep this many lines


class Explanation:
    """The worked chain rule for one derivative; `str()` / `repr()` is the text, `float()` the number.

    Attributes: `gradient` (∂output/∂wrt), `deltas` ({name: δ} for every Value on the way),
    `path_count`, `edge_count`, `paths` (a list of (the Values from wrt to output, the local
    derivatives along the path, their product), or None when there are more than `max_paths`),
    `path_sum` (or None), and `text`. In a notebook it shows as HTML: the δ rows in a table, the
    answer highlighted.
    """

    def __init__(self, output, wrt, gradient, deltas, path_count, edge_count, paths, parts):
        self.output, self.wrt, self.gradient, self.deltas = output, wrt, gradient, deltas
        self.path_count, self.edge_count, self.paths = path_count, edge_count, paths
        self.path_sum = None if paths is None else _sum([product for _, _, product in paths])
        self.parts, self.text = parts, _as_text(parts)

    def __str__(self):
        return self.text

    __repr__ = __str__                                          # the REPL prints the text, not an address

    def _repr_html_(self):
        from .display import explanation_html                  # notebooks: the same text, laid out
        return explanation_html(self.parts)

    def __float__(self):
        return self.gradient


def explain(output, wrt, max_paths=MAX_PATHS, params=None, max_lines=MAX_LINES):
    """∂output/∂wrt by the chain rule, step by step, with the numbers of the current graph.

    δ(v) = ∂output/∂v is the gradient flowing back into v. Starting from δ(output) = 1, each Value
    on the way from `wrt` to `output` gets δ(v) = Σ over its uses u of δ(u) × ∂u/∂v: upstream
    gradient times local derivative, summed when v is used more than once. The last line is the
    answer; it equals `wrt.grad` after `output.backward()` (computed the same way, in the same
    order), but explain reads no `.grad` and changes none, so it works before backward too.
    When there are at most `max_paths` paths from wrt to output, it also lists them: the same
    number is the sum over paths of the product of the local derivatives along each path.
    Names follow `names.node_names`, as in every view: the labels, else (with the model as `params`)
    the parameters' names in the model, else made from the op ('mul_1', 'tanh_1'). In a big graph
    (a model's loss, say) the forward and backward listings keep the `max_lines` lines nearest to
    `wrt` and say how many they leave out (`max_lines=None` shows them all); the answer is exact.

    >>> x = Value(3.0, label="x"); y = x * x + x; y.label = "y"
    >>> e = explain(y, x)
    >>> for line in str(e).splitlines():
    ...     if "δ(x)" in line or "  = " in line:
    ...         print(line)
      δ(x) = Σ over the 3 uses of x:
           = 1.000 + 3.000 + 3.000 = 7.000
    ∂y/∂x = δ(x) = 7.000
    >>> e.gradient, e.path_count, e.edge_count, e.path_sum
    (7.0, 3, 4, 7.0)
    """
    if type(output) is not Value:
        raise TypeError(f"explain: output must be a Value, got {type(output).__name__}")
    if type(wrt) is not Value:
        raise TypeError(f"explain: wrt must be a Value, got {type(wrt).__name__}")
    if isinstance(max_paths, bool) or not isinstance(max_paths, int) or max_paths < 0:
        raise ValueError(f"explain: max_paths must be an int >= 0, got {max_paths!r}")
    if max_lines is not None and (isinstance(max_lines, bool) or not isinstance(max_lines, int) or max_lines < 1):
        raise ValueError(f"explain: max_lines must be an int >= 1 or None, got {max_lines!r}")

    values = graph_values(output)
    names = node_names(output, values, params)
    made_up = {v for v in values if not v.label and v not in parameter_names(params)}
    order = [value for value in values if not value.is_leaf()]  # walk(output): one walk serves both
    on_way = _on_the_way(order, wrt) if wrt in names else set()
    steps, deltas = replay_backward(output, order=order)       # backward's arithmetic, .grad untouched
    uses = _uses_on_the_way(steps, on_way)
    gradient = deltas.get(wrt, 0.0)
    counts = _count_paths(order, wrt, on_way)
    path_count, factor_count = counts.get(output, (0, 0))
    edge_count = sum(1 for node in on_way for parent in node.parents if parent in on_way)
    paths = _list_paths(output, wrt, on_way) if 0 < path_count <= max_paths else None

    out_name = names[output]
    wrt_name = names.get(wrt) or wrt.label or "wrt"
    out_token, wrt_token = as_token(out_name), as_token(wrt_name)
    writer = _Writer(names, wrt, made_up)
    parts = [("prose", f"∂{out_token}/∂{wrt_token} by the chain rule, with δ(v) = ∂{out_token}/∂v (how much "
                       f"{out_name} moves per unit change of v). Each use u of v passes back upstream gradient "
                       f"× local derivative, δ(u) × ∂u/∂v; a Value used more than once adds up its "
                       f"contributions.")]
    if not on_way:
        parts.append(("prose", f"{out_name} does not depend on {wrt_name}: no path leads from {wrt_name} "
                               f"to {out_name}, so nothing flows back."))
    else:
        forward = []
        for value in _way_in_order(order, wrt, on_way):       # only wrt can be a leaf on the way
            made = "" if value.is_leaf() else f"{writer.formula(value)} = "
            forward.append(f"{names[value]} = {made}{shown(value.data)}")
        forward, left_out = _capped(forward, max_lines, keep="first")
        if left_out:
            forward.append(f"… and {left_out} more values on the way up to {out_name} "
                           f"(explain(..., max_lines=None) lists them all)")
        parts.append(("listing", "Forward pass (the values on the way):", forward))
        rows = []
        for node in reversed(_way_in_order(order, wrt, on_way)):
            rows += writer.delta_lines(node, output, uses.get(node, []), deltas[node])
        rows, left_out = _capped(rows, max_lines, keep="last")
        if left_out:
            rows.insert(0, (f"… {left_out} lines from {out_name} down are left out "
                            f"(explain(..., max_lines=None) shows them all)", ""))
        parts.append(("table", f"Backward pass, from {out_name} down to {wrt_name}:", rows))
        parts.append(_path_part(writer, out_name, wrt_name, paths, path_count, factor_count, edge_count))
    note = _grad_note(wrt, gradient, wrt_name)
    if note:
        parts.append(("prose", note))
    parts.append(("answer", f"∂{out_token}/∂{wrt_token} = δ({wrt_name}) = {shown(gradient)}"))
    deltas_by_name = {names[v]: deltas[v] for v in on_way}
    return Explanation(output, wrt, gradient, deltas_by_name, path_count, edge_count, paths, parts)


def _capped(lines, max_lines, keep):
    """(at most max_lines of `lines`: the first or the last ones, how many were left out)."""
    if max_lines is None or len(lines) <= max_lines:
        return list(lines), 0
    kept = lines[:max_lines] if keep == "first" else lines[-max_lines:]
    return list(kept), len(lines) - max_lines


def _as_text(parts):
    """The explanation as plain text: blocks apart by a blank line, prose wrapped at 100 columns, the
    δ rows aligned in two columns (the equation, then why)."""
    blocks = []
    for kind, *content in parts:
        if kind == "prose":
            blocks.append(_wrap(content[0]))
        elif kind == "answer":
            blocks.append([content[0]])
        elif kind == "listing":
            heading, lines = content
            blocks.append([heading] + [f"  {line}" for line in lines])
        elif kind == "table":
            heading, rows = content
            width = min(max(len(text) for text, _ in rows), 64)
            blocks.append([heading] + [f"  {text.ljust(width)}   {why}".rstrip() for text, why in rows])
        elif kind == "paths":
            header, lines, prose = content
            blocks.append([header] + [f"  {line}" for line in lines] + _wrap(prose))
    return "\n\n".join("\n".join(block) for block in blocks)


# ---- the numbers ------------------------------------------------------------------------------
def _on_the_way(order, wrt):
    """The Values on some path from wrt up to the output: wrt and every Value that depends on it."""
    way = {wrt}
    for node in order:                                          # parents come first
        if node not in way and any(parent in way for parent in node.parents):
            way.add(node)
    return way


def _way_in_order(order, wrt, on_way):
    """The Values on the way, parents first, wrt first."""
    return ([wrt] if wrt.is_leaf() else []) + [node for node in order if node in on_way]


def _uses_on_the_way(steps, on_way):
    """{value: [(user, edge index, δ(user), ∂user/∂value, contribution)]} for the Values on the way."""
    uses = {}
    for step in steps:
        for index, c in enumerate(step.contributions):
            if c.parent in on_way:
                uses.setdefault(c.parent, []).append((step.node, index, step.upstream, c.local, c.amount))
    return uses


def _count_paths(order, wrt, on_way):
    """{node: (paths from wrt to node, multiplications to form all their products)}, by dynamic programming."""
    counts = {wrt: (1, 0)}
    for node in order:
        if node in on_way and node is not wrt:
            paths = factors = 0
            for parent in node.parents:
                if parent in counts:
                    parent_paths, parent_factors = counts[parent]
                    paths += parent_paths
                    factors += parent_factors + parent_paths    # each path through this edge gets one factor more
            counts[node] = (paths, factors)
    return counts


def _list_paths(output, wrt, on_way):
    """Every path from wrt to output as (Values from wrt to output, local derivatives along it)."""
    paths = []
    stack = [(output, [output], [])]
    while stack:
        node, values, locals_ = stack.pop()
        if node is wrt:
            paths.append((values[::-1], locals_[::-1]))
            continue
        edges = list(zip(node.parents, node.local_grads))
        for parent, local in reversed(edges):
            if parent in on_way:
                stack.append((parent, values + [parent], locals_ + [local]))
    result = []
    for values, locals_ in paths:
        product = 1.0
        for local in locals_:
            product *= local
        result.append((values, tuple(locals_), product))
    return result


def _sum(numbers):
    total = 0.0
    for number in numbers:
        total += number
    return total


# ---- the text ---------------------------------------------------------------------------------
class _Writer:
    """Writes names, local-derivative rules and δ lines."""

    def __init__(self, names, wrt, made_up):
        self.names = names
        # In formulas a leaf with a made-up name other than wrt is a constant: show its value ('10 / f').
        self.operands = {value: format_number(value.data) if value.is_leaf() and value in made_up
                         and value is not wrt else as_token(name) for value, name in names.items()}

    def name(self, value):
        """A name that reads as one token inside ∂a/∂b: bracketed if it has spaces or operators."""
        return as_token(self.names[value])

    def formula(self, node):
        """How `node` was made, its operands bracketed where they are expressions, but not twice:
        'tanh(x1*w1 + x2*w2)', not 'tanh((x1*w1 + x2*w2))'."""
        text = formula(node, self.operands)
        for parent in node.parents:
            token = self.operands[parent]
            if token.startswith("(") and f"({token})" in text:
                text = text.replace(f"({token})", token)
        return text

    def delta(self, value):
        """'δ(x1*w1)': δ's own brackets are enough, so the name is not bracketed again."""
        return f"δ({self.names[value]})"

    def delta_lines(self, node, output, uses, delta):
        """(equation, its reason) rows for δ(node): one row for a single use, one per use plus a sum else."""
        name, d = self.name(node), self.delta(node)
        if node is output:
            return [(f"{d} = 1", f"(the output: ∂{name}/∂{name} = 1)")]
        terms = [self.term(use) for use in uses]
        if len(terms) == 1:
            return [(f"{d} = {terms[0][0]}", terms[0][1])]
        indent = " " * (len(f"{d} ") + 2)
        contributions = _signed_sum([contribution for *_, contribution in uses])
        return ([(f"{d} = Σ over the {len(uses)} uses of {self.names[node]}:", "")]
                + [(indent + text, why) for text, why in terms]
                + [(" " * len(f"{d} ") + f"= {contributions} = {shown(delta)}", "")])

    def term(self, use):
        """('δ(u) × ∂u/∂v = 1.000 × 0.5000 = 0.5000', '(u = tanh(v); ∂u/∂v = 1 - u²)')."""
        consumer, index, upstream, local, contribution = use
        parent = consumer.parents[index]
        u, v = self.name(consumer), self.name(parent)
        rule = self.local_rule(consumer, index)
        made = f"{self.names[consumer]} = {self.formula(consumer)}"
        why = f"({made}; ∂{u}/∂{v} = {rule})" if rule is not None else f"({made})"
        return (f"{self.delta(consumer)} × ∂{u}/∂{v} = {shown(upstream)} × {shown(local)} = "
                f"{shown(contribution)}", why)

    def local_rule(self, node, index):
        """The local derivative of `node` along edge `index` as text, from the op's row.

        For an op made by primitive() without rule text it says so (never a blank).
        """
        operands = {value: self.operands[value] for value in node.parents}
        operands[node] = self.name(node)
        rule = describe(node, operands)[1][index]
        return rule if rule is not None else f"df of the user-defined op {node.op!r}"


def _path_part(writer, out_name, wrt_name, paths, path_count, factor_count, edge_count):
    """("paths", header, one line per path, prose): the sum over paths (when few enough to list) and
    why backprop does not need it."""
    if paths is None:
        header = f"There are {path_count} paths from {wrt_name} to {out_name}, too many to list here."
    elif path_count == 1:
        header = (f"The same number as the product of the local derivatives along the only path from "
                  f"{wrt_name} to {out_name}:")
    else:
        header = (f"The same number as a sum over the {path_count} paths from {wrt_name} to {out_name}, "
                  f"each the product of the local derivatives along it:")
    lines = []
    if paths is not None:
        for values, locals_, product in paths:
            route = " → ".join(writer.name(v) for v in values)
            factors = " × ".join(shown(local) for local in locals_) or "1"
            lines.append(f"{route}:  {factors} = {shown(product)}")
        total = _sum([product for _, _, product in paths])
        if path_count > 1:
            lines.append(f"sum = {_signed_sum([p for _, _, p in paths])} = {shown(total)}")
        routes = [tuple(values) for values, _, _ in paths]
        if len(set(routes)) < len(routes):
            lines.append("(a route listed twice runs along two different edges, e.g. both operands of x * x)")
    prose = (f"Backprop never lists the paths: the δ recursion, δ(v) = Σ over the uses u of v of "
             f"δ(u) × ∂u/∂v, computes each δ(u) once and reuses it for every path through u (the "
             f"shared prefix from {out_name}), so it takes one multiply-add per edge: {edge_count} "
             f"{'edge' if edge_count == 1 else 'edges'} between {wrt_name} and {out_name}, against "
             f"{path_count} {'path' if path_count == 1 else 'paths'} with {factor_count} local-derivative "
             f"factors in all.")
    return "paths", header, lines, prose


def _signed_sum(numbers):
    """'1.000 - 0.5000 + 2.000': the terms of a sum as `shown` writes them, a negative one after a minus sign."""
    text = shown(numbers[0])
    for number in numbers[1:]:
        text += f" - {shown(-number)}" if number < 0 and shown(-number) != "0" else f" + {shown(abs(number))}"
    return text


def _wrap(text, width=100):
    """Prose as lines of at most `width` characters."""
    return textwrap.wrap(text, width=width, break_on_hyphens=False)


def _grad_note(wrt, gradient, wrt_name):
    """A sentence relating the result to wrt.grad: the same after backward, or why not."""
    if shown(wrt.grad) == shown(gradient):
        return ""
    if wrt.grad == 0.0:
        return (f"({wrt_name}.grad is 0.0: backward has not run from this output, so the numbers above were "
                f"computed here; no .grad was changed.)")
    return (f"(Note: {wrt_name}.grad is {shown(wrt.grad)}, not this derivative: backward ran more than once "
            f"(leaves add up), from another output, or with a seed other than 1.)")
