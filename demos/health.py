"""Training health: one deep network trained five ways on the spiral, and the numbers and pictures that tell them apart.

The network is 2 → 4 hidden layers of 16 → 3 classes, trained with full-batch SGD on the softmax
cross-entropy for the same steps, five ways:

    large_init   8× the good scale: the tanh units saturate, their 1 − h² is near 0
    small_init   N(0, 0.1² / fan-in): the signal and the gradient fade layer after layer
    good_init    LeCun with tanh's gain, N(0, (5/3)² / fan-in) (the output layer 1 / fan-in)
    dead_relu    relu units (He init) with a bias of −3: never positive, so they pass back nothing
    high_lr      the good init with a learning rate 30× too high: each update is large against
                 the weight it changes

For each it prints the health report at step 0 (the cause) and at the end (the effect), records
every step with nn.Recorder, and writes the pictures: activation and gradient histograms at step 0,
the update:data ratio and the saturated / dead share over the steps, and a histogram over time of
one layer. Then a side-by-side table, as text and as summary.json.

    python -m demos.health [--steps 100] [--seed 0] [--out out/health] [--quiet]
"""
import json
import math
import random
import time

import nn
from autograd import no_grad, shown
from demos import _common
from demos.datasets import make_spiral
from nn.layer_statistics import TANH_THRESHOLD

VARIANTS = ("large_init", "small_init", "good_init", "dead_relu", "high_lr")
WHAT = {
    "large_init": "8× the good scale: too large",
    "small_init": "weights N(0, 0.1²/fan-in): too small",
    "good_init": "LeCun × 5/3 (tanh's gain)",
    "dead_relu": "relu, bias −3",
    "high_lr": "good init, learning rate × 30",
}
WIDTHS = (16, 16, 16, 16)     # the hidden layers
N_CLASSES = 3
N_PER_CLASS = 30
NOISE = 0.2                   # the spiral's angle noise (radians)
HELD_OUT_SEED = 1000          # the fresh points for the final loss: the same spiral, noise from seed + 1000
LEARNING_RATE = 0.2           # full-batch SGD
HIGH_LR_FACTOR = 30
DEAD_BIAS = -3.0
LARGE_FACTOR = 8.0            # large_init: 8× the good scale


def initial_std(variant, fan_in, is_output):
    """The std of a weight's normal draw for this variant, layer fan-in and place.

    >>> initial_std("good_init", 25, False), initial_std("good_init", 25, True), initial_std("large_init", 25, False)
    (0.33333333333333337, 0.2, 2.666666666666667)
    """
    if variant == "small_init":
        return 0.1 / math.sqrt(fan_in)
    if variant == "dead_relu" and not is_output:
        return math.sqrt(2.0 / fan_in)                       # He: relu zeroes half its inputs
    gain = 1.0 if is_output else 5.0 / 3.0                   # tanh's gain (torch.nn.init.calculate_gain)
    scale = LARGE_FACTOR if variant == "large_init" else 1.0
    return scale * gain / math.sqrt(fan_in)


def build_model(variant, seed, widths=WIDTHS):
    """The network for a variant: all scale the same standard normal draws (seeded), so only the scale differs.

    >>> model = build_model("dead_relu", seed=0, widths=(4, 4))
    >>> model.layers[0].activation, model.layers[0].neurons[0].b.data, model.layers[-1].neurons[0].b.data
    ('relu', -3.0, 0.0)
    """
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; choose one of {', '.join(VARIANTS)}")
    activation = "relu" if variant == "dead_relu" else "tanh"
    saved = random.getstate()                                # MLP draws from the global random; put it back
    try:
        model = nn.MLP(2, list(widths) + [N_CLASSES], activation=activation)
    finally:
        random.setstate(saved)
    draws = random.Random(seed)
    last = len(model.layers) - 1
    for index, layer in enumerate(model.layers):
        std = initial_std(variant, layer.nin, index == last)
        for neuron in layer.neurons:
            for weight in neuron.w:
                weight.data = draws.gauss(0.0, 1.0) * std
            neuron.b.data = DEAD_BIAS if variant == "dead_relu" and index < last else 0.0
    return model


def learning_rate(variant, base=LEARNING_RATE):
    """The SGD learning rate of a variant: the base one, or 30× it for high_lr.

    >>> learning_rate("good_init"), learning_rate("high_lr")
    (0.2, 6.0)
    """
    return base * HIGH_LR_FACTOR if variant == "high_lr" else base


def loss_and_accuracy(model, points, labels):
    """The mean softmax cross-entropy (a Value) and the share of points classified right."""
    logits = [model(point) for point in points]
    correct = sum(max(range(N_CLASSES), key=lambda k: z[k].data) == label for z, label in zip(logits, labels))
    return nn.cross_entropy(logits, labels), correct / len(labels)


def train_variant(variant, points, labels, held_out, steps, seed, widths=WIDTHS, base_lr=LEARNING_RATE, quiet=True):
    """Train one variant, recording every step: {"model", "recorder", "losses", "start", "end", "summary"}.

    "start" and "end" are nn.health reports on the whole training set, before the first step and
    after the last one; `held_out` is (points, labels) of fresh spiral points for the held-out loss.
    """
    model = build_model(variant, seed, widths)
    start = nn.health(model, points, labels, loss=nn.cross_entropy)
    optimizer = nn.SGD(model.parameters(), lr=learning_rate(variant, base_lr))
    with nn.Recorder(model, optimizer) as recorder:
        losses, _ = _common.fit(optimizer, lambda: loss_and_accuracy(model, points, labels), steps,
                                f"{variant:<10}", quiet, recorder=recorder)
    end = nn.health(model, points, labels, loss=nn.cross_entropy)
    return {"model": model, "recorder": recorder, "losses": losses, "start": start, "end": end,
            "summary": summarize(recorder, start, end, held_out_loss(model, *held_out))}


def held_out_loss(model, points, labels):
    """The mean cross-entropy on points the model never trained on (no graph is built)."""
    with no_grad():
        return nn.cross_entropy([model(point) for point in points], labels).data


def summarize(recorder, start, end, held_out):
    """The table's numbers for one run.

    final_loss: the training loss after the last step (held_out_loss: on fresh spiral points).
    saturated: the share of the hidden layers' activations that are saturated, averaged over the
    steps (None for relu layers, which cannot saturate). dead: the share of hidden relu units dead,
    averaged over the steps (None for tanh layers). median_update_ratio: the median over the steps
    of std(update) / std(weights), all weights as one group.
    """
    hidden = recorder.layers[:-1]
    return {"final_loss": end.loss,
            "saturated": _mean_over_steps([history.saturated for history in hidden]),
            "dead": _mean_over_steps([history.dead for history in hidden]),
            "median_update_ratio": recorder.median_update_ratio(),
            "held_out_loss": held_out, "initial_loss": start.loss, "chance_loss": start.chance_loss,
            "saturated_at_start": _share(start.layers[:-1], "saturated"),
            "saturated_at_end": _share(end.layers[:-1], "saturated"),
            "dead_at_start": _dead_share(start.layers[:-1]), "dead_at_end": _dead_share(end.layers[:-1])}


def _mean_over_steps(per_layer):
    """The mean over steps of the mean over layers (layers with None, which cannot have the number, left out)."""
    rows = [[value for value in step if value is not None] for step in zip(*per_layer)]
    means = [sum(row) / len(row) for row in rows if row]
    return sum(means) / len(means) if means else None


def _share(layers, field):
    shares = [getattr(layer, field) for layer in layers if getattr(layer, field) is not None]
    return sum(shares) / len(shares) if shares else None


def _dead_share(layers):
    relus = [layer for layer in layers if layer.activation == "relu"]
    return sum(len(layer.dead) for layer in relus) / sum(layer.units for layer in relus) if relus else None


def summary_table(summaries):
    """The side-by-side table as text lines.

    >>> row = {"final_loss": 0.25, "held_out_loss": 0.3, "saturated": 0.031, "dead": None,
    ...        "median_update_ratio": 0.0012}
    >>> print("\\n".join(summary_table({"good_init": row})))
    variant     final loss  fresh points  saturated     dead  update:data  what
    good_init       0.2500        0.3000     3.100%        –     0.001200  LeCun × 5/3 (tanh's gain)
    """
    lines = [f"{'variant':<10}  {'final loss':>10}  {'fresh points':>12}  {'saturated':>9}  {'dead':>7}  "
             f"{'update:data':>11}  what"]
    for variant, row in summaries.items():
        ratio = row["median_update_ratio"]
        lines.append(f"{variant:<10}  {shown(row['final_loss']):>10}  {shown(row['held_out_loss']):>12}  "
                     f"{_percent(row['saturated']):>9}  {_percent(row['dead']):>7}  "
                     f"{'–' if ratio is None else shown(ratio):>11}  {WHAT[variant]}")
    return lines


def table_notes():
    """What the table's columns mean, for under it."""
    return ["final loss: the training set's cross-entropy after the last update (the loss of the report after "
            "the last step); fresh points: the same on new points of the spiral.",
            f"saturated: share of the hidden tanh activations saturated (|h| > {shown(TANH_THRESHOLD)}), averaged "
            "over the steps; dead: share of the hidden relu units never positive on the batch, averaged over the "
            "steps.",
            "update:data: median over the steps of std(update) / std(weights), all weights together (about a "
            "thousandth is healthy)."]


def _percent(share):
    return "–" if share is None else f"{shown(100 * share)}%"


def three_losses(run, steps):
    """The training set's loss at the three moments the printout shows, each named, so they tell one story.

    The recorder keeps each step's loss before that step's update (the loss its gradients came
    from); the report after the last step measures after the last update. With a learning rate
    too high, the two differ by a whole update.
    """
    losses = run["recorder"].losses
    return (f"The training set's loss at three moments: {shown(losses[0])} before the first update (the report "
            f"at step 0, and the recorder's step 0); {shown(losses[-1])} before the last update (the recorder's "
            f"step {steps - 1}); {shown(run['end'].loss)} after it (the report after {steps} steps, and the "
            f"table's final loss).")


def write_pictures(folder, variant, run):
    """Every picture of one run as PNGs in `folder`; returns {name: path}."""
    from nn import health_plots
    label = f"{variant} ({WHAT[variant]})"
    hidden = len(run["recorder"].layers) - 1
    watched = hidden // 2                                    # a middle hidden layer: layers[2] of four
    figures = {
        "activations": health_plots.activation_histograms(run["start"], title=f"{label}\nactivations at step 0"),
        "gradients": health_plots.gradient_histograms(run["start"], title=f"{label}: gradients at step 0"),
        "update_ratios": health_plots.update_ratios(run["recorder"], title=f"{label}\nupdate:data ratio per step"),
        "saturation": health_plots.saturation_over_steps(run["recorder"],
                                                         title=f"{label}\nsaturated activations / dead units"),
        "histogram_over_time": health_plots.histogram_over_time(
            run["recorder"], watched,
            title=f"{label}\nlayers[{watched}]: histogram of its activations at each step"),
    }
    return {name: _common.save_figure(figure, folder / f"{variant}_{name}.png") for name, figure in figures.items()}


def main(steps=100, out_dir=None, seed=0, quiet=False, widths=WIDTHS, n_per_class=N_PER_CLASS,
         base_lr=LEARNING_RATE, variants=VARIANTS, pictures=True):
    """Train every variant, print the reports, write the pictures, the table and summary.json to `out_dir`.

    `variants` picks some of VARIANTS; `pictures=False` skips the plots (the numbers need no matplotlib).

    Returns {"summary": {variant: numbers}, "table": text, "files": {...}, "seconds": ...}.
    """
    _common.check_steps(steps)
    unknown = [variant for variant in variants if variant not in VARIANTS]
    if unknown or not variants:
        raise ValueError(f"variants must be some of {', '.join(VARIANTS)}, got {list(variants)!r}")
    folder = _common.output_folder(out_dir, "health")
    points, labels = make_spiral(n_per_class=n_per_class, n_classes=N_CLASSES, noise=NOISE, seed=seed)
    held_out = make_spiral(n_per_class=n_per_class, n_classes=N_CLASSES, noise=NOISE, seed=seed + HELD_OUT_SEED)
    began = time.perf_counter()
    summaries, files, reports = {}, {}, []
    for variant in variants:
        run = train_variant(variant, points, labels, held_out, steps, seed, widths, base_lr, quiet)
        summaries[variant] = run["summary"]
        if pictures:
            files[variant] = write_pictures(folder, variant, run)
        report_text = (f"=== {variant}: {WHAT[variant]} ===\nAt step 0:\n{run['start']}\n\n"
                       f"After {steps} steps:\n{run['end']}\n\n{run['recorder']}\n{three_losses(run, steps)}\n")
        reports.append(report_text)
        if not quiet:
            print(report_text, flush=True)
    table = "\n".join(summary_table(summaries) + table_notes())
    (folder / "summary.json").write_text(json.dumps(summaries, indent=1), encoding="utf-8")
    (folder / "summary.txt").write_text(table + "\n", encoding="utf-8")
    (folder / "reports.txt").write_text("\n".join(reports), encoding="utf-8")
    results = {"summary": summaries, "table": table, "steps": steps, "seconds": time.perf_counter() - began,
               "files": {"summary": str(folder / "summary.json"), "table": str(folder / "summary.txt"),
                         "reports": str(folder / "reports.txt"), "pictures": files}}
    if not quiet:
        print(f"After {steps} steps of full-batch SGD (lr {shown(base_lr)}) on {len(points)} spiral points:")
        print(table)
        print(f"wrote {results['files']['summary']}, {results['files']['table']}, {results['files']['reports']} "
              f"and {sum(len(f) for f in files.values())} pictures in {folder} ({shown(results['seconds'])} s)")
    return results


def _extra_options(parser):
    parser.epilog = ("Writes into the --out folder, for each variant, five plots (VARIANT_activations.png, "
                     "VARIANT_gradients.png, VARIANT_update_ratios.png, VARIANT_saturation.png, "
                     "VARIANT_histogram_over_time.png), then the side-by-side table as summary.txt (a report) and "
                     "summary.json, and every health report in reports.txt.")


if __name__ == "__main__":
    arguments = _common.parse_args("health", __doc__.splitlines()[0], steps=100, seed=0, extra=_extra_options,
                                   out_help="folder for the plots, the table (summary.txt, summary.json) and the "
                                            "reports")
    main(steps=arguments.steps, out_dir=arguments.out, seed=arguments.seed, quiet=arguments.quiet)
