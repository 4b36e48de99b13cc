"""Shipped tables and their provenance (private; see ``capabilities`` and ``unga``).

The capability panel and the UNGA alignment table are both shipped as CSVs in
``_files/`` with their provenance in one section each of the YAML front matter of
``_files/CAPABILITIES.md``. A rebuild never writes there: it writes the CSV atomically
(to the user data folder or a path given) and then its provenance to
``<out>.provenance.yaml``.
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

from .._yaml import load_yaml_text

FILES = resources.files("trilateral.data") / "_files"
PROVENANCE_FILE = "CAPABILITIES.md"
_PACKAGE = Path(str(resources.files("trilateral")))


def shipped_path(name: str) -> Path:
    """The shipped file ``name`` as a filesystem path (to read it)."""
    return Path(str(FILES / name))


def refuse_package_path(target: str | Path) -> None:
    """Raise :class:`~trilateral.errors.ConfigError` when ``target`` lies inside the
    installed package: no command ever writes there (issue 21)."""
    from ..errors import ConfigError

    resolved = Path(target).resolve()
    if resolved.is_relative_to(_PACKAGE.resolve()):
        raise ConfigError(
            f"{target}: inside the installed package; trilateral never writes there",
            hint="leave --out out (the user data folder, $TRILATERAL_DATA_DIR) or give a "
            "path outside the package",
        )


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
    meta = load_yaml_text(text[4:end], source=PROVENANCE_FILE) or {}
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


def write_with_provenance(target: Path, data: bytes, prov: dict[str, Any]) -> None:
    """Write ``data`` to ``target`` atomically, then ``prov`` to
    ``<target>.provenance.yaml``. Refuses a ``target`` inside the installed package
    (the shipped files are rebuilt by hand, see ``_files/CAPABILITIES.md``).
    """
    refuse_package_path(target)
    atomic_write(target, data)
    atomic_write(
        target.with_suffix(".provenance.yaml"),
        yaml.safe_dump(prov, sort_keys=False, allow_unicode=True).encode(),
    )
