"""Practice: a terminal quiz that asks for each gradient of a small graph and names the slip when one is wrong.

It poses `autograd.practice.exercise(level, seed)`: the forward pass with its numbers, then one question per
gradient, in the order backward() completes them. After a wrong answer it says which slip the number looks
like, in the words of `autograd.practice.check` (sign, missing_use, no_upstream, input_for_output,
swapped_operands, other); after a second wrong try it shows the answer as upstream × local. At the end, at the
end of the input, or on Ctrl-C, it prints "k of n right at the first try" (as the practice page counts) and
exits 0.

    python -m demos.practice [--level N] [--seed S]       (N: 1 one op ... 5 a 2-2-1 network,
                                                            or delta_rule, one_path, drummyfish)
"""
import argparse
import sys

from autograd import practice, shown

TRIES = 2


def parse_number(text):
    """The number typed, or None: '0.5', '-1.25', '−2' (a typographic minus), '3e-5', '0,5'.

    >>> parse_number(" −0,5 "), parse_number("1e-3"), parse_number("half"), parse_number("nan")
    (-0.5, 0.001, None, None)
    """
    cleaned = text.strip().replace("−", "-").replace(",", ".")
    try:
        number = float(cleaned)
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def quiz(exercise, read_line, write):
    """Pose every asked gradient of `exercise`, reading answers with `read_line()` ('' at the end of input)
    and writing with `write(text)`. Returns (right, asked): how many were right at the first try (text that
    is not a number is not a try). Ctrl-C (KeyboardInterrupt) ends the quiz early, like the end of input.

    >>> from autograd import Value
    >>> lines = iter(["1", "2"])
    >>> a = Value(2.0, label="a"); L = a * 3.0; L.label = "L"
    >>> quiz(practice.Exercise(L), lambda: next(lines, ""), lambda text: None)
    (0, 1)
    """
    known = {}                                                 # name -> the number the next questions build on
    right = 0
    try:
        for node in exercise.asked:
            outcome = ask(exercise, node, known, read_line, write)
            if outcome is None:
                write("\n(end of input)\n")
                break
            right += outcome == "first try"
    except KeyboardInterrupt:                                  # Ctrl-C: stop here and say the score
        write("\n(interrupted)\n")
    return right, len(exercise.asked)


def ask(exercise, node, known, read_line, write):
    """Ask for one gradient, at most TRIES times, then reveal it. The number the next questions build on goes
    into `known`. Returns "first try", "later try", "revealed", or None at the end of input.

    >>> from autograd import Value
    >>> lines = iter(["-3", "3"])
    >>> a = Value(2.0, label="a"); L = a * 3.0; L.label = "L"
    >>> known = {}
    >>> ask(practice.Exercise(L), a, known, lambda: next(lines, ""), lambda text: None), known
    ('later try', {'a': 3.0})
    """
    name = exercise.names[node]
    tries = 0
    while tries < TRIES:
        write(f"{exercise.question(node)} = ? ")
        line = read_line()
        if line == "":
            return None
        number = parse_number(line)
        if number is None:
            write("not a number, try again\n")
            continue
        report = practice.check(exercise.root, dict(known, **{name: number}))
        row = next(row for row in report.rows if row.name == name)
        if row.status == "right":
            write("✓ right\n")
            known[name] = number
            return "first try" if tries == 0 else "later try"
        tries += 1
        mistake = report.mistake or "other"
        write(f"✗ {mistake}: {practice.MISTAKE_WORDS[mistake]}.")
        write(" Try again.\n" if tries < TRIES else "\n")
    write(f"  the answer: {exercise.question(node)} = {shown(row.expected)}\n")
    for line in practice.breakdown(exercise.root, node):
        write(f"    {line}\n")
    known[name] = row.expected
    return "revealed"


def tree_lines(exercise):
    """The graph as a tree, output first, with each node's value and no gradient (a node met again is named only;
    a label that is its formula, such as 'x1*w1 + x2*w2', is written once).

    >>> from autograd import Value
    >>> a = Value(2.0, label="a"); L = a * a + 1.0; L.label = "L"
    >>> print("\\n".join(tree_lines(practice.Exercise(L))))
    L = mul_1 + 1  = 5.000
    └── mul_1 = a * a  = 4.000
        ├── a  = 2.000
        └── a  (above)
    """
    names = exercise.names
    lines, seen = [], set()
    stack = [(exercise.root, "", "")]
    while stack:
        node, branch, prefix = stack.pop()
        made = f" = {exercise.formula(node)}" if exercise.formula(node) not in ("", names[node]) else ""
        if node in seen:
            lines.append(f"{branch}{names[node]}  (above)")
            continue
        seen.add(node)
        lines.append(f"{branch}{names[node]}{made}  = {shown(node.data)}")
        parents = node.parents
        for i in reversed(range(len(parents))):
            last = i == len(parents) - 1
            stack.append((parents[i], prefix + ("└── " if last else "├── "), prefix + ("    " if last else "│   ")))
    return lines


def main(argv=None, stdin=None, stdout=None):
    """Run the quiz on `stdin`/`stdout` (the terminal by default); returns the exit status, 0 (also after
    Ctrl-C, which ends the quiz with its score)."""
    stdin = sys.stdin if stdin is None else stdin
    stdout = sys.stdout if stdout is None else stdout
    arguments = parse_args(argv)

    def write(text):
        stdout.write(text)
        stdout.flush()

    exercise = practice.exercise(arguments.level, arguments.seed)
    echo = not (hasattr(stdin, "isatty") and stdin.isatty())  # piped answers are echoed, so the log reads well

    def read_line():
        line = stdin.readline()
        if echo and line:
            write(line if line.endswith("\n") else line + "\n")
        return line

    right = 0
    try:
        for line in introduction(exercise):
            write(line + "\n")
        right, _ = quiz(exercise, read_line, write)            # Ctrl-C inside the quiz ends it with its score
    except KeyboardInterrupt:                                  # Ctrl-C before the first question
        write("\n(interrupted)\n")
    write(f"\n{right} of {len(exercise.asked)} right at the first try\n")
    return 0


def introduction(exercise):
    """The lines printed before the first question: the title, the forward pass, the tree, what to type."""
    root = exercise.names[exercise.root]
    return ([exercise.title, "The forward pass, inputs first (name = how it is made = value):"] +
            [f"  {line}" for line in exercise.forward_lines()] + ["The graph as a tree, output first:"] +
            [f"  {line}" for line in tree_lines(exercise)] +
            [f"Give each gradient ∂{root}/∂v as a number (Enter after each); δ(v) means ∂{root}/∂v, "
             f"and δ({root}) = 1.", ""])


def parse_args(argv=None):
    """The command line: --level (1 to 5, or a seed network's name) and --seed."""
    parser = argparse.ArgumentParser(prog="python -m demos.practice", description=__doc__.splitlines()[0])
    parser.add_argument("--level", default="1", choices=["1", "2", "3", "4", "5", *practice.SEED_EXERCISES],
                        help="1 one op, 2 a chain, 3 a Value used twice, 4 a tanh neuron, 5 a 2-2-1 network, "
                             "or one of the seeds' networks (default 1)")
    parser.add_argument("--seed", type=int, default=0, help="which exercise of the level (default 0)")
    arguments = parser.parse_args(argv)
    arguments.level = int(arguments.level) if arguments.level.isdigit() else arguments.level
    return arguments


if __name__ == "__main__":
    raise SystemExit(main())
