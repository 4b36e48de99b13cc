"""Actor names → ISO3 country codes: countries, ``Sector (Country)`` forms, and people.

Event data name actors in text: ICEWS writes countries as names (``"Russian Federation"``),
the ICEWS18 knowledge-graph layout writes ``Foreign_Affairs_(Russia)`` or
``Vladimir_Putin``. :class:`ActorResolver` turns such a name into the ISO3 code of the
country the actor belongs to, from two shipped tables (``country_names.csv`` and
``leaders.csv`` in ``trilateral/data/_files``; provenance in ``ACTORS.md`` there) and,
optionally, a user's own CSV. A name it does not know resolves to ``None``: it is never
guessed.

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
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..errors import ConfigError, ReaderError

__all__ = ["ActorResolver", "normalise_name"]

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


def _read_table(label: str, text: str) -> dict[str, str]:
    """Parse a ``name,iso3[,...]`` CSV into key → ISO3; ReaderError on a bad row."""
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
    out: dict[str, str] = {}
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
        if key in out and out[key] != iso:
            raise ReaderError(
                label,
                line,
                "name",
                f"{name!r} is given as both {out[key]} and {iso}",
                hint="a name must resolve to one country",
            )
        out[key] = iso
    return out


@dataclass(frozen=True)
class ActorResolver:
    """Resolve country names, ``Sector (Country)`` actors and known people to ISO3.

    Build it with :meth:`load`. ``countries`` and ``people`` map normalised names
    (:func:`normalise_name`) to ISO3 codes.

    Examples
    --------
    >>> r = ActorResolver.load()
    >>> r.resolve("Occupied Palestinian Territory"), r.resolve("Citizen_(India)")
    ('PSE', 'IND')
    >>> r.resolve("Sergey_Viktorovich_Lavrov"), r.resolve("Unspecified_Actor") is None
    ('RUS', True)
    """

    countries: dict[str, str] = field(repr=False)
    people: dict[str, str] = field(repr=False)
    sources: tuple[str, ...] = ()

    @classmethod
    def load(cls, extra: str | Path | None = None) -> ActorResolver:
        """The shipped tables, plus (overriding them) the user's CSV ``extra``.

        Parameters
        ----------
        extra : path, optional
            A UTF-8 CSV with at least the columns ``name`` and ``iso3`` (others, such as
            ``role,start,end``, are ignored). Its names are matched as people and as
            country names, and win over the shipped tables.

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
            countries = {**countries, **user}
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

    def person(self, name: str | None) -> str | None:
        """ISO3 of a known person (exact name, or first and last name); None if unknown.

        Examples
        --------
        >>> ActorResolver.load().person("Dmitry_Anatolyevich_Medvedev")
        'RUS'
        """
        if not name:
            return None
        key = normalise_name(name)
        hit = self.people.get(key)
        if hit is None:
            parts = key.split(" ")
            if len(parts) >= 3:
                hit = self.people.get(f"{parts[0]} {parts[-1]}")
        return hit

    def resolve(self, name: str | None) -> str | None:
        """ISO3 of an actor: a country, ``Sector (Country)``, or a known person.

        Returns None for anything else (organisations, unknown people, regions).

        Examples
        --------
        >>> r = ActorResolver.load()
        >>> r.resolve("Police_(Hong_Kong)"), r.resolve("Wang_Yi"), r.resolve("Africa")
        ('HKG', 'CHN', None)
        """
        if not name:
            return None
        hit = self.country(name)
        if hit is not None:
            return hit
        m = _SECTOR.match(name.replace("_", " "))
        if m is not None:
            return self.country(m.group("inner"))
        return self.person(name)


@lru_cache(maxsize=1)
def _shipped_countries() -> dict[str, str]:
    text = (_FILES / "country_names.csv").read_text("utf-8")
    return _read_table("country_names.csv", text)


@lru_cache(maxsize=1)
def _shipped_people() -> dict[str, str]:
    text = (_FILES / "leaders.csv").read_text("utf-8")
    return _read_table("leaders.csv", text)
