"""Runs every workload with the given settings and returns all raw numbers as one JSON-ready dict."""
from autograd import Value

from . import chain, compiled, gpt, recorder, workloads
from .data import grid, initial_weights, moons
from .timing import machine, run_interleaved

DEFAULTS = {
    "repeats": 7,             # timed repetitions of each workload (round-robin across implementations)
    "chain_repeats": 3,       # repetitions of the chain timings (a million-node chain takes seconds)
    "chain_lengths": [100_000, 1_000_000],
    "chain_kinds": list(chain.KINDS),
    "memory_length": 1_000_000,            # our chains measured with tracemalloc
    "micrograd_memory_length": 100_000,    # micrograd's chains: build only
    "micrograd_depth": 5_000,              # micrograd's backward is run at this depth, expecting RecursionError
    "grid_side": 50,                       # inference on grid_side² points
    "n_samples": 100,
    "seed": 0,
    "disable_gc": False,
    "only": ["user_code", "nn_step", "nn_steps", "compile_widths", "inference", "chain", "memory", "gpt",
             "recorder"],
    "consecutive_steps": 10,               # nn_steps: training steps per timed run (the tape's target is over 10)
    "compile_widths": [16, 32, 64, 128],   # compile_widths: MLP(2, [w, w, 1]) compiled per sample
    "width_repeats": 3,                    # compile_widths: timed repetitions per width
    "gpt_steps": 5,                        # GPT training steps per timed run (one name each)
}
QUICK = {"repeats": 3, "chain_repeats": 1, "chain_kinds": ["y = y * w"], "memory_length": 100_000,
         "micrograd_memory_length": 20_000, "grid_side": 20,
         "gpt_steps": 2, "compile_widths": [16, 32], "width_repeats": 1}
SECTIONS = tuple(DEFAULTS["only"])

TITLES = {
    "user_code": "micrograd-style user code: one training step, 2-16-16-1 MLP of plain lists, {n} moons points",
    "nn_step": "nn training step: MLP(2, [16, 16, 1]), hinge loss + L2, SGD, {n} moons points",
    "nn_steps": compiled.STEPS_TITLE,
    "inference": "forward-only inference of the same MLP on a {side}×{side} grid ({points} points)",
}


def settings(quick=False, **overrides):
    """The default settings, the quick ones if asked, then any explicit overrides (None is ignored).

    >>> settings(quick=True, repeats=5)["repeats"], settings()["chain_lengths"]
    (5, [100000, 1000000])
    """
    chosen = dict(DEFAULTS, quick=quick)
    if quick:
        chosen.update(QUICK)
    for key, value in overrides.items():
        if key not in DEFAULTS:
            raise ValueError(f"unknown setting {key!r}; known: {sorted(DEFAULTS)}")
        if value is not None:
            chosen[key] = value
    unknown = set(chosen["only"]) - set(SECTIONS)
    if unknown:
        raise ValueError(f"unknown section(s) {sorted(unknown)}; choose from {list(SECTIONS)}")
    unknown = set(chosen["chain_kinds"]) - set(chain.KINDS)
    if unknown:
        raise ValueError(f"unknown chain kind(s) {sorted(unknown)}; choose from {list(chain.KINDS)}")
    if chosen["repeats"] < 1 or chosen["chain_repeats"] < 1:
        raise ValueError("repeats and chain_repeats must be >= 1")
    return chosen


def run(config, progress=print):
    """Run the sections named in config["only"]; returns machine, settings, notes and raw results."""
    points, labels = moons(config["n_samples"], seed=config["seed"])
    weights = initial_weights(seed=config["seed"])
    report = {"machine": machine(), "settings": config, "notes": workloads.missing(), "workloads": {}}
    builders = {
        "user_code": lambda: workloads.user_code_cases(weights, points, labels),
        "nn_step": lambda: workloads.nn_step_cases(weights, points, labels),
        "nn_steps": lambda: compiled.steps_cases(weights, points, labels, config["consecutive_steps"]),
        "inference": lambda: workloads.inference_cases(weights, grid(points, config["grid_side"])),
    }
    for section, build_cases in builders.items():
        if section not in config["only"]:
            continue
        progress(f"running {section} ...")
        cases = build_cases()
        times, results = run_interleaved(cases, config["repeats"], disable_gc=config["disable_gc"])
        report["workloads"][section] = {
            "title": TITLES[section].format(n=config["n_samples"], side=config["grid_side"],
                                            points=config["grid_side"] ** 2, steps=config["consecutive_steps"]),
            "implementations": [case.name for case in cases],
            "seconds": times, "max_relative_difference": _max_difference(cases, results),
        }
        if section == "nn_steps":                              # the compiled program's size, compile time, agreement
            report["workloads"][section].update(compiled.compiled_step_facts(weights, points, labels),
                                                steps=config["consecutive_steps"])
    if "compile_widths" in config["only"]:
        progress("running compile_widths ...")
        report["compile_widths"] = compiled.widths_section(config, points, labels)
    if "gpt" in config["only"]:
        progress("running gpt ...")
        report["workloads"]["gpt"] = gpt.section(config, _max_difference)
    if "recorder" in config["only"]:
        progress("running recorder ...")
        report["workloads"]["recorder"] = recorder.section(config, _max_difference, weights, points, labels)
    if "chain" in config["only"]:
        progress("running chain timings ...")
        report["chain"] = _chain_timings(config)
    if "memory" in config["only"]:
        progress("running chain memory (tracemalloc) ...")
        report["memory"] = _chain_memory(config)
    return report


def relative_difference(a, b):
    """|a - b| / max(1, |a|, |b|): relative for large numbers, absolute near zero.

    >>> relative_difference(3.0, 4.0), relative_difference(0.0, 1e-12)
    (0.25, 1e-12)
    """
    return abs(a - b) / max(1.0, abs(a), abs(b))


def _max_difference(cases, results):
    """The largest difference between the first implementation's result and each other one's."""
    reference = results[cases[0].name]
    differences = {}
    for case in cases[1:]:
        other = results[case.name]
        if isinstance(reference, list):
            differences[case.name] = max(map(relative_difference, reference, other), default=0.0)
        else:
            differences[case.name] = relative_difference(reference, other)
    return differences


def _chain_timings(config):
    kinds, lengths = config["chain_kinds"], config["chain_lengths"]
    ours = {kind: {str(length): {"build": [], "backward": [], "gradients_correct": [], "error": None}
                   for length in lengths} for kind in kinds}
    micrograd = workloads.micrograd_modules()
    micrograd_kinds = [kind for kind in kinds if kind in chain.MICROGRAD_KINDS] if micrograd else []
    micrograd_length = config["micrograd_memory_length"]
    micrograd_build = {kind: [] for kind in micrograd_kinds}
    for repetition in range(config["chain_repeats"]):
        start = repetition % len(kinds)
        for kind in kinds[start:] + kinds[:start]:
            for length in lengths:
                entry = ours[kind][str(length)]
                try:
                    build, backward, correct = chain.time_build_and_backward(
                        Value, kind, length, disable_gc=config["disable_gc"])
                except RecursionError as error:
                    entry["error"] = f"RecursionError: {error}"
                    continue
                entry["build"].append(build)
                entry["backward"].append(backward)
                entry["gradients_correct"].append(correct)
            if kind in micrograd_build:
                micrograd_build[kind].append(chain.time_build(micrograd[0].Value, kind, micrograd_length,
                                                              disable_gc=config["disable_gc"]))
    return {"ours": ours, "micrograd_build": {"length": micrograd_length, "seconds": micrograd_build}}


def _chain_memory(config):
    memory = {"ours": {kind: chain.memory_per_node(Value, kind, config["memory_length"])
                       for kind in chain.KINDS}}
    micrograd = workloads.micrograd_modules()
    if micrograd is not None:
        length = config["micrograd_memory_length"]
        memory["micrograd"] = {kind: chain.memory_per_node(micrograd[0].Value, kind, length, backward=False)
                               for kind in chain.MICROGRAD_KINDS}
        raised, limit = chain.micrograd_depth_limit(micrograd[0].Value, config["micrograd_depth"])
        memory["micrograd_depth"] = {"depth": config["micrograd_depth"], "recursion_error": raised,
                                     "recursion_limit": limit}
    return memory
