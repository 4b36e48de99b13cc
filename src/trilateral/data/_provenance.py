"""Shipped tables and their provenance (private; see ``capabilities`` and ``unga``).

The capability panel and the UNGA alignment table are both shipped as CSVs in
``_files/`` with their provenance in one section each of the YAML front matter of
``_files/CAPABILITIES.md``; both are rebuilt by writing the CSV atomically and then the
provenance (to that front matter for the shipped file, else to
``<out>.provenance.yaml``).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import yaml

FILES = resources.files("trilateral.data") / "_files"
PROVENANCE_FILE = "CAPABILITIES.md"


def shipped_path(name: str) -> Path:
    """The shipped file ``name`` as a filesystem path (to write it)."""
    return Path(str(FILES / name))


def sha256(path: Path | Any) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def file_date(path: Path) -> str:
    """The file's modification date (UTC, ISO format): when the source was taken."""
    return dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC).date().isoformat()


def atomic_write(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` all or nothing: a temporary file in the same folder,
    flushed to disk, then renamed over ``path``. A crash leaves the old file or none.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     atomic_write(Path(d) / "x.txt", b"hello")
    ...     (Path(d) / "x.txt").read_bytes()
    b'hello'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; a data file is world-readable
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_shipped_csv(name: str, schema: pa.Schema) -> pa.Table:
    """The shipped CSV ``name`` with ``schema``'s column types (empty strings stay strings)."""
    convert = pacsv.ConvertOptions(
        column_types={f.name: f.type for f in schema}, strings_can_be_null=False
    )
    with (FILES / name).open("rb") as fh:
        table = pacsv.read_csv(fh, convert_options=convert)
    return table.select(schema.names).cast(schema)


def csv_bytes(table: pa.Table) -> bytes:
    """The table as CSV: its columns in order, floats as ``repr`` (exact), nulls empty.

    (``csv`` writes None as an empty field.)
    """
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(table.column_names)
    for r in table.to_pylist():
        w.writerow([repr(v) if isinstance(v, float) else v for v in r.values()])
    return buf.getvalue().encode("utf-8")


def _split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    if not text.startswith("---\n"):
        return {}, text
    end = text.index("\n---\n", 4)
    meta = yaml.safe_load(text[4:end]) or {}
    return meta, text[end + 5 :]


def shipped_provenance(section: str, dataset: str) -> dict[str, Any]:
    """``dataset``, its ``sha256`` (computed now) and the rest of its provenance section."""
    doc = (FILES / PROVENANCE_FILE).read_text(encoding="utf-8")
    meta = _split_front_matter(doc)[0].get(section, {})
    return {
        "dataset": dataset,
        "sha256": sha256(FILES / dataset),
        **{k: v for k, v in meta.items() if k not in ("dataset", "sha256")},
    }


def _write_provenance_section(doc: Path, section: str, value: dict[str, Any]) -> None:
    text = doc.read_text(encoding="utf-8") if doc.exists() else ""
    meta, body = _split_front_matter(text)
    meta[section] = value
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=100)
    atomic_write(doc, f"---\n{front}---\n{body}".encode())


def write_with_provenance(
    target: Path, data: bytes, section: str, prov: dict[str, Any], *, shipped: bool
) -> None:
    """Write ``data`` to ``target`` atomically, then ``prov``.

    ``prov`` goes to ``section`` of the front matter of the ``CAPABILITIES.md`` next to
    ``target`` when ``shipped``, else to ``<target>.provenance.yaml``.
    """
    atomic_write(target, data)
    if shipped:
        _write_provenance_section(target.parent / PROVENANCE_FILE, section, prov)
    else:
        atomic_write(
            target.with_suffix(".provenance.yaml"),
            yaml.safe_dump(prov, sort_keys=False, allow_unicode=True).encode(),
        )
