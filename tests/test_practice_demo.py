"""Tests for the terminal quiz `python -m demos.practice`: feedback after each answer, a reveal after a second
wrong try, "not a number, try again", and "k of n right at the first try" at the end, at the end of input or
on Ctrl-C, exiting 0."""
import io
import os
import pathlib
import select
import signal
import subprocess
import sys
import time

from autograd import shown
from autograd.practice import MISTAKE_WORDS, exercise, slips
from demos import practice as quiz_demo

ROOT = pathlib.Path(__file__).resolve().parent.parent


def run(lines, level=4, seed=1):
    """The quiz run in this process on the given input lines: (exit status, output)."""
    out = io.StringIO()
    status = quiz_demo.main(["--level", str(level), "--seed", str(seed)], io.StringIO("".join(f"{x}\n" for x in lines)), out)
    return status, out.getvalue()


def test_all_right():
    """Every answer right: one '✓ right' per question and 'n of n right at the first try'."""
    e = exercise(4, seed=1)
    key = e.answer_key()
    status, text = run([repr(v) for v in key.values()])
    assert status == 0 and text.count("✓ right") == len(key) and text.rstrip().endswith(f"{len(key)} of {len(key)} right at the first try")
    assert "o = tanh(n) = " in text and "x1 = " in text                   # the forward values are shown first


def test_all_wrong_reveals_after_the_second_try_and_names_the_slip():
    """Each question answered with its sign slip twice: 2 × '✗ sign', then the answer with its breakdown."""
    e = exercise(4, seed=1)
    key = e.answer_key()
    wrong = [repr(slips(e.root, name)["sign"][0]) for name in key for _ in range(2)]
    status, text = run(wrong)
    assert status == 0 and text.count(f"✗ sign: {MISTAKE_WORDS['sign']}") == 2 * len(key)
    assert text.count("Try again.") == len(key) and text.count("the answer: ") == len(key)
    assert "δ(o) × ∂o/∂n = " in text and text.rstrip().endswith(f"0 of {len(key)} right at the first try")


def test_each_slip_is_named_in_checks_words():
    """A level-2 chain: the first slip listed for each question is named by its kind (and, right only at the
    second try, no answer counts)."""
    e = exercise(2, seed=3)
    lines, kinds = [], []
    for node in e.asked:
        kind, values = next(iter(slips(e.root, node).items()))
        lines += [repr(values[0]), repr(e.answer_key()[e.names[node]])]
        kinds.append(kind)
    _, text = run(lines, level=2, seed=3)
    named = [line.split("✗ ")[1].split(":")[0] for line in text.splitlines() if "✗ " in line]
    assert named == kinds and text.rstrip().endswith(f"0 of {len(kinds)} right at the first try")


def test_garbage_is_not_a_try():
    """Text that is not a number gets 'not a number, try again' and does not use up a try."""
    e = exercise(4, seed=1)
    key = list(e.answer_key().values())
    status, text = run(["half", "", "1/2"] + [repr(v) for v in key])
    assert status == 0 and text.count("not a number, try again") == 3
    assert text.rstrip().endswith(f"{len(key)} of {len(key)} right at the first try")


def test_end_of_input_through_a_real_pipe():
    """Piped into the module: two right answers then end of input print '2 of n right at the first try', exit 0."""
    e = exercise(3, seed=0)
    key = list(e.answer_key().values())
    result = subprocess.run([sys.executable, "-m", "demos.practice", "--level", "3", "--seed", "0"],
                            input=f"{key[0]!r}\n{key[1]!r}\n", capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "(end of input)" in result.stdout and result.stdout.rstrip().endswith(f"2 of {len(key)} right at the first try")


def test_bad_level_is_refused():
    """An unknown level is a usage error naming the choices."""
    result = subprocess.run([sys.executable, "-m", "demos.practice", "--level", "9"], capture_output=True,
                            text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_the_score_counts_right_at_the_first_try():
    """Right only at the second try does not count, as on the practice page: n - 1 of n."""
    e = exercise(4, seed=1)
    key = list(e.answer_key().values())
    status, text = run([repr(-key[0])] + [repr(v) for v in key])
    assert status == 0 and text.count("✓ right") == len(key)
    assert text.rstrip().endswith(f"{len(key) - 1} of {len(key)} right at the first try")


class Interrupted(io.StringIO):
    """Standard input that gives its lines, then raises KeyboardInterrupt as Ctrl-C in a terminal does."""

    def readline(self, *args):
        line = super().readline(*args)
        if line == "":
            raise KeyboardInterrupt
        return line


def test_ctrl_c_ends_quietly_with_the_score():
    """KeyboardInterrupt while waiting for an answer: the score line, exit status 0, no traceback."""
    e = exercise(4, seed=1)
    key = list(e.answer_key().values())
    out = io.StringIO()
    status = quiz_demo.main(["--level", "4", "--seed", "1"], Interrupted(f"{key[0]!r}\n"), out)
    assert status == 0 and out.getvalue().rstrip().endswith(f"1 of {len(key)} right at the first try")


def test_a_real_sigint_ends_quietly_with_the_score():
    """The module in a real process, interrupted by SIGINT at its second question: exit 0, the score, no traceback."""
    e = exercise(3, seed=0)
    key = list(e.answer_key().values())
    process = subprocess.Popen([sys.executable, "-m", "demos.practice", "--level", "3", "--seed", "0"], cwd=ROOT,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        process.stdin.write(f"{key[0]!r}\n".encode())
        process.stdin.flush()
        seen, deadline = b"", time.monotonic() + 60
        while seen.count("= ? ".encode()) < 2 and time.monotonic() < deadline:   # waiting at the second prompt
            ready, _, _ = select.select([process.stdout], [], [], 1.0)
            if ready:
                seen += os.read(process.stdout.fileno(), 4096)
        assert seen.count("= ? ".encode()) == 2, seen
        process.send_signal(signal.SIGINT)
        rest, errors = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    text = (seen + rest).decode()
    assert process.returncode == 0, errors.decode()
    assert "Traceback" not in errors.decode() and text.rstrip().endswith(f"1 of {len(key)} right at the first try")


def test_nothing_is_given_away_before_an_answer():
    """Everything printed before the first answer (the forward pass, the tree, the instructions) holds no
    asked gradient (this exercise's gradients differ from all its forward values, so none can appear by chance)."""
    e = exercise(4, seed=1)
    key = e.answer_key()
    forward = {shown(node.data) for node in e.names}
    assert not forward & {shown(value) for value in key.values()}
    _, text = run([])
    before = text.split("= ? ")[0]
    assert "o = tanh(n) = " in before and not [v for v in key.values() if shown(v) in before]


def test_a_label_that_is_its_formula_is_written_once_in_the_tree():
    """Level 4's sum, labelled 'x1*w1 + x2*w2', reads 'x1*w1 + x2*w2  = -2.600' in the tree and the forward pass."""
    _, text = run([], level=4, seed=0)
    assert "x1*w1 + x2*w2 = x1*w1 + x2*w2" not in text
    assert "── x1*w1 + x2*w2  = -2.600" in text and "  x1*w1 + x2*w2 = -2.600" in text


class InterruptedOnce(io.StringIO):
    """Standard output where Ctrl-C lands while the forward pass is being printed."""

    def __init__(self):
        super().__init__()
        self.interrupted = False

    def write(self, text):
        if not self.interrupted and "The graph as a tree" in text:
            self.interrupted = True
            raise KeyboardInterrupt
        return super().write(text)


def test_ctrl_c_before_the_first_question_also_ends_quietly():
    """Interrupted while the exercise is printed: still the score line (0 of n) and exit status 0."""
    out = InterruptedOnce()
    status = quiz_demo.main(["--level", "4", "--seed", "1"], io.StringIO("0.84\n"), out)
    assert status == 0 and out.interrupted and "δ(n) = ∂o/∂n = ?" not in out.getvalue()
    assert out.getvalue().rstrip().endswith(f"0 of {len(exercise(4, seed=1).asked)} right at the first try")
