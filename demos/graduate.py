"""Graduate: the moons MLP trained here goes on training in PyTorch with the very same numbers; then why tensors.

Three short lessons, each one a file in --out:

1. The same model. The moons MLP (2-16-16-1, relu, hinge loss + L2, full-batch SGD, as in
   demos.moons) trains here for the first half of the steps. Then `nn.to_torch` exports it and
   torch.optim.SGD carries on with the same loss and the same learning rates. A torch copy made
   at step 0 and trained in torch all along is the yardstick: in float64 its losses equal ours
   step for step (to rounding, about 1e-16), and the exported model continues on the same curve
   (loss_curves.png).
2. Why tensors. One training step is timed here and in torch for widths 2 to 1,024 (hidden layers
   of that width), on the full batch of 100 points and on a single point. Ours is skipped where
   a step would take more than a few seconds. Ours costs about the same per number computed; torch
   pays a fixed cost per tensor operation and then computes fast: on one point a small network is
   faster here, on 100 points torch wins from the smallest width (step_times.png, crossover printed).
3. The other way round. A small `torch.nn.Sequential` is brought here with `nn.from_torch`, and
   the step-through page of its backward pass is written (imported_steps.html); its parameters
   carry their torch names ('0.weight[1, 0]'), and their gradients equal torch's.

Needs PyTorch (the `torch` extra) and matplotlib.

    python -m demos.graduate [--steps 100] [--out out/graduate] [--seed 0] [--quiet] [--widths 2,4,8,16,64,256,1024]
"""
import argparse
import json
import math
import random
import statistics
import time

import nn
from autograd import animate_backward, explain, tape
from demos import _common
from demos.datasets import make_moons
from demos.moons import ALPHA, learning_rate, loss_and_accuracy

WIDTHS = (2, 4, 8, 16, 64, 256, 1024)       # the 16 .. 1,024, and smaller ones where the lines cross
BATCHES = {"100 points": 100, "1 point": 1}
BUDGET_SECONDS = 4.0                         # skip ours at a width where one step would take longer
HIDDEN = [16, 16, 1]


def _torch():
    """The torch package, or an ImportError naming the extra to install."""
    try:
        import torch
    except ImportError:
        raise ImportError("demos.graduate needs PyTorch: pip install -e '.[torch]'") from None
    return torch


def torch_loss(module, inputs, labels):
    """The moons loss in torch: mean hinge relu(1 − y·score) plus ALPHA · Σ p², as demos.moons computes it."""
    torch = _torch()
    scores = module(inputs).squeeze(1)
    penalty = sum((p * p).sum() for p in module.parameters())
    return torch.relu(1.0 - labels * scores).mean() + ALPHA * penalty


def torch_training(module, inputs, labels, first_step, last_step, steps):
    """torch.optim.SGD on `module` for steps first_step .. last_step − 1 of the moons schedule over `steps`
    steps (demos.moons.learning_rate); the loss before each."""
    torch = _torch()
    optimizer = torch.optim.SGD(module.parameters(), lr=learning_rate(first_step, steps))
    losses = []
    for step in range(first_step, last_step):
        loss = torch_loss(module, inputs, labels)
        optimizer.zero_grad()
        loss.backward()
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(step, steps)
        optimizer.step()
        losses.append(loss.item())
    return losses


def our_training(model, points, labels, first_step, last_step, steps):
    """nn.SGD here for steps first_step .. last_step − 1 of the same schedule; the loss before each."""
    optimizer = nn.SGD(model.parameters(), lr=learning_rate(first_step, steps))
    losses = []
    with tape():
        for step in range(first_step, last_step):
            loss, _ = loss_and_accuracy(model, points, labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.lr = learning_rate(step, steps)
            optimizer.step()
            losses.append(loss.data)
    return losses


def train_here_then_in_torch(steps, seed):
    """Lesson 1: train here up to the switch (half the steps), export, go on in torch; and a torch run throughout.

    Returns {"switch", "here", "torch_after", "torch_throughout"}: the losses before each step.
    >>> run = train_here_then_in_torch(steps=4, seed=0)
    >>> run["switch"], len(run["here"]), len(run["torch_after"]), len(run["torch_throughout"])
    (2, 2, 2, 4)
    >>> max(abs(a - b) for a, b in zip(run["here"] + run["torch_after"], run["torch_throughout"])) < 1e-12
    True
    """
    torch = _torch()
    points, labels = make_moons(n_samples=100, noise=0.1, seed=seed)
    inputs = torch.tensor(points, dtype=torch.float64)
    targets = torch.tensor(labels, dtype=torch.float64)
    random.seed(seed)
    model = nn.MLP(2, HIDDEN)
    yardstick = nn.to_torch(model)                             # a torch copy at step 0, trained in torch all along
    switch = max(1, steps // 2)
    here = our_training(model, points, labels, 0, switch, steps)
    exported = nn.to_torch(model)                              # the model as trained here so far
    torch_after = torch_training(exported, inputs, targets, switch, steps, steps)
    throughout = torch_training(yardstick, inputs, targets, 0, steps, steps)
    return {"switch": switch, "here": here, "torch_after": torch_after, "torch_throughout": throughout}


def plot_loss_curves(path, run):
    """The losses here, in torch after the switch, and in torch throughout; below, how far apart they are."""
    figure = _common.new_figure(6.4, 5.6)
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=[2, 1])
    switch, steps = run["switch"], len(run["torch_throughout"])
    ours_steps, after_steps = range(switch), range(switch, steps)
    top.plot(range(steps), run["torch_throughout"], color="0.55", linewidth=4.0, alpha=0.45,
             label="torch from step 0 (the yardstick)")
    top.plot(ours_steps, run["here"], color=_common.CLASS_COLOURS[0], linewidth=1.6, label="here (scalar Values)")
    top.plot(after_steps, run["torch_after"], color=_common.CLASS_COLOURS[1], linewidth=1.6,
             label="torch, after to_torch")
    top.axvline(switch - 0.5, color="black", linestyle=":", linewidth=1.0)
    top.annotate("nn.to_torch(model)", (switch - 0.5, 0.04), xycoords=("data", "axes fraction"), ha="center",
                 va="bottom", fontsize=8, bbox={"boxstyle": "round", "facecolor": "white", "edgecolor": "0.7"})
    if min(run["torch_throughout"]) > 0 and max(run["torch_throughout"]) / min(run["torch_throughout"]) > 30:
        top.set_yscale("log")
    top.set_ylabel("loss (hinge + L2)")
    top.set_title("Moons MLP: trained here, then in PyTorch (float64)")
    top.grid(alpha=0.3)
    top.legend(loc="upper right", fontsize=8)
    differences = [abs(a - b) for a, b in zip(run["here"] + run["torch_after"], run["torch_throughout"])]
    floor = 1e-18                                              # an exact 0 is drawn here on the log axis
    bottom.plot(ours_steps, [max(d, floor) for d in differences[:switch]], "o", markersize=3,
                color=_common.CLASS_COLOURS[0], label="|here − yardstick|")
    bottom.plot(after_steps, [max(d, floor) for d in differences[switch:]], "s", markersize=3,
                color=_common.CLASS_COLOURS[1], label="|exported − yardstick|")
    bottom.axhline(1e-12, color=_common.CLASS_COLOURS[3], linestyle="--", linewidth=1.0, label="1e-12")
    bottom.set_yscale("log")
    bottom.set_ylim(floor / 3, 1e-9)
    bottom.set_xlabel("step")
    bottom.set_ylabel("difference\n(exact 0 at 1e-18)")
    bottom.grid(alpha=0.3)
    bottom.legend(loc="upper right", fontsize=7, ncols=3)
    return _common.save_figure(figure, path)


# ---- lesson 2: the clock --------------------------------------------------------------------------
def parameter_count(width):
    """Parameters of a 2-width-width-1 MLP.

    >>> parameter_count(16)
    337
    """
    return (2 + 1) * width + (width + 1) * width + (width + 1)


def median_seconds(step, enough=0.3, fewest=3, most=200):
    """The median CPU time of `step()` over as many calls as fit in about `enough` seconds (`fewest` to `most`).

    CPU time (time.process_time) is what this process itself spent, so other programs running on
    the machine do not inflate it the way they inflate the time on the clock. The first call is a
    warm-up, left out unless it alone took longer than `enough`.
    """
    start = time.process_time()
    step()
    first = time.process_time() - start
    times = [first] if first > enough else []
    for _ in range(max(fewest - len(times), min(most, int(enough / max(first, 1e-9))))):
        start = time.process_time()
        step()
        times.append(time.process_time() - start)
    return statistics.median(times)


def time_ours(width, points, labels, seconds=0.3):
    """Seconds for one SGD step here (forward, loss, backward, update) of the moons MLP at `width`."""
    model = nn.MLP(2, [width, width, 1])
    optimizer = nn.SGD(model.parameters(), lr=0.01)

    def step():
        with tape():
            loss, _ = loss_and_accuracy(model, points, labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return median_seconds(step, enough=seconds)


def time_torch(width, inputs, targets, seconds=0.3):
    """Seconds for the same step in torch, float64, on the same points."""
    torch = _torch()
    module = torch.nn.Sequential(torch.nn.Linear(2, width), torch.nn.ReLU(), torch.nn.Linear(width, width),
                                 torch.nn.ReLU(), torch.nn.Linear(width, 1)).double()
    optimizer = torch.optim.SGD(module.parameters(), lr=0.01)

    def step():
        loss = torch_loss(module, inputs, targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return median_seconds(step, enough=seconds)


def time_steps(widths=WIDTHS, batches=BATCHES, budget_seconds=BUDGET_SECONDS, seed=0, quiet=True, seconds=0.3):
    """Lesson 2: {batch name: {"widths", "ours" (None where skipped), "torch", "budget_seconds", "crossover"}},
    in seconds per step.

    Ours is skipped at a width where the time at the last width measured, scaled by the number of
    parameters, predicts more than `budget_seconds`. Torch runs on one thread, as we do. Each time is
    the median over about `seconds` of repeated steps (at least 3).
    """
    torch = _torch()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)                                   # one core each: ours runs on one too
    try:
        return _timed(torch, widths, batches, budget_seconds, seed, quiet, seconds)
    finally:
        torch.set_num_threads(threads)


def _timed(torch, widths, batches, budget_seconds, seed, quiet, seconds):
    """The measurements of time_steps, torch already on one thread."""
    points, labels = make_moons(n_samples=100, noise=0.1, seed=seed)
    random.seed(seed)
    timings = {}
    for name, size in batches.items():
        inputs = torch.tensor(points[:size], dtype=torch.float64)
        targets = torch.tensor(labels[:size], dtype=torch.float64)
        ours, theirs, last = [], [], None
        for width in widths:
            predicted = None if last is None else last[1] * parameter_count(width) / parameter_count(last[0])
            if predicted is not None and predicted > budget_seconds:
                ours.append(None)
            else:
                ours.append(time_ours(width, points[:size], labels[:size], seconds))
                last = (width, ours[-1])
            theirs.append(time_torch(width, inputs, targets, seconds))
            if not quiet:
                shown = "skipped" if ours[-1] is None else f"{1e3 * ours[-1]:9.3f} ms"
                print(f"  {name:>10}, width {width:>5}: here {shown:>12}   torch {1e3 * theirs[-1]:8.3f} ms", flush=True)
        timings[name] = {"widths": list(widths), "ours": ours, "torch": theirs, "budget_seconds": budget_seconds,
                         "crossover": crossover(widths, ours, theirs)}
    return timings


def crossover(widths, ours, theirs):
    """Where torch becomes the faster one: {"width": the first width from which torch wins, "between": the
    widths the lines cross between (None if torch wins from the first), "estimate": a log-log interpolation}.

    >>> crossover([4, 8, 16], [1.0, 2.0, 4.0], [2.0, 2.5, 3.0])["between"]
    [8, 16]
    >>> crossover([4, 8], [3.0, 4.0], [2.0, 2.5])
    {'width': 4, 'between': None, 'estimate': None}
    >>> crossover([4, 8], [1.0, None], [2.0, 2.5])["width"] is None
    True
    """
    measured = [(w, a, b) for w, a, b in zip(widths, ours, theirs) if a is not None]
    first = next((index for index in range(len(measured))
                  if all(a > b for _, a, b in measured[index:])), None)
    if first is None:
        return {"width": None, "between": None, "estimate": None}
    if first == 0:
        return {"width": measured[0][0], "between": None, "estimate": None}
    (w0, a0, b0), (w1, a1, b1) = measured[first - 1], measured[first]
    r0, r1 = math.log(a0 / b0), math.log(a1 / b1)             # log(ours / torch): <= 0, then > 0
    estimate = math.exp(math.log(w0) + (math.log(w1) - math.log(w0)) * -r0 / (r1 - r0))
    return {"width": w1, "between": [w0, w1], "estimate": estimate}


def plot_step_times(path, timings):
    """Seconds per training step against width, log-log: here and in torch, for each batch size."""
    figure = _common.new_figure(6.4, 4.6)
    axes = figure.add_subplot()
    styles = {"100 points": "-", "1 point": "--"}
    for name, timing in timings.items():
        style = styles.get(name, ":")
        measured = [(w, t) for w, t in zip(timing["widths"], timing["ours"]) if t is not None]
        skipped = [w for w, t in zip(timing["widths"], timing["ours"]) if t is None]
        note = f" (none from width {skipped[0]}: over {timing['budget_seconds']:g} s a step)" if skipped else ""
        axes.plot([w for w, _ in measured], [t for _, t in measured], style, marker="o", color=_common.CLASS_COLOURS[0],
                  label=f"here, {name}{note}")
        axes.plot(timing["widths"], timing["torch"], style, marker="s", color=_common.CLASS_COLOURS[1],
                  label=f"torch, {name}")
        point = timing["crossover"]
        if point["estimate"] is not None:
            axes.axvline(point["estimate"], color="0.5", linestyle=style, linewidth=0.8)
            axes.annotate(f"crossover, {name}:\nwidth ≈ {point['estimate']:.0f}", (point["estimate"], 0.03),
                          xycoords=("data", "axes fraction"), ha="left", va="bottom", fontsize=7, color="0.3",
                          xytext=(3, 0), textcoords="offset points")
    axes.set_xscale("log", base=2)
    widths = sorted({w for timing in timings.values() for w in timing["widths"]})
    axes.set_xticks(widths, [str(w) for w in widths])
    axes.minorticks_off()
    axes.set_yscale("log")
    axes.set_xlabel("hidden width (MLP 2-width-width-1)")
    axes.set_ylabel("CPU seconds per training step (median)")
    axes.set_title("One SGD step of the moons MLP (float64):\nscalar Values here vs torch tensors")
    axes.grid(alpha=0.3, which="both")
    axes.legend(loc="upper left", fontsize=8)
    return _common.save_figure(figure, path)


def times_faster(ratio):
    """A speed ratio to 3 significant digits: '1.04', '5.91', '127'.

    >>> times_faster(1.0421), times_faster(5.91), times_faster(127.4), times_faster(1234.5)
    ('1.04', '5.91', '127', '1234')
    """
    return f"{ratio:.3g}" if ratio < 100 else f"{ratio:.0f}"


def crossover_sentence(name, timing):
    """One line for the console saying where torch overtakes us, in words."""
    point = timing["crossover"]
    ratio = {w: a / b for w, a, b in zip(timing["widths"], timing["ours"], timing["torch"]) if a is not None}
    widest = max(ratio)
    tail = f"; at width {widest} torch is {times_faster(ratio[widest])}× faster"
    if point["width"] is None:
        return f"{name}: no crossover measured: here is faster at width {widest}, the widest measured here"
    if point["between"] is None:
        return (f"{name}: torch is faster at every width measured, already {times_faster(ratio[point['width']])}× at width "
                f"{point['width']}{tail}")
    low, high = point["between"]
    return (f"{name}: crossover between widths {low} and {high} (about {point['estimate']:.0f}): here is "
            f"{times_faster(1 / ratio[low])}× faster at {low}, torch {times_faster(ratio[high])}× faster at {high}{tail}")


# ---- lesson 3: a torch model, seen here ------------------------------------------------------------
def imported_step_through(path, seed):
    """Lesson 3: a small torch Sequential brought here, its loss on one point stepped through on a page.

    Returns the page's path, {torch name: (our gradient, torch's gradient)} for its weights and biases,
    and explain()'s account of one weight's gradient.
    """
    torch = _torch()
    torch.manual_seed(seed)
    module = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Tanh(), torch.nn.Linear(2, 1)).double()
    model = nn.from_torch(module)
    point, target = [0.5, -0.25], 1.0
    loss = (model(point) - target) ** 2                        # the squared error on one point
    loss.label = "loss"
    loss.backward()
    ((module(torch.tensor(point, dtype=torch.float64)) - target) ** 2).sum().backward()
    theirs = {f"{name}[{', '.join(map(str, index))}]": value
              for name, tensor in module.named_parameters()
              for index, value in _entries(tensor.grad.tolist())}
    gradients = {p.label: (p.grad, theirs[p.label]) for p in model.parameters()}
    page = animate_backward(loss, path, params=model, title="A torch model's backward pass, one node at a time")
    return page, gradients, explain(loss, model.layers[0].neurons[1].w[0], params=model)


def _entries(nested, index=()):
    """((i, j, ...), number) for every number in nested lists."""
    if not isinstance(nested, list):
        yield index, nested
        return
    for position, item in enumerate(nested):
        yield from _entries(item, index + (position,))


def main(steps=100, out_dir=None, seed=0, quiet=False, widths=WIDTHS, budget_seconds=BUDGET_SECONDS,
         timing_seconds=0.3):
    """Run the three lessons and write loss_curves.png, step_times.png, imported_steps.html and history.json.

    `widths`, `budget_seconds` and `timing_seconds` go to `time_steps`. Returns the history: {"switch", "losses": {...}, "max_difference", "timings", "gradients", "files"}.
    """
    _common.check_steps(steps)
    torch = _torch()
    folder = _common.output_folder(out_dir, "graduate")
    run = train_here_then_in_torch(steps, seed)
    ours_then_exported = run["here"] + run["torch_after"]
    before = [abs(a - b) for a, b in zip(run["here"], run["torch_throughout"])]
    after = [abs(a - b) for a, b in zip(run["torch_after"], run["torch_throughout"][run["switch"]:])]
    if not quiet:
        print(f"1. moons MLP {HIDDEN}, {steps} SGD steps: {run['switch']} here, then {steps - run['switch']} in torch "
              f"after nn.to_torch")
        print(f"   loss {ours_then_exported[0]:.6f} at step 0, {run['here'][-1]:.6f} at the last step here, "
              f"{ours_then_exported[-1]:.6f} at step {steps - 1}")
        print(f"   largest difference from torch trained throughout: {max(before):.2e} before the switch"
              + (f", {max(after):.2e} after it" if after else ""))
        print("2. one training step, median CPU time (torch on one thread, like us):", flush=True)
    timings = time_steps(widths, budget_seconds=budget_seconds, seed=seed, quiet=quiet, seconds=timing_seconds)
    page, gradients, explanation = imported_step_through(folder / "imported_steps.html", seed)
    files = {"loss_curves": plot_loss_curves(folder / "loss_curves.png", run),
             "step_times": plot_step_times(folder / "step_times.png", timings),
             "imported_steps": str(page), "history": str(folder / "history.json")}
    history = {"steps": steps, "seed": seed, "switch": run["switch"],
               "losses": {"here": run["here"], "torch_after": run["torch_after"],
                          "torch_throughout": run["torch_throughout"]},
               "max_difference": {"before_switch": max(before), "after_switch": max(after, default=0.0)},
               "timings": timings, "torch_threads": 1,
               "gradients": {name: list(pair) for name, pair in gradients.items()}, "files": files}
    (folder / "history.json").write_text(json.dumps(history, indent=1), encoding="utf-8")
    if not quiet:
        for name, timing in timings.items():
            print("   " + crossover_sentence(name, timing))
        largest = max(abs(a - b) for a, b in gradients.values())
        print(f"3. a torch Sequential(Linear(2, 2), Tanh(), Linear(2, 1)) imported with nn.from_torch: its "
              f"{len(gradients)} gradients equal torch's (largest difference {largest:.1e})")
        print("   " + str(explanation).splitlines()[-1])
        for path in files.values():
            print(f"  wrote {path}")
    return history


def _widths(text):
    """argparse type: widths as a comma-separated list of whole numbers >= 1 ('16,64')."""
    try:
        widths = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"widths must be whole numbers separated by commas, got {text!r}") from None
    if not widths or min(widths) < 1:
        raise argparse.ArgumentTypeError(f"widths must be at least 1, got {text!r}")
    return tuple(sorted(set(widths)))


def command_line(argv=None):
    """`python -m demos.graduate [options]`: parse the options, run main, return its history."""
    arguments = _common.parse_args(
        "graduate", __doc__.splitlines()[0], steps=100, seed=0, argv=argv,
        out_help="folder for the plots (loss curves, step times), the history (JSON) and the imported torch "
                 "network's step-through page",
        extra=lambda parser: parser.add_argument(
            "--widths", type=_widths, default=WIDTHS, metavar="W,W,...",
            help=f"hidden widths to time (default {','.join(map(str, WIDTHS))})"))
    return main(steps=arguments.steps, out_dir=arguments.out, seed=arguments.seed, quiet=arguments.quiet,
                widths=arguments.widths)


if __name__ == "__main__":
    command_line()
