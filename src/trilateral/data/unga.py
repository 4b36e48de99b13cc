"""UN General Assembly voting alignment between pairs of countries, year by year.

Sources: the UNGA roll-call votes of Voeten et al. (Harvard Dataverse hdl:1902.1/12379,
CC0; the ``unvotes`` repackaging: ``un_votes.csv`` and ``un_roll_calls.csv``) and the
ideal points of Bailey, Strezhnev & Voeten (2017), July 2025 release
(``IdealpointsJuly2025.csv``).

Definitions (per unordered pair, per calendar year of the roll-call date):

- ``n_votes``: roll calls on which both countries voted yes, no or abstain (absence and
  non-membership are not in the data, so they never count);
- ``agreement``: the share of those roll calls with identical votes;
- ``s_score``: with yes = 1, abstain = 0.5, no = 0, the mean of ``1 − |a − b|`` — the
  "abstention as half agreement" index in the style of Signorino & Ritter (1999) (their
  S with d_max = 1 is ``2·s_score − 1``); it lies in [0, 1];
- ``idealpoint_distance``: ``|idealpointall_a − idealpointall_b|`` from the ideal-point
  file for that year (``idealpointall``: the estimate from all resolutions).

Russia's code ``RU`` covers the USSR (1946–1991) and China's ``CN`` the PRC from
November 1971 (the Republic of China's earlier votes are ``TW``); ideal points likewise
(ccode 365 and 710). Years with ideal points but no shared roll call (2020–2024 in the
July 2025 release; the vote file ends in January 2020) have ``n_votes`` 0 and null
``agreement`` and ``s_score``.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import warnings
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from ..config import DEFAULT_COUNTRIES, check_countries, user_data_dir
from ..errors import DataError, ReaderError
from . import _provenance
from ._capreaders import (
    _COW_PRECEDENCE,
    COW_CCODE_TO_ISO3,
    ISO2_TO_ISO3,
    UnmappedCountryWarning,
    table_schema,
)

__all__ = [
    "ALIGNMENT_SCHEMA",
    "IDEALPOINT_SCHEMA",
    "VOTE_SCHEMA",
    "alignment",
    "alignment_provenance",
    "load_alignment",
    "read_idealpoints",
    "read_unga_votes",
    "refresh_alignment",
]

VOTE_SCHEMA = table_schema("rcid int64, year int32, iso3 string, vote string, vote_value float64")
IDEALPOINT_SCHEMA = table_schema("iso3 string, year int32, idealpoint float64")
ALIGNMENT_SCHEMA = table_schema(
    "year int32, country_a string, country_b string, n_votes int64, agreement float64?, "
    "s_score float64?, idealpoint_distance float64?"
)

_VOTE_VALUES = {"yes": 1.0, "abstain": 0.5, "no": 0.0}

#: Rows with an empty country_code that a name identifies without doubt.
_NAME_FALLBACK = {"Federal Republic of Germany": "DEU"}

_ALIGNMENT_FILE = "unga_alignment.csv"

SOURCE_INFO: dict[str, dict[str, str]] = {
    "unvotes": {
        "source": "UNGA roll-call votes, Voeten, Strezhnev & Bailey, Harvard Dataverse "
        "hdl:1902.1/12379 (unvotes repackaging by D. Robinson)",
        "licence": "CC0 (data); unvotes package MIT",
        "url": "https://dataverse.harvard.edu/dataset.xhtml?persistentId=hdl:1902.1/12379",
    },
    "idealpoints": {
        "source": "Bailey, Strezhnev & Voeten (2017), 'Estimating Dynamic State "
        "Preferences from United Nations Voting Data', JCR 61(2); July 2025 release",
        "licence": "CC0 (Harvard Dataverse); cite Bailey, Strezhnev & Voeten (2017)",
        "url": "https://dataverse.harvard.edu/dataset.xhtml?persistentId=hdl:1902.1/12379",
    },
}


# --------------------------------------------------------------------------- helpers
def _header(path: Path, need: Sequence[str]) -> list[str]:
    try:
        with path.open("r", encoding="utf-8-sig", newline="") as fh:
            first = fh.readline()
    except FileNotFoundError:
        raise ReaderError(path, None, None, "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ReaderError(path, 1, None, f"cannot read the file: {exc}") from None
    if not first.strip():
        raise ReaderError(path, 1, None, "the file is empty", hint="download it again")
    cols = [c.strip() for c in next(csv.reader([first]))]
    for col in need:
        if col not in cols:
            raise ReaderError(
                path,
                1,
                col,
                "column missing from the header",
                hint=f"expected columns {', '.join(need)}; found {', '.join(cols[:8])}",
            )
    return cols


def _locate(path: Path, check: Any) -> tuple[int, str, str]:
    """The first physical line (and field) where ``check(row) -> field | None`` fails."""
    with path.open("r", encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        prev = 1
        for row in reader:
            start = prev + 1
            prev = reader.line_num
            bad = check(row)
            if bad is not None:
                return start, bad, str(row.get(bad))
    return prev, "", ""


def _reject_bad_rows(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    table: str,
    where: str,
    check: Callable[[dict[str, str | None]], str | None],
    message: str,
) -> None:
    """Raise at the first bad row when any row of ``table`` matches ``where``.

    ``check`` finds that row in the file (see :func:`_locate`); ``message`` is formatted
    with ``n`` (the number of bad rows) and ``val`` (the first bad value).
    """
    bad = _one(con, f"select count(*) from {table} where {where}")
    if bad and bad[0]:
        line, fld, val = _locate(path, check)
        raise ReaderError(path, line, fld or None, message.format(n=bad[0], val=val))


def _duck(path: Path, columns: dict[str, str], con: duckdb.DuckDBPyConnection) -> str:
    cols = "{" + ", ".join(f"'{k}': '{v}'" for k, v in columns.items()) + "}"
    return (
        f"read_csv('{str(path).replace(chr(39), chr(39) * 2)}', header=true, "
        f"columns={cols}, quote='\"', escape='\"', null_padding=false, "
        f"strict_mode=true, auto_detect=false)"
    )


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[Any, ...] | None:
    """The first row of a query (fetching all, so the connection is free afterwards)."""
    rows = con.execute(sql).fetchall()
    return rows[0] if rows else None


def _int_or_none(text: str | None) -> int | None:
    try:
        return int(str(text).strip())
    except ValueError:
        return None


# --------------------------------------------------------------------------- readers
def read_unga_votes(votes_path: str | Path, roll_calls_path: str | Path) -> pa.Table:
    """Read UNGA roll-call votes (``unvotes`` layout) with each roll call's year.

    Parameters
    ----------
    votes_path : str or Path
        ``un_votes.csv``: ``rcid, country, country_code (ISO2), vote``.
    roll_calls_path : str or Path
        ``un_roll_calls.csv``: ``rcid, session, …, date, …``.

    Returns
    -------
    pyarrow.Table
        :data:`VOTE_SCHEMA`: ``rcid, year, iso3, vote, vote_value`` (yes 1, abstain 0.5,
        no 0). ISO2 → ISO3 through a shipped table; rows whose code the table does not
        know are left out with an :class:`UnmappedCountryWarning` (Yemen Arab Republic
        and Zanzibar have no code in the file and are left out silently, the Federal
        Republic of Germany becomes DEU).

    Raises
    ------
    ReaderError
        Missing columns, a vote other than yes/no/abstain, a roll call without a date,
        or a vote on a roll call the roll-call file does not list (file, line, field).

    Examples
    --------
    >>> votes = read_unga_votes("un_votes.csv", "un_roll_calls.csv")
    >>> votes.column_names, votes.num_rows
    (['rcid', 'year', 'iso3', 'vote', 'vote_value'], 866816)
    """
    vp, rp = Path(votes_path), Path(roll_calls_path)
    _header(vp, ("rcid", "country", "country_code", "vote"))
    rcols = _header(rp, ("rcid", "date"))
    con = duckdb.connect()
    try:
        _load_votes(con, vp, rp, rcols)
        _check_votes(con, vp, rp)
        table = _vote_table(con, vp)
    finally:
        con.close()
    return table.cast(VOTE_SCHEMA)


def _load_votes(con: duckdb.DuckDBPyConnection, vp: Path, rp: Path, rcols: Sequence[str]) -> None:
    """The votes (``v``) and roll calls (``r``) as text tables; a malformed CSV or a file
    without votes raises :class:`ReaderError`."""
    try:
        con.execute(
            "create temp table v as select * from "
            + _duck(
                vp,
                {"rcid": "VARCHAR", "country": "VARCHAR", "country_code": "VARCHAR",
                 "vote": "VARCHAR"},
                con,
            )
        )  # fmt: skip
        con.execute(
            "create temp table r as select * from "
            + _duck(rp, dict.fromkeys(rcols, "VARCHAR"), con)
        )
    except duckdb.Error as exc:
        raise ReaderError(
            vp if "un_votes" in str(exc) or str(vp) in str(exc) else rp,
            None,
            None,
            f"malformed CSV: {str(exc).splitlines()[0]}",
            hint="the file may be truncated; download it again",
        ) from None
    if _one(con, "select count(*) from v") == (0,):
        raise ReaderError(vp, 2, None, "no votes after the header")


def _check_vote(row: dict[str, str | None]) -> str | None:
    if _int_or_none(row.get("rcid")) is None:
        return "rcid"
    if (row.get("vote") or "").strip().lower() not in _VOTE_VALUES:
        return "vote"
    return None


def _check_roll_call(row: dict[str, str | None]) -> str | None:
    if _int_or_none(row.get("rcid")) is None:
        return "rcid"
    try:
        dt.date.fromisoformat(str(row.get("date")).strip())
    except ValueError:
        return "date"
    return None


def _check_votes(con: duckdb.DuckDBPyConnection, vp: Path, rp: Path) -> None:
    """Bad votes, bad roll calls and votes on unlisted roll calls raise
    :class:`ReaderError` (file, line, field)."""
    _reject_bad_rows(
        con,
        vp,
        "v",
        "try_cast(rcid as bigint) is null or lower(trim(vote)) not in ('yes', 'no', 'abstain')",
        _check_vote,
        "{n} bad rows; first: {val!r} (votes are yes, no or abstain; rcid an integer)",
    )
    _reject_bad_rows(
        con,
        rp,
        "r",
        "try_cast(rcid as bigint) is null or try_cast(date as date) is null",
        _check_roll_call,
        "{n} bad rows; first: {val!r} (dates YYYY-MM-DD)",
    )
    orphan = _one(
        con,
        "select min(cast(v.rcid as bigint)), count(*) from v anti join r "
        "on cast(v.rcid as bigint) = cast(r.rcid as bigint)",
    )
    if orphan and orphan[1]:
        rc = orphan[0]
        line, _, _ = _locate(vp, lambda row: "rcid" if _int_or_none(row["rcid"]) == rc else None)
        raise ReaderError(
            vp, line, "rcid",
            f"{orphan[1]} votes on roll calls {rp.name} does not list (first rcid {rc})",
            hint="use the votes and roll-call files of one release",
        )  # fmt: skip


def _vote_table(con: duckdb.DuckDBPyConnection, vp: Path) -> pa.Table:
    """The checked votes with year and ISO3 (unmapped countries left out, with a
    warning)."""
    con.register(
        "iso2", pa.table({"code": list(ISO2_TO_ISO3), "iso3": list(ISO2_TO_ISO3.values())})
    )
    con.register(
        "names", pa.table({"name": list(_NAME_FALLBACK), "iso3": list(_NAME_FALLBACK.values())})
    )
    unmapped = con.execute(
        "select coalesce(v.country_code, '') || ' ' || v.country, count(*) from v "
        "left join iso2 on upper(trim(v.country_code)) = iso2.code "
        "left join names on v.country = names.name "
        "where iso2.iso3 is null and names.iso3 is null and v.country_code is not null "
        "group by all order by 1"
    ).fetchall()
    if unmapped:
        warnings.warn(
            f"{vp}: {len(unmapped)} countries have no ISO3 code in trilateral's table "
            f"and were left out: {', '.join(f'{n} ({c} votes)' for n, c in unmapped)}",
            UnmappedCountryWarning,
            stacklevel=3,
        )
    return con.sql(
        """
        select cast(v.rcid as bigint) as rcid,
               cast(year(cast(r.date as date)) as integer) as year,
               coalesce(iso2.iso3, names.iso3) as iso3,
               lower(trim(v.vote)) as vote,
               case lower(trim(v.vote)) when 'yes' then 1.0 when 'abstain' then 0.5
                    else 0.0 end as vote_value
        from v
        join r on cast(v.rcid as bigint) = cast(r.rcid as bigint)
        left join iso2 on upper(trim(v.country_code)) = iso2.code
        left join names on v.country = names.name
        where coalesce(iso2.iso3, names.iso3) is not null
        order by rcid, iso3
        """
    ).to_arrow_table()


def _check_idealpoint(row: dict[str, str | None]) -> str | None:
    if _int_or_none(row.get("year")) is None:
        return "year"
    v = (row.get("idealpointall") or "").strip()
    if v and v.upper() not in ("NA", "NAN"):
        try:
            float(v)
        except ValueError:
            return "idealpointall"
    return None


def _ccode_map() -> pa.Table:
    """COW ccode → ISO3 with each code's rank where two ccodes share an ISO3 code (the
    lower rank wins: in 1990 ccode 255, Germany, over 260, the German Federal Republic)."""
    codes = [(k, v, 0) for k, v in COW_CCODE_TO_ISO3.items()]
    for iso3, order in _COW_PRECEDENCE.items():
        codes = [(k, v, order.index(k) if v == iso3 and k in order else r) for k, v, r in codes]
    return pa.table(
        {"ccode": [c[0] for c in codes], "miso3": [c[1] for c in codes],
         "rank": [c[2] for c in codes]}
    )  # fmt: skip


def read_idealpoints(path: str | Path) -> pa.Table:
    """Read UNGA ideal points (Bailey, Strezhnev & Voeten; the July 2025 layout).

    Takes ``ccode``, ``year`` and ``idealpointall`` (the estimate from all resolutions;
    the file's other estimates, ``idealpointfp`` and ``idealpointlegacy``, are not used).
    ISO3 comes from the COW ccode through the table the COW reader uses (the file's own
    ``iso3c`` labels South Yemen "YAR"), falling back to ``iso3c`` for ccodes that table
    leaves out; in 1990 ccode 255 (Germany) wins over 260 (German Federal Republic).
    Rows without a code or an estimate are left out.

    Returns
    -------
    pyarrow.Table
        :data:`IDEALPOINT_SCHEMA`: ``iso3, year, idealpoint``.

    Examples
    --------
    >>> ip = read_idealpoints("IdealpointsJuly2025.csv")
    >>> ip.column_names, ip.num_rows
    (['iso3', 'year', 'idealpoint'], 11232)
    """
    p = Path(path)
    cols = _header(p, ("ccode", "iso3c", "year", "idealpointall"))
    con = duckdb.connect()
    try:
        try:
            con.execute(
                "create temp table ip as select * from "
                + _duck(p, dict.fromkeys(cols, "VARCHAR"), con)
            )
        except duckdb.Error as exc:
            raise ReaderError(
                p, None, None, f"malformed CSV: {str(exc).splitlines()[0]}",
                hint="the file may be truncated; download it again",
            ) from None  # fmt: skip
        n = _one(con, "select count(*) from ip")
        if n == (0,):
            raise ReaderError(p, 2, None, "no rows after the header")
        _reject_bad_rows(
            con,
            p,
            "ip",
            "try_cast(year as integer) is null or "
            "(nullif(trim(idealpointall), '') is not null and upper(trim(idealpointall)) "
            "not in ('NA', 'NAN') and try_cast(idealpointall as double) is null)",
            _check_idealpoint,
            "not a number: {val!r}",
        )
        # The file's iso3c is not reliable everywhere (South Yemen, ccode 680, carries
        # "YAR"), so the COW ccode decides, through the same table as the COW reader;
        # iso3c only for ccodes that table does not map.
        con.register("cmap", _ccode_map())
        base = """
            select coalesce(cmap.miso3, nullif(upper(trim(ip.iso3c)), 'NA')) as iso3,
                   cast(ip.year as integer) as year,
                   cast(ip.idealpointall as double) as idealpoint,
                   coalesce(cmap.rank, 0) as rank
            from ip left join cmap on try_cast(ip.ccode as integer) = cmap.ccode
            where try_cast(ip.idealpointall as double) is not null
              and isfinite(try_cast(ip.idealpointall as double))
        """
        dups = _one(
            con,
            f"select iso3, year from ({base}) where iso3 is not null "
            "group by all having count(*) > 1 and count(distinct rank) < count(*) limit 1",
        )
        if dups:
            raise ReaderError(p, None, "ccode", f"two ideal points for {dups[0]} {dups[1]}")
        table = con.sql(
            f"""
            select iso3, year, idealpoint from ({base})
            where iso3 is not null and nullif(trim(iso3), '') is not null
            qualify row_number() over (partition by iso3, year order by rank) = 1
            order by iso3, year
            """
        ).to_arrow_table()
    finally:
        con.close()
    return table.cast(IDEALPOINT_SCHEMA)


# --------------------------------------------------------------------------- alignment
#: One row per pair and year: the roll calls both voted on (``v``) joined, fully, to the
#: years both have an ideal point (``d``); ``pairs`` numbers the pairs in the order given.
_ALIGNMENT_SQL = """
with sel as (
    select * from votes where iso3 in (select country_a from pairs
                                       union select country_b from pairs)
),
v as (
    select p.ord, p.country_a, p.country_b, a.year,
           count(*) as n_votes,
           avg(case when a.vote = b.vote then 1.0 else 0.0 end) as agreement,
           avg(1.0 - abs(a.vote_value - b.vote_value)) as s_score
    from pairs p
    join sel a on a.iso3 = p.country_a
    join sel b on b.iso3 = p.country_b and b.rcid = a.rcid
    group by all
),
d as (
    select p.ord, p.country_a, p.country_b, ia.year,
           abs(ia.idealpoint - ib.idealpoint) as idealpoint_distance
    from pairs p
    join ip ia on ia.iso3 = p.country_a
    join ip ib on ib.iso3 = p.country_b and ib.year = ia.year
)
select cast(coalesce(v.year, d.year) as integer) as year,
       coalesce(v.country_a, d.country_a) as country_a,
       coalesce(v.country_b, d.country_b) as country_b,
       coalesce(v.n_votes, 0) as n_votes,
       v.agreement, v.s_score, d.idealpoint_distance
from v full outer join d on v.ord = d.ord and v.year = d.year
order by coalesce(v.ord, d.ord), year
"""


def alignment(
    votes: pa.Table,
    idealpoints: pa.Table | None = None,
    countries: Sequence[str] = DEFAULT_COUNTRIES,
) -> pa.Table:
    """Yearly UNGA voting alignment for each pair of ``countries``.

    Pairs are taken in the order given (``USA, RUS, CHN`` → USA–RUS, USA–CHN, RUS–CHN).
    See the module docstring for the definitions of ``agreement``, ``s_score`` and
    ``idealpoint_distance``.

    Parameters
    ----------
    votes : pyarrow.Table
        From :func:`read_unga_votes`.
    idealpoints : pyarrow.Table, optional
        From :func:`read_idealpoints`; without it ``idealpoint_distance`` is null.
    countries : sequence of str
        ISO3 codes, at least two.

    Returns
    -------
    pyarrow.Table
        :data:`ALIGNMENT_SCHEMA`, sorted by pair then year. A year appears when the
        pair shares at least one roll call or both have an ideal point.

    Raises
    ------
    DataError
        A country has no votes at all.

    Examples
    --------
    >>> votes = pa.table({"rcid": [1, 1, 2, 2], "year": [2000] * 4,
    ...                   "iso3": ["USA", "RUS"] * 2, "vote": ["yes", "no", "yes", "abstain"],
    ...                   "vote_value": [1.0, 0.0, 1.0, 0.5]})
    >>> row = alignment(votes, None, ["USA", "RUS"]).to_pylist()[0]
    >>> row["n_votes"], row["agreement"], row["s_score"]
    (2, 0.0, 0.25)
    """
    codes = check_countries(countries, what="countries=")
    present = set(pc.unique(votes["iso3"]).to_pylist())
    absent = [c for c in codes if c not in present]
    if absent:
        raise DataError(
            f"no UN votes for {', '.join(absent)}",
            hint="check the ISO3 codes; the vote file covers UN members since 1946",
        )
    pairs = list(itertools.combinations(codes, 2))
    pair_tbl = pa.table(
        {
            "country_a": [a for a, _ in pairs],
            "country_b": [b for _, b in pairs],
            "ord": list(range(len(pairs))),
        }
    )
    ip = idealpoints if idealpoints is not None else IDEALPOINT_SCHEMA.empty_table()
    con = duckdb.connect()
    try:
        con.register("votes", votes.select(["rcid", "year", "iso3", "vote", "vote_value"]))
        con.register("pairs", pair_tbl)
        con.register("ip", ip.select(["iso3", "year", "idealpoint"]))
        table = con.sql(_ALIGNMENT_SQL).to_arrow_table()
    finally:
        con.close()
    return table.cast(ALIGNMENT_SCHEMA)


# --------------------------------------------------------------------------- shipped data
def load_alignment(countries: Iterable[str] | None = None) -> pa.Table:
    """The UNGA alignment table shipped with the package (USA–RUS, USA–CHN, RUS–CHN).

    Parameters
    ----------
    countries : iterable of str, optional
        Keep only pairs with both countries among these.

    Examples
    --------
    >>> t = load_alignment()
    >>> sorted({(a, b) for a, b in zip(t["country_a"].to_pylist(), t["country_b"].to_pylist())})
    [('RUS', 'CHN'), ('USA', 'CHN'), ('USA', 'RUS')]
    """
    table = _provenance.read_shipped_csv(_ALIGNMENT_FILE, ALIGNMENT_SCHEMA)
    if countries is None:
        return table
    keep = pa.array([c.strip().upper() for c in countries])
    mask = pc.and_(pc.is_in(table["country_a"], keep), pc.is_in(table["country_b"], keep))
    out = table.filter(mask)
    if out.num_rows == 0:
        raise DataError(
            "no shipped alignment pair among these countries",
            hint="the shipped table holds USA–RUS, USA–CHN and RUS–CHN; for others run "
            "alignment() on the source files",
        )
    return out


def alignment_provenance() -> dict[str, Any]:
    """Where the shipped alignment table comes from, with licences and SHA-256s.

    Examples
    --------
    >>> prov = alignment_provenance()
    >>> sorted(s["family"] for s in prov["sources"])
    ['idealpoints', 'unvotes', 'unvotes']
    """
    return _provenance.shipped_provenance("unga", _ALIGNMENT_FILE)


def refresh_alignment(
    votes_path: str | Path,
    roll_calls_path: str | Path,
    idealpoints_path: str | Path,
    out: str | Path | None = None,
    countries: Sequence[str] = DEFAULT_COUNTRIES,
) -> dict[str, Any]:
    """Rebuild the alignment table from the source files and write it atomically.

    The CSV goes to a temporary file next to ``out`` and is moved into place with
    :func:`os.replace`; provenance goes to ``<out>.provenance.yaml``. ``out`` defaults to
    the user data folder (:func:`trilateral.config.user_data_dir`): nothing is written
    inside the installed package. :func:`load_alignment` (and so the claims) still reads
    the shipped table only; unlike the capability panel, a rebuilt table is not merged in.

    Examples
    --------
    >>> built = refresh_alignment("un_votes.csv", "un_roll_calls.csv",
    ...                           "IdealpointsJuly2025.csv", out="align.csv")
    >>> built["out"], built["rows"]
    ('align.csv', 183)
    """
    vp, rp, ipp = Path(votes_path), Path(roll_calls_path), Path(idealpoints_path)
    table = alignment(read_unga_votes(vp, rp), read_idealpoints(ipp), countries)
    target = Path(out) if out is not None else user_data_dir() / _ALIGNMENT_FILE

    def rec(path: Path, family: str) -> dict[str, Any]:
        return {
            "family": family,
            "file": path.name,
            "sha256": _provenance.sha256(path),
            "taken": _provenance.file_date(path),
            **SOURCE_INFO[family],
        }

    prov = {
        "built": dt.date.today().isoformat(),
        "rows": table.num_rows,
        "countries": list(check_countries(countries, what="countries=")),
        "definitions": {
            "year": "calendar year of the roll-call date",
            "n_votes": "roll calls both voted yes, no or abstain on",
            "agreement": "share of identical votes",
            "s_score": "mean of 1 - |a - b| with yes=1, abstain=0.5, no=0 (Signorino & "
            "Ritter's S with d_max=1 is 2*s_score - 1)",
            "idealpoint_distance": "|idealpointall_a - idealpointall_b|",
        },
        "sources": [rec(vp, "unvotes"), rec(rp, "unvotes"), rec(ipp, "idealpoints")],
    }
    _provenance.write_with_provenance(target, _provenance.csv_bytes(table), prov)
    return {"out": str(target), "rows": table.num_rows, "provenance": prov}
