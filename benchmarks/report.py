"""Turns the suite's raw numbers into the printed tables and the PASS/FAIL lines of the targets."""
from . import compiled, workloads
from .gpt import MICROGPT_STYLE, OURS as OURS_GPT
from .timing import median

AGREEMENT_TOLERANCE = 1e-9     # implementations of one workload must compute the same numbers
COMPILED_TOLERANCE = 1e-12     # the compiled program's loss and gradients against eager backward()'s
LINEAR_SLACK = 1.3             # "scales linearly": time ratio at most 1.3 × the length ratio (cache and
                               # page-fault effects of a 10× larger heap cost ~10-25% even with gc off)

OURS = {"user_code": "ours: autograd.Value", "nn_step": "ours: nn.MLP + SGD"}
MICROGRAD = {"user_code": "micrograd.engine.Value", "nn_step": "micrograd.nn.MLP"}
FLOATS = "hand-written floats"


def format_seconds(seconds):
    """A duration with a unit that keeps three or four significant digits.

    >>> format_seconds(0.0123), format_seconds(2.5), format_seconds(4.2e-7)
    ('12.30 ms', '2.500 s', '0.42 µs')
    """
    if seconds >= 1.0:
        return f"{seconds:.3f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.2f} µs"


def _ratio(ratio):
    """A ratio with two decimals, or three significant digits below 1.

    >>> _ratio(29.583), _ratio(1.0), _ratio(0.3241)
    ('29.58', '1.00', '0.324')
    """
    return f"{ratio:.2f}" if ratio >= 1.0 else f"{ratio:.3g}"


def workload_table(section):
    """Lines: each implementation's median and min time and its median relative to the first row's."""
    names = section["implementations"]
    baseline = median(section["seconds"][names[0]])
    width = max(len(name) for name in names)
    lines = [section["title"], f"  {'implementation':<{width}}  {'median':>10}  {'min':>10}  {'÷ row 1':>8}"]
    for name in names:
        samples = section["seconds"][name]
        lines.append(f"  {name:<{width}}  {format_seconds(median(samples)):>10}  "
                     f"{format_seconds(min(samples)):>10}  {_ratio(median(samples) / baseline):>7}×")
    for name, difference in section["max_relative_difference"].items():
        verdict = "agree" if difference <= AGREEMENT_TOLERANCE else "DISAGREE"
        lines.append(f"  {verdict}: {name} vs {names[0]}: max relative difference {difference:.1e}")
    lines += [f"  {note}" for note in section.get("notes", [])]
    return lines


def chain_table(timings):
    """Lines: build and backward medians per kind and length, per node, and the scaling ratios."""
    lines = ["chains of one op, ours (autograd.Value), median over repetitions",
             f"  {'kind':<14} {'length':>10} {'build':>10} {'backward':>10} {'build/node':>11} "
             f"{'bwd/node':>10} {'gradients':>10}"]
    for kind, by_length in timings["ours"].items():
        for length, entry in by_length.items():
            if entry["error"]:
                lines.append(f"  {kind:<14} {int(length):>10,} {entry['error']}")
                continue
            build, backward = median(entry["build"]), median(entry["backward"])
            checks = entry["gradients_correct"]
            verdict = "n/a" if checks[0] is None else ("exact" if all(checks) else "WRONG")
            lines.append(f"  {kind:<14} {int(length):>10,} {format_seconds(build):>10} "
                         f"{format_seconds(backward):>10} {format_seconds(build / int(length)):>11} "
                         f"{format_seconds(backward / int(length)):>10} {verdict:>10}")
        ratios = scaling_ratios(by_length)
        if ratios:
            (short, long), build_ratio, backward_ratio = ratios
            lines.append(f"  {kind:<14} scaling {short:,} -> {long:,}: build {build_ratio:.1f}×, "
                         f"backward {backward_ratio:.1f}× (linear: {long / short:.0f}×)")
    micrograd = timings["micrograd_build"]
    for kind, samples in micrograd["seconds"].items():
        ours = timings["ours"].get(kind, {}).get(str(micrograd["length"]))
        versus = ""
        if ours and ours["build"]:
            versus = f" ({median(samples) / median(ours['build']):.1f}× ours)"
        lines.append(f"  micrograd build {kind} at {micrograd['length']:,}: "
                     f"{format_seconds(median(samples))}{versus}; backward: see below")
    return lines


def scaling_ratios(by_length):
    """((shortest, longest), build time ratio, backward time ratio), or None with fewer than 2 lengths."""
    measured = {int(length): entry for length, entry in by_length.items() if entry["build"]}
    if len(measured) < 2:
        return None
    short, long = min(measured), max(measured)
    build = median(measured[long]["build"]) / median(measured[short]["build"])
    backward = median(measured[long]["backward"]) / median(measured[short]["backward"])
    return (short, long), build, backward


def memory_table(memory):
    """Lines: retained bytes per node after building, and extra peak per node during backward."""
    lines = ["graph memory per op node (tracemalloc, untimed runs)",
             f"  {'engine':<10} {'kind':<14} {'nodes':>10} {'retained B/node':>16} "
             f"{'backward peak B/node':>21}"]
    for implementation in ("ours", "micrograd"):
        for kind, entry in memory.get(implementation, {}).items():
            peak = entry.get("backward_peak_bytes_per_node")
            peak_text = f"{peak:.1f}" if peak is not None else "(no backward)"
            lines.append(f"  {implementation:<10} {kind:<14} {entry['nodes']:>10,} "
                         f"{entry['retained_bytes_per_node']:>16.1f} {peak_text:>21}")
    depth = memory.get("micrograd_depth")
    if depth:
        outcome = "raises RecursionError" if depth["recursion_error"] else "did NOT raise RecursionError"
        lines.append(f"  micrograd backward on a {depth['depth']:,}-deep chain {outcome} "
                     f"(recursion limit {depth['recursion_limit']}): it cannot backward past ~that depth")
    return lines


def targets(report):
    """[(status, target, measured)] with status PASS, FAIL or SKIP (not measured in this run)."""
    found = []
    sections = report["workloads"]
    found.append(_speed_target(sections.get("user_code"), MICROGRAD["user_code"], OURS["user_code"],
                               "user code: micrograd time / ours >= 4×", lambda r: r >= 4.0))
    found.append(_speed_target(sections.get("nn_step"), MICROGRAD["nn_step"], OURS["nn_step"],
                               "nn step: micrograd's nn time / ours >= 20×", lambda r: r >= 20.0))
    found.append(_speed_target(sections.get("nn_step"), OURS["nn_step"], FLOATS,
                               "nn step: ours / hand-written floats <= 2×", lambda r: r <= 2.0))
    found.append(_speed_target(sections.get("gpt"), MICROGPT_STYLE, OURS_GPT,
                               "gpt step: microgpt-style binary ops / ours (nn parts + tape) >= 5×",
                               lambda r: r >= 5.0))
    found += _tape_and_compiled_targets(sections.get("nn_step"), sections.get("nn_steps"))
    found.append(_memory_target(report.get("memory")))
    found.extend(_chain_targets(report.get("chain"), report["settings"]))
    found.append(_recorder_target(sections.get("recorder")))
    return found


def _recorder_target(section):
    """Recording training health every step costs under 15% of the moons step (the median paired ratio)."""
    target = "nn.Recorder every step: extra time over the plain moons step < 15%"
    if not section or "overhead" not in section:
        return "SKIP", target, "not measured (run the recorder section)"
    overhead = section["overhead"]
    return ("PASS" if overhead < section["target"] else "FAIL"), target, f"{100 * overhead:.1f}%"


def _tape_and_compiled_targets(one_step, consecutive):
    """The tape over consecutive steps <= 1.5×, the compiled step <= 0.4× (both of hand-written floats), agreement."""
    def ratio(section, name):
        if not section or name not in section["seconds"] or FLOATS not in section["seconds"]:
            return None
        return median(section["seconds"][name]) / median(section["seconds"][FLOATS])

    steps = consecutive["steps"] if consecutive else 10
    tape_target = f"nn step in a tape, {steps} consecutive steps: ours / hand-written floats <= 1.5×"
    compiled_target = "nn step as a compiled program: ours / hand-written floats <= 0.4×"
    agreement_target = f"compiled program: loss and gradients = eager backward()'s within {COMPILED_TOLERANCE:g}"
    tape_ratio, tape_one = ratio(consecutive, compiled.TAPE), ratio(one_step, workloads.TAPE)
    compiled_one, compiled_steps = ratio(one_step, workloads.COMPILED), ratio(consecutive, compiled.COMPILED)
    found = []
    if tape_ratio is None:
        found.append(("SKIP", tape_target, "not measured (run the nn_steps section)"))
    else:
        beside = f" (one step: {tape_one:.2f}×)" if tape_one is not None else ""
        found.append(("PASS" if tape_ratio <= 1.5 else "FAIL", tape_target, f"{tape_ratio:.2f}×{beside}"))
    if compiled_one is None:
        found.append(("SKIP", compiled_target, "not measured (run the nn_step section)"))
    else:
        beside = [f"{steps} steps: {compiled_steps:.2f}×"] if compiled_steps is not None else []
        if consecutive:
            beside.append(f"written and compiled in {consecutive['compile_seconds'] * 1e3:.0f} ms")
        found.append(("PASS" if compiled_one <= 0.4 else "FAIL", compiled_target,
                      f"{compiled_one:.2f}×" + (f" ({'; '.join(beside)})" if beside else "")))
    if not consecutive:
        found.append(("SKIP", agreement_target, "not measured (run the nn_steps section)"))
    else:
        difference = consecutive["compiled_agreement"]
        found.append(("PASS" if difference <= COMPILED_TOLERANCE else "FAIL", agreement_target,
                      f"max relative difference {difference:.1e}"))
    return found


def _speed_target(section, slow, fast, target, passes):
    if not section or slow not in section["seconds"] or fast not in section["seconds"]:
        return "SKIP", target, f"not measured ({slow} or {fast} missing)"
    ratio = median(section["seconds"][slow]) / median(section["seconds"][fast])
    return ("PASS" if passes(ratio) else "FAIL"), target, f"{ratio:.2f}×"


def _memory_target(memory):
    target = "graph memory <= 200 bytes per op node (ours, every kind)"
    if not memory:
        return "SKIP", target, "not measured"
    per_kind = {kind: entry["retained_bytes_per_node"] for kind, entry in memory["ours"].items()}
    worst = max(per_kind, key=per_kind.get)
    return ("PASS" if per_kind[worst] <= 200 else "FAIL"), target, f"max {per_kind[worst]:.1f} B ({worst})"


def _chain_targets(timings, settings):
    deep = "a 1,000,000-op chain's backward works (no recursion) with exact gradients"
    linear = f"chain backward scales linearly (time ratio <= {LINEAR_SLACK} × length ratio)"
    if not timings:
        return [("SKIP", deep, "not measured"), ("SKIP", linear, "not measured")]
    longest = max(settings["chain_lengths"])
    entries = [by_length[str(longest)] for by_length in timings["ours"].values()]
    if longest < 1_000_000:
        deep_result = ("SKIP", deep, f"longest chain run was {longest:,}")
    elif any(entry["error"] for entry in entries):
        deep_result = ("FAIL", deep, next(entry["error"] for entry in entries if entry["error"]))
    elif any(check is False for entry in entries for check in entry["gradients_correct"]):
        deep_result = ("FAIL", deep, "backward ran but a gradient was wrong")
    else:
        deep_result = ("PASS", deep, f"{len(entries)} kind(s) at {longest:,}, gradients exact")
    worst, worst_text = 0.0, "fewer than two lengths"
    for kind, by_length in timings["ours"].items():
        ratios = scaling_ratios(by_length)
        if ratios is None:
            continue
        (short, long), _build, backward = ratios              # the target is backward's; build is shown above
        excess = backward / (long / short)
        if excess > worst:
            worst, worst_text = excess, f"worst backward, {kind}: {backward:.1f}× for {long // short}× nodes"
    status = "SKIP" if worst == 0.0 else ("PASS" if worst <= LINEAR_SLACK else "FAIL")
    return [deep_result, (status, linear, worst_text)]


def render(report):
    """The whole printed report as a list of lines."""
    machine = report["machine"]
    lines = [f"machine: {machine['cpu']} ({machine['cpu_count']} CPUs), {machine['implementation']} "
             f"{machine['python']}, {machine['platform']}, micrograd {machine['micrograd']}",
             f"settings: repeats {report['settings']['repeats']}, chain repeats "
             f"{report['settings']['chain_repeats']}, quick {report['settings']['quick']}, "
             f"gc {'off' if report['settings']['disable_gc'] else 'on'} during timing", ""]
    for note in report["notes"]:
        lines.append(f"note: {note}")
    for section in report["workloads"].values():
        lines += workload_table(section) + [""]
    if "compile_widths" in report:
        lines += compiled.widths_table(report["compile_widths"]) + [""]
    if "chain" in report:
        lines += chain_table(report["chain"]) + [""]
    if "memory" in report:
        lines += memory_table(report["memory"]) + [""]
    lines.append("targets")
    for status, target, measured in targets(report):
        lines.append(f"  {status:<4}  {target:<76} {measured}")
    return lines


def disagreements(report):
    """Workloads whose implementations computed different numbers (beyond AGREEMENT_TOLERANCE)."""
    return [f"{key}: {name} ({difference:.1e})" for key, section in report["workloads"].items()
            for name, difference in section["max_relative_difference"].items()
            if difference > AGREEMENT_TOLERANCE]
