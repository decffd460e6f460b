"""Interleaved timing: every implementation runs once per repetition, round-robin, so noise hits all alike."""
import contextlib
import gc
import os
import platform
import statistics
import sys
import time


class Case:
    """One implementation of a workload: `prepare()` (untimed) returns the state `run(state)` needs.

    `run` returns a result (e.g. the loss) that is kept from the last repetition for checking.
    """

    def __init__(self, name, run, prepare=None):
        self.name = name
        self.run = run
        self.prepare = prepare or (lambda: None)


def run_interleaved(cases, repeats, warmup=True, disable_gc=False):
    """Time each case `repeats` times, round-robin; returns ({name: [seconds]}, {name: last result}).

    The starting case rotates every repetition, and a full garbage collection runs before every timed
    call (untimed), so garbage one implementation leaves behind (micrograd's closures make cycles) is
    not collected on another's clock. With `disable_gc` the cyclic collector is off during timed calls
    (to see its share; the default measures what users get).
    >>> times, results = run_interleaved([Case("a", lambda s: 1), Case("b", lambda s: 2)], repeats=3)
    >>> [len(times["a"]), len(times["b"])], results
    ([3, 3], {'a': 1, 'b': 2})
    """
    if repeats < 1:
        raise ValueError(f"repeats must be >= 1, got {repeats}")
    names = [case.name for case in cases]
    if len(set(names)) != len(names):
        raise ValueError(f"case names must be unique, got {names}")
    times = {case.name: [] for case in cases}
    results = {}
    if warmup:
        for case in cases:
            case.run(case.prepare())
    for repetition in range(repeats):
        start = repetition % len(cases)
        for case in cases[start:] + cases[:start]:
            state = case.prepare()
            gc.collect()
            with collector_paused(disable_gc):
                began = time.perf_counter()
                results[case.name] = case.run(state)
                times[case.name].append(time.perf_counter() - began)
            del state
    return times, results


@contextlib.contextmanager
def collector_paused(active=True):
    """Turn Python's cyclic garbage collector off inside the block (when `active`), then restore it.

    >>> with collector_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    was_enabled = gc.isenabled()
    if active:
        gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def median(samples):
    """The median of a list of numbers.

    >>> median([3.0, 1.0, 2.0])
    2.0
    """
    return statistics.median(samples)


def machine():
    """A description of where the numbers were measured: CPU model, core count, Python, platform."""
    return {
        "cpu": _cpu_model(),
        "cpu_count": _cpu_count(),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "micrograd": _version("micrograd"),
    }


def _cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _cpu_count():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count()


def _version(distribution):
    from importlib import metadata
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None
