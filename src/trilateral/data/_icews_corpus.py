"""The shipped ICEWS triad corpus: which files, where they come from, how they are built.

Three published ICEWS files in the knowledge-graph text layout (``subject<TAB>relation
<TAB>object<TAB>YYYY-MM-DD``; see ``shared/data/SOURCES.md``) are cut down to their
*triad rows*: rows whose subject and object both resolve, through
:class:`~trilateral.data.actors.ActorResolver` on the row's date, to two different
countries of the default triad (USA, RUS, CHN). The rows are kept verbatim and in their
order, gzip-compressed without a timestamp, so the shipped file is a function of the
source file and the actor tables alone: :func:`build_icews_corpus` rebuilds it and a test
checks the rebuild equals what ships. Provenance: ``ICEWS_CORPUS.md`` beside the files.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import IO

from ..config import DEFAULT_COUNTRIES
from ..errors import ReaderError
from .actors import ActorResolver, Term

__all__ = [
    "ICEWS_CORPUS",
    "IcewsCorpusFile",
    "build_icews_corpus",
    "icews_corpus_text",
    "shipped_icews_paths",
    "triad_lines",
]

_FILES = resources.files("trilateral.data") / "_files"


@dataclass(frozen=True, slots=True)
class IcewsCorpusFile:
    """One shipped triad file and the published file it is cut from.

    ``source`` is the path under ``shared/data`` (SOURCES.md describes it).
    """

    name: str
    file: str
    source: str
    description: str


#: The three shipped files, in the order :func:`shipped_icews_paths` returns them.
ICEWS_CORPUS: tuple[IcewsCorpusFile, ...] = (
    IcewsCorpusFile(
        name="icews05-15_triad",
        file="icews05-15_triad.txt.gz",
        source="icews/icews05-15/all.txt.gz",
        description="ICEWS05-15 (García-Durán et al. 2018), 2005-2015, triad rows",
    ),
    IcewsCorpusFile(
        name="icews18_train_triad",
        file="icews18_train_triad.txt.gz",
        source="icews/icews18_train/train.txt.gz",
        description="ICEWS18 training split (RE-Net, Jin et al. 2020), "
        "2018-01-01 to 2018-08-28, triad rows",
    ),
    IcewsCorpusFile(
        name="icews18_valid_triad",
        file="icews18_valid_triad.txt.gz",
        source="icews/icews18_tkg_valid/valid.txt",
        description="ICEWS18 validation split (TLogic release), "
        "2018-08-29 to 2018-09-27, triad rows",
    ),
)


def shipped_icews_paths() -> tuple[Path, ...]:
    """The shipped ICEWS triad files (ICEWS05-15, ICEWS18 train, ICEWS18 valid).

    Each is in the ICEWS knowledge-graph text layout, gzip-compressed: ingest them with
    ``EventStore.ingest(path)`` (``format="icews_tkg"`` or auto-detected).

    Examples
    --------
    >>> [p.name for p in shipped_icews_paths()]
    ['icews05-15_triad.txt.gz', 'icews18_train_triad.txt.gz', 'icews18_valid_triad.txt.gz']
    >>> all(p.is_file() for p in shipped_icews_paths())
    True
    """
    return tuple(Path(str(_FILES / f.file)) for f in ICEWS_CORPUS)


def _open_text(path: Path) -> IO[str]:
    with path.open("rb") as raw:
        gz = raw.read(2) == b"\x1f\x8b"
    if gz:
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return path.open(encoding="utf-8", newline="")


def triad_lines(
    path: str | Path,
    actors: ActorResolver | None = None,
    countries: tuple[str, ...] = DEFAULT_COUNTRIES,
) -> Iterator[str]:
    """The lines (with their line break) of a knowledge-graph file whose subject and object
    resolve, on the row's date, to two different countries among ``countries``.

    Raises :class:`~trilateral.errors.ReaderError` (file and line) for a line that does
    not have four tab-separated fields or a ``YYYY-MM-DD`` date.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "kg.txt"
    >>> _ = p.write_text("Russia\\tConsult\\tChina\\t2018-01-02\\n"
    ...                  "Russia\\tConsult\\tEuropean_Union\\t2018-01-02\\n")
    >>> list(triad_lines(p))
    ['Russia\\tConsult\\tChina\\t2018-01-02\\n']
    """
    path = Path(path)
    actors = actors or ActorResolver.load()
    wanted = frozenset(countries)
    dates: dict[str, dt.date] = {}
    matches: dict[str, str | tuple[Term, ...] | None] = {}

    def side(name: str, on: dt.date) -> str | None:
        try:
            m = matches[name]
        except KeyError:
            m = matches[name] = actors.match(name)
        return Term.pick(m, on)

    with _open_text(path) as fh:
        for n, line in enumerate(fh, start=1):
            fields = line.rstrip("\r\n").split("\t")
            if len(fields) != 4:
                raise ReaderError(
                    path, n, None, f"expected 4 tab-separated fields, found {len(fields)}"
                )
            subj, _rel, obj, day = (f.strip() for f in fields)
            on = dates.get(day)
            if on is None:
                try:
                    on = dates[day] = dt.date.fromisoformat(day)
                except ValueError:
                    raise ReaderError(path, n, "date", f"not a YYYY-MM-DD date: {day!r}") from None
            a = side(subj, on)
            if a is None or a not in wanted:
                continue
            b = side(obj, on)
            if b is not None and b in wanted and b != a:
                yield line if line.endswith("\n") else line + "\n"


def icews_corpus_text(shared: str | Path, entry: IcewsCorpusFile) -> str:
    """The text of one shipped file, rebuilt from ``shared`` (the ``shared/data`` folder)."""
    return "".join(triad_lines(Path(shared) / entry.source))


def _gzip(text: str) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        gz.write(text.encode("utf-8"))
    return buf.getvalue()


def build_icews_corpus(shared: str | Path, out: str | Path) -> tuple[Path, ...]:
    """Write the three triad files into ``out`` (atomically), rebuilt from ``shared``.

    Returns the paths written. Used to refresh the shipped files after the actor tables
    change (``out`` = ``src/trilateral/data/_files``).
    """
    from ._provenance import atomic_write

    out = Path(out)
    written = []
    for entry in ICEWS_CORPUS:
        target = out / entry.file
        atomic_write(target, _gzip(icews_corpus_text(shared, entry)))
        written.append(target)
    return tuple(written)


def sha256_text(text: str) -> str:
    """SHA-256 of a text's UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
