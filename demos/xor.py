"""XOR: the classic 2-2-1 sigmoid network learns exclusive-or by backprop on squared error ½(t − y)².

This is the network of the seed derivations: logistic neurons everywhere, including the output,
the error E = ½(t − y)² per case (averaged over the four cases), and plain gradient descent
Δw = −η ∂E/∂w. XOR is the smallest problem a single neuron cannot solve; two hidden neurons can.
A 2-2-1 net sometimes stalls in a flat region for an unlucky start; --hidden 4 makes that rare.

    python -m demos.xor [--steps 3000] [--lr 2.0] [--hidden 2] [--out out/xor] [--seed 0] [--quiet]
"""
import random
import time

import nn
from demos import _common
from demos.datasets import xor_data


def loss_and_outputs(model, points, targets):
    """The mean over the cases of ½(t − y)² as a Value, and the four outputs y as floats."""
    outputs = [model(point) for point in points]
    return 0.5 * nn.mse_loss(outputs, targets), [y.data for y in outputs]


def share_right(outputs, targets):
    """The share of cases whose output is on the target's side of 0.5.

    >>> share_right([0.1, 0.9, 0.8, 0.6], [0.0, 1.0, 1.0, 0.0])
    0.75
    """
    return sum((y > 0.5) == (t > 0.5) for y, t in zip(outputs, targets)) / len(targets)


def solved(outputs, targets):
    """True when every output is on the target's side of 0.5.

    >>> solved([0.1, 0.9, 0.8, 0.3], [0.0, 1.0, 1.0, 0.0])
    True
    """
    return share_right(outputs, targets) == 1.0


def train(model, points, targets, steps, lr, quiet=False):
    """Full-batch gradient descent; returns the loss and the share of cases right at every step."""
    optimizer = nn.SGD(model.parameters(), lr=lr)

    def loss_and_share_right():
        loss, outputs = loss_and_outputs(model, points, targets)
        return loss, share_right(outputs, targets)

    return _common.fit(optimizer, loss_and_share_right, steps, "xor", quiet, postfix_every=50)


def main(steps=3000, out_dir=None, seed=0, quiet=False, lr=2.0, hidden=2):
    """Train a 2-`hidden`-1 sigmoid net on XOR; write the loss curve and the model to `out_dir` (default ./out/xor).

    Returns {"final_loss", "accuracy", "solved", "outputs", "steps", "seconds", "files": {...}}.
    """
    _common.check_steps(steps)
    folder = _common.output_folder(out_dir, "xor")
    points, targets = xor_data()
    random.seed(seed)
    model = nn.MLP(2, [hidden, 1], activation="sigmoid", output_activation="sigmoid")
    start = time.perf_counter()
    losses, accuracies = train(model, points, targets, steps, lr, quiet)
    seconds = time.perf_counter() - start
    final_loss, outputs = loss_and_outputs(model, points, targets)  # after the last update
    right = share_right(outputs, targets)
    files = {"loss_curve": _common.plot_training_curve(
        folder / "loss_curve.png", losses + [final_loss.data], accuracies + [right],
        f"XOR, 2-{hidden}-1 sigmoid net: ½(t − y)² and cases right"),
        "model": str(nn.save(model, folder / "model.json"))}
    results = {"final_loss": final_loss.data, "accuracy": right, "solved": solved(outputs, targets),
               "outputs": outputs, "steps": steps, "seconds": seconds, "files": files}
    if not quiet:
        for (a, b), t, y in zip(points, targets, outputs):
            print(f"  {a:.0f} xor {b:.0f} = {t:.0f}   network: {y:.3f}")
        print(_common.summary(results))
    return results


def _extra_options(parser):
    parser.add_argument("--lr", type=float, default=2.0, help="learning rate η (default %(default)s)")
    parser.add_argument("--hidden", type=int, default=2, help="hidden neurons (default %(default)s)")


if __name__ == "__main__":
    arguments = _common.parse_args("xor", __doc__.splitlines()[0], steps=3000, seed=0, extra=_extra_options)
    main(steps=arguments.steps, out_dir=arguments.out, seed=arguments.seed, quiet=arguments.quiet,
         lr=arguments.lr, hidden=arguments.hidden)
