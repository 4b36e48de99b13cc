"""ICEWS event files and the ICEWS18 knowledge-graph layout, on the real files.

Every reference number has the command that produced it from the raw file next to it
(run from shared/data/icews). The readers hand actor names on; the countries below come
through the pipeline's resolve-actors step (``ResolveActors``), as they do in an ingest.
"""

from __future__ import annotations

import gzip
import hashlib
import tracemalloc
import zipfile
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest

from trilateral.data.actors import ActorResolver
from trilateral.data.codebook import Codebook
from trilateral.data.ingest import ResolveActors
from trilateral.data.readers import EventReader, Reject
from trilateral.data.readers._chronicle import ChronicleReader
from trilateral.data.readers._icews import ICEWSReader
from trilateral.data.readers._icews_tkg import ICEWSTKGReader, _text_key, load_event_texts
from trilateral.data.schema import EVENT_SCHEMA
from trilateral.errors import ReaderError

TRIAD = {"USA", "RUS", "CHN"}


@pytest.fixture(scope="module")
def icews_dir(shared_data: Path) -> Path:
    return shared_data / "icews"


@pytest.fixture(scope="module")
def raw_tab(icews_dir: Path) -> Path:
    return icews_dir / "icews_raw_sample_2018" / "events.2018.sample.tab"


@pytest.fixture(scope="module")
def raw_csv(icews_dir: Path) -> Path:
    return icews_dir / "icews_raw_sample_2018" / "icews_sample_20180601_03.csv"


@pytest.fixture(scope="module")
def tkg(icews_dir: Path) -> Path:
    return icews_dir / "icews18_tkg_valid" / "valid.txt"


def resolved(
    reader: EventReader, actors: ActorResolver | None = None
) -> tuple[pa.Table, list[Reject], ResolveActors]:
    """The reader's rows with their actors resolved (the ingest's step), and the step."""
    step = ResolveActors(actors)
    table, rejects = step.read_all(reader)
    return table, rejects, step


@pytest.fixture(scope="module")
def tkg_read(tkg: Path) -> tuple[ResolveActors, pa.Table]:
    r = ICEWSTKGReader(tkg)
    table, rejects, step = resolved(r)
    assert rejects == [] and r.rows_read == 45995
    return step, table


def triad_dyads(table: pa.Table) -> dict[tuple[str, str], int]:
    c = Counter(zip(table["source"].to_pylist(), table["target"].to_pylist(), strict=True))
    return {k: v for k, v in c.items() if k[0] in TRIAD and k[1] in TRIAD and k[0] != k[1]}


def by_id(table: pa.Table, event_id: str) -> dict[str, object]:
    rows = [r for r in table.to_pylist() if r["event_id"] == event_id]
    assert len(rows) == 1
    return rows[0]


# ------------------------------------------------------------------------------------
# ICEWS published layout
# ------------------------------------------------------------------------------------
def test_icews_tab_rows_and_dyads(raw_tab: Path) -> None:
    r = ICEWSReader(raw_tab)
    table, rejects, step = resolved(r)
    assert table.schema == EVENT_SCHEMA
    # awk 'END{print NR-1}' events.2018.sample.tab  → 3705
    assert table.num_rows == 3705
    assert rejects == [] and r.rows_read == 3705 and r.rows_rejected == 0
    assert r.variant == "tab"
    assert step.unresolved == Counter()  # every country name in the sample is in the table
    # awk -F'\t' 'NR>1{s=$5;t=$11; if((s=="United States"||s=="Russian Federation"||
    #   s=="China")&&(t=="United States"||t=="Russian Federation"||t=="China")&&s!=t)
    #   print s" -> "t}' events.2018.sample.tab | sort | uniq -c
    assert triad_dyads(table) == {
        ("CHN", "RUS"): 4,
        ("CHN", "USA"): 30,
        ("RUS", "CHN"): 4,
        ("RUS", "USA"): 14,
        ("USA", "CHN"): 71,
        ("USA", "RUS"): 6,
    }
    assert set(table["dataset"].to_pylist()) == {"icews"}
    assert set(table["weight"].to_pylist()) == {1}


def test_icews_tab_field_values(raw_tab: Path) -> None:
    table, _, _ = resolved(ICEWSReader(raw_tab))
    # grep -P '^32891312\t' events.2018.sample.tab
    # 32891312 2018-06-01 Sergey Viktorovich Lavrov ... Russian Federation  Make optimistic
    # comment 013 0.4 United States NA United States 47401552 4 EFE News Service Pyongyang
    # NA P'yongyang-si North Korea 39.0339 125.754
    row = by_id(table, "icews:32891312")
    assert str(row["date"]) == "2018-06-01"
    assert row["source"] == "RUS" and row["target"] == "USA"
    assert row["source_actor"] == "Sergey Viktorovich Lavrov"
    assert row["target_actor"] == "United States"
    assert row["cameo"] == "013"  # leading zero kept
    assert row["goldstein"] == 0.4
    assert row["quad_class"] == 1
    assert row["location"] == "PRK"
    assert row["url_or_citation"] == "ICEWS story 47401552 (EFE News Service)"
    # grep -P '^32889836\t' events.2018.sample.tab → Bangladesh → Vietnam, Consult, 040, 1
    row = by_id(table, "icews:32889836")
    assert (row["source"], row["target"], row["cameo"], row["goldstein"]) == (
        "BGD",
        "VNM",
        "040",
        1.0,
    )
    assert row["arena"] == "diplomatic" and row["location"] == "VNM"
    # awk -F'\t' 'NR>1 && $7 ~ /^....$/' events.2018.sample.tab | wc -l → 87 four-digit codes
    assert sum(len(c) == 4 for c in table["cameo"].to_pylist()) == 87
    # awk -F'\t' 'NR>1 && $18=="NA"' events.2018.sample.tab | wc -l → 2 without a location
    assert table["location"].null_count == 2


def test_icews_goldstein_tables(raw_tab: Path) -> None:
    """Intensity is ICEWS's score: the four codes the tables disagree on keep it."""
    icews, _ = ICEWSReader(raw_tab).read_all()
    gdelt, rejects = ICEWSReader(raw_tab, codebook=Codebook.load("gdelt")).read_all()
    assert rejects == [] and gdelt.num_rows == icews.num_rows == 3705
    # awk -F'\t' 'NR>1 && ($7=="016"||$7=="022"||$7=="164"||$7=="165"){print $7, $8}'
    #   events.2018.sample.tab | sort | uniq -c  → 9 "016 -5", 13 "022 3.4", 2 "164 -6.5"
    for table in (icews, gdelt):
        got = Counter(
            (c, g)
            for c, g in zip(table["cameo"].to_pylist(), table["goldstein"].to_pylist(), strict=True)
            if c in {"016", "022", "164", "165"}
        )
        assert got == {("016", -5.0): 9, ("022", 3.4): 13, ("164", -6.5): 2}


def test_icews_csv_variant(raw_csv: Path, raw_tab: Path) -> None:
    r = ICEWSReader(raw_csv)
    table, rejects, _ = resolved(r)
    assert r.variant == "csv" and rejects == []
    # python -c "import csv;print(sum(1 for _ in csv.DictReader(open(
    #   'icews_raw_sample_2018/icews_sample_20180601_03.csv'))))"  → 4993
    assert table.num_rows == 4993
    # python -c "import csv,collections as c;T={'United States','Russian Federation','China'};
    #   print(c.Counter((r['source_country'],r['target_country']) for r in csv.DictReader(open(
    #   'icews_raw_sample_2018/icews_sample_20180601_03.csv')) if r['source_country'] in T and
    #   r['target_country'] in T and r['source_country']!=r['target_country']))"
    assert triad_dyads(table) == {
        ("CHN", "RUS"): 9,
        ("CHN", "USA"): 50,
        ("RUS", "CHN"): 14,
        ("RUS", "USA"): 15,
        ("USA", "CHN"): 88,
        ("USA", "RUS"): 8,
    }
    # the cleaned file holds every event of the raw sample, with the same values
    tab, _, _ = resolved(ICEWSReader(raw_tab))
    tab_rows = {r["event_id"]: r for r in tab.to_pylist()}
    csv_rows = {r["event_id"]: r for r in table.to_pylist()}
    assert set(tab_rows) <= set(csv_rows)
    diffs = [k for k, v in tab_rows.items() if csv_rows[k] != v]
    # the only differences are the cleaned file's actor name for Thailand's PM:
    # grep -P '^3289948[23]\t' events.2018.sample.tab → "Prayut Chan-o-cha";
    # grep -E '^3289948[23],' icews_sample_20180601_03.csv → "Gen Prayut Chan-o-cha"
    assert diffs == ["icews:32899482", "icews:32899483"]


def test_icews_compressed_and_crlf(raw_tab: Path, tmp_path: Path) -> None:
    plain, _ = ICEWSReader(raw_tab).read_all()
    gz = tmp_path / "events.tab.gz"
    gz.write_bytes(gzip.compress(raw_tab.read_bytes()))
    zp = tmp_path / "events.zip"
    with zipfile.ZipFile(zp, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(raw_tab, "events.2018.sample.tab")
    crlf = tmp_path / "crlf.tab"
    crlf.write_bytes(b"\xef\xbb\xbf" + raw_tab.read_bytes().replace(b"\n", b"\r\n"))
    for p in (gz, crlf):
        table, rejects = ICEWSReader(p).read_all()
        assert rejects == [] and table.equals(plain), p
    table, rejects = ICEWSReader(zp).read_all()
    assert rejects == [] and table.equals(plain)


def test_icews_batches_and_line_numbers(raw_tab: Path, tmp_path: Path) -> None:
    lines = raw_tab.read_bytes().split(b"\n")
    # break line 2000 (row 1999) and line 3001: a bad intensity, a bad date
    f = lines[1999].split(b"\t")
    f[7] = b"eleven"
    lines[1999] = b"\t".join(f)
    f = lines[3000].split(b"\t")
    f[1] = b"2018-13-01"
    lines[3000] = b"\t".join(f)
    bad = tmp_path / "bad.tab"
    bad.write_bytes(b"\n".join(lines))
    r = ICEWSReader(bad, on_error="skip", batch_rows=500)
    batches = list(r)
    assert len(batches) == 8  # ceil(3705 / 500)
    rejects = [x for b in batches for x in b.rejects]
    assert [(x.line, x.field, x.value) for x in rejects] == [
        (2000, "goldstein", "eleven"),
        (3001, "date", "2018-13-01"),
    ]
    assert sum(b.events.num_rows for b in batches) == 3703
    assert r.rows_read == 3705 and r.rows_rejected == 2
    with pytest.raises(ReaderError) as ei:
        ICEWSReader(bad).read_all()
    assert (ei.value.line, ei.value.field) == (2000, "goldstein")


def test_icews_missing_intensity_and_unknown_country(raw_tab: Path, tmp_path: Path) -> None:
    head = raw_tab.read_text("utf-8").splitlines()[0]
    row = [
        "1",
        "2018-06-01",
        "A",
        "NA",
        "Atlantis",
        "Reduce relations",
        "160",
        "NA",
        "B",
        "NA",
        "Russian Federation",
        "9",
        "1",
        "NA",
        "NA",
        "NA",
        "NA",
        "Narnia",
        "0",
        "0",
    ]
    p = tmp_path / "x.tab"
    p.write_text(head + "\n" + "\t".join(row) + "\n", encoding="utf-8")
    table, rejects, step = resolved(ICEWSReader(p))
    assert rejects == []
    out = table.to_pylist()[0]
    assert out["goldstein"] == Codebook.load("icews").goldstein("160")  # filled in
    assert out["source"] is None and out["target"] == "RUS" and out["location"] is None
    assert out["url_or_citation"] == "ICEWS story 9"
    assert step.unresolved == Counter({"Atlantis": 1, "Narnia": 1})


# ------------------------------------------------------------------------------------
# ICEWS18 knowledge-graph layout
# ------------------------------------------------------------------------------------
def test_tkg_rows_and_relation_coverage(tkg: Path) -> None:
    r = ICEWSTKGReader(tkg)
    table, rejects = r.read_all()
    # wc -l icews18_tkg_valid/valid.txt → 45995
    assert table.num_rows == 45995 and r.rows_read == 45995 and rejects == []
    assert r.unmapped_relations == Counter() and r.rows_skipped == 0
    # cut -f2 icews18_tkg_valid/valid.txt | sort -u | wc -l → 204 distinct relations
    relations = {line.split("\t")[1] for line in tkg.read_text("utf-8").splitlines()}
    assert len(relations) == 204
    texts = load_event_texts()
    assert [rel for rel in relations if _text_key(rel) not in texts] == []
    cb = Codebook.load("icews")
    assert set(table["cameo"].to_pylist()) <= set(cb.rows)
    # 1213 exists only in ICEWS's table:
    # grep -c -P '\tReject_judicial_cooperation\t' valid.txt → 2
    assert table["cameo"].to_pylist().count("1213") == 2


def test_tkg_first_row_and_known_values(tkg_read: tuple[ResolveActors, pa.Table]) -> None:
    _, table = tkg_read
    first = table.slice(0, 1).to_pylist()[0]
    # head -1 valid.txt → Aam_Aadmi_Party Make_an_appeal_or_request Amarinder_Singh 2018-08-29
    # sha256sum icews18_tkg_valid/valid.txt → 659699d689e4b00a…
    assert first["event_id"] == "icews_tkg:659699d689e4:1"
    assert first["date"].isoformat() == "2018-08-29"
    assert first["source_actor"] == "Aam Aadmi Party" and first["target_actor"] == "Amarinder Singh"
    assert (first["source"], first["target"]) == (None, None)
    assert first["cameo"] == "020" and first["goldstein"] == 3.0  # ICEWS table: 020 → 3.0
    assert first["location"] is None and first["weight"] == 1
    assert first["url_or_citation"] == "ICEWS knowledge-graph file valid.txt (sha256 659699d689e4)"
    # grep -n -P '^Xi_Jinping\t.*\tVladimir_Putin\t' valid.txt | head -1
    # → 12136:Xi_Jinping Express_intent_to_meet_or_negotiate Vladimir_Putin 2018-09-05
    row = by_id(table, "icews_tkg:659699d689e4:12136")
    assert (row["source"], row["target"], row["cameo"]) == ("CHN", "RUS", "036")
    assert str(row["date"]) == "2018-09-05"


def test_tkg_actor_resolution_counts(tkg_read: tuple[ResolveActors, pa.Table]) -> None:
    step, table = tkg_read
    src, tgt = table["source"].to_pylist(), table["target"].to_pylist()
    both = sum(s is not None and t is not None for s, t in zip(src, tgt, strict=True))
    # regression numbers of the shipped tables (country_names.csv, leaders.csv)
    # (people resolve only within their terms, on the row's date)
    assert both == 23388
    assert triad_dyads(table) == {
        ("CHN", "RUS"): 83,
        ("CHN", "USA"): 154,
        ("RUS", "CHN"): 79,
        ("RUS", "USA"): 144,
        ("USA", "CHN"): 160,
        ("USA", "RUS"): 193,
    }
    # lower bounds: rows naming the two countries themselves, e.g.
    # awk -F'\t' '$1=="Russia" && $3=="United_States"' valid.txt | wc -l → 49
    exact = {
        ("USA", "RUS"): 54,
        ("USA", "CHN"): 53,
        ("RUS", "USA"): 49,
        ("RUS", "CHN"): 35,
        ("CHN", "USA"): 85,
        ("CHN", "RUS"): 37,
    }
    assert all(triad_dyads(table)[k] >= v for k, v in exact.items())
    # sort of unresolved occurrences; the top ones are organisations and other leaders
    # (cut -f1 valid.txt; cut -f3 valid.txt) | grep -c -x Bharatiya_Janata → 735
    assert step.unresolved["Bharatiya_Janata"] == 735
    assert step.unresolved["United_Nations"] == 675
    assert sum(step.unresolved.values()) == 2 * 45995 - (
        sum(s is not None for s in src) + sum(t is not None for t in tgt)
    )


def test_tkg_user_actors(tmp_path: Path) -> None:
    p = tmp_path / "kg.txt"
    p.write_text("Kim_Jong-Un\tMake_statement\tUnited_States\t2018-09-01\n", encoding="utf-8")
    table, _, _ = resolved(ICEWSTKGReader(p))
    assert table["source"].to_pylist() == [None]
    extra = tmp_path / "people.csv"
    extra.write_text("name,iso3\nKim Jong-Un,PRK\n", encoding="utf-8")
    table, _, _ = resolved(ICEWSTKGReader(p), ActorResolver.load(extra=extra))
    assert table["source"].to_pylist() == ["PRK"]


def test_tkg_unmapped_relation_is_skipped_not_fatal(tmp_path: Path) -> None:
    p = tmp_path / "kg.txt"
    p.write_text(
        "Russia\tMake_statement\tChina\t2018-09-01\n"
        "Russia\tDance_a_polka\tChina\t2018-09-01\n"
        "China\tConsult\tRussia\t2018-09-02\n",
        encoding="utf-8",
    )
    r = ICEWSTKGReader(p)  # on_error="fail"
    table, rejects = r.read_all()
    digest = hashlib.sha256(p.read_bytes()).hexdigest()[:12]
    assert table["event_id"].to_pylist() == [f"icews_tkg:{digest}:1", f"icews_tkg:{digest}:3"]
    assert rejects == [] and r.rows_skipped == 1
    assert r.unmapped_relations == Counter({"Dance_a_polka": 1})


def test_tkg_malformed_rows(tmp_path: Path) -> None:
    p = tmp_path / "kg.txt"
    p.write_text(
        "Russia\tMake_statement\tChina\t2018-09-01\n"
        "Russia\tMake_statement\tChina\n"
        "Russia\tMake_statement\tChina\t2018-02-30\n"
        "China\tConsult\tRussia\t2018-09-02\n"
        "China\tConsult",  # truncated last line
        encoding="utf-8",
    )
    with pytest.raises(ReaderError) as ei:
        ICEWSTKGReader(p).read_all()
    assert ei.value.line == 2 and "expected 4" in ei.value.reason
    r = ICEWSTKGReader(p, on_error="skip")
    table, rejects = r.read_all()
    assert table.num_rows == 2
    assert [(x.line, x.field) for x in rejects] == [(2, None), (3, "date"), (5, None)]
    assert "truncated" in rejects[-1].reason


# ------------------------------------------------------------------------------------
# errors: empty, binary, wrong encoding, wrong layout
# ------------------------------------------------------------------------------------
@pytest.mark.parametrize("cls", [ICEWSReader, ICEWSTKGReader])
def test_whole_file_problems(cls: type[ICEWSReader], tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    with pytest.raises(ReaderError, match="empty"):
        cls(empty).read_all()
    binary = tmp_path / "bin"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(ReaderError, match="binary"):
        cls(binary).read_all()
    with pytest.raises(ReaderError, match="not found"):
        cls(tmp_path / "nope").read_all()


@pytest.mark.parametrize("cls", [ICEWSReader, ICEWSTKGReader])
def test_damaged_gzip(cls: type[ICEWSReader], tkg: Path, tmp_path: Path) -> None:
    data = bytearray(gzip.compress(tkg.read_bytes()[:20_000]))
    data[500:503] = b"\xff\x00\xff"  # corrupt deflate stream (zlib.error inside gzip)
    p = tmp_path / "x.gz"
    p.write_bytes(bytes(data))
    with pytest.raises(ReaderError, match="cannot decompress") as ei:
        cls(p, on_error="skip").read_all()
    assert ei.value.line is None


def test_wrong_encoding_names_the_line(raw_tab: Path, tmp_path: Path) -> None:
    lines = raw_tab.read_bytes().split(b"\n")
    lines[10] = lines[10] + "\tViêt Nam".encode("latin-1")  # a Latin-1 byte on line 11
    p = tmp_path / "latin1.tab"
    p.write_bytes(b"\n".join(lines))
    with pytest.raises(ReaderError) as ei:
        ICEWSReader(p).read_all()
    assert ei.value.line == 11 and "UTF-8" in ei.value.reason


def test_wrong_layout(icews_dir: Path, tkg: Path, raw_tab: Path) -> None:
    gdelt = icews_dir.parent / "gdelt" / "gdelt2_raw_exports" / "20180326044500.export.CSV"
    for cls, path in [
        (ICEWSReader, gdelt),
        (ICEWSReader, tkg),
        (ICEWSTKGReader, gdelt),
        (ICEWSTKGReader, raw_tab),
        (ChronicleReader, raw_tab),
    ]:
        with pytest.raises(ReaderError) as ei:
            cls(path).read_all()
        assert ei.value.line == 1 and ei.value.reason.startswith("not "), (cls, path)
        assert ei.value.hint
    with pytest.raises(ReaderError) as ei:
        ICEWSReader(tkg).read_all()
    assert "icews_tkg" in (ei.value.hint or "")


# ------------------------------------------------------------------------------------
# format detection
# ------------------------------------------------------------------------------------
def _head(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(65_536)


def test_sniff_claims_only_its_own(
    icews_dir: Path, raw_tab: Path, raw_csv: Path, tkg: Path
) -> None:
    gd = icews_dir.parent / "gdelt"
    others = [
        gd / "gdelt2_raw_exports" / "20180326044500.export.CSV",
        gd / "gdelt2_raw_exports" / "20191024143000.export.CSV",
        gd / "gdelt2_sample_2017" / "events2samps.csv",
        gd / "gdelt1_sample_2016" / "events_20160728_sample.tsv",
        gd / "gdelt1_georgia_2011_2012" / "june2011.csv",
        gd / "gdelt1_georgia_2011_2012" / "july2011.csv",
    ]
    for p in others:
        head = _head(p)
        assert not ICEWSReader.sniff(head), p
        assert not ICEWSTKGReader.sniff(head), p
        assert not ChronicleReader.sniff(head), p
    assert ICEWSReader.sniff(_head(raw_tab)) and ICEWSReader.sniff(_head(raw_csv))
    assert ICEWSTKGReader.sniff(_head(tkg))
    for p in (raw_tab, raw_csv):
        assert not ICEWSTKGReader.sniff(_head(p)) and not ChronicleReader.sniff(_head(p))
    assert not ICEWSReader.sniff(_head(tkg)) and not ChronicleReader.sniff(_head(tkg))


def test_detect_format_real_files(raw_tab: Path, raw_csv: Path, tkg: Path) -> None:
    from trilateral.data.readers import detect_format, read

    assert detect_format(raw_tab) == "icews"
    assert detect_format(raw_csv) == "icews"
    assert detect_format(tkg) == "icews_tkg"
    assert isinstance(read(tkg), ICEWSTKGReader)


# ------------------------------------------------------------------------------------
# streaming: memory does not grow with the file
# ------------------------------------------------------------------------------------
def _traced_peak(path: Path) -> tuple[int, int]:
    """Rows and peak traced memory of reading ``path`` and resolving its actors (the
    ingest's two first steps)."""
    r = ICEWSTKGReader(path, batch_rows=2_000)
    step = ResolveActors()
    n = 0
    tracemalloc.start()
    try:
        for batch in step.batches(r):
            n += batch.events.num_rows
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return n, peak


def test_tkg_memory_is_bounded(tkg: Path, tmp_path: Path) -> None:
    lines = tkg.read_bytes().splitlines(keepends=True)[:10_000]
    small, big = tmp_path / "small.txt", tmp_path / "big.txt"
    small.write_bytes(b"".join(lines))
    big.write_bytes(b"".join(lines) * 4)
    resolved(ICEWSTKGReader(small))  # warm the shared caches: relations, dates, actor tables
    n1, peak1 = _traced_peak(small)
    n4, peak4 = _traced_peak(big)
    assert (n1, n4) == (10_000, 40_000)
    assert peak4 < 1.3 * peak1 + 1_000_000, (peak1, peak4)  # does not grow with the file


def test_two_tkg_files_unique_ids_and_own_citations(tkg: Path, tmp_path: Path) -> None:
    """Issue 9, items 3 and 4: every knowledge-graph file cites itself (name and hash),
    and two files in one store never share an event id."""
    from trilateral.data import EventStore, shipped_icews_paths

    other = shipped_icews_paths()[0]  # icews05-15_triad.txt.gz, an ICEWS05-15 cut
    # zcat icews05-15_triad.txt.gz | sha256sum (decompressed content, as the store hashes)
    other_digest = hashlib.sha256(gzip.decompress(other.read_bytes())).hexdigest()[:12]
    with EventStore.open(tmp_path / "s.duckdb") as store:
        a = store.ingest(tkg)
        b = store.ingest(other)
        rows = store.con.execute(
            "SELECT ingest_id, count(*), count(DISTINCT event_id), "
            "list(DISTINCT url_or_citation) FROM events GROUP BY ingest_id ORDER BY ingest_id"
        ).fetchall()
        ((n_all, n_ids),) = store.con.execute(
            "SELECT count(*), count(DISTINCT event_id) FROM events"
        ).fetchall()
    # wc -l valid.txt → 45995; zcat icews05-15_triad.txt.gz | wc -l → the rows ingested
    assert a.rows_ingested == 45995 and b.rows_ingested == len(
        gzip.decompress(other.read_bytes()).splitlines()
    )
    assert n_all == n_ids == 45995 + b.rows_ingested
    assert rows[0][3] == ["ICEWS knowledge-graph file valid.txt (sha256 659699d689e4)"]
    assert rows[1][3] == [
        f"ICEWS knowledge-graph file icews05-15_triad.txt.gz (sha256 {other_digest})"
    ]
