"""``benchmarks/speed.py --photos``: the table built from measured records, and its section.

Fake records only: nothing here times or runs the solver.
"""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "speed.py"


@pytest.fixture(scope="module")
def speed():
    spec = importlib.util.spec_from_file_location("speed_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _ok(seconds, peak):
    return {"status": "ok", "seconds": seconds, "peak_mib": peak, "before_mib": 150.0}


def _record(megapixels, run, rl):
    shape = (round(np.sqrt(megapixels * 1e6 / 1.5)), round(1.5 * np.sqrt(megapixels * 1e6 / 1.5)))
    return {"megapixels": megapixels, "shape": (*shape, 3), "radius": 6.0,
            "all_in_focus": run, "richardson_lucy": rl}  # fmt: skip


def _rows(table):
    lines = table.splitlines()
    assert lines[1].startswith("|---")
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]


def test_table_has_one_row_per_record_with_ratio_target_and_verdict(speed):
    records = [
        _record(0.3, _ok(40.0, 300.0), _ok(2.0, 200.0)),
        _record(1.0, _ok(50.0, 700.0), _ok(5.0, 250.0)),  # 10 x RL, 700 MiB: met
        _record(4.0, _ok(900.0, 2100.0), _ok(20.0, 600.0)),  # 2100 MiB > 2 GiB: not met
    ]
    rows = _rows(speed.photo_table(records))
    assert len(rows) == 3
    first, second, third = rows
    assert first[:7] == ["0.3 MP", "671 x 447", "40.0", "300", "2.0", "200", "20.0"]
    assert first[7:] == ["", ""]  # no target at 0.3 MP
    assert second[6:] == ["10.0", "<= 20 x RL, peak <= 800 MiB", "yes"]
    assert third[7:] == ["completes, peak <= 2 GiB", "no"]


def test_too_slow_against_richardson_lucy_misses_the_1_mp_target(speed):
    rows = _rows(speed.photo_table([_record(1.0, _ok(300.0, 500.0), _ok(10.0, 250.0))]))
    assert rows[0][6] == "30.0" and rows[0][8] == "no"


def test_a_case_that_did_not_finish_or_failed_shows_its_reason(speed):
    late = {"status": "timeout", "reason": "did not finish in 10800 s"}
    killed = {"status": "failed", "reason": "killed by SIGKILL (out of memory?)"}
    rows = _rows(
        speed.photo_table(
            [_record(4.0, late, _ok(20.0, 600.0)), _record(12.0, killed, _ok(60.0, 1500.0))]
        )
    )
    assert rows[0][2:4] == ["did not finish in 10800 s", ""]
    assert rows[0][4] == "20.0" and rows[0][6] == "" and rows[0][8] == "no"
    assert rows[1][2] == "killed by SIGKILL (out of memory?)"
    assert rows[1][7:] == ["completes, peak <= 4 GiB", "no"]


def test_photo_shape_is_3_by_2_of_the_pixel_count(speed):
    for megapixels in speed.PHOTO_SIZES:
        height, width, channels = speed.photo_shape(megapixels)
        assert channels == 3 and abs(width / height - 1.5) < 0.01
        assert height * width == pytest.approx(megapixels * 1e6, rel=0.01)


def test_synthetic_photo_is_seeded_8_bit_colour(speed):
    photo = speed.synthetic_photo(0.05, seed=3)
    assert photo.dtype == np.uint8 and photo.shape == speed.photo_shape(0.05)
    np.testing.assert_array_equal(photo, speed.synthetic_photo(0.05, seed=3))
    assert not np.array_equal(photo, speed.synthetic_photo(0.05, seed=4))


def test_sections_replace_only_their_own_part_of_the_file(speed, tmp_path):
    path = tmp_path / "speed.md"
    speed.write_section(path, "solver", "solver tables v1")
    speed.write_section(path, "photos", "photo table v1")
    speed.write_section(path, "solver", "solver tables v2")
    text = path.read_text()
    assert text.startswith("# Speed\n")
    assert "solver tables v2" in text and "v1" not in text.replace("photo table v1", "")
    assert "photo table v1" in text
    assert text.index("solver tables v2") < text.index("photo table v1")  # kept in place
    speed.write_section(path, "photos", "photo table v2")
    assert path.read_text().count("<!-- begin photos -->") == 1
    assert "photo table v2" in path.read_text() and "solver tables v2" in path.read_text()
