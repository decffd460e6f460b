"""Newton: second derivatives from grad(..., create_graph=True) drive Newton's method, in 1-D and 2-D.

f'(x) comes from `grad(y, x, create_graph=True)`, a Value with a graph of its own, so a second
`grad` gives f''(x) (or, in 2-D, the Hessian). Newton's step x ← x − f'(x)/f''(x) jumps to the
lowest point of the local quadratic model f(x) + f'(x)·t + ½f''(x)·t². It finds where f' = 0: a
minimum where f'' > 0, a maximum where f'' < 0. The 1-D function is f(x) = x⁴ − 3x² + x; the 2-D
one is Rosenbrock's valley (1 − x)² + 100(y − x²)², minimum at (1, 1).

    python -m demos.newton [--start -2 0 2] [--out out/newton] [--quiet]
"""
import argparse

from autograd import Value, grad
from demos import _common

STARTS = (-2.0, 0.0, 2.0)
ROSENBROCK_START = (-1.2, 1.0)


def quartic(x):
    """f(x) = x⁴ − 3x² + x, for floats and Values alike.

    >>> quartic(1.0)
    -1.0
    """
    return x ** 4 - 3 * x ** 2 + x


def quartic_slope(x):
    """f'(x) = 4x³ − 6x + 1, by hand (to check the engine against)."""
    return 4 * x ** 3 - 6 * x + 1


def quartic_curvature(x):
    """f''(x) = 12x² − 6, by hand (to check the engine against)."""
    return 12 * x ** 2 - 6


def rosenbrock(x, y):
    """(1 − x)² + 100(y − x²)², for floats and Values alike.

    >>> rosenbrock(1.0, 1.0)
    0.0
    """
    return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2


def derivatives(f, x0):
    """(f(x0), f'(x0), f''(x0)) with f'' from differentiating the graph of f' again.

    >>> derivatives(quartic, 2.0)                    # 16 - 12 + 2, 32 - 12 + 1, 48 - 6
    (6.0, 21.0, 42.0)
    """
    x = Value(x0, label="x")
    y = f(x)
    slope = grad(y, x, create_graph=True)            # a Value: f'(x) with its own graph
    curvature = grad(slope, x)                       # d/dx f'(x) = f''(x)
    return y.data, slope.data, curvature


def newton_1d(f, x0, steps=30, tolerance=1e-12):
    """Newton's iterates from x0 until |f'| < tolerance: a list of {"x", "f", "slope", "curvature"}.

    >>> [round(step["x"], 6) for step in newton_1d(quartic, 2.0)][-1]
    1.130901
    """
    iterates, x = [], float(x0)
    for _ in range(steps + 1):
        value, slope, curvature = derivatives(f, x)
        iterates.append({"x": x, "f": value, "slope": slope, "curvature": curvature})
        if abs(slope) < tolerance:
            break
        if curvature == 0.0:
            raise ZeroDivisionError(f"Newton's method: f''({x!r}) = 0, the quadratic model has no stationary point")
        x = x - slope / curvature
    return iterates


def gradient_and_hessian(f, point):
    """(f, [∂f/∂x, ∂f/∂y], [[∂²f/∂x², ∂²f/∂x∂y], [∂²f/∂y∂x, ∂²f/∂y²]]) at `point`, by grad of grad.

    >>> value, gradient, hessian = gradient_and_hessian(rosenbrock, (1.0, 1.0))
    >>> value, [abs(g) for g in gradient], hessian
    (0.0, [0.0, 0.0], [[802.0, -400.0], [-400.0, 200.0]])
    """
    variables = [Value(float(c), label=name) for c, name in zip(point, "xy")]
    output = f(*variables)
    gradient = grad(output, variables, create_graph=True)      # Values, differentiable again
    hessian = [grad(component, variables) for component in gradient]
    return output.data, [g.data for g in gradient], hessian


def newton_2d(f, start, steps=30, tolerance=1e-10):
    """Newton's iterates in 2-D, point ← point − H⁻¹∇f: a list of {"point", "f", "gradient", "hessian"}.

    >>> [round(c, 8) for c in newton_2d(rosenbrock, ROSENBROCK_START)[-1]["point"]]
    [1.0, 1.0]
    """
    iterates, point = [], tuple(float(c) for c in start)
    for _ in range(steps + 1):
        value, gradient, hessian = gradient_and_hessian(f, point)
        iterates.append({"point": point, "f": value, "gradient": gradient, "hessian": hessian})
        if max(abs(g) for g in gradient) < tolerance:
            break
        (a, b), (c, d) = hessian
        determinant = a * d - b * c
        if determinant == 0.0:
            raise ZeroDivisionError(f"Newton's method: the Hessian at {point} is singular")
        gx, gy = gradient                                        # solve H · step = ∇f for the 2×2 H
        step = ((d * gx - b * gy) / determinant, (a * gy - c * gx) / determinant)
        point = (point[0] - step[0], point[1] - step[1])
    return iterates


def plot_1d(path, runs):
    """f, each run's iterates, and the local quadratic model at each iterate (whose lowest point is the next one)."""
    figure = _common.new_figure(7.2, 4.8)
    axes = figure.add_subplot()
    xs = [-2.3 + 4.6 * i / 400 for i in range(401)]
    axes.plot(xs, [quartic(x) for x in xs], color="black", linewidth=1.6, label="f(x) = x⁴ − 3x² + x")
    for (start, iterates), colour in zip(runs, _common.CLASS_COLOURS):
        for step in iterates[:-1]:                               # the model at x_k: f + f'·t + ½f''·t²
            x, value, slope, curvature = step["x"], step["f"], step["slope"], step["curvature"]
            ts = [-0.7 + 1.4 * i / 60 for i in range(61)]
            axes.plot([x + t for t in ts], [value + slope * t + 0.5 * curvature * t * t for t in ts],
                      color=colour, linewidth=0.9, linestyle="--", alpha=0.8)
        axes.plot([s["x"] for s in iterates], [s["f"] for s in iterates], "o-", color=colour, markersize=4,
                  linewidth=0.8, label=f"Newton from x₀ = {start:g} → {iterates[-1]['x']:.4f} "
                                       f"({len(iterates) - 1} steps)")
    axes.set_ylim(-5.0, 8.0)
    axes.set_xlim(-2.3, 2.3)
    axes.set_xlabel("x")
    axes.set_ylabel("f(x)")
    axes.set_title("Newton's method, x ← x − f'(x)/f''(x), with f'' from grad(grad(f))\n"
                   "dashed: the local quadratic model at each iterate")
    axes.grid(alpha=0.3)
    axes.legend(loc="upper center", fontsize=8)
    return _common.save_figure(figure, path)


def plot_2d(path, iterates):
    """Rosenbrock's valley as contours and Newton's path to (1, 1)."""
    import math
    figure = _common.new_figure(6.0, 4.8)
    axes = figure.add_subplot()
    xs = [-2.0 + 4.0 * i / 200 for i in range(201)]
    ys = [-3.5 + 5.5 * j / 200 for j in range(201)]
    levels = [math.log10(1e-3 + rosenbrock(x, y)) for y in ys for x in xs]
    grid = [levels[j * len(xs):(j + 1) * len(xs)] for j in range(len(ys))]
    axes.contour(xs, ys, grid, levels=18, cmap="viridis", linewidths=0.7)
    axes.plot([s["point"][0] for s in iterates], [s["point"][1] for s in iterates], "o-", color="#D55E00",
              markersize=4, label=f"Newton from {ROSENBROCK_START} ({len(iterates) - 1} steps)")
    axes.plot([1.0], [1.0], "*", color="black", markersize=10, label="minimum (1, 1)")
    axes.set_xlabel("x")
    axes.set_ylabel("y")
    axes.set_title("Rosenbrock: point ← point − H⁻¹∇f (contours of log f)")
    axes.legend(loc="lower left", fontsize=8)
    return _common.save_figure(figure, path)


def main(out_dir=None, quiet=False, starts=STARTS):
    """Run Newton's method from each start on x⁴ − 3x² + x and from (-1.2, 1) on Rosenbrock; plot both.

    Returns {"runs": [(x0, iterates)], "rosenbrock": iterates, "largest_curvature_error": float,
    "files": {name: path}}.
    """
    if not starts:
        raise ValueError("newton: give at least one start")
    folder = _common.output_folder(out_dir, "newton")
    runs = [(float(x0), newton_1d(quartic, x0)) for x0 in starts]
    valley = newton_2d(rosenbrock, ROSENBROCK_START)
    curvature_error = max(abs(step["curvature"] - quartic_curvature(step["x"])) for _, its in runs for step in its)
    files = {"newton_1d": plot_1d(folder / "newton_1d.png", runs),
             "newton_2d": plot_2d(folder / "newton_2d.png", valley)}
    if not quiet:
        for x0, iterates in runs:
            print(f"f(x) = x⁴ − 3x² + x from x₀ = {x0:g}:")
            print("   k             x           f(x)          f'(x)         f''(x)")
            for k, step in enumerate(iterates):
                print(f"  {k:2d}  {step['x']:12.8f}  {step['f']:13.8f}  {step['slope']:13.6e}  {step['curvature']:13.6f}")
            kind = "minimum" if iterates[-1]["curvature"] > 0 else "maximum"
            print(f"  stationary point x = {iterates[-1]['x']:.10f}, a local {kind} (f'' = "
                  f"{iterates[-1]['curvature']:.4f})\n")
        print(f"f'' from grad of grad vs 12x² − 6 by hand: largest difference {curvature_error:.2e}\n")
        print(f"Rosenbrock from {ROSENBROCK_START}:")
        for k, step in enumerate(valley):
            x, y = step["point"]
            print(f"  {k:2d}  ({x: .8f}, {y: .8f})  f = {step['f']:.3e}")
        for path in files.values():
            print(f"  wrote {path}")
    return {"runs": runs, "rosenbrock": valley, "largest_curvature_error": curvature_error, "files": files}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m demos.newton", description=__doc__.splitlines()[0])
    parser.add_argument("--start", type=float, nargs="+", default=list(STARTS), metavar="X0",
                        help="starting points for the 1-D run (default %(default)s)")
    parser.add_argument("--out", default=str(_common.default_out_dir("newton")), metavar="DIR",
                        help="folder for the plots (default %(default)s)")
    parser.add_argument("--quiet", action="store_true", help="print nothing")
    arguments = parser.parse_args()
    main(out_dir=arguments.out, quiet=arguments.quiet, starts=arguments.start)
