"""The book's HTML tables and glued numbers (defocus_teach.viz.Table, glue, viz.benchmark)."""

import math

import numpy as np
import pytest

from defocus_teach import benchmark, viz
from defocus_teach.viz import benchmark as figures


def test_table_html_escapes_cells_and_stacks_tuples():
    table = viz.Table(["a<b", "value"], [["x & y", ("1.0", "0.5")]], caption="c")
    html = table._repr_html_()
    assert '<th class="dt-text">a&lt;b</th>' in html  # words: left-aligned
    assert '<td class="dt-text">x &amp; y</td>' in html
    assert '<td>1.0<br><span class="dt-sub">0.5</span></td>' in html  # numbers: right
    assert "<caption>c</caption>" in html and 'class="dt-table"' in html


def test_table_headers_may_wrap_after_underscores():
    assert "<th>no_<wbr>symmetry</th>" in viz.Table(["no_symmetry"], [["1.0"]])._repr_html_()


def test_table_text_lines_up_columns():
    text = repr(viz.Table(["name", "n"], [["long name", "1"], ["x", "22"]]))
    assert text.splitlines() == ["name       n", "long name  1", "x          22"]


def test_table_rejects_rows_of_the_wrong_length():
    with pytest.raises(ValueError, match="2 cells"):
        viz.Table(["a", "b"], [["only one"]])


def test_glue_stores_plain_python_numbers_and_prints_nothing():
    from defocus_teach.viz._common import plain_value

    value = plain_value(np.float64(0.25))
    assert value == 0.25 and type(value) is float
    assert plain_value(np.int64(3)) == 3 and type(plain_value(np.int64(3))) is int
    assert viz.glue("test_value", np.float64(0.25)) is None  # a cell ending in glue shows nothing


@pytest.fixture(scope="module")
def rows():
    return benchmark.load_results()


def test_benchmark_tables_have_one_row_per_method_and_scene(rows):
    methods = {row["method"] for row in rows}
    scenes = {row["scene"] for row in rows}
    assert len(figures.method_table(rows).rows) == len(methods)
    assert len(figures.paired_table(rows).rows) == len(methods) - 1
    assert len(figures.scene_table(rows).rows) == len(scenes)
    first = figures.group_table(rows).rows[0]
    assert first[:2] == ["all scenes", str(len(scenes))]


def test_claims_table_agrees_with_the_paired_differences(rows):
    table = figures.claims_table(rows, {"no_low_rank": "low rank helps"})
    d = benchmark.paired_differences(rows)["no_low_rank"]
    claim, oracle = table.rows
    assert claim[2] == f"{d.mean():+.2f}" and claim[-1] == figures.claim_verdict(d)
    assert oracle[1] == "oracle"
    assert sum(int(n) for n in claim[6].split(" / ")) == d.size
    low, high = benchmark.paired_interval(d)
    assert claim[3] == f"[{low:+.2f}, {high:+.2f}]" and low < d.mean() < high


def test_paired_interval_is_the_t_interval_and_covers_its_mean():
    rng = np.random.default_rng(3)
    covered = 0
    for _ in range(400):  # 95% intervals of samples of 12 from N(1, 2^2) cover 1 ~95% of the time
        low, high = benchmark.paired_interval(rng.normal(1.0, 2.0, 12))
        covered += low <= 1.0 <= high
    assert 0.92 <= covered / 400 <= 0.98
    assert np.isnan(benchmark.paired_interval([1.0])[0])


def test_claim_verdict_follows_the_rule_of_the_chapter():
    tie = figures.TIE_DB
    assert figures.claim_verdict(np.array([tie / 2, -tie / 2])) == "no effect"
    assert figures.claim_verdict(np.array([1.0, -tie / 2])) == "supported"
    assert figures.claim_verdict(np.array([1.0, -2 * tie])) == "mixed"
    assert figures.claim_verdict(np.array([-1.0, 0.5])) == "contradicted"


def test_method_table_cells_are_mean_and_worst(rows):
    table = figures.method_table(rows)
    full = next(row for row in table.rows if row[0] == "full")
    mean, worst = full[2]  # PSNR on the defocused layers
    values = [r["defocused_psnr"] for r in rows if r["method"] == "full"]
    assert math.isclose(float(mean), np.mean(values), abs_tol=0.005)
    assert math.isclose(float(worst), min(values), abs_tol=0.005)


def test_automatic_table_has_one_row_per_scene_with_gains_over_the_input():
    base = {"defocused_layers": 1, "psnr": 20.0, "infocus_psnr": 40.0, "band_psnr": 22.0}
    rows = []
    for scene, gain in (("a", 1.0), ("b", -0.25)):
        rows.append(dict(base, scene=scene, method="input"))
        rows.append(
            dict(base, scene=scene, method="full_auto", psnr=20.0 + gain, infocus_psnr=40.0,
                 band_psnr=22.0, layers_found=2.0, iou=0.8, map_error=float("nan"))
        )  # fmt: skip
    table = figures.automatic_table(rows)
    assert [r[0] for r in table.rows] == ["a", "b"]
    assert [r[4] for r in table.rows] == ["+1.00", "-0.25"] and table.rows[0][3] == ""
