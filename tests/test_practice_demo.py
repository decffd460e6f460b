"""Tests for the terminal quiz `python -m demos.practice`: feedback after each answer, a reveal after a second
wrong try, "not a number, try again", and "k of n right" at the end or at the end of input, exiting 0."""
import io
import subprocess
import sys
import pathlib

from autograd.practice import MISTAKE_WORDS, exercise, slips
from demos import practice as quiz_demo

ROOT = pathlib.Path(__file__).resolve().parent.parent


def run(lines, level=4, seed=1):
    """The quiz run in this process on the given input lines: (exit status, output)."""
    out = io.StringIO()
    status = quiz_demo.main(["--level", str(level), "--seed", str(seed)], io.StringIO("".join(f"{x}\n" for x in lines)), out)
    return status, out.getvalue()


def test_all_right():
    """Every answer right: one '✓ right' per question and 'n of n right'."""
    e = exercise(4, seed=1)
    key = e.answer_key()
    status, text = run([repr(v) for v in key.values()])
    assert status == 0 and text.count("✓ right") == len(key) and text.rstrip().endswith(f"{len(key)} of {len(key)} right")
    assert "o = tanh(n) = " in text and "x1 = " in text                   # the forward values are shown first


def test_all_wrong_reveals_after_the_second_try_and_names_the_slip():
    """Each question answered with its sign slip twice: 2 × '✗ sign', then the answer with its breakdown."""
    e = exercise(4, seed=1)
    key = e.answer_key()
    wrong = [repr(slips(e.root, name)["sign"][0]) for name in key for _ in range(2)]
    status, text = run(wrong)
    assert status == 0 and text.count(f"✗ sign: {MISTAKE_WORDS['sign']}") == 2 * len(key)
    assert text.count("Try again.") == len(key) and text.count("the answer: ") == len(key)
    assert "δ(o) × ∂o/∂n = " in text and text.rstrip().endswith(f"0 of {len(key)} right")


def test_each_slip_is_named_in_checks_words():
    """A level-2 chain: the first slip listed for each question is named by its kind."""
    e = exercise(2, seed=3)
    lines, kinds = [], []
    for node in e.asked:
        kind, values = next(iter(slips(e.root, node).items()))
        lines += [repr(values[0]), repr(e.answer_key()[e.names[node]])]
        kinds.append(kind)
    _, text = run(lines, level=2, seed=3)
    named = [line.split("✗ ")[1].split(":")[0] for line in text.splitlines() if "✗ " in line]
    assert named == kinds and f"{len(kinds)} of {len(kinds)} right" in text


def test_garbage_is_not_a_try():
    """Text that is not a number gets 'not a number, try again' and does not use up a try."""
    e = exercise(4, seed=1)
    key = list(e.answer_key().values())
    status, text = run(["half", "", "1/2"] + [repr(v) for v in key])
    assert status == 0 and text.count("not a number, try again") == 3
    assert text.rstrip().endswith(f"{len(key)} of {len(key)} right")


def test_end_of_input_through_a_real_pipe():
    """Piped into the module: two right answers then end of input print '2 of n right' and exit 0."""
    e = exercise(3, seed=0)
    key = list(e.answer_key().values())
    result = subprocess.run([sys.executable, "-m", "demos.practice", "--level", "3", "--seed", "0"],
                            input=f"{key[0]!r}\n{key[1]!r}\n", capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "(end of input)" in result.stdout and result.stdout.rstrip().endswith(f"2 of {len(key)} right")


def test_bad_level_is_refused():
    """An unknown level is a usage error naming the choices."""
    result = subprocess.run([sys.executable, "-m", "demos.practice", "--level", "9"], capture_output=True,
                            text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 2 and "invalid choice" in result.stderr
