"""Fuzzing the GDELT readers: any input gives valid batches or a ReaderError, nothing else."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trilateral.data.readers._gdelt import GDELT1Reader, GDELT2Reader
from trilateral.data.schema import EVENT_SCHEMA
from trilateral.errors import ReaderError

# below the shared data folder (the `shared_data` fixture)
GD = Path("gdelt")
SAMPLE16 = GD / "gdelt1_sample_2016" / "events_20160728_sample.tsv"
EXPORT_2018 = GD / "gdelt2_raw_exports" / "20180326044500.export.CSV"
GEORGIA = GD / "gdelt1_georgia_2011_2012" / "aug2012.csv"

READERS = {"gdelt1": GDELT1Reader, "gdelt2": GDELT2Reader}
#: Words of the messages that may come without a line: problems of the whole file.
WHOLE_FILE = (
    "empty", "binary", "zip", "decompress", "cannot read the file", "no rows", "runs across lines",
)  # fmt: skip

SETTINGS = settings(
    max_examples=int(os.environ.get("TRILATERAL_FUZZ_EXAMPLES", "120")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _check(path: Path, fmt: str, on_error: str, batch_rows: int = 65_536) -> None:
    reader = READERS[fmt](path, on_error=on_error, batch_rows=batch_rows)  # type: ignore[arg-type]
    try:
        n_events = n_rejects = 0
        for batch in reader:
            assert batch.events.schema.equals(EVENT_SCHEMA)
            batch.events.validate(full=True)
            n_events += batch.events.num_rows
            for r in batch.rejects:
                assert isinstance(r.line, int) and r.line >= 1
                n_rejects += 1
        assert reader.rows_read == n_events + n_rejects
        assert reader.rows_rejected == n_rejects
    except ReaderError as exc:
        if exc.line is None:
            assert any(w in exc.reason for w in WHOLE_FILE), exc
        else:
            assert exc.line >= 1


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz_gdelt")


@SETTINGS
@given(data=st.binary(max_size=3000), fmt=st.sampled_from(["gdelt1", "gdelt2"]))
def test_any_bytes(workdir: Path, data: bytes, fmt: str) -> None:
    p = workdir / "any.bin"
    p.write_bytes(data)
    _check(p, fmt, "skip")


def _real_lines(path: Path, n: int) -> list[bytes]:
    return path.read_bytes().split(b"\n")[:n]


@pytest.fixture(scope="module")
def bases(shared_data: Path) -> dict[str, list[bytes]]:
    """Real lines the mutations start from."""
    sample16 = shared_data / SAMPLE16
    return {
        "gdelt1": _real_lines(sample16, 12) + _real_lines(sample16, 520)[508:516],
        "gdelt2": _real_lines(shared_data / EXPORT_2018, 20),
        "georgia": _real_lines(shared_data / GEORGIA, 20),
    }


@st.composite
def mutated(draw: st.DrawFn, bases: dict[str, list[bytes]]) -> tuple[str, bytes]:
    base = draw(st.sampled_from(sorted(bases)))
    lines = list(bases[base])
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        line = lines[i]
        op = draw(st.sampled_from(["drop_sep", "add_sep", "bytes", "truncate", "newline", "dup"]))
        sep = b"," if base == "georgia" else b"\t"
        pos = draw(st.integers(0, max(len(line) - 1, 0)))
        if op == "drop_sep" and sep in line:
            k = line.index(sep, min(pos, line.rindex(sep)))
            line = line[:k] + line[k + 1 :]
        elif op == "add_sep":
            line = line[:pos] + sep + line[pos:]
        elif op == "bytes":
            junk = draw(st.binary(min_size=1, max_size=6))
            line = line[:pos] + junk + line[pos + len(junk) :]
        elif op == "truncate":
            line = line[:pos]
        elif op == "newline":
            line = line[:pos] + b"\n" + line[pos:]
        elif op == "dup":
            lines.insert(i, line)
        lines[i] = line
    data = b"\n".join(lines)
    if draw(st.booleans()):
        data = data.rstrip(b"\n")  # also: a file ending without a newline
    fmt = "gdelt2" if base == "gdelt2" else "gdelt1"
    return fmt, data


@SETTINGS
@given(draw=st.data(), on_error=st.sampled_from(["fail", "skip"]), small=st.booleans())
def test_mutated_real_lines(
    workdir: Path, bases: dict[str, list[bytes]], draw: st.DataObject, on_error: str, small: bool
) -> None:
    fmt, data = draw.draw(mutated(bases))
    p = workdir / "mutated.tsv"
    p.write_bytes(data)
    _check(p, fmt, on_error, batch_rows=8 if small else 65_536)


@SETTINGS
@given(draw=st.data())
def test_rejects_point_at_their_own_line(
    workdir: Path, bases: dict[str, list[bytes]], draw: st.DataObject
) -> None:
    """A reject's value is found on the physical line it names."""
    fmt, data = draw.draw(mutated(bases))
    p = workdir / "numbers.tsv"
    p.write_bytes(data)
    try:
        _, rejects = READERS[fmt](p, on_error="skip", batch_rows=8).read_all()
    except ReaderError:
        return
    if b"\r" in data:  # a lone CR also ends a line for the CSV parser
        return
    physical = data.split(b"\n")
    for r in rejects:
        assert r.line is not None and 1 <= r.line <= len(physical)
        if r.value:
            value, line = r.value.removesuffix("…"), physical[r.line - 1].decode("utf-8")
            assert value in line or value.replace('"', '""') in line, r  # CSV unquoting
