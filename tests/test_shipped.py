"""Shipped datasets carry their provenance, reachable from Python and the CLI (issue 3)."""

from __future__ import annotations

import hashlib
from importlib import resources

import pytest
from typer.testing import CliRunner

from trilateral.cli import app
from trilateral.data import (
    EventStore,
    chronicle_provenance,
    shipped_chronicle_path,
    shipped_datasets,
)

FILES = resources.files("trilateral.data") / "_files"


SHIPPED = [
    "chronicle",
    "capabilities",
    "unga_alignment",
    "icews05-15_triad",
    "icews18_train_triad",
    "icews18_valid_triad",
]


def test_shipped_datasets_with_provenance() -> None:
    names = [d.name for d in shipped_datasets()]
    assert names == SHIPPED
    for d in shipped_datasets():
        assert d.rows > 0 and d.sources and d.licence and d.taken
        # the hash is of the file as installed, so a result can name its data exactly
        assert d.sha256 == hashlib.sha256((FILES / d.file).read_bytes()).hexdigest()


def test_chronicle_provenance_counts() -> None:
    prov = chronicle_provenance()
    # `wc -l chronicle.csv` gives 436 lines: a header and 435 rows
    assert prov["rows"] == 435
    assert prov["first_date"] <= "2014-01-31" and prov["last_date"] >= "2019-12-01"
    assert prov["rows_citing_the_reference_paper"] >= 10


@pytest.fixture()
def store(tmp_path):
    path = tmp_path / "s.duckdb"
    with EventStore.open(path) as s:
        s.ingest(shipped_chronicle_path())
    return path


def test_info_shows_shipped_datasets(store) -> None:
    res = CliRunner().invoke(app, ["info", "--db", str(store)])
    assert res.exit_code == 0, res.output
    for name in SHIPPED:
        assert f"{name} (" in res.output
    assert "licence:" in res.output and "SIPRI" in res.output


def test_info_json_has_shipped_datasets(store) -> None:
    import json

    res = CliRunner().invoke(app, ["info", "--db", str(store), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [d["name"] for d in data["shipped"]] == SHIPPED
    assert data["n_events"] == 435
