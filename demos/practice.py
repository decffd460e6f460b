"""Practice: a terminal quiz that asks for each gradient of a small graph and names the slip when one is wrong.

It poses `autograd.practice.exercise(level, seed)`: the forward pass with its numbers, then one question per
gradient, in the order backward() completes them. After a wrong answer it says which slip the number looks
like, in the words of `autograd.practice.check` (sign, missing_use, no_upstream, input_for_output,
swapped_operands, other); after a second wrong try it shows the answer as upstream × local. At the end, or at
the end of the input, it prints "k of n right".

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
    and writing with `write(text)`. Returns (right, asked): how many were answered right (without a reveal).

    >>> from autograd import Value
    >>> lines = iter(["1", "2"])
    >>> a = Value(2.0, label="a"); L = a * 3.0; L.label = "L"
    >>> quiz(practice.Exercise(L), lambda: next(lines, ""), lambda text: None)
    (0, 1)
    """
    known = {}                                                 # name -> the number the next questions build on
    right = 0
    for node in exercise.asked:
        name = exercise.names[node]
        tries = 0
        while tries < TRIES:
            write(f"{exercise.question(node)} = ? ")
            line = read_line()
            if line == "":
                write("\n(end of input)\n")
                return right, len(exercise.asked)
            number = parse_number(line)
            if number is None:
                write("not a number, try again\n")
                continue
            report = practice.check(exercise.root, dict(known, **{name: number}))
            row = next(row for row in report.rows if row.name == name)
            if row.status == "right":
                write("✓ right\n")
                right += 1
                known[name] = number
                break
            tries += 1
            mistake = report.mistake or "other"
            write(f"✗ {mistake}: {practice.MISTAKE_WORDS[mistake]}.")
            write(" Try again.\n" if tries < TRIES else "\n")
        else:
            write(f"  the answer: {exercise.question(node)} = {shown(row.expected)}\n")
            for line in practice.breakdown(exercise.root, node):
                write(f"    {line}\n")
            known[name] = row.expected
    return right, len(exercise.asked)


def tree_lines(exercise):
    """The graph as a tree, output first, with each node's value and no gradient (a node met again is named only).

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
        made = f" = {exercise.formula(node)}" if not node.is_leaf() else ""
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
    """Run the quiz on `stdin`/`stdout` (the terminal by default); returns the exit status, 0."""
    stdin = sys.stdin if stdin is None else stdin
    stdout = sys.stdout if stdout is None else stdout
    arguments = parse_args(argv)

    def write(text):
        stdout.write(text)
        stdout.flush()

    exercise = practice.exercise(arguments.level, arguments.seed)
    write(f"{exercise.title}\n")
    write("The forward pass, inputs first (name = how it is made = value):\n")
    for line in exercise.forward_lines():
        write(f"  {line}\n")
    write("The graph as a tree, output first:\n")
    for line in tree_lines(exercise):
        write(f"  {line}\n")
    root = exercise.names[exercise.root]
    write(f"Give each gradient ∂{root}/∂v as a number (Enter after each); δ(v) means ∂{root}/∂v, "
          f"and δ({root}) = 1.\n\n")
    echo = not (hasattr(stdin, "isatty") and stdin.isatty())  # piped answers are echoed, so the log reads well

    def read_line():
        line = stdin.readline()
        if echo and line:
            write(line if line.endswith("\n") else line + "\n")
        return line

    right, asked = quiz(exercise, read_line, write)
    write(f"\n{right} of {asked} right\n")
    return 0


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
