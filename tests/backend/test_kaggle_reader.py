"""Reading Kaggle Statoil/C-CORE files as downloaded: streamed, validated, with clear errors."""

from __future__ import annotations

import json
import tracemalloc

import numpy as np
import pytest

from icesight_backend.sar.readers import SarFormatError
from icesight_backend.sar.readers.kaggle import iter_kaggle_records


def _records(n: int, labelled: bool = True) -> list[dict]:
    rng = np.random.default_rng(0)
    out = []
    for i in range(n):
        record = {
            "id": f"{i:08x}",
            "band_1": [float(v) for v in rng.normal(-20, 3, 5625).round(4)],
            "band_2": [float(v) for v in rng.normal(-27, 3, 5625).round(4)],
            "inc_angle": "na" if i % 7 == 0 else round(float(rng.uniform(30, 45)), 4),
        }
        if labelled:
            record["is_iceberg"] = i % 2
        out.append(record)
    return out


def test_reads_train_and_test_files_with_na_angles(tmp_path):
    records = _records(30)
    path = tmp_path / "train.json"
    path.write_text(json.dumps(records))  # the downloaded files have no newlines or indentation
    read = list(iter_kaggle_records(path))
    assert [r.id for r in read] == [r["id"] for r in records]
    assert read[0].inc_angle == "na" and read[0].inc_angle_deg is None
    assert read[1].band_2 == records[1]["band_2"] and read[1].is_iceberg == 1
    test_path = tmp_path / "test.json"
    test_path.write_text(json.dumps(_records(5, labelled=False), indent=1))
    assert [r.is_iceberg for r in iter_kaggle_records(test_path)] == [None] * 5


def _peak_bytes_reading(path) -> tuple[int, int]:
    tracemalloc.start()
    count = sum(1 for _ in iter_kaggle_records(path))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return count, peak


def test_streams_without_holding_the_file(tmp_path):
    small, large = tmp_path / "small.json", tmp_path / "large.json"
    small.write_text(json.dumps(_records(150)))  # about 17 MB of JSON text
    large.write_text(json.dumps(_records(450)))  # about 50 MB
    count_small, peak_small = _peak_bytes_reading(small)
    count_large, peak_large = _peak_bytes_reading(large)
    assert (count_small, count_large) == (150, 450)
    # Memory is bounded by the read buffer and one record, not the file: three times the
    # records, far less than three times the peak (measured about 1.7x, buffer alignment).
    assert peak_large < 2.0 * peak_small, (peak_small, peak_large)
    assert peak_large < large.stat().st_size / 4


@pytest.mark.parametrize(
    ("mutate", "words"),
    [
        (lambda text: text[: len(text) // 2], "truncated"),
        (lambda text: '{"id": 1}', "JSON array"),
        (lambda text: text.replace('"band_1": [', '"band_1": [1e9, ', 1), "record 0"),
        (lambda text: text.replace("}, {", "} {", 1), "expected ','"),
    ],
)
def test_bad_files_get_clear_errors(tmp_path, mutate, words):
    path = tmp_path / "train.json"
    path.write_text(mutate(json.dumps(_records(3))))
    with pytest.raises(SarFormatError, match=words):
        list(iter_kaggle_records(path))
