"""Pictures of training health: histograms per layer, update:data ratios, saturation and a histogram over time.

Each function returns a matplotlib Figure, which shows inline in a notebook (it has `_repr_png_`)
and saves with `figure.savefig(path)`. matplotlib is imported inside the functions only: the
numbers (`nn.health`, `nn.Recorder`) need no matplotlib.
"""
import io
import math

from .health_text import number, percent

# One colour per layer, readable for most colour-blind viewers (Okabe-Ito, then a few more).
COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000", "#999999"]
GUIDE = -3.0                 # the update:data guide line: log10 ≈ −3 is a healthy step
_FIGURE_TYPE = []            # the Figure subclass with _repr_png_, made on first use


def new_figure(width=7.0, height=4.2):
    """A matplotlib Figure (no pyplot, no window) that a notebook shows as a PNG.

    >>> figure = new_figure(); _ = figure.add_subplot().plot([0, 1]); figure._repr_png_()[:4]
    b'\\x89PNG'
    """
    if not _FIGURE_TYPE:
        from matplotlib.figure import Figure

        class HealthFigure(Figure):
            """A Figure that shows itself in a notebook as PNG, even where pyplot was never imported."""

            def _repr_png_(self):
                buffer = io.BytesIO()
                self.savefig(buffer, format="png")
                return buffer.getvalue()

        _FIGURE_TYPE.append(HealthFigure)
    return _FIGURE_TYPE[0](figsize=(width, height), dpi=100, layout="constrained")


def activation_histograms(report, layers=None, title=None):
    """The distribution of each layer's activations over the batch of a health report, one line per layer.

    `layers` picks layers by index or name; by default every layer with an activation function
    (every layer if none has one). The legend gives each layer's mean, std and saturated or dead share.
    >>> import random, nn; random.seed(0)
    >>> report = nn.health(nn.MLP(2, [4, 4, 1], activation="tanh"), [[0.5, -1.0], [1.0, 0.2], [-0.3, 0.8]])
    >>> activation_histograms(report).axes[0].get_legend_handles_labels()[1][0]
    'layers[0] (tanh): mean 0.1054, std 0.4198, saturated 0%'
    """
    chosen = _chosen_layers(report.layers, layers)
    figure = new_figure()
    axes = figure.add_subplot()
    for colour, layer in zip(_colours(), chosen):
        values = [y for row in layer.activations for y in row]
        label = f"{layer.name} ({layer.activation}): mean {number(layer.mean)}, std {number(layer.std)}"
        if layer.saturated is not None:
            label += f", saturated {percent(layer.saturated)}"
        if layer.activation == "relu":
            label += f", dead {len(layer.dead)}/{layer.units}"
        _histogram_line(axes, values, colour, label)
    bounded = {"tanh": (-1.05, 1.05), "sigmoid": (-0.05, 1.05)}
    kinds = {layer.activation for layer in chosen}
    if len(kinds) == 1 and next(iter(kinds)) in bounded:       # the whole range, so every variant reads alike
        axes.set_xlim(*bounded[next(iter(kinds))])
    axes.set_xlabel("activation h")
    axes.set_ylabel("density")
    axes.set_title(title or f"Activations per layer ({report.samples} samples)", fontsize=11)
    _legend(axes)
    return figure


def gradient_histograms(report, layers=None, title=None):
    """The distribution of the gradient δ(h) = ∂loss/∂h reaching each layer's activations, one panel per layer.

    Every panel has the same x scale, so a gradient that fades (or grows) from layer to layer shows as
    a narrower (or wider) shape; each title gives the layer's std, so a gradient too narrow to see
    still has its number. Needs a report made with a loss.
    >>> import random, nn; random.seed(0)
    >>> model = nn.MLP(2, [4, 4, 3], activation="tanh")
    >>> report = nn.health(model, [[0.5, -1.0], [1.0, 0.2]], [0, 2], loss=nn.cross_entropy)
    >>> figure = gradient_histograms(report)
    >>> len({axes.get_xlim() for axes in figure.axes}), figure.axes[0].get_title()
    (1, 'layers[0] (tanh): std 0.1936')
    """
    if report.loss is None:
        raise ValueError("gradient histograms need a report made with a loss: "
                         "nn.health(model, inputs, targets, loss=...)")
    chosen = _chosen_layers(report.layers, layers)
    columns = 1 if len(chosen) == 1 else 2
    rows = math.ceil(len(chosen) / columns)
    figure = new_figure(7.0, 1.2 + 2.2 * rows)
    gradients = [[g for row in layer.gradients for g in row] for layer in chosen]
    largest = max((abs(g) for values in gradients for g in values if math.isfinite(g)), default=0.0)
    reach = 1.08 * largest if largest > 0.0 else 1.0          # one symmetric range for every panel
    for index, (colour, layer, values) in enumerate(zip(_colours(), chosen, gradients)):
        axes = figure.add_subplot(rows, columns, index + 1)
        _histogram_line(axes, values, colour, None, bins=60, span=(-reach, reach))
        axes.set_xlim(-reach, reach)
        axes.set_title(f"{layer.name} ({layer.activation}): std {number(layer.grad_std)}", fontsize=10,
                       fontweight="bold")
        axes.ticklabel_format(axis="x", style="sci", scilimits=(-2, 2))
        axes.tick_params(labelsize=8)
        axes.set_yticks([])
    figure.supxlabel("gradient δ(h) = ∂loss/∂h (one scale for every panel: a narrow shape is a small gradient)",
                     fontsize=10)
    figure.suptitle(title or f"Gradients reaching each layer's activations ({report.samples} samples)", fontsize=11)
    return figure


def update_ratios(recorder, title=None):
    """log10 of each layer's update:data ratio at every step, with the guide line at −3.

    >>> import random, nn; random.seed(0)
    >>> model = nn.MLP(2, [3, 1]); optimizer = nn.SGD(model.parameters(), lr=0.1)
    >>> with nn.Recorder(model, optimizer) as recorder:
    ...     loss = model([1.0, 2.0]) * 1.0; loss.backward(); recorder.step(loss)
    >>> [line.get_label() for line in update_ratios(recorder).axes[0].get_lines()]
    ['layers[0] (relu)', 'layers[1] (linear)', '−3: about 1e-3, a healthy step']
    """
    figure = new_figure()
    axes = figure.add_subplot()
    if not recorder.steps:
        raise ValueError("the recorder has no steps yet: call recorder.step(loss) while training")
    steps = range(recorder.steps)
    moved = False
    for colour, history in zip(_colours(), recorder.layers):
        logs = [math.nan if log is None else log for log in history.update_ratio]
        still = all(log is None for log in history.update_ratio)
        moved = moved or not still
        axes.plot(steps, logs, color=colour, linewidth=1.3,
                  label=f"{history.name} ({history.activation})" + (": no weight moved" if still else ""))
    axes.axhline(GUIDE, color="black", linestyle="--", linewidth=1.0, label="−3: about 1e-3, a healthy step")
    if not moved:
        axes.text(0.5, 0.35, "no weight moved at any step (the ratio is 0, its log −∞)", ha="center",
                  transform=axes.transAxes)
    axes.set_xlim(0, max(1, recorder.steps - 1))
    _whole_steps(axes)
    axes.set_xlabel("step")
    axes.set_ylabel("log10( std(update) / std(weights) )")
    axes.set_title(title or "Update:data ratio of each layer's weights", fontsize=11)
    axes.grid(alpha=0.3)
    _legend(axes)
    return figure


def saturation_over_steps(recorder, title=None):
    """The saturated share (tanh, sigmoid layers, solid) and dead-unit share (relu layers, dashed) at every step.

    >>> import random, nn; random.seed(0)
    >>> model = nn.MLP(2, [3, 1], activation="tanh"); optimizer = nn.SGD(model.parameters(), lr=0.1)
    >>> with nn.Recorder(model, optimizer) as recorder:
    ...     loss = model([1.0, 2.0]) * 1.0; loss.backward(); recorder.step(loss)
    >>> figure = saturation_over_steps(recorder)
    >>> len(figure.axes), [line.get_label() for line in figure.axes[0].get_lines()]
    (1, ['layers[0] (tanh): saturated'])
    """
    if not recorder.steps:
        raise ValueError("the recorder has no steps yet: call recorder.step(loss) while training")
    figure = new_figure()
    axes = figure.add_subplot()
    steps = range(recorder.steps)
    drawn = 0
    for colour, history in zip(_colours(), recorder.layers):
        if history.activation in ("tanh", "sigmoid"):
            shares, what, style = history.saturated, "saturated", "-"
        elif history.activation == "relu":
            shares, what, style = history.dead, "dead units", "--"
        else:
            continue
        axes.plot(steps, [math.nan if s is None else 100.0 * s for s in shares], color=colour, linestyle=style,
                  linewidth=1.4, label=f"{history.name} ({history.activation}): {what}")
        drawn += 1
    if not drawn:
        axes.text(0.5, 0.5, "no tanh, sigmoid or relu layer: nothing can saturate or die",
                  ha="center", va="center", transform=axes.transAxes)
    axes.set_ylim(-2, 102)
    _whole_steps(axes)
    axes.set_xlabel("step")
    axes.set_ylabel("% of activations saturated / % of units dead")
    axes.set_title(title or "Saturated activations and dead units per layer", fontsize=11)
    axes.grid(alpha=0.3)
    if drawn:
        _legend(axes)
    return figure


def histogram_over_time(recorder, layer=0, title=None):
    """fastai's "colorful dimension": one column per step, the layer's activation histogram in colour (log scale).

    >>> import random, nn; random.seed(0)
    >>> model = nn.MLP(2, [3, 1], activation="tanh"); optimizer = nn.SGD(model.parameters(), lr=0.1)
    >>> with nn.Recorder(model, optimizer) as recorder:
    ...     loss = model([1.0, 2.0]) * 1.0; loss.backward(); recorder.step(loss)
    >>> figure = histogram_over_time(recorder, layer=0)
    >>> len(figure.axes), figure.axes[0].get_title()           # the image and its colour bar
    (2, 'layers[0]: histogram of its activations at each step')
    """
    if not recorder.steps:
        raise ValueError("the recorder has no steps yet: call recorder.step(loss) while training")
    history = recorder.layer(layer)
    low, high = history.histogram_range
    columns = list(zip(*history.histogram))                   # bins × steps
    image = [[math.log1p(count) for count in row] for row in columns]
    figure = new_figure(7.0, 3.8)
    axes = figure.add_subplot()
    shown = axes.imshow(image, origin="lower", aspect="auto", cmap="viridis", interpolation="nearest",
                        extent=(-0.5, recorder.steps - 0.5, low, high))
    colour_bar = figure.colorbar(shown, ax=axes)
    colour_bar.set_label("log(1 + count)")
    _whole_steps(axes)
    axes.set_xlabel("step")
    axes.set_ylabel(f"activation h ({history.activation})")
    axes.set_title(title or f"{history.name}: histogram of its activations at each step", fontsize=11)
    return figure


def _chosen_layers(layers, keys):
    if keys is None:
        chosen = [layer for layer in layers if layer.activation != "linear"]
        return chosen or list(layers)
    picked = []
    for key in keys:
        found = [layer for index, layer in enumerate(layers) if key == index or key == layer.name]
        if not found:
            raise KeyError(f"no layer {key!r}; the layers are {', '.join(layer.name for layer in layers)}")
        picked += found
    return picked


def _histogram_line(axes, values, colour, label, bins=50, span=None):
    """A histogram drawn as a step line (densities), so several layers can share one axes.

    `span` (low, high) fixes the bins, so panels on one scale bin alike; by default they cover the
    values. Numbers all equal (a dead layer: every activation 0) make one vertical line, with room around it.
    """
    low, high = min(values), max(values)
    if low == high:
        axes.axvline(low, color=colour, linewidth=2.5, label=None if label is None else label + " (all equal)")
        axes.set_xlim(low - 1.0, high + 1.0)
        axes.text(low, 0.5, f"  all {len(values)} = {number(low)}", color=colour,
                  transform=axes.get_xaxis_transform(), fontsize=9)
        return
    if span is not None:
        low, high = span
    counts = [0] * bins
    width = (high - low) / bins
    for value in values:
        counts[max(0, min(int((value - low) / width), bins - 1))] += 1
    densities = [count / (len(values) * width) for count in counts]
    edges = [low + k * width for k in range(bins + 1)]
    axes.stairs(densities, edges, color=colour, linewidth=1.5, label=label)


def _whole_steps(axes):
    """Ticks on whole steps only: a step 2.5 does not exist."""
    from matplotlib.ticker import MaxNLocator
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))


def _legend(axes):
    axes.legend(fontsize=8, loc="best", framealpha=0.9)


def _colours():
    while True:
        yield from COLOURS
