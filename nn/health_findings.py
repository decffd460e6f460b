"""What a health report's numbers mean, in plain words, each with the chain-rule step behind it.

One finding per kind of problem: the layers that have it are listed with their numbers, then the
chain-rule step that explains it once, and where a unit can show it, the `report.why` call that does.
"""
from .health_chance import loss_against_chance
from .health_text import number, percent
from .layer_statistics import local_derivative

FLAG_SATURATED = 0.10        # a finding when over 10% of a layer's activations are saturated
FLAG_NEAR_ZERO = 0.50        # ... when over half of a hidden tanh or linear layer's activations are near zero
FLAG_GRADIENT_RATIO = 10.0   # ... when the gradient's std changes over 10× from the last layer to the first
FLAG_GRAD_TO_DATA = 1e-4     # ... when a layer's weights' grad:data ratio is below 1e-4 (but not 0)

DERIVATIVE_WORDS = {"tanh": "1 − h²", "sigmoid": "h(1 − h)"}


def findings(report):
    """The findings as sentences: the loss against chance, then each kind of problem (or that none was found).

    >>> import random, nn; random.seed(0)
    >>> model = nn.MLP(2, [4, 4, 3], activation="tanh")
    >>> report = nn.health(model, [[0.5, -1.0], [1.0, 0.2]], [0, 2], loss=nn.cross_entropy)
    >>> said = findings(report)
    >>> said[0].startswith("The loss, 1.141, is close to chance, 1.099"), said[1].startswith("No problem found")
    (True, True)
    """
    on_loss = loss_against_chance(report)
    found = [] if on_loss is None else [on_loss]
    problems = (_saturation(report, "tanh") + _saturation(report, "sigmoid") + _dead(report) + _faded(report)
                + _still_weights(report) + _gradient_across_layers(report))
    if problems:
        return found + problems
    checks = [f"no layer has more than {percent(FLAG_SATURATED)} of its activations saturated", "no relu unit is dead"]
    if report.loss is not None:
        checks.append(f"the gradient keeps its size within {number(FLAG_GRADIENT_RATIO)}× from the last layer to "
                      f"the first")
    return found + ["No problem found in the layers: " + ", ".join(checks) + "."]


def _listed(layers, value):
    """'layers[1] 71.0%' for one layer, 'layers[0] 60.8%, layers[1] 77.6% and layers[2] 84.9%' for several."""
    parts = [f"{layer.name} {value(layer)}" for layer in layers]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _saturation(report, activation):
    flagged = [layer for layer in report.layers if layer.activation == activation and layer.saturated is not None
               and layer.saturated > FLAG_SATURATED]
    if not flagged:
        return []
    rule = report.thresholds.saturation_rule(activation)
    bound = report.thresholds.flat_derivative(activation)
    words = DERIVATIVE_WORDS[activation]
    worst = max(flagged, key=lambda layer: layer.saturated)
    what = (f"{flagged[0].name} ({activation}): {percent(flagged[0].saturated)} of its activations are saturated"
            if len(flagged) == 1 else
            f"Saturated {activation} layers: {_listed(flagged, lambda layer: percent(layer.saturated))} of their "
            f"activations")
    text = (f"{what} ({rule}). There the local derivative {words} is below {number(bound)}, so by the chain rule "
            f"δ(z) = δ(h) × ({words}) passes back less than {percent(bound)} of the gradient that reaches h: "
            f"the weights into these units learn slowly, and little flows on to the layers below.")
    if report.loss is not None:
        text += f" report.why({worst.name!r}, {_flattest_unit(worst)}) shows it on one sample."
    return [text]


def _flattest_unit(layer):
    """The unit with the smallest local derivative summed over the batch."""
    sums = [sum(local_derivative(layer.activation, y) for y in column) for column in zip(*layer.activations)]
    return min(range(len(sums)), key=sums.__getitem__)


def _dead(report):
    flagged = [layer for layer in report.layers if layer.dead]
    if not flagged:
        return []
    lists = []
    for layer in flagged:
        if len(layer.dead) == layer.units:
            lists.append(f"{layer.name} all {layer.units}")
            continue
        units = ", ".join(map(str, layer.dead[:12])) + (", …" if len(layer.dead) > 12 else "")
        lists.append(f"{layer.name} {len(layer.dead)} of {layer.units} (units {units})")
    listing = lists[0] if len(lists) == 1 else ", ".join(lists[:-1]) + " and " + lists[-1]
    text = (f"Dead relu units, never positive on this batch: {listing}. For them relu's local derivative "
            f"[z > 0] is 0 on every sample, so δ(z) = δ(h) × 0 = 0: their weights and biases get no gradient at "
            f"all, and gradient descent cannot bring them back.")
    empty = [layer.name for layer in flagged if len(layer.dead) == layer.units]
    if empty:
        text += (f" In {', '.join(empty)} every unit is dead: nothing passes back through "
                 f"{'it' if len(empty) == 1 else 'them'}, so the layers below get no gradient either.")
    if report.loss is not None:
        text += f" report.why({flagged[0].name!r}, {flagged[0].dead[0]}) shows it on one sample."
    return [text]


def _faded(report):
    hidden = report.layers[:-1]                                # small outputs of the last layer are fine
    flagged = [layer for layer in hidden if layer.activation in ("tanh", "linear") and layer.near_zero is not None
               and layer.near_zero > FLAG_NEAR_ZERO]
    if not flagged:
        return []
    listing = _listed(flagged, lambda layer: f"{percent(layer.near_zero)} (std {number(layer.std)})")
    return [f"Faded signal: {listing} of the activations are near zero (|h| < {number(report.thresholds.zero)}). Each "
            f"layer multiplies its input by about its weights' scale × √(inputs per unit); below 1 the signal "
            f"shrinks layer after layer, and as δ passes back through the same weights (δ(x) = Σ δ(z) × w), "
            f"the gradient shrinks the same way."]


def _still_weights(report):
    flagged = [layer for layer in report.layers
               if layer.grad_to_data is not None and 0.0 < layer.grad_to_data < FLAG_GRAD_TO_DATA]
    if not flagged:                                            # a gradient of exactly 0 is explained elsewhere
        return []
    listing = _listed(flagged, lambda layer: number(layer.grad_to_data))
    return [f"Weights that barely move: the grad:data ratio (std of the weights' gradient / std of the weights) "
            f"is {listing}. A step of lr × grad changes them by about that × lr of their size, so at a usual "
            f"learning rate they hardly change."]


def _gradient_across_layers(report):
    measured = [layer for layer in report.layers if layer.grad_std is not None]
    if len(measured) < 2:
        return []
    first, last = measured[0], measured[-1]
    if last.grad_std == 0.0:
        return []
    ratio = first.grad_std / last.grad_std
    if ratio == 0.0:
        return [f"No gradient at all reaches {first.name} (the std of δ(h) there is 0, against "
                f"{number(last.grad_std)} at {last.name}): a layer in between passes nothing back."]
    path = (f"the std of δ(h) goes from {number(last.grad_std)} at {last.name} to {number(first.grad_std)} at "
            f"{first.name} ({number(ratio)}×)")
    chain = ("By the chain rule δ at a layer is δ at the next one times its weights and the activations' local "
             "derivatives")
    if ratio < 1.0 / FLAG_GRADIENT_RATIO:
        return [f"The gradient fades on its way back: {path}. {chain}; where that product is below 1 each layer "
                f"shrinks it again, so the first layers barely learn."]
    if ratio > FLAG_GRADIENT_RATIO:
        return [f"The gradient grows on its way back: {path}. {chain}; where that product is above 1 each layer "
                f"amplifies it again, so the first layers take the largest, least stable steps."]
    return []
