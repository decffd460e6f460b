"""`python -m benchmarks.profiling {user_code,nn_step,chain}`: cProfile our side of one workload, top functions."""
import argparse
import cProfile
import pstats

import nn
from autograd import Value

from . import chain, usercode, workloads
from .data import copy_weights_into, initial_weights, moons
from .usercode import LEARNING_RATE


def profile_target(name, steps=5):
    """A no-argument function running `steps` repetitions of our implementation of the named workload."""
    points, labels = moons(100)
    weights = initial_weights()
    if name == "user_code":
        def run():
            for _ in range(steps):
                usercode.training_step(Value, usercode.make_mlp(Value, weights), points, labels)
        return run
    if name == "nn_step":
        model = workloads.our_nn_model(nn, weights)
        optimizer = nn.SGD(model.parameters(), lr=LEARNING_RATE)

        def run():
            for _ in range(steps):
                copy_weights_into(model, weights)
                workloads.nn_training_step(nn, model, optimizer, points, labels)
        return run
    if name == "chain":
        return lambda: [chain.time_build_and_backward(Value, "y = y * w", 200_000) for _ in range(steps)]
    raise ValueError(f"unknown workload {name!r}; choose user_code, nn_step or chain")


def main(argv=None):
    """Profile the chosen workload and print the functions that take the most time."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profiling", description=__doc__.split(":", 1)[1])
    parser.add_argument("workload", choices=["user_code", "nn_step", "chain"])
    parser.add_argument("--steps", type=int, default=5, help="repetitions inside the profile (default 5)")
    parser.add_argument("--sort", default="tottime", help="pstats sort key (default tottime)")
    parser.add_argument("--limit", type=int, default=20, help="how many functions to print (default 20)")
    args = parser.parse_args(argv)
    run = profile_target(args.workload, args.steps)
    profiler = cProfile.Profile()
    profiler.runcall(run)
    pstats.Stats(profiler).strip_dirs().sort_stats(args.sort).print_stats(args.limit)


if __name__ == "__main__":
    main()
