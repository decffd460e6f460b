"""The four seed derivations, number for number: each text's gradient formulas against the engine's backward()."""
import dataclasses
import math
import random
import subprocess
import pathlib
import sys

import pytest

from autograd import numerical_grad, topological_order
from demos import derivations, seed_networks
from demos.seed_networks import (DELTA_RULE, DRUMMYFISH, DRUMMYFISH_WEIGHTS, LAYER_NOTATION, MINIBATCH,
                                 MULTIPLE_OUTPUTS, NETWORKS, ONE_PATH)

ROOT = pathlib.Path(__file__).resolve().parent.parent
NETWORK_IDS = [f"{network.seed}-{network.title.split()[0]}" for network in NETWORKS]


def _unexpected(example):
    return [(c.name, c.formula, c.formula_value, c.engine_value) for c in example.checks if not c.as_expected]


def _random_point(network, trial):
    rng = random.Random(1000 * NETWORKS.index(network) + trial)
    return network.random_params(rng), network.make_data(rng)


def _float_error(network, params, data):
    return network.forward(params, data)[0]


# ---- every seed network: formulas, finite differences, PyTorch ---------------------------------------
@pytest.mark.parametrize("network", NETWORKS, ids=NETWORK_IDS)
def test_every_formula_in_the_text_matches_the_engine_at_the_default_numbers(network):
    """Each closed form from the seed, evaluated with floats, equals the engine's .grad (errata differ)."""
    example = network.run()
    assert example.checks, "no checks"
    assert _unexpected(example) == []


@pytest.mark.parametrize("trial", range(3))
@pytest.mark.parametrize("network", NETWORKS, ids=NETWORK_IDS)
def test_every_formula_in_the_text_matches_the_engine_at_random_numbers(network, trial):
    """The same agreement holds at random weights and data, not only at the illustrative ones."""
    params, data = _random_point(network, trial)
    assert _unexpected(network.run(params, data)) == []


@pytest.mark.parametrize("network", NETWORKS, ids=NETWORK_IDS)
def test_forward_pass_on_values_equals_the_same_pass_on_floats(network):
    """Every labelled node's .data equals the float computation the formulas use."""
    example = network.run()
    _, floats = network.forward(network.params, network.data)
    for label, number in floats.items():
        assert math.isclose(example.nodes[label].data, number, rel_tol=1e-15, abs_tol=1e-300), label


@pytest.mark.parametrize("network", NETWORKS, ids=NETWORK_IDS)
def test_every_weight_gradient_matches_central_differences(network):
    """The engine's gradient of E for every weight agrees with (E(w + h) − E(w − h)) / 2h."""
    params, data = _random_point(network, trial=7)
    example = network.run(params, data)
    names = list(params)
    numeric = numerical_grad(lambda *ws: _float_error(network, dict(zip(names, ws)), data),
                             [params[n] for n in names])
    for name, slope in zip(names, numeric):
        assert math.isclose(example.nodes[name].grad, slope, rel_tol=1e-6, abs_tol=1e-9), name


@pytest.mark.parametrize("network", NETWORKS, ids=NETWORK_IDS)
def test_every_weight_gradient_matches_pytorch_float64(network):
    """The same forward pass on float64 tensors, differentiated by torch.autograd, gives the same gradients."""
    torch = pytest.importorskip("torch")
    params, data = _random_point(network, trial=11)
    example = network.run(params, data)
    tensors = {n: torch.tensor(w, dtype=torch.float64, requires_grad=True) for n, w in params.items()}
    error, _ = network.forward(tensors, data)
    grads = torch.autograd.grad(error, list(tensors.values()))
    assert math.isclose(example.error.data, error.item(), rel_tol=1e-12)
    for name, g in zip(tensors, grads):
        assert math.isclose(example.nodes[name].grad, g.item(), rel_tol=1e-10, abs_tol=1e-14), name


def test_every_check_points_at_a_node_and_every_weight_is_checked():
    """Each network checks the gradient of every one of its weights, against a node the network has."""
    for network in NETWORKS:
        example = network.run()
        checked = {c.node for c in example.checks}
        assert checked <= set(example.nodes), network.title
        assert set(network.params) <= checked, network.title


# ---- seed 000: the delta rule ------------------------------------------------------------------------------
def test_delta_rule_network_has_an_inner_neuron_feeding_two_neurons():
    """Neurons 3 and 4 each feed both 5 and 6, so their δ sums over two later neurons (Eq. 5)."""
    example = DELTA_RULE.run()
    for j in (3, 4):
        feeds = [l for l in (5, 6, 7) if example.nodes[f"o_{j}"] in topological_order(example.nodes[f"net_{l}"])]
        assert feeds == [5, 6, 7]                 # 5 and 6 directly, 7 through them
        formula = next(c.formula for c in example.checks if c.name.startswith(f"δ_{j}"))
        assert f"w_{j}5 δ_5 + w_{j}6 δ_6" in formula


def test_delta_rule_step_is_minus_eta_times_the_engine_gradient():
    """Δw_ij = −η o_i δ_j, computed from the formulas, is −η times the engine's ∂E/∂w_ij."""
    learning_rate = 0.3
    example = DELTA_RULE.run()
    new, _, _ = seed_networks.delta_rule_step(DELTA_RULE.params, DELTA_RULE.data, learning_rate)
    for name, w in DELTA_RULE.params.items():
        assert math.isclose(new[name] - w, -learning_rate * example.nodes[name].grad, rel_tol=1e-12), name


def test_delta_rule_step_lowers_the_error_by_eta_times_the_squared_gradient():
    """For a small η, E(w + Δw) − E(w) ≈ −η Σ (∂E/∂w)², as the text's argument for the sign says."""
    learning_rate = 1e-4
    example = DELTA_RULE.run()
    _, before, after = seed_networks.delta_rule_step(DELTA_RULE.params, DELTA_RULE.data, learning_rate)
    predicted = -learning_rate * sum(example.nodes[name].grad ** 2 for name in DELTA_RULE.params)
    assert after < before
    assert math.isclose(after - before, predicted, rel_tol=1e-3)


# ---- seed 001: Dolhansky ---------------------------------------------------------------------------------
def test_one_path_gradients_written_out_equal_the_error_signal_forms():
    """The three hand-derived ∂E/∂w and the δ recursion (δ_o z_k, δ_k z_j, δ_j x) give the same numbers."""
    by_name = {c.name: c.formula_value for c in ONE_PATH.run().checks}
    for weight in ("w3", "w2", "w1"):
        written_out = next(v for name, v in by_name.items() if name.startswith(f"∂E/∂{weight} ") and "by δ" not in name)
        assert math.isclose(written_out, by_name[f"∂E/∂{weight} by δ"], rel_tol=1e-12)


def test_multiple_outputs_error_signal_of_i_sums_the_two_paths():
    """δ_i from the engine equals the sum of what reaches i through j alone and through k alone."""
    example = MULTIPLE_OUTPUTS.run()
    through = {}
    for kept, cut in (("w_j→o", "w_k→o"), ("w_k→o", "w_j→o")):   # silence one path by its output weight
        params = dict(MULTIPLE_OUTPUTS.params, **{cut: 0.0})
        single = MULTIPLE_OUTPUTS.run(params)
        # with the other output weight zero, ŷ and so δ_o change; rescale to the full network's δ_o
        through[kept] = single.nodes["s_i"].grad / single.nodes["ŷ"].grad * example.nodes["ŷ"].grad
    assert math.isclose(example.nodes["s_i"].grad, sum(through.values()), rel_tol=1e-12)


def test_minibatch_gradient_is_the_mean_of_the_per_sample_gradients():
    """∂E/∂w of the mean error equals (1/N) Σ_n of each sample's own backward() through a one-sample graph."""
    example = MINIBATCH.run()
    per_sample = [ONE_PATH.run(MINIBATCH.params, sample) for sample in MINIBATCH.data]
    for name in MINIBATCH.params:
        mean = sum(single.nodes[name].grad for single in per_sample) / len(per_sample)
        assert math.isclose(example.nodes[name].grad, mean, rel_tol=1e-12), name


# ---- seed 002: layer notation ------------------------------------------------------------------------------
@pytest.mark.parametrize("m", [3, 4])
def test_layer_notation_every_intermediate_derivative_matches(m):
    """∂E/∂A^l_ic, ∂E/∂Z^l_ic, ∂E/∂W^l_ij, ∂E/∂b^l_i from the text's formulas equal the engine's, for m samples."""
    rng = random.Random(m)
    params, data = LAYER_NOTATION.random_params(rng), seed_networks.layer_notation_data(rng, m)
    example = LAYER_NOTATION.run(params, data)
    grads = seed_networks.layer_notation_backward(params, data)
    n = seed_networks.LAYER_SIZES
    expected_labels = ({f"A^{l}_{i}{c}" for l in (1, 2) for i in range(1, n[l] + 1) for c in range(1, m + 1)}
                       | {f"Z^{l}_{i}{c}" for l in (1, 2) for i in range(1, n[l] + 1) for c in range(1, m + 1)}
                       | set(params))
    assert set(grads) == expected_labels
    for label, value in grads.items():
        assert math.isclose(example.nodes[label].grad, value, rel_tol=1e-12, abs_tol=1e-14), label
    assert _unexpected(example) == []


def test_layer_notation_matches_the_matrix_form_in_pytorch():
    """The scalar network equals the seed's matrices: A^l = g^l(W^l A^(l−1) + b^l 1ᵀ), E = ‖A^L − Y‖² / 2m."""
    torch = pytest.importorskip("torch")
    params, (inputs, targets) = LAYER_NOTATION.params, LAYER_NOTATION.data
    n, m = seed_networks.LAYER_SIZES, len(inputs[0])
    example = LAYER_NOTATION.run()
    W = {l: torch.tensor([[params[f"W^{l}_{i}{j}"] for j in range(1, n[l - 1] + 1)] for i in range(1, n[l] + 1)],
                         dtype=torch.float64, requires_grad=True) for l in (1, 2)}
    b = {l: torch.tensor([params[f"b^{l}_{i}"] for i in range(1, n[l] + 1)], dtype=torch.float64, requires_grad=True)
         for l in (1, 2)}
    A0 = torch.tensor(inputs, dtype=torch.float64)
    A1 = torch.tanh(W[1] @ A0 + b[1][:, None])
    A2 = torch.sigmoid(W[2] @ A1 + b[2][:, None])
    error = ((A2 - torch.tensor(targets, dtype=torch.float64)) ** 2).sum() / (2 * m)
    error.backward()
    assert math.isclose(example.error.data, error.item(), rel_tol=1e-12)
    for l in (1, 2):
        for i in range(1, n[l] + 1):
            assert math.isclose(example.nodes[f"b^{l}_{i}"].grad, b[l].grad[i - 1].item(), rel_tol=1e-10)
            for j in range(1, n[l - 1] + 1):
                assert math.isclose(example.nodes[f"W^{l}_{i}{j}"].grad, W[l].grad[i - 1, j - 1].item(),
                                    rel_tol=1e-10, abs_tol=1e-14)


# ---- seed 003: drummyfish, and the erratum in 'w100 ----------------------------------------------------------
def test_drummyfish_weight_names_read_as_layer_from_to():
    """w<l><a><b> goes from neuron a of layer l to neuron b of the next: z0s = w100 y0 + w110 y1, as printed."""
    params, data = DRUMMYFISH.params, DRUMMYFISH.data
    _, v = seed_networks.drummyfish_error(params, data)
    assert math.isclose(v["z0s"], params["w100"] * v["y0"] + params["w110"] * v["y1"], rel_tol=1e-15)
    assert math.isclose(v["y0s"], params["w000"] * data[0][0] + params["w010"] * data[0][1], rel_tol=1e-15)
    for name, unaffected in (("w101", "z0"), ("w111", "z0"), ("w100", "z1"), ("w001", "y0"), ("w010", "y1")):
        _, nudged = seed_networks.drummyfish_error(dict(params, **{name: params[name] + 0.5}), data)
        assert nudged[unaffected] == v[unaffected], name


@pytest.mark.parametrize("trial", range(5))
def test_drummyfish_corrected_w100_matches_and_the_printed_one_does_not(trial):
    """(z0 − z0_desired) z0 (1 − z0) y0 is the engine's 'w100; the seed's printed formula is not."""
    params, data = _random_point(DRUMMYFISH, trial)
    engine = DRUMMYFISH.run(params, data).nodes["w100"].grad
    assert math.isclose(seed_networks.drummyfish_corrected_w100(params, data), engine, rel_tol=1e-12)
    assert not math.isclose(seed_networks.drummyfish_literal_w100(params, data), engine, rel_tol=1e-3)


def test_drummyfish_printed_w100_has_two_slips():
    """Fixing only the sign, or only where the logistic's derivative is taken, still leaves it wrong."""
    params, data = DRUMMYFISH.params, DRUMMYFISH.data
    _, v = seed_networks.drummyfish_error(params, data)
    engine = DRUMMYFISH.run().nodes["w100"].grad
    z0, z0s, y0, desired = v["z0"], v["z0s"], v["y0"], data[1][0]
    sign_fixed = (z0 - desired) * (z0s * (1 - z0s)) * y0
    derivative_fixed = (desired - z0) * (z0 * (1 - z0)) * y0
    assert not math.isclose(sign_fixed, engine, rel_tol=1e-3)
    assert not math.isclose(derivative_fixed, engine, rel_tol=1e-3)
    assert math.isclose(derivative_fixed, -engine, rel_tol=1e-12)       # the sign alone is then the slip


def test_drummyfish_eight_gradients_match_the_numerical_alternative():
    """The seed's 'estimate each derivative numerically' agrees with backprop for all 8 weights."""
    example = DRUMMYFISH.run()
    numeric = [c for c in example.checks if c.formula.startswith("(E(")]
    assert sorted(c.node for c in numeric) == sorted(DRUMMYFISH_WEIGHTS)
    assert all(c.matches for c in numeric)


# ---- bad input -----------------------------------------------------------------------------------------------
def test_run_rejects_missing_unknown_or_non_numeric_parameters_and_leaves_them_alone():
    """A clear error names the parameter; the caller's dict is not changed."""
    missing = {"w1": 1.0, "w2": 2.0}
    with pytest.raises(ValueError, match="missing parameter.*w3"):
        ONE_PATH.run(missing)
    assert missing == {"w1": 1.0, "w2": 2.0}
    with pytest.raises(ValueError, match="unknown parameter.*w4"):
        ONE_PATH.run({"w1": 1.0, "w2": 2.0, "w3": 3.0, "w4": 4.0})
    with pytest.raises(TypeError, match="w2 must be a number, got '2'"):
        ONE_PATH.run({"w1": 1.0, "w2": "2", "w3": 3.0})
    with pytest.raises(ValueError, match="w2 must be finite, got nan"):
        ONE_PATH.run({"w1": 1.0, "w2": math.nan, "w3": 3.0})
    with pytest.raises(TypeError, match="params must be a dict"):
        ONE_PATH.run([1.0, 2.0, 3.0])


def test_bad_data_shapes_are_named():
    """Mismatched sample columns in seed 002 and an empty minibatch are refused with a clear message."""
    with pytest.raises(ValueError, match="same number m"):
        LAYER_NOTATION.run(data=([[0.1, 0.2], [0.3]], [[0.5, 0.5], [0.5, 0.5]]))
    with pytest.raises(ValueError, match="A\\^0 needs 2 rows"):
        LAYER_NOTATION.run(data=([[0.1, 0.2]], [[0.5, 0.5], [0.5, 0.5]]))
    with pytest.raises(ValueError, match="at least one"):
        MINIBATCH.run(data=[])


# ---- the demo ----------------------------------------------------------------------------------------------
def test_demo_prints_every_formula_matching_and_no_mismatch(capsys):
    """main() prints a ✓ row per shown formula, the erratum row, and a summary with no mismatch."""
    results = derivations.main()
    out = capsys.readouterr().out
    assert out == results["text"]
    assert results["mismatches"] == [] and "MISMATCH" not in out
    assert results["errata"] == 1 and "≠ erratum" in out and "(z0_desired − z0) * (z0s * (1 − z0s)) * y0" in out
    assert results["matched"] == results["checks"] - results["errata"]
    assert f"{results['matched']} of {results['matched']} formulas match" in out
    for seed in ("000", "001", "002", "003"):
        assert f"Seed {seed}:" in out
    shown = sum(line.endswith("✓") for line in out.splitlines())
    hidden = sum(int(line.split("(+ ")[1].split()[0]) for line in out.splitlines() if "(+ " in line)
    assert shown + hidden == results["matched"]


def test_demo_with_all_lists_the_intermediate_quantities(capsys):
    """--all shows every check as a row, intermediates included."""
    results = derivations.main(show_all=True)
    out = capsys.readouterr().out
    assert "intermediate quantities" not in out
    assert "∂E/∂Z^1_11" in out and "∂E/∂o_3" in out and "∂E/∂s_j^(4)" in out
    assert sum(line.endswith("✓") for line in out.splitlines()) == results["matched"]


def test_demo_reports_a_wrong_formula_as_a_mismatch():
    """A formula off by 0.1% shows as MISMATCH, so the ✓ marks can fail."""
    def off_by_a_little(params, data):
        return [dataclasses.replace(c, formula_value=c.formula_value * 1.001)
                for c in ONE_PATH.closed_forms(params, data)]

    broken = dataclasses.replace(ONE_PATH, closed_forms=off_by_a_little)
    lines, checks = derivations.report([broken])
    assert sum("✗ MISMATCH" in line for line in lines) == len(checks)
    assert "MISMATCH in: " in derivations.summary(checks)


def test_demo_writes_the_report_to_out_dir(tmp_path):
    """With out_dir, the same text lands in out_dir/derivations.txt."""
    results = derivations.main(out_dir=tmp_path / "seeds", quiet=True)
    path = results["files"]["report"]
    assert path == tmp_path / "seeds" / "derivations.txt"
    assert path.read_text(encoding="utf-8") == results["text"]


def test_demo_runs_as_a_module_and_is_listed():
    """`python -m demos.derivations` exits 0 with the table; `python -m demos` lists it with its summary."""
    run = subprocess.run([sys.executable, "-m", "demos.derivations"], cwd=ROOT, capture_output=True, text=True,
                         encoding="utf-8", timeout=60)
    assert run.returncode == 0, run.stderr
    assert "✓" in run.stdout and "MISMATCH" not in run.stdout
    listing = subprocess.run([sys.executable, "-m", "demos"], cwd=ROOT, capture_output=True, text=True,
                             encoding="utf-8", timeout=60)
    assert "derivations" in listing.stdout and "number for number" in listing.stdout


