"""The benchmark suite: scene design, metrics, CSV, committed results and the quick run.

Everything here is fast except the quick suite (``python -m defocus_teach.benchmark --quick``,
about 30-40 s on two cores), which runs once per session in a subprocess.
"""

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

from defocus_teach import benchmark
from defocus_teach.benchmark import (
    COLUMNS,
    METHODS,
    PEERS,
    QUICK_METHODS,
    SCENES,
    evaluate,
    load_results,
    make_scene,
    paired_differences,
    per_layer,
    read_csv,
    run_method,
    summarize,
    summary_markdown,
    write_csv,
)
from defocus_teach.blind import BlindResult

ROOT = Path(__file__).resolve().parent.parent
COMMITTED_CSV = ROOT / "benchmarks" / "results" / "quality.csv"
#: Tolerances of "the quick run reproduces the committed rows": float noise passes, a real
#: change of the solver does not.
TOLERANCE = {
    "psnr": 0.05,
    "ssim": 0.002,
    "kernel_error": 0.01,
    "iou": 0.01,
    "map_error": 0.02,
    "layers_found": 0,
}


def test_suite_covers_every_value_of_the_issue():
    assert 12 <= len(SCENES) <= 18
    assert len({s.name for s in SCENES}) == len(SCENES)
    assert {"camera", "astronaut", "coffee"} <= {s.image for s in SCENES}
    assert {s.family for s in SCENES} == {"disk", "pupil"}
    radii = {r for s in SCENES for r in s.radii}
    assert set(range(3, 10)) <= radii and min(radii) == 3 and max(radii) == 9
    assert {s.noise for s in SCENES} == {0.002, 0.005, 0.01}
    assert {abs(s.seg_error) for s in SCENES} == {0, 3, 6}
    assert {s.n_defocused for s in SCENES} == {1, 2}
    assert {s.colour for s in SCENES} == {True, False}
    assert {s.colour for s in SCENES if s.quick} == {True, False}
    assert len({s.seed for s in SCENES}) == len(SCENES)


@pytest.fixture(scope="module")
def two_layer():
    return make_scene(SCENES[0])


@pytest.fixture(scope="module")
def three_layer():
    return make_scene(next(s for s in SCENES if s.n_defocused == 2 and s.seg_error > 0))


def test_make_scene_is_deterministic(two_layer):
    again = make_scene(SCENES[0])
    np.testing.assert_array_equal(again.blurred, two_layer.blurred)
    np.testing.assert_array_equal(again.masks, two_layer.masks)


@pytest.mark.parametrize("which", ["two_layer", "three_layer"])
def test_true_and_given_masks_partition_the_image(which, request):
    scene = request.getfixturevalue(which)
    assert len(scene.true_masks) == scene.spec.n_defocused + 1 == len(scene.true_kernels)
    for masks in (scene.true_masks, scene.masks):
        np.testing.assert_array_equal(np.sum(masks, axis=0), 1)
    assert scene.true_kernels[0].shape == (1, 1)
    # layer 1 is the sharpest defocused layer: its kernel has the smallest radius
    assert scene.true_kernels[1].size <= scene.true_kernels[-1].size


def test_segmentation_error_grows_layer_one_by_its_pixels(three_layer):
    pixels = three_layer.spec.seg_error
    true, given = three_layer.true_masks[1], three_layer.masks[1]
    assert given.sum() > true.sum() and np.all(given[true])  # a dilation
    from scipy import ndimage as ndi

    distance = ndi.distance_transform_edt(~true)  # distance to the true layer
    assert distance[given].max() <= pixels
    assert distance[given].max() >= pixels - 1


def test_evaluate_gives_exact_psnr_for_a_known_error(two_layer):
    sharp = two_layer.sharp
    shifted = np.where(sharp > 0.5, sharp - 0.1, sharp + 0.1)  # |error| = 0.1, inside [0, 1]
    metrics = evaluate(two_layer, shifted, two_layer.true_kernels[1:])
    for key in ("psnr", "defocused_psnr", "layer1_psnr", "band_psnr"):
        assert metrics[key] == pytest.approx(20.0)
    assert math.isnan(metrics["layer2_psnr"]) and math.isnan(metrics["kernel_error2"])
    assert metrics["kernel_error1"] == 0.0
    assert 0.0 < metrics["band_ssim"] < 1.0


def test_evaluate_scores_only_the_true_defocused_layer(two_layer):
    estimate = two_layer.sharp.copy()
    estimate[two_layer.true_masks[0]] = 0.0  # ruin the in-focus layer only
    metrics = evaluate(two_layer, estimate)
    assert metrics["defocused_psnr"] == math.inf and metrics["psnr"] < 20
    assert math.isnan(metrics["kernel_error1"])


def test_per_layer_pastes_each_layer_and_keeps_layer_zero(three_layer):
    f = three_layer.blurred
    calls = []

    def constant(image, mask, channel_axis=None):
        calls.append(mask)
        value = 0.2 * len(calls)
        return BlindResult(np.full_like(image, value), np.ones((1, 1)), np.zeros_like(image))

    output, found = per_layer(constant, f, three_layer.masks, channel_axis=None)
    assert len(calls) == 2 and len(found) == 2
    np.testing.assert_array_equal(output[three_layer.masks[0]], f[three_layer.masks[0]])
    np.testing.assert_array_equal(output[three_layer.masks[1]], 0.2)
    np.testing.assert_array_equal(output[three_layer.masks[2]], 0.4)


def _row(method, scene, psnr):
    row = {column: (math.nan if kind is float else kind()) for column, kind in COLUMNS.items()}
    row.update(method=method, scene=scene, psnr=psnr, defocused_psnr=psnr, band_psnr=psnr)
    return row


def test_csv_round_trip_keeps_types_and_nan(tmp_path):
    rows = [_row("full", "s1", 25.1234567), _row("input", "s1", 21.0)]
    rows[0].update(quick=True, colour=True, seg_error=-3, kernel_error1=0.25)
    back = read_csv(write_csv(rows, tmp_path / "rows.csv"))
    assert back[0]["psnr"] == 25.123457 and back[0]["quick"] is True
    assert back[0]["seg_error"] == -3 and back[0]["kernel_error1"] == 0.25
    assert math.isnan(back[1]["kernel_error1"]) and back[1]["quick"] is False


def test_summaries_pair_scenes_and_pick_the_worst():
    rows = [_row("full", "a", 25.0), _row("input", "a", 20.0)]
    rows += [_row("full", "b", 22.0), _row("input", "b", 21.5)]
    assert summarize(rows, "psnr")["full"] == (23.5, 22.0, "b")
    np.testing.assert_allclose(paired_differences(rows, "psnr")["input"], [5.0, 0.5])
    text = summary_markdown(rows)
    assert "| full | " in text and "| input | +2.75 / +0.50 |" in text


@pytest.fixture(scope="module")
def committed():
    if not COMMITTED_CSV.exists():
        pytest.fail(f"{COMMITTED_CSV} is missing: run `python benchmarks/quality.py`")
    return read_csv(COMMITTED_CSV)


def test_committed_csv_has_one_row_per_scene_and_method(committed):
    keys = [(row["scene"], row["method"]) for row in committed]
    assert len(keys) == len(set(keys))
    # the optional peers are in METHODS only where their library is installed (not in CI),
    # but the committed results hold their rows on every scene
    core = [m for m in METHODS if m not in PEERS]
    assert {k for k in keys if k[1] not in PEERS} == {(s.name, m) for s in SCENES for m in core}
    for peer in PEERS:
        assert {s for s, m in keys if m == peer} == {s.name for s in SCENES}, peer
    quick = {s.name: s.quick for s in SCENES}
    assert all(row["quick"] == quick[row["scene"]] for row in committed)


def test_packaged_copy_equals_the_committed_csv():
    assert benchmark.PACKAGED_CSV.read_bytes() == COMMITTED_CSV.read_bytes()
    assert load_results(benchmark.PACKAGED_CSV) == read_csv(COMMITTED_CSV)


def test_summary_figure_has_three_panels(committed):
    fig = benchmark.summary_figure(committed)
    assert isinstance(fig, Figure) and len(fig.axes) == 3


@pytest.fixture(scope="module")
def quick_rows(tmp_path_factory):
    """Run ``python -m defocus_teach.benchmark --quick`` once (30-40 s on two cores)."""
    folder = tmp_path_factory.mktemp("quick")
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(variable, "1")  # see benchmarks/quality.py
    command = [sys.executable, "-m", "defocus_teach.benchmark", "--quick", "--quiet"]
    subprocess.run([*command, "--output", str(folder)], cwd=ROOT, env=env, check=True)
    assert {p.name for p in folder.iterdir()} == {"quality.csv", "quality.md", "quality.png"}
    return read_csv(folder / "quality.csv")


def test_quick_suite_runs_every_quick_method_on_every_quick_scene(quick_rows):
    keys = {(row["scene"], row["method"]) for row in quick_rows}
    expected = {(s.name, m) for s in SCENES if s.quick for m in QUICK_METHODS}
    assert keys == expected and len(quick_rows) == len(expected)


def test_full_method_beats_input_and_gaussian_on_the_quick_suite(quick_rows):
    means = {method: mean for method, (mean, _, _) in summarize(quick_rows, "psnr").items()}
    assert means["full"] > means["input"] + 1.0
    assert means["full"] > means["gaussian"] + 1.0
    assert means["oracle"] > means["full"]


def test_quick_rows_reproduce_the_committed_rows(quick_rows, committed):
    table = {(row["scene"], row["method"]): row for row in committed}
    for row in quick_rows:
        old = table[row["scene"], row["method"]]
        assert old["quick"]
        for column in COLUMNS:
            kind = next((k for k in TOLERANCE if k in column), None)
            if kind is None:
                if column != "seconds":
                    assert row[column] == old[column], column
                continue
            new_value, old_value = row[column], old[column]
            if math.isnan(old_value):
                assert math.isnan(new_value), (row["scene"], row["method"], column)
            else:
                assert new_value == pytest.approx(old_value, abs=TOLERANCE[kind]), (
                    row["scene"],
                    row["method"],
                    column,
                )


def test_update_replaces_only_the_methods_run(tmp_path):
    """--update keeps the other methods' rows and replaces those of the methods run."""
    from defocus_teach.benchmark.cli import main
    from defocus_teach.benchmark.results import read_csv

    name = SCENES[0].name
    common = ["--scenes", name, "--output", str(tmp_path), "--quiet"]
    assert main([*common, "--methods", "input", "oracle"]) == 0
    first = {row["method"]: row for row in read_csv(tmp_path / "quality.csv")}
    assert main([*common, "--methods", "oracle", "--update"]) == 0
    rows = read_csv(tmp_path / "quality.csv")
    assert sorted(row["method"] for row in rows) == ["input", "oracle"]
    kept = next(row for row in rows if row["method"] == "input")
    assert kept == first["input"]
    assert main([*common, "--methods", "input", "--update"]) == 0  # a replaced row keeps its place
    assert [row["method"] for row in read_csv(tmp_path / "quality.csv")] == ["input", "oracle"]
    with pytest.raises(SystemExit):
        main(["--scenes", name, "--output", str(tmp_path / "none"), "--update", "--quiet"])


def test_segmentation_scores_of_a_shrunk_mask_are_its_overlap():
    from defocus_teach.benchmark.metrics import segmentation_scores, true_radius_map

    scene = make_scene(SCENES[0])
    truth = ~scene.true_masks[0]
    shrunk = truth & (np.cumsum(truth, axis=1) > 10)  # drop 10 defocused px per row
    scores = segmentation_scores(scene, [~shrunk, shrunk], true_radius_map(scene) + 0.5)
    assert scores["iou"] == pytest.approx(shrunk.sum() / truth.sum())
    assert scores["layers_found"] == 2 and scores["map_error"] == pytest.approx(0.5)
    empty = segmentation_scores(scene, [np.ones_like(truth), np.zeros_like(truth)], None)
    assert empty["iou"] == 0.0 and empty["layers_found"] == 1 and math.isnan(empty["map_error"])


def test_full_auto_is_scored_on_its_own_layers():
    scene = make_scene(SCENES[0])
    row = run_method("full_auto", scene)
    assert row["layers_found"] >= 1 and 0.0 <= row["iou"] <= 1.0
    assert row["map_error"] >= 0.0
    given = run_method("input", scene)
    assert math.isnan(given["iou"]) and math.isnan(given["layers_found"])


def test_the_holdout_scenes_are_seeded_valid_and_not_the_suite():
    from defocus_teach.benchmark import SCENES, holdout_scenes, make_scene

    specs = holdout_scenes()
    assert specs == holdout_scenes()  # seeded
    assert len({s.name for s in specs}) == len(specs) == 16
    assert not {s.seed for s in specs} & {s.seed for s in SCENES}
    assert {s.n_defocused for s in specs} == {1, 2}
    scene = make_scene(specs[2])  # the crop lies inside its source image
    assert scene.blurred.shape[:2] == (192, 192) and len(scene.true_masks) == 3


def test_the_holdout_table_has_one_cell_per_column_and_counts_the_losses():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "benchmarks" / "holdout.py"
    spec = importlib.util.spec_from_file_location("holdout", path)
    holdout = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(holdout)
    base = {"psnr": 20.0, "infocus_psnr": 40.0, "band_psnr": 22.0}
    rows = []
    for name, change, found in [("a", 1.0, 2), ("b", -0.5, 3)]:
        rows.append({"scene": name, "method": "input", **base})
        auto = {k: v + change for k, v in base.items()}
        rows.append({"scene": name, "method": "full_auto", **auto, "layers_found": found,
                     "defocused_layers": 1, "iou": 0.9})  # fmt: skip
    lines = holdout.table(rows).splitlines()
    assert all(line.count("|") == 7 for line in lines[:4])
    assert lines[3] == "| b | -0.50 | -0.50 | -0.50 | 3 (2) | 0.90 |"
    assert "+0.25 dB, smallest -0.50 dB; 1 of 2 scenes below" in lines[-1]
    assert "right number of layers on 1 of 2" in lines[-1]
