"""The seed derivations, number for number: each text's backprop formulas beside the engine's gradients.

The project grew from four derivations of backpropagation (Wikipedia's delta rule, Dolhansky's paths
and error signals, a layer-notation minibatch derivation, drummyfish's 2-2-2 network). For each example
network in them, this builds the network from Values in the text's own notation, runs backward(), and
prints one row per quantity: name | formula from the text | its value (plain floats) | engine .grad | ✓.
One formula is printed wrongly in seed 003; its row shows that it differs, as it should.

    python -m demos.derivations [--all] [--out DIR]
"""
import argparse
import pathlib

from demos.seed_networks import NETWORKS, SEED_DOCUMENTS

HEADER = ("quantity", "formula (the seed's notation)", "formula value", "engine .grad", "match")


def status(check):
    """'✓' for a formula that matches the engine, '≠ …' for an erratum that differs as expected, else MISMATCH.

    >>> from demos.seed_networks import Check
    >>> status(Check("x", "f", 1.0, "n", engine_value=1.0)), status(Check("x", "f", 1.0, "n", engine_value=2.0))
    ('✓', '✗ MISMATCH')
    """
    if not check.as_expected:
        return "✗ MISMATCH"
    return "✓" if check.matches else "≠ erratum, differs as expected"


def table(checks):
    """The checks as aligned text rows under a header, one per quantity.

    >>> from demos.seed_networks import Check
    >>> print("\\n".join(table([Check("∂E/∂w", "x δ", 0.5, "w", engine_value=0.5)])))
      quantity  formula (the seed's notation)    formula value     engine .grad  match
      ────────  ─────────────────────────────  ───────────────  ───────────────  ─────
      ∂E/∂w     x δ                            +0.500000000000  +0.500000000000  ✓
    """
    rows = [(c.name, c.formula, f"{c.formula_value:+.12f}", f"{c.engine_value:+.12f}", status(c)) for c in checks]
    widths = [max(len(row[k]) for row in [HEADER] + rows) for k in range(len(HEADER))]
    rule = tuple("─" * width for width in widths)

    def line(row):
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1]), row[2].rjust(widths[2]),
                 row[3].rjust(widths[3]), row[4]]
        return ("  " + "  ".join(cells)).rstrip()

    return [line(HEADER), line(rule)] + [line(row) for row in rows]


def report(networks=NETWORKS, show_all=False):
    """(the report's lines, every check run): each seed document, its networks, their tables and notes.

    Intermediate quantities are listed only when `show_all`, or when one of them does not match.
    >>> lines, checks = report()
    >>> sum(check.as_expected for check in checks) == len(checks)
    True
    """
    lines, every_check, current_seed = [], [], None
    for network in networks:
        if network.seed != current_seed:
            current_seed = network.seed
            lines += ["", f"Seed {network.seed}: {SEED_DOCUMENTS[network.seed]}"]
        example = network.run()
        every_check += example.checks
        shown = [c for c in example.checks if show_all or not c.detail or not c.as_expected]
        hidden = len(example.checks) - len(shown)
        lines += ["", f" {network.title}"] + [f"  {text}" for text in network.intro]
        lines += table(shown)
        if hidden:
            lines.append(f"  (+ {hidden} intermediate quantities, all ✓; --all lists them)")
        lines += [f"  {note}" for note in example.notes]
    return lines, every_check


def summary(checks):
    """How many formulas match the engine, how many errata differ, and any mismatch."""
    matched = sum(c.matches and c.expect_match for c in checks)
    errata = sum(not c.matches and not c.expect_match for c in checks)
    expected = sum(c.expect_match for c in checks)
    mismatches = [c.name for c in checks if not c.as_expected]
    text = (f"{matched} of {expected} formulas match the engine's gradients (closed forms to 1e-12 relative,\n"
            f"central differences to 1e-9); {errata} formula as printed in a seed differs (erratum, expected).")
    if mismatches:
        text += f" MISMATCH in: {', '.join(mismatches)}"
    return text


def main(out_dir=None, show_all=False, quiet=False):
    """Print every seed network's formulas beside the engine's gradients; also write them to
    `out_dir`/derivations.txt when `out_dir` is given.

    Returns {"checks", "matched", "errata", "mismatches", "text", "files"}.
    """
    lines, checks = report(show_all=show_all)
    lines = ["Backprop in the seed documents, formula by formula, against the engine (autograd.Value)."] + lines
    lines += ["", summary(checks)]
    text = "\n".join(lines) + "\n"
    files = {}
    if out_dir is not None:
        folder = pathlib.Path(out_dir)
        folder.mkdir(parents=True, exist_ok=True)
        files["report"] = folder / "derivations.txt"
        files["report"].write_text(text, encoding="utf-8")
    if not quiet:
        print(text, end="")
    return {"checks": len(checks),
            "matched": sum(c.matches and c.expect_match for c in checks),
            "errata": sum(not c.matches and not c.expect_match for c in checks),
            "mismatches": [c.name for c in checks if not c.as_expected],
            "text": text, "files": files}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m demos.derivations", description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", dest="show_all",
                        help="also list the intermediate quantities (∂E/∂o_j, ∂E/∂Z^l_ic, ...)")
    parser.add_argument("--out", default=None, metavar="DIR",
                        help="also write the report to DIR/derivations.txt (default: print only)")
    arguments = parser.parse_args()
    results = main(out_dir=arguments.out, show_all=arguments.show_all)
    raise SystemExit(1 if results["mismatches"] else 0)
