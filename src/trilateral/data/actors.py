"""Actor names → ISO3 country codes: countries, ``Sector (Country)`` forms, and people.

Event data name actors in text: ICEWS writes countries as names (``"Russian Federation"``),
the ICEWS18 knowledge-graph layout writes ``Foreign_Affairs_(Russia)`` or
``Vladimir_Putin``. :class:`ActorResolver` turns such a name into the ISO3 code of the
country the actor belongs to, from two shipped tables (``country_names.csv`` and
``leaders.csv`` in ``trilateral/data/_files``; provenance in ``ACTORS.md`` there) and,
optionally, a user's own CSV. A name it does not know resolves to ``None``: it is never
guessed.

A person resolves only for the dates one of their rows in ``leaders.csv`` covers
(``start``..``end``, both inclusive; an empty bound is open): pass the event's date as
``on``. ``Barack_Obama`` is a US actor from his Senate term (2005) on; the same name
in 2004 resolves to nothing. Countries and ``Sector (Country)`` forms resolve on any
date. Multilateral and non-state actors (the EU, NATO, the UN and its organs, parties,
militias, media) are never given a country: :func:`is_multilateral` names them so
coverage reports can say so.

Matching ignores case, accents, underscores and punctuation (``"Cote_d'Ivoire"`` and
``"Côte d’Ivoire"`` are the same name) and a leading "the". A person named with middle
names (``Sergey_Viktorovich_Lavrov``) also matches the first-and-last-name entry
(``Sergey Lavrov``) when the table has one.

Examples
--------
>>> from trilateral.data.actors import ActorResolver
>>> r = ActorResolver.load()
>>> r.resolve("Russian Federation"), r.resolve("Foreign_Affairs_(Russia)")
('RUS', 'RUS')
>>> r.resolve("Xi_Jinping"), r.resolve("United Nations") is None
('CHN', True)
>>> import datetime as dt
>>> r.resolve("Barack_Obama", on=dt.date(2010, 5, 1)), r.resolve("Barack_Obama", on=dt.date(2004, 5, 1))
('USA', None)
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..errors import ConfigError, ReaderError

__all__ = ["ActorResolver", "Term", "is_multilateral", "normalise_name"]

_FILES = resources.files("trilateral.data") / "_files"
_ISO3 = re.compile(r"^[A-Z]{3}$")
_SECTOR = re.compile(r"^(?P<sector>.*?)[\s_]*\((?P<inner>[^()]+)\)\s*$")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=65_536)
def normalise_name(name: str) -> str:
    """The matching key of a name: lower-case ASCII words separated by single spaces.

    Examples
    --------
    >>> normalise_name("Côte_d'Ivoire"), normalise_name("The Gambia")
    ('cote d ivoire', 'gambia')
    """
    s = unicodedata.normalize("NFKD", name)
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = _NON_ALNUM.sub(" ", s.casefold().replace("_", " ")).strip()
    if s.startswith("the "):
        s = s[4:]
    return s


@dataclass(frozen=True, slots=True)
class Term:
    """When a name stands for a country: ``start``..``end`` inclusive (None: open)."""

    iso3: str
    start: dt.date | None = None
    end: dt.date | None = None
    role: str = ""

    def covers(self, on: dt.date) -> bool:
        """Whether ``on`` falls inside the term."""
        return (self.start is None or self.start <= on) and (self.end is None or on <= self.end)

    @staticmethod
    def pick(match: str | tuple[Term, ...] | None, on: dt.date | None = None) -> str | None:
        """The ISO3 a :meth:`ActorResolver.match` result gives on the date ``on``.

        A code stands on any date; terms give their country when one covers ``on``
        (with ``on`` None, the first term's).

        Examples
        --------
        >>> import datetime as dt
        >>> t = (Term("USA", dt.date(2009, 1, 20), dt.date(2017, 1, 20)),)
        >>> Term.pick(t, dt.date(2017, 1, 20)), Term.pick(t, dt.date(2017, 1, 21))
        ('USA', None)
        """
        if match is None or isinstance(match, str):
            return match
        if on is None:
            return match[0].iso3 if match else None
        for t in match:
            if t.covers(on):
                return t.iso3
        return None


def _term_date(label: str, line: int, field_name: str, text: str) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ReaderError(
            label,
            line,
            field_name,
            f"not a YYYY-MM-DD date: {text!r}",
            hint="write dates as 2018-03-26, or leave the field empty for an open term",
        ) from None


def _read_table(label: str, text: str) -> dict[str, tuple[Term, ...]]:
    """Parse a ``name,iso3[,role,start,end]`` CSV into key → terms; ReaderError on a bad
    row (file, line, field)."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        raise ReaderError(label, None, None, "file is empty", hint="give a CSV with name,iso3")
    cols = [h.strip().lstrip("\ufeff").casefold() for h in header]
    if "name" not in cols or "iso3" not in cols:
        raise ReaderError(
            label,
            1,
            None,
            f"header must contain name and iso3 (found {header!r})",
            hint="columns: name,iso3 (leaders.csv adds role,start,end)",
        )
    i_name, i_iso = cols.index("name"), cols.index("iso3")
    i_role = cols.index("role") if "role" in cols else None
    i_start = cols.index("start") if "start" in cols else None
    i_end = cols.index("end") if "end" in cols else None
    out: dict[str, list[Term]] = {}
    for rec in reader:
        line = reader.line_num
        if not rec or not "".join(rec).strip():
            continue
        if len(rec) <= max(i_name, i_iso):
            raise ReaderError(
                label, line, None, f"expected at least {max(i_name, i_iso) + 1} fields"
            )
        name, iso = rec[i_name].strip(), rec[i_iso].strip().upper()
        if not name:
            raise ReaderError(label, line, "name", "empty name")
        if not _ISO3.match(iso):
            raise ReaderError(label, line, "iso3", f"not an ISO3 country code: {rec[i_iso]!r}")
        key = normalise_name(name)
        if not key:
            raise ReaderError(label, line, "name", f"name has no letters or digits: {name!r}")
        start = (
            _term_date(label, line, "start", rec[i_start])
            if i_start is not None and i_start < len(rec)
            else None
        )
        end = (
            _term_date(label, line, "end", rec[i_end])
            if i_end is not None and i_end < len(rec)
            else None
        )
        if start is not None and end is not None and end < start:
            raise ReaderError(label, line, "end", f"term ends ({end}) before it starts ({start})")
        role = rec[i_role].strip() if i_role is not None and i_role < len(rec) else ""
        known = out.setdefault(key, [])
        if known and known[0].iso3 != iso:
            raise ReaderError(
                label,
                line,
                "name",
                f"{name!r} is given as both {known[0].iso3} and {iso}",
                hint="a name must resolve to one country",
            )
        known.append(Term(iso, start, end, role))
    return {k: tuple(v) for k, v in out.items()}


@dataclass(frozen=True)
class ActorResolver:
    """Resolve country names, ``Sector (Country)`` actors and known people to ISO3.

    Build it with :meth:`load`. ``countries`` maps normalised names
    (:func:`normalise_name`) to ISO3 codes; ``people`` maps them to the :class:`Term`
    rows during which the person stands for a country.

    Examples
    --------
    >>> r = ActorResolver.load()
    >>> r.resolve("Occupied Palestinian Territory"), r.resolve("Citizen_(India)")
    ('PSE', 'IND')
    >>> r.resolve("Sergey_Viktorovich_Lavrov"), r.resolve("Unspecified_Actor") is None
    ('RUS', True)
    """

    countries: dict[str, str] = field(repr=False)
    people: dict[str, tuple[Term, ...]] = field(repr=False)
    sources: tuple[str, ...] = ()

    @classmethod
    def load(cls, extra: str | Path | None = None) -> ActorResolver:
        """The shipped tables, plus (overriding them) the user's CSV ``extra``.

        Parameters
        ----------
        extra : path, optional
            A UTF-8 CSV with at least the columns ``name`` and ``iso3``, optionally
            ``role``, ``start`` and ``end`` (``YYYY-MM-DD``; empty = open). Its names
            win over the shipped tables. A name with no dates on any of its rows also
            counts as a country name (``Africa,ZAF`` makes ``Media_(Africa)`` South
            African); a dated name is a person, resolved only within its terms.

        Examples
        --------
        >>> ActorResolver.load().resolve("United_States")
        'USA'
        """
        countries = _shipped_countries()
        people = _shipped_people()
        sources = ["country_names.csv (shipped)", "leaders.csv (shipped)"]
        if extra is not None:
            p = Path(extra)
            if not p.is_file():
                raise ConfigError(
                    f"actor table not found: {p}", hint="give a CSV with columns name,iso3"
                )
            try:
                text = p.read_text("utf-8")
            except UnicodeDecodeError as exc:
                raise ReaderError(
                    p,
                    None,
                    None,
                    f"not valid UTF-8 text ({exc.reason})",
                    hint="re-save the file as UTF-8",
                ) from None
            user = _read_table(str(p), text)
            undated = {
                k: terms[0].iso3
                for k, terms in user.items()
                if all(t.start is None and t.end is None for t in terms)
            }
            countries = {**countries, **undated}
            people = {**people, **user}
            sources.append(str(p))
        return cls(countries, people, tuple(sources))

    def country(self, name: str | None) -> str | None:
        """ISO3 of a country name (no people, no sector forms); None if unknown.

        Examples
        --------
        >>> ActorResolver.load().country("Moldova, Republic of")
        'MDA'
        """
        if not name:
            return None
        return self.countries.get(normalise_name(name))

    def terms(self, name: str | None) -> tuple[Term, ...]:
        """The terms of a known person; () if unknown.

        A name with middle names (``Dmitry_Anatolyevich_Medvedev``) takes the terms of its
        own rows and those of the first-and-last-name rows (``Dmitry Medvedev``).

        Examples
        --------
        >>> [(t.role, str(t.start)) for t in ActorResolver.load().terms("Sergey_Lavrov")]
        [('foreign_minister', '2004-03-09')]
        """
        if not name:
            return ()
        key = normalise_name(name)
        hit = self.people.get(key, ())
        parts = key.split(" ")
        if len(parts) >= 3:  # the first-and-last-name rows add their terms
            short = self.people.get(f"{parts[0]} {parts[-1]}", ())
            if not hit:
                hit = short
            elif short and short[0].iso3 == hit[0].iso3:
                hit = hit + tuple(t for t in short if t not in hit)
        return hit

    def person(self, name: str | None, on: dt.date | None = None) -> str | None:
        """ISO3 of a known person on the date ``on`` (any of their terms when None).

        Examples
        --------
        >>> import datetime as dt
        >>> r = ActorResolver.load()
        >>> r.person("Dmitry_Anatolyevich_Medvedev"), r.person("Rex_Tillerson", dt.date(2019, 1, 1))
        ('RUS', None)
        """
        return Term.pick(self.terms(name), on)

    def match(self, name: str | None) -> str | tuple[Term, ...] | None:
        """What a name can resolve to, before a date is known: an ISO3 code (a country or a
        ``Sector (Country)``, on any date), a person's terms, or None.

        The ingest's resolve step (:class:`trilateral.data.ingest.ResolveActors`) asks
        this once per distinct name and finishes with :meth:`Term.pick` per row.

        Examples
        --------
        >>> r = ActorResolver.load()
        >>> r.match("Military_(Russia)"), r.match("NATO")
        ('RUS', None)
        """
        if not name:
            return None
        hit = self.country(name)
        if hit is not None:
            return hit
        m = _SECTOR.match(name.replace("_", " "))
        if m is not None:
            return self.country(m.group("inner"))
        return self.terms(name) or None

    def resolve(self, name: str | None, on: dt.date | None = None) -> str | None:
        """ISO3 of an actor: a country, ``Sector (Country)``, or a person in office on ``on``.

        Returns None for anything else (organisations, unknown people, regions, a person
        outside their terms). With ``on`` None a person resolves on any of their terms.

        Examples
        --------
        >>> r = ActorResolver.load()
        >>> r.resolve("Police_(Hong_Kong)"), r.resolve("Wang_Yi"), r.resolve("Africa")
        ('HKG', 'CHN', None)
        """
        return Term.pick(self.match(name), on)


_MULTILATERAL = re.compile(
    r"\b(united nations|unesco|unicef|unhcr|security council|general assembly|"
    r"european|nato|north atlantic treaty|african union|asean|association of southeast|"
    r"organization|organisation|international|world bank|world health|world trade|"
    r"monetary fund|league|alliance|union|council|commission|community|opec|g20|g7|"
    r"brics|shanghai cooperation|red cross|amnesty|human rights watch|party|taliban|"
    r"hamas|hezbollah|islamic state|al qaeda|boko haram|militant|rebel|insurgent|"
    r"media|news|press|reuters|agence|associated press|unspecified|unidentified)\b"
    r"|^un\b"
)


def is_multilateral(name: str) -> bool:
    """Whether an unresolved name is a multilateral, non-state or unspecified actor.

    These are never given a country (the EU speaks for no single state); coverage
    reports count them apart from the people and places the tables do not know.

    Examples
    --------
    >>> is_multilateral("European_Union"), is_multilateral("UN_Security_Council")
    (True, True)
    >>> is_multilateral("Narendra_Modi"), is_multilateral("Kim_Jong-Un")
    (False, False)
    """
    m = _SECTOR.match(name.replace("_", " "))
    if m is not None:  # a sector of something: judge the something ("Citizen (International)")
        name = m.group("inner")
    return bool(_MULTILATERAL.search(normalise_name(name)))


@lru_cache(maxsize=1)
def _shipped_countries() -> dict[str, str]:
    text = (_FILES / "country_names.csv").read_text("utf-8")
    return {k: v[0].iso3 for k, v in _read_table("country_names.csv", text).items()}


@lru_cache(maxsize=1)
def _shipped_people() -> dict[str, tuple[Term, ...]]:
    text = (_FILES / "leaders.csv").read_text("utf-8")
    return _read_table("leaders.csv", text)
