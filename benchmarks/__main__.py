"""`python -m benchmarks [--quick] [--repeats N] [--json PATH]`: run every workload and print the tables."""
import argparse
import json
import sys

from . import report as report_module
from . import suite


def parse_args(argv=None):
    """The command line: repetitions, quick mode, JSON output, which sections, gc off."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Run every benchmark workload side by side; print medians, ratios and the targets.")
    parser.add_argument("--repeats", type=int, help=f"timed repetitions per workload (default "
                                                    f"{suite.DEFAULTS['repeats']}, quick {suite.QUICK['repeats']})")
    parser.add_argument("--chain-repeats", type=int, help="repetitions of the chain timings (default 3, quick 1)")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and smaller sizes (under ~30 s)")
    parser.add_argument("--json", metavar="PATH", help="also save every raw number and the machine as JSON")
    parser.add_argument("--only", nargs="+", choices=suite.SECTIONS, help="run only these sections")
    parser.add_argument("--disable-gc", action="store_true",
                        help="turn the cyclic garbage collector off while timing (to see its share)")
    return parser.parse_args(argv)


def main(argv=None):
    """Run the suite, print the report, optionally save JSON; exit status 1 if implementations disagree."""
    args = parse_args(argv)
    try:
        config = suite.settings(quick=args.quick, repeats=args.repeats, chain_repeats=args.chain_repeats,
                                only=args.only, disable_gc=args.disable_gc or None)
    except ValueError as error:
        sys.exit(f"python -m benchmarks: {error}")
    results = suite.run(config, progress=lambda message: print(message, file=sys.stderr, flush=True))
    print("\n".join(report_module.render(results)))
    results["targets"] = [{"status": s, "target": t, "measured": m} for s, t, m in report_module.targets(results)]
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(results, out, indent=1)
        print(f"raw numbers saved to {args.json}")
    problems = report_module.disagreements(results)
    if problems:
        print("ERROR: implementations disagree, so their timings are not comparable: " + "; ".join(problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
