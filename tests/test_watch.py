"""``watch``: a new slot in lastupdate.txt is fetched and the change it causes reported.

The store first holds the real GDELT 2.0 rows of 2019-10-24 14:30 (tests/gdelt_mirror.py,
split over four slots), where RUS–USA has 2 events in October 2019: fewer than
RegimeConfig's min_events (5), so its regime is "insufficient data". Then
``lastupdate.txt`` names a new slot whose file the test builds: 40 hostile USA→RUS
events of October 2019 (CAMEO 190, "use conventional military force", quad class 4,
Goldstein −10), written in the GDELT 2.0 export layout from a real row as template. With
40 force events the RUS–USA regime of October 2019 must turn hostile (force_min_events 1,
hostile_goldstein 0 — docs/diagnose.md).
"""

from __future__ import annotations

import asyncio
import json
import threading
from datetime import date
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from gdelt_mirror import Mirror, Server, chunks, zipped
from trilateral.cli import app
from trilateral.data import EventStore, FetchProgress, fetch_gdelt2
from trilateral.diagnose import LIMITED_OPPONENTS
from trilateral.diagnose._regimes import INSUFFICIENT
from trilateral.watch import BaseState, watch_once, watch_status
from trilateral.watch._changes import diff_states

TRIAD = ("USA", "RUS", "CHN")
FILE_B = Path("gdelt") / "gdelt2_raw_exports" / "20191024143000.export.CSV"
DAY = "2019-10-24"
NEW_SLOT = "20191024150000"
N_HOSTILE = 40


def _hostile_rows(template: bytes) -> bytes:
    """``N_HOSTILE`` USA→RUS force events in October 2019, from a real row's layout."""
    base = template.rstrip(b"\n").split(b"\t")
    assert len(base) == 61  # the GDELT 2.0 export layout
    out = []
    for i in range(N_HOSTILE):
        f = list(base)
        day = 1 + i % 26
        f[0] = str(990_000_000 + i).encode()  # GLOBALEVENTID, unused by the real files
        f[1], f[2], f[3] = f"201910{day:02d}".encode(), b"201910", b"2019"
        f[5], f[6], f[7] = b"USA", b"UNITED STATES", b"USA"
        f[15], f[16], f[17] = b"RUS", b"RUSSIA", b"RUS"
        f[26], f[27], f[28], f[29], f[30] = b"190", b"190", b"19", b"4", b"-10.0"
        f[60] = f"https://example.org/hostile/{i}".encode()
        out.append(b"\t".join(f))
    return b"\n".join(out) + b"\n"


def _serve_day(m: Mirror, shared: Path) -> list[str]:
    lines = []
    for minute, data in zip((0, 15, 30, 45), chunks(shared / FILE_B, 4), strict=True):
        slot = f"2019102414{minute:02d}00"
        path = f"/gdeltv2/{slot}.export.CSV.zip"
        m.put(path, zipped(f"{slot}.export.CSV", data))
        lines.append(m.list_line(path))
    m.put("/gdeltv2/masterfilelist.txt", ("\n".join(lines) + "\n").encode())
    m.put("/gdeltv2/lastupdate.txt", (lines[-1] + "\n").encode())
    return lines


def test_watch_once_ingests_a_new_slot_and_prints_the_change(
    shared_data: Path, tmp_path: Path
) -> None:
    db, log = tmp_path / "w.duckdb", tmp_path / "w.jsonl"
    runner = CliRunner()
    args = ["watch", "--once", "--db", str(db), "--log", str(log)]
    with Server(Mirror()) as m:
        lines = _serve_day(m, shared_data)
        assert fetch_gdelt2(DAY, DAY, countries=TRIAD, db=db, mirror=m.url).ok
        with EventStore.open(db, read_only=True) as store:
            before = store.con.execute("SELECT count(*) FROM events").fetchall()[0][0]
        # nothing new yet: the last slot is in the store already
        res = runner.invoke(app, [*args, "--mirror", m.url])
        assert res.exit_code == 0, res.output
        assert "0 new files" in res.stdout and "no change" in res.stdout

        template = (shared_data / FILE_B).read_bytes().split(b"\n", 1)[0]
        path = f"/gdeltv2/{NEW_SLOT}.export.CSV.zip"
        m.put(path, zipped(f"{NEW_SLOT}.export.CSV", _hostile_rows(template)))
        new_line = m.list_line(path)
        m.put("/gdeltv2/masterfilelist.txt", ("\n".join([*lines, new_line]) + "\n").encode())
        m.put("/gdeltv2/lastupdate.txt", (new_line + "\n").encode())
        res = runner.invoke(app, [*args, "--mirror", m.url])
    assert res.exit_code == 0, res.output
    assert f"1 new files, {N_HOSTILE} rows" in res.stdout
    assert "RUS-USA regime:" in res.stdout
    with EventStore.open(db, read_only=True) as store:
        after = store.con.execute("SELECT count(*) FROM events").fetchall()[0][0]
    assert after == before + N_HOSTILE
    rows = [json.loads(x) for x in log.read_text().splitlines()]
    assert [r["event"] for r in rows if r["event"] == "poll"] == ["poll", "poll"]
    changes = [r for r in rows if r["event"] == "change"]
    regime = [c for c in changes if c["kind"] == "regime" and c["subject"] == "RUS-USA"]
    assert len(regime) == 1
    assert regime[0]["period_start"] == "2019-10-01" and regime[0]["base"] == "gdelt2"
    assert regime[0]["before"] == INSUFFICIENT
    # The label, from the regime rules (docs/diagnose.md) and the rows, not from the code:
    # RUS-USA in October 2019 holds 2 real acts (USA>RUS 180, Goldstein -9; RUS>USA 1122,
    # -2) and the 40 injected CAMEO-190 rows, which are 26 acts (same day, dyad and code
    # merge: days 1-26). 28 acts >= min_events 5, so not R0; mean Goldstein
    # (26*-10 - 9 - 2)/28 = -9.68 < hostile_goldstein 0, so not R1/R2; 26 force acts >=
    # force_min_events 1, so unlimited in intensity; but only the military arena (CAMEO
    # 19, arena_map.csv) has >= min_arena_events 3 acts, so 1 net-hostile arena <
    # confrontation_min_hostile_arenas 4: limited in breadth -> R3, "limited opponents"
    # (the same with reports: 42 rows, the same arenas).
    assert regime[0]["after"] == LIMITED_OPPONENTS
    behind = regime[0]["events"]
    assert len(behind) == 10 and {(e["source"], e["target"], e["cameo"]) for e in behind} == {
        ("USA", "RUS", "190")
    }
    status = watch_status(db, log=log)
    assert status.last_poll is not None and status.last_poll["newest_slot"] == NEW_SLOT
    # The regime change is the only change: the triangle stays "indeterminate" (CHN-RUS
    # holds one act, CAMEO 013 at +0.4, inside the neutral band |mean| <= 0.5, before
    # and after), and no index has a trailing 12-month band (the store holds October
    # 2019 only, checked below), so none can leave it.
    with EventStore.open(db, read_only=True) as store:
        ((first,),) = store.con.execute("SELECT min(date) FROM events").fetchall()
        cr = store.con.execute(
            "SELECT DISTINCT date, source, target, cameo, goldstein FROM events WHERE "
            "least(source, target) = 'CHN' AND greatest(source, target) = 'RUS'"
        ).fetchall()
    assert first >= date(2019, 10, 1)
    assert cr == [(date(2019, 10, 24), "CHN", "RUS", "013", 0.4)]
    assert [c["kind"] for c in changes] == ["regime"]
    assert [c["kind"] for c in status.changes] == ["regime"]


def _get(db: Path, *requests: tuple[str, dict]) -> list[httpx.Response]:
    """GET each ``(path, params)`` from the dashboard app of ``db``, in process (ASGI)."""
    from trilateral.serve import create_app

    async def run() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=create_app(db))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as c:
            return [await c.get(path, params=params) for path, params in requests]

    return asyncio.run(run())


def test_the_dashboard_shows_the_last_update_and_the_latest_changes(tmp_path: Path) -> None:
    db = tmp_path / "d.duckdb"
    with EventStore.open(db):  # an empty store: the page needs one
        pass
    (empty,) = _get(db, ("/api/watch", {}))
    assert empty.json() == {"last_poll": None, "changes": []}
    poll = {"event": "poll", "checked_at": "2026-12-06T20:31:45+00:00", "newest_slot": NEW_SLOT}
    change = {"event": "change", "kind": "regime", "base": "gdelt2", "subject": "RUS-USA",
              "period_start": "2019-10-01", "detail": "RUS-USA regime: a → b"}  # fmt: skip
    lines = [poll, change, {**change, "detail": "second"}]
    (tmp_path / "d.duckdb.watch.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    api, page = _get(db, ("/api/watch", {"n": 1}), ("/", {}))
    body = api.json()
    assert body["last_poll"]["newest_slot"] == NEW_SLOT
    assert [c["detail"] for c in body["changes"]] == ["second"]  # newest first, n of them
    assert page.status_code == 200, page.text
    assert f"newest GDELT slot {NEW_SLOT}" in page.text
    assert "second (gdelt2 2019-10); RUS-USA regime: a → b (gdelt2 2019-10)" in page.text


def _state(index: float | None, band: tuple[float, float] | None, label: str) -> BaseState:
    return BaseState("gdelt2", date(2018, 3, 1), {"RUS-USA": label}, "unit veto",
                     {"USA>RUS": index}, {"USA>RUS": band}, 10)  # fmt: skip


@pytest.mark.parametrize(
    ("old", "new", "band", "moved"),
    [
        (0.5, -6.0, (-1.0, 2.0), True),  # inside → below the trailing range
        (None, 3.0, (-1.0, 2.0), True),  # no events before → above it
        (0.5, 1.9, (-1.0, 2.0), False),  # still inside
        (-3.0, -6.0, (-1.0, 2.0), False),  # was outside already: not a new move
        (0.5, -6.0, None, False),  # fewer than 3 trailing months: no band
    ],
)
def test_index_out_of_band(old: float | None, new: float, band: tuple | None, moved: bool) -> None:
    import duckdb

    con = duckdb.connect()
    try:
        changes = diff_states(_state(old, band, "x"), _state(new, band, "x"), con, [])
    finally:
        con.close()
    assert [c.kind for c in changes] == (["index_out_of_band"] if moved else [])


def test_a_stop_between_files_leaves_whole_files_and_resumes(
    shared_data: Path, tmp_path: Path
) -> None:
    db = tmp_path / "s.duckdb"
    stop = threading.Event()

    def progress(p: FetchProgress) -> None:
        if p.files_done >= 1:
            stop.set()  # what the CLI's SIGINT handler does

    with Server(Mirror()) as m:
        _serve_day(m, shared_data)
        first = fetch_gdelt2(DAY, DAY, countries=TRIAD, db=db, mirror=m.url, jobs=1,
                             progress=progress, stop=stop)  # fmt: skip
        assert first.interrupted and not first.ok
        assert 1 <= first.coverage.fetched < 4
        second = fetch_gdelt2(DAY, DAY, countries=TRIAD, db=db, mirror=m.url)
        assert second.ok and second.coverage.fetched == 4
        assert second.files == 4 - first.coverage.fetched


def test_a_gap_since_the_last_poll_is_filled_from_the_master_list(
    shared_data: Path, tmp_path: Path
) -> None:
    db = tmp_path / "g.duckdb"
    parts = chunks(shared_data / FILE_B, 6)
    with Server(Mirror()) as m:
        lines = []
        for minute, data in zip((0, 15, 30, 45, 60, 75), parts, strict=True):
            slot = f"201910241{4 + minute // 60}{minute % 60:02d}00"
            m.put(f"/gdeltv2/{slot}.export.CSV.zip", zipped(f"{slot}.export.CSV", data))
            lines.append(m.list_line(f"/gdeltv2/{slot}.export.CSV.zip"))
        m.put("/gdeltv2/masterfilelist.txt", ("\n".join(lines[:4]) + "\n").encode())
        m.put("/gdeltv2/lastupdate.txt", (lines[3] + "\n").encode())
        assert fetch_gdelt2(DAY, DAY, countries=TRIAD, db=db, mirror=m.url).coverage.fetched == 4
        # the watch was down at 15:00; lastupdate.txt now names 15:15 only
        m.put("/gdeltv2/masterfilelist.txt", ("\n".join(lines) + "\n").encode())
        m.put("/gdeltv2/lastupdate.txt", (lines[-1] + "\n").encode())
        result = watch_once(db, countries=TRIAD, mirror=m.url, log=tmp_path / "g.jsonl",
                            n_boot=20)  # fmt: skip
        got = [e.path for e in m.gets()][-2:]
    cov = result.fetch.coverage
    assert (cov.first_slot, cov.last_slot) == ("20191024150000", "20191024151500")
    assert (cov.expected, cov.fetched, len(cov.failed)) == (2, 2, 0)
    assert got == [
        "/gdeltv2/20191024150000.export.CSV.zip",
        "/gdeltv2/20191024151500.export.CSV.zip",
    ]
    assert result.newest_slot == "20191024151500"


def test_a_gap_longer_than_a_week_is_named_not_filled(shared_data: Path, tmp_path: Path) -> None:
    db = tmp_path / "l.duckdb"
    first, later = chunks(shared_data / FILE_B, 2)
    with Server(Mirror()) as m:
        lines = []
        for slot, data in (("20191024140000", first), ("20191102000000", later)):
            m.put(f"/gdeltv2/{slot}.export.CSV.zip", zipped(f"{slot}.export.CSV", data))
            lines.append(m.list_line(f"/gdeltv2/{slot}.export.CSV.zip"))
        for name, text in (("masterfilelist.txt", lines[0]), ("lastupdate.txt", lines[0])):
            m.put(f"/gdeltv2/{name}", (text + "\n").encode())
        assert fetch_gdelt2(DAY, DAY, countries=TRIAD, db=db, mirror=m.url).ok
        m.put("/gdeltv2/lastupdate.txt", (lines[1] + "\n").encode())
        result = watch_once(db, countries=TRIAD, mirror=m.url, log=tmp_path / "l.jsonl",
                            n_boot=20)  # fmt: skip
        assert not [e for e in m.log if e.path.endswith("masterfilelist.txt")][1:]
    # 14:15 on 10-24 to 23:45 on 11-01: 39 + 8 x 96 slots
    (note,) = result.fetch.notes
    assert note.startswith("807 slots between 20191024141500 and 20191101234500 were not fetched")
    assert "trilateral fetch gdelt2 --start 2019-10-24 --end 2019-11-01" in note
    assert result.fetch.coverage.fetched == 1 and "note: 807 slots" in result.summary()
