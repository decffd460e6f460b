"""Practice mode: the learner computes the gradients, `check` marks them (the first mistake apart from what
only follows from it), and `exercise` poses graphs to practise on. Read as `autograd.practice`."""
from .checker import (ABSOLUTE_TOLERANCE, MISTAKE_WORDS, MISTAKES, RELATIVE_TOLERANCE, STATUSES, PracticeGraph,
                      Report, Row, breakdown, check, close, slips)
from .exercises import LEVELS, SEED_EXERCISES, Exercise, by_hand, exercise, is_fair

__all__ = ["check", "exercise", "Exercise", "Report", "Row", "slips", "breakdown", "close", "is_fair", "by_hand",
           "PracticeGraph", "MISTAKES", "MISTAKE_WORDS", "STATUSES", "LEVELS", "SEED_EXERCISES",
           "RELATIVE_TOLERANCE", "ABSOLUTE_TOLERANCE"]
