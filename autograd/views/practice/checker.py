"""The checker: `check(root, answers)` marks a learner's hand-computed gradients, naming the first mistake and
telling it apart from the wrong numbers that only follow from it."""
import html
import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass

from ...core import engine
from ...core.engine import Value
from ...core.naming import graph_values, node_names
from ...core.rowmath import real_number
from ..replay import replay_backward
from ..text import as_token, describe, formula, shown

# An answer is right when it is within 0.1 % of the true gradient (relative), or within 1e-6 of it for
# gradients near 0. Hand computation from the 4 significant digits every view shows stays inside that.
RELATIVE_TOLERANCE = 1e-3
ABSOLUTE_TOLERANCE = 1e-6
STATUSES = ("right", "inherited", "wrong", "missing")
MISTAKES = ("sign", "missing_use", "no_upstream", "input_for_output", "swapped_operands", "other")
MISTAKE_WORDS = {
    "sign": "the sign is flipped",
    "missing_use": "some of its uses are left out (a Value used more than once adds up every use)",
    "no_upstream": "the local derivative alone, not multiplied by the upstream gradient",
    "input_for_output": "the activation's rule evaluated at its input instead of its output",
    "swapped_operands": "in a product, the node's own value where the other operand belongs",
    "other": "none of the usual slips (sign, a left-out use, no upstream, rule at the input, swapped operands)",
}
# Rules written in terms of the output y: evaluated at the input x by mistake, they give these locals.
AT_THE_INPUT = {engine.TANH: lambda x: 1.0 - x * x, engine.SIGMOID: lambda x: x * (1.0 - x), engine.EXP: lambda x: x}
PRODUCTS = (engine.MUL, engine.WX_B, engine.DOT)
MAX_USES_FOR_SUBSETS = 8      # beyond this many uses, missing_use tries leaving out one use at a time


def close(a, b):
    """True when two gradients agree to the practice tolerance (relative 1e-3, absolute 1e-6).

    >>> close(0.5, 0.5004), close(0.5, 0.501), close(0.0, 1e-7)
    (True, False, True)
    """
    return math.isclose(a, b, rel_tol=RELATIVE_TOLERANCE, abs_tol=ABSOLUTE_TOLERANCE)


@dataclass(frozen=True)
class Row:
    """One answered (or asked) node: its name, the learner's number, the true gradient, and the verdict.

    `follows` is what the chain rule gives from the learner's own answers downstream (unanswered
    downstream nodes count with their true gradients).
    """
    name: str
    given: object          # float, or None when missing
    expected: float
    status: str
    follows: float
    node: Value


class Report:
    """What `check` found: `.rows` in backward order, `.ok` (there are rows and every one is right),
    `.first_mistake` (the first wrong row's name, or None), `.mistake` (its kind), `.diagnosis` (text).

    `str(report)` is a table for the terminal; in a notebook it shows as an HTML table with the first
    mistake highlighted and the rows that only inherit it greyed.
    """

    def __init__(self, root_name, rows, mistake, diagnosis):
        self.root_name, self.rows = root_name, rows
        self.ok = bool(rows) and all(row.status == "right" for row in rows)
        wrong = [row for row in rows if row.status == "wrong"]
        self.first_mistake = wrong[0].name if wrong else None
        self.mistake, self.diagnosis = mistake, diagnosis

    @property
    def right(self):
        """How many rows are right."""
        return sum(row.status == "right" for row in self.rows)

    def summary(self):
        """One line: all right, not answered yet, or how many are right and where the first mistake is."""
        answered = [row for row in self.rows if row.status != "missing"]
        if not answered:
            return "not answered yet: " + (f"give ∂{self.root_name}/∂v for " + ", ".join(r.name for r in self.rows)
                                           if self.rows else "no answers given")
        text = f"{self.right} of {len(self.rows)} right"
        if self.ok:
            return text + " ✓ all right"
        if self.first_mistake is not None:
            text += f"; first mistake at {self.first_mistake}: {self.mistake}"
        inherited = sum(row.status == "inherited" for row in self.rows)
        if inherited:
            text += f"; {inherited} inherited (they follow from an earlier mistake: fix that one first)"
        missing = sum(row.status == "missing" for row in self.rows)
        if missing:
            text += f"; {missing} not answered yet"
        return text

    def __str__(self):
        lines = [self.table(), "", self.summary()]
        if self.diagnosis:
            lines += ["", self.diagnosis]
        return "\n".join(lines)

    __repr__ = __str__

    def table(self):
        """The rows as an aligned text table: node, your number, the true gradient ('?' until answered), the status."""
        header = ("node", "yours", "expected", "status")
        cells = [(row.name, "—" if row.given is None else shown(row.given), _expected_text(row),
                  _status_text(row, self.first_mistake)) for row in self.rows]
        widths = [max(len(line[k]) for line in [header] + cells) for k in range(4)]
        lines = ["  ".join([line[0].ljust(widths[0]), line[1].rjust(widths[1]), line[2].rjust(widths[2]),
                            line[3]]).rstrip() for line in [header] + cells]
        lines.insert(1, "  ".join("─" * width for width in widths))
        return "\n".join(lines)

    def _repr_html_(self):
        colours = {"right": "#00704f", "inherited": "#8a939c", "wrong": "#b3261e", "missing": "#66727f"}
        rows = []
        for row in self.rows:
            first = row.name == self.first_mistake and row.status == "wrong"
            style = ("background:#fdeee3;font-weight:700" if first else
                     "color:#9aa3ad" if row.status == "inherited" else "")
            given = "—" if row.given is None else shown(row.given)
            rows.append(f'<tr class="{row.status}{" first-mistake" if first else ""}" style="{style}">'
                        f'<td>{html.escape(row.name)}</td><td style="text-align:right">{given}</td>'
                        f'<td style="text-align:right">{_expected_text(row)}</td>'
                        f'<td style="color:{colours[row.status]}">{html.escape(_status_text(row, self.first_mistake))}'
                        f'</td></tr>')
        diagnosis = (f'<pre style="margin-top:6px;white-space:pre-wrap">{html.escape(self.diagnosis)}</pre>'
                     if self.diagnosis else "")
        return ('<div class="practice-report"><style>.practice-report td, .practice-report th '
                '{padding:2px 10px}</style><table style="border-collapse:collapse;font-family:monospace">'
                '<thead><tr><th style="text-align:left">node</th><th>yours</th><th>expected</th>'
                '<th style="text-align:left">status</th></tr></thead><tbody>' + "".join(rows) + '</tbody></table>'
                f'<p><b>{html.escape(self.summary())}</b></p>{diagnosis}</div>')


def _expected_text(row):
    """The true gradient as shown, or '?' while the row is missing: a blank answer sheet is no answer key."""
    return "?" if row.status == "missing" else shown(row.expected)


def _status_text(row, first_mistake):
    if row.status == "right":
        return "✓ right"
    if row.status == "wrong":
        return "✗ wrong  ← first mistake" if row.name == first_mistake else "✗ wrong"
    if row.status == "inherited":
        return "inherited (follows from your answers downstream)"
    return "missing"


# ---- the graph seen from below: every node's uses ------------------------------------------------
class PracticeGraph:
    """A root's graph as `check` reads it: nodes in backward order, names, uses, true gradients."""

    def __init__(self, root, params=None):
        if type(root) is not Value:
            raise TypeError(f"practice: root must be a Value, got {type(root).__name__}")
        values = graph_values(root)
        self.root = root
        self.names = node_names(root, values, params)
        self.by_name = {name: node for node, name in self.names.items()}
        self.order = list(reversed(values))                    # the order backward() completes them
        self.position = {node: i for i, node in enumerate(self.order)}
        _, grads = replay_backward(root, order=[v for v in values if not v.is_leaf()])
        self.true = {node: grads.get(node, 0.0) for node in values}
        self.uses = {node: [] for node in values}               # node -> [(child, edge number, local)]
        for child in values:
            for k, (parent, local) in enumerate(zip(child.parents, child.local_grads)):
                self.uses[parent].append((child, k, local))
        self.by_hand = self._by_hand()

    def _by_hand(self):
        """{node: the gradient a careful learner gets from the numbers as the views show them}: each local
        derivative from the shown forward numbers, each gradient rounded to 4 significant digits. Where a
        rule magnifies rounding (1 − y² with y near 1) it can differ from the true gradient by more than
        the tolerance, and it is right all the same."""
        hand = {self.root: 1.0}
        for node in self.order:
            if node is not self.root:
                total = sum(hand[child] * shown_local(child, k) for child, k, _ in self.uses[node])
                hand[node] = float(f"{total:.4g}")
        return hand

    def node(self, key, what="answers"):
        """The node a key names: a Value of this graph, or a name every view uses for one."""
        if type(key) is Value:
            if key not in self.position:
                label = f" (label {key.label!r})" if key.label else ""
                raise ValueError(f"{what}: the Value {key.data!r}{label} is not in the graph of "
                                 f"{self.names[self.root]}")
            return key
        if isinstance(key, str):
            node = self.by_name.get(key)
            if node is None:
                known = ", ".join(self.names[v] for v in self.order)
                raise KeyError(f"{what}: no node named {key!r} in the graph; its nodes are: {known}")
            return node
        raise TypeError(f"{what}: a key must be a Value or a node's name, got {type(key).__name__}: {key!r}")

    def contributions(self, node, upstream_of):
        """[(child, edge number, local, upstream, upstream × local)] for every use of `node`."""
        found = []
        for child, k, local in self.uses[node]:
            upstream = upstream_of(child)
            found.append((child, k, local, upstream, local * upstream if upstream != 0.0 else 0.0))
        return found

    def slips(self, node, upstream_of):
        """[(mistake, the number that slip gives, how it gives it)] at `node`, `upstream_of(child)` the upstream used."""
        if node is self.root:
            return [("sign", -1.0, "−1 instead of the seed 1")]
        names = self.names
        parts = self.contributions(node, upstream_of)
        follows = sum(amount for *_, amount in parts)
        found = [("sign", -follows, f"−({shown(follows)}) = {shown(-follows)}")]
        if len(parts) >= 2:
            sizes = range(1, len(parts)) if len(parts) <= MAX_USES_FOR_SUBSETS else (len(parts) - 1,)
            for size in sizes:
                for kept in itertools.combinations(range(len(parts)), size):
                    value = sum(parts[i][4] for i in kept)
                    through = ", ".join(names[parts[i][0]] for i in kept)
                    found.append(("missing_use", value, f"only {size} of its {len(parts)} uses (through {through}): "
                                                        + _sum_text([parts[i][4] for i in kept])))
        locals_ = [local for _, _, local, _, _ in parts]
        found.append(("no_upstream", sum(locals_), "the local derivative" + ("s" if len(parts) > 1 else "") +
                      " alone: " + _sum_text(locals_)))
        for child, k, local, upstream, amount in parts:
            at_input = AT_THE_INPUT.get(child.row)
            if at_input is not None:
                wrong_local = at_input(node.data)
                token = as_token(names[node])
                rule = _bracketed(describe(child, {node: token, child: token})[1][k] or "local")
                found.append(("input_for_output", follows - amount + upstream * wrong_local,
                              f"δ({names[child]}) × {rule} = {shown(upstream)} × {shown(wrong_local)} = "
                              f"{shown(upstream * wrong_local)}, the rule at the input {names[node]} instead of "
                              f"at the output {names[child]}" + ("" if len(parts) == 1 else " (plus its other uses)")))
        for child, k, local, upstream, amount in parts:
            other = _other_operand(child, k)
            if child.row in PRODUCTS and other is not node:
                found.append(("swapped_operands", follows - amount + upstream * node.data,
                              f"δ({names[child]}) × {names[node]} = {shown(upstream)} × {shown(node.data)} = "
                              f"{shown(upstream * node.data)}, where × {names[other] if other is not None else 'the number'}"
                              f" = {shown(local)} belongs" + ("" if len(parts) == 1 else " (plus its other uses)")))
        return found


def _other_operand(child, k):
    """The operand that multiplies edge k's parent in a product node (None for a plain-number factor)."""
    parents = child.parents
    if child.row is engine.MUL:
        return parents[1 - k] if len(parents) == 2 else None
    n = len(parents) // 2                                      # w·x (+ b): weights, inputs (, bias)
    if k < n:
        return parents[n + k]
    if k < 2 * n:
        return parents[k - n]
    return None


def shown_local(child, k):
    """The local derivative along edge k of `child`, computed from the numbers as the views show them.

    >>> x = Value(2.5); y = x.tanh()
    >>> shown(y.data), round(shown_local(y, 0), 6), round(y.local_grads[0], 6)     # 1 − 0.9866²
    ('0.9866', 0.02662, 0.026592)
    """
    seen = [float(shown(v.data)) if type(v) is Value else v for v in child.operands]
    derivatives = child.row.on_values(*seen, float(shown(child.data)))
    if len(child.operands) == 2 and len(child.parents) == 1:  # x * 2: only the Value operand has an edge
        return derivatives[0 if type(child.operands[0]) is Value else 1]
    return derivatives[k]


# ---- check -------------------------------------------------------------------------------------
def check(root, answers, asked=None):
    """Mark hand-computed gradients: `answers` maps nodes of root's graph (Values, or the names every view
    gives them) to the learner's ∂root/∂node. Returns a `Report`; never touches `.grad`.

    Each row is "right" (equals the true gradient to relative 1e-3 / absolute 1e-6, or what a careful
    learner computes from the numbers as shown, or follows from the learner's right answers), "inherited"
    (wrong, but exactly what the chain rule gives from the learner's own answers downstream, one of them
    wrong, unanswered ones counting with their true values), "wrong" (a mistake made here) or "missing"
    (asked, not answered: a node in `asked`, or an answer of None). `.mistake` names what the first wrong row most likely was.
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> c = a * b; c.label = "c"
    >>> L = c * 2.0 + a; L.label = "L"
    >>> report = check(L, {"c": 2.0, "a": -6.0, "b": 4.0})
    >>> [(row.name, row.status) for row in report.rows]
    [('c', 'right'), ('b', 'right'), ('a', 'wrong')]
    >>> report.first_mistake, report.mistake
    ('a', 'missing_use')
    >>> check(L, {"c": -2.0, "b": -4.0}).rows[1].status     # -4 follows from the -2 given for c
    'inherited'
    """
    graph = PracticeGraph(root)
    if not isinstance(answers, Mapping):
        raise TypeError(f"check: answers must be a dict {{node or name: number}}, got {type(answers).__name__}")
    given = {}
    for key, number in answers.items():
        node = graph.node(key)
        if node in given:
            raise ValueError(f"check: {graph.names[node]!r} is answered twice (once by name, once as a Value)")
        given[node] = _answer(number, graph.names[node])
    wanted = set(given)
    for key in asked or ():
        wanted.add(graph.node(key, "asked"))
    answered = {node: number for node, number in given.items() if number is not None}

    def upstream_of(child):
        return answered.get(child, graph.true[child])

    rows, status_of = [], {}
    for node in graph.order:
        if node not in wanted:
            continue
        expected = graph.true[node]
        follows = 1.0 if node is root else sum(a for *_, a in graph.contributions(node, upstream_of))
        number = answered.get(node)
        wrong_below = any(status_of.get(child) in ("wrong", "inherited") for child, _, _ in graph.uses[node])
        if number is None:
            status = "missing"
        elif close(number, expected) or close(number, graph.by_hand[node]):
            status = "right"
        elif close(number, follows):                           # it follows from the learner's own answers:
            status = "inherited" if wrong_below else "right"   # from a wrong one, or from right ones rounded
        else:
            status = "wrong"
        status_of[node] = status
        rows.append(Row(graph.names[node], number, expected, status, follows, node))
    first = next((row for row in rows if row.status == "wrong"), None)
    mistake = diagnosis = None
    if first is not None:
        mistake, how = _classify(graph, first, upstream_of)
        unanswered = {row.node for row in rows if row.status == "missing"}
        diagnosis = _diagnosis(graph, first, mistake, how, upstream_of, answered, unanswered)
    return Report(graph.names[root], rows, mistake, diagnosis)


def _answer(number, name):
    """An answer as a float: None stays None (not answered yet); anything else must be a finite real number."""
    if number is None:
        return None
    if type(number) is Value:
        raise TypeError(f"check: the answer for {name!r} is a Value; give the number (∂/∂{name} as a float)")
    value = real_number(number)
    if value is None:
        raise TypeError(f"check: the answer for {name!r} must be a number, got {type(number).__name__}: {number!r}")
    if not math.isfinite(value):
        raise ValueError(f"check: the answer for {name!r} must be finite, got {value!r}")
    return value


def _classify(graph, row, upstream_of):
    """(the first of MISTAKES whose slip, at the row's node with these upstreams, gives the row's number, how
    it gives it); ("other", None) when none does."""
    for kind, value, how in graph.slips(row.node, upstream_of):
        if not close(value, row.follows) and close(value, row.given):
            return kind, how
    return "other", None


def _diagnosis(graph, row, mistake, how, upstream_of, answered, unanswered=()):
    """At the first mistake: the expected value as upstream × local per use, and what the learner's number matches.

    When an upstream is an asked node not answered yet, its true value is not written out (nor anything it
    gives away): the learner is asked to answer it first.
    """
    node, names = row.node, graph.names
    token = as_token(names[node])
    root_token = as_token(names[graph.root])
    lines = [f"First mistake at {names[node]}: you gave {shown(row.given)}."]
    waiting = list(dict.fromkeys(names[child] for child, _, _ in graph.uses[node] if child in unanswered))
    if waiting:
        upstreams = ", ".join(f"δ({name})" for name in waiting)
        lines.append(f"  δ({names[node]}) needs the upstream {upstreams}, not answered yet: answer "
                     f"{'it' if len(waiting) == 1 else 'them'} first to see the working here.")
        lines.append(f"  Yours matches {mistake}: {MISTAKE_WORDS[mistake]}.")
        return "\n".join(lines)
    if node is graph.root:
        lines.append(f"  δ({names[node]}) = ∂{root_token}/∂{root_token} = 1: the seed of every backward pass.")
    else:
        parts = graph.contributions(node, upstream_of)
        lines.append(f"  δ({names[node]}) = Σ over its {len(parts)} use{'s' if len(parts) != 1 else ''} of "
                     f"upstream × local (upstream from your own answers where you gave them):")
        for child, k, local, upstream, amount in parts:
            child_token = as_token(names[child])
            tokens = {parent: as_token(names[parent]) for parent in child.parents}
            tokens[child] = child_token
            rule = _bracketed(describe(child, tokens)[1][k] or "local")
            whose = "yours" if child in answered else "true"
            lines.append(f"    δ({names[child]}) × ∂{child_token}/∂{token} = "
                         f"{_product_text(f'{shown(upstream)} ({whose})', upstream, rule, local, amount)}"
                         f"      [{names[child]} = {formula(child, names)}]")
        lines.append(f"  = {shown(row.follows)} (the true gradient is {shown(row.expected)})")
    if mistake == "other":
        lines.append(f"  Yours matches {MISTAKE_WORDS['other']}.")
    else:
        lines.append(f"  Yours matches {mistake}: {MISTAKE_WORDS[mistake]}.")
        lines.append(f"  That gives {how}.")
    return "\n".join(lines)


def _sum_text(numbers):
    """'0.5000 + 1.000 = 1.500' (or just '0.5000' for one number); a negative part is subtracted:
    '-1.250 − 1.250 = -2.500', never '+ -1.250'."""
    return _terms_text(numbers) + (f" = {shown(sum(numbers))}" if len(numbers) > 1 else "")


def _terms_text(numbers):
    """'0.5000 − 1.250 + 2.000': the numbers as a sum, a + (−b) written a − b."""
    text = shown(numbers[0]) if numbers else "0"
    for number in numbers[1:]:
        written = shown(number)
        text += f" − {written[1:]}" if written.startswith("-") else f" + {written}"
    return text


def _product_text(upstream_text, upstream, rule, local, amount):
    """'1.000 × (1 - o²) = 1.000 × 0.5000 = 0.5000': upstream × the rule, then in numbers; a rule that is
    already a number ('1', '-1', '2') is written once: '1.000 × 1 = 1.000'."""
    text = f"{upstream_text} × {rule} = "
    if not _is_the_number(rule, local):
        text += f"{shown(upstream)} × {shown(local)} = "
    return text + shown(amount)


def _is_the_number(rule, local):
    """True when the rule text is a plain number equal to the local derivative."""
    try:
        return float(rule.strip("()").replace("−", "-")) == local
    except ValueError:
        return False


def _bracketed(rule):
    """A rule as a factor: '(1 - o²)' in brackets, 'x1' as it is."""
    return f"({rule})" if " " in rule else rule


def slips(root, node, graph=None):
    """{mistake: [numbers]} a learner would give for ∂root/∂node by each slip, with every upstream true.

    Slips that happen to give the right number are left out. The page and the quizzes look answers up here.
    >>> x = Value(0.5, label="x"); y = x.tanh(); L = y * 3.0; L.label = "L"
    >>> sorted(slips(L, "x"))
    ['input_for_output', 'no_upstream', 'sign']
    """
    graph = PracticeGraph(root) if graph is None else graph
    node = graph.node(node, "slips")
    expected = graph.true[node]
    found = {}
    for kind, value, _ in graph.slips(node, graph.true.__getitem__):
        if not close(value, expected) and all(not close(value, v) for v in found.get(kind, [])):
            found.setdefault(kind, []).append(value)
    return found


def breakdown(root, node, graph=None):
    """The true ∂root/∂node as text lines, one per use: 'δ(o) × ∂o/∂n = 1 × (1 − o²) = …', then the sum.

    >>> a = Value(3.0, label="a"); L = a * a; L.label = "L"
    >>> breakdown(L, "a")[-1]
    'δ(a) = 3.000 + 3.000 = 6.000'
    """
    graph = PracticeGraph(root) if graph is None else graph
    node = graph.node(node, "breakdown")
    names = graph.names
    token = as_token(names[node])
    if node is root:
        return [f"δ({names[node]}) = 1: the seed of the backward pass"]
    lines = []
    parts = graph.contributions(node, graph.true.__getitem__)
    for child, k, local, upstream, amount in parts:
        child_token = as_token(names[child])
        tokens = {parent: as_token(names[parent]) for parent in child.parents}
        tokens[child] = child_token
        rule = _bracketed(describe(child, tokens)[1][k] or "local")
        lines.append(f"δ({names[child]}) × ∂{child_token}/∂{token} = "
                     f"{_product_text(shown(upstream), upstream, rule, local, amount)}")
    total = _terms_text([amount for *_, amount in parts]) if len(parts) > 1 else None
    lines.append(f"δ({names[node]}) = {total + ' = ' if total else ''}{shown(graph.true[node])}")
    return lines
