"""The measure stage's Ibis queries on DuckDB and on PySpark (local mode) agree.

Real files: six GDELT 1.0 Georgia monthly files of 2011 and the two GDELT 2.0 raw exports
(../shared/data/gdelt/), the ICEWS18 validation split and the raw ICEWS 2018 sample
(../shared/data/icews/), ingested into one store. The expected numbers are DuckDB's,
computed by the same expressions on the other engine: equal counts, means and shares
within 1e-9, equal bootstrap intervals (the bootstrap draws from the per-cell (g, w)
pairs each engine returns, so equal intervals mean equal pairs and multiplicities). The
scope query (``conflict_scope``) likewise: equal counts and regions, sums within 1e-9; and
the tit-for-tat input query (``load_events``, with the shipped chronicle's magnitudes):
the same rows, hence the same matches.

One SparkSession (local[2]) serves the module; run these alone with ``pytest -m spark``.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from trilateral.cli import app
from trilateral.data import export_parquet, shipped_chronicle_path
from trilateral.data.store import EventStore
from trilateral.errors import ConfigError
from trilateral.measure._engine import EngineConfig, resolve_engine
from trilateral.measure._indices import INDEX_COLUMNS, indices
from trilateral.measure._scope import conflict_scope
from trilateral.measure._titfortat import load_events, match_tit_for_tat

KEYS = ["source", "target", "arena", "period_start"]
EXACT = ["n_events", "weight", "force_events"]
FLOATS = [
    "mean_goldstein",
    "ci_low",
    "ci_high",
    "conflict_share",
    "material_conflict_share",
    "cooperation_share",
    "net_cooperation",
]

# py4j leaves its gateway sockets to the garbage collector
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")

SPARK = EngineConfig(
    name="spark",
    master="local[2]",
    conf={
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": "4",
        "spark.default.parallelism": "2",
        "spark.driver.memory": "1g",
    },
)


@pytest.fixture(scope="module")
def spark_session():
    session = SPARK.spark_session()
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def real_store(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    gdelt = shared_data / "gdelt"
    icews = shared_data / "icews"
    files = [
        # six of the 18 Georgia months (2011–2012), enough for every triad dyad
        *sorted((gdelt / "gdelt1_georgia_2011_2012").glob("*2011.csv"))[:6],
        *sorted((gdelt / "gdelt2_raw_exports").glob("*.export.CSV")),
        icews / "icews18_tkg_valid" / "valid.txt",
        icews / "icews_raw_sample_2018" / "events.2018.sample.tab",
    ]
    db = tmp_path_factory.mktemp("spark") / "real.duckdb"
    with EventStore.open(db) as store:
        for f in files:
            store.ingest(f, on_error="skip")
        # the shipped chronicle: its extras (magnitudes, descriptions) for tit-for-tat
        store.ingest(shipped_chronicle_path(), format="chronicle")
    return db


def assert_same(a: pl.DataFrame, b: pl.DataFrame) -> None:
    assert a.columns == b.columns
    assert a.height == b.height
    a, b = a.sort(KEYS), b.sort(KEYS)
    assert a.select(KEYS).equals(b.select(KEYS))
    for col in [c for c in [*EXACT, "volume"] if c in a.columns]:
        assert a[col].to_list() == b[col].to_list(), col
    for col in [c for c in [*FLOATS, "volume_share"] if c in a.columns]:
        x, y = a[col], b[col]
        assert x.is_null().to_list() == y.is_null().to_list(), col
        diff = (x - y).abs().max()
        assert diff is None or float(diff) <= 1e-9, (col, diff)  # type: ignore[arg-type]


@pytest.mark.spark
def test_monthly_indices_equal_on_duckdb_and_spark(real_store: Path, spark_session) -> None:
    kw = dict(countries=("USA", "RUS", "CHN"), period="month", n_boot=0)
    duck = indices(real_store, **kw)
    spark = indices(real_store, engine=SPARK, **kw)
    assert spark.provenance["engine"] == "spark" and duck.provenance["engine"] == "duckdb"
    assert spark.provenance["data_hash"] == duck.provenance["data_hash"]
    # the store has events of both evidence bases in the window: a real comparison
    assert int(duck.frame["n_events"].sum()) > 1000
    assert duck.frame.columns == list(INDEX_COLUMNS)
    assert_same(duck.frame, spark.frame)


@pytest.mark.spark
def test_weekly_mentions_collapsed_normalised_with_bootstrap(
    real_store: Path, spark_session
) -> None:
    kw = dict(
        countries=("USA", "RUS", "CHN", "UKR"),
        period="week",
        arena=("diplomatic", "military", "all"),
        weighting="mentions",
        collapse_duplicates=True,
        normalize=True,
        start="2011-06-01",
        end="2018-12-31",
        n_boot=40,
        rng=7,
    )
    duck = indices(real_store, **kw)
    spark = indices(real_store, engine="spark", **kw)
    assert int(duck.frame["n_events"].sum()) > 100
    assert duck.frame["ci_low"].is_not_null().sum() > 10
    assert_same(duck.frame, spark.frame)
    assert_same(duck.symmetric().frame, spark.symmetric().frame)


@pytest.mark.spark
def test_spark_reads_the_exported_parquet_lake(
    real_store: Path, spark_session, tmp_path: Path
) -> None:
    lake = tmp_path / "lake"
    export_parquet(real_store, lake)
    kw = dict(countries=("USA", "RUS", "CHN"), period="quarter", n_boot=0)
    duck = indices(real_store, **kw)
    spark = indices(lake, engine=SPARK, **kw)
    assert spark.provenance["data_hash"] == duck.provenance["data_hash"]
    assert_same(duck.frame, spark.frame)
    # the scope and the tit-for-tat events from the lake (its extras file for magnitudes)
    codes = ("USA", "RUS", "CHN", "UKR")
    assert_same_scope(
        conflict_scope(real_store, codes, "year"), conflict_scope(lake, codes, "year", engine=SPARK)
    )
    duck_events = load_events(real_store, codes, hostile="quad")
    assert int(duck_events["magnitude"].is_not_null().sum()) > 10
    assert duck_events.equals(load_events(lake, codes, hostile="quad", engine=SPARK))


SCOPE_KEYS = ["source", "target", "period_start"]
SCOPE_EXACT = ["n_conflict", "n_located", "n_home", "n_region", "n_elsewhere", "region"]
SCOPE_FLOATS = ["conflict_goldstein", "sum_goldstein", "mentions", "sum_goldstein_mentions"]


def assert_same_scope(a: pl.DataFrame, b: pl.DataFrame) -> None:
    assert a.columns == b.columns and a.schema == b.schema
    assert a.height == b.height
    assert a.select(SCOPE_KEYS).equals(b.select(SCOPE_KEYS))  # both sorted by the keys
    for col in [*SCOPE_EXACT, "period", "window_start", "window_end"]:
        assert a[col].to_list() == b[col].to_list(), col
    for col in SCOPE_FLOATS:
        diff = (a[col] - b[col]).abs().max()
        assert diff is not None and float(diff) <= 1e-9, (col, diff)  # type: ignore[arg-type]


@pytest.mark.spark
def test_conflict_scope_equal_on_duckdb_and_spark(real_store: Path, spark_session) -> None:
    # the conflict events of GDELT's Georgia files and of ICEWS 2018 at home, in the
    # dyads' main foreign theatres of the year (derived: one, then two) and elsewhere
    codes = ("USA", "RUS", "CHN", "UKR")
    one = dict(countries=codes, period="year", theatres=1)
    duck = conflict_scope(real_store, **one)
    assert int(duck["n_conflict"].sum()) > 400 and int(duck["n_home"].sum()) > 20
    assert int(duck["n_region"].sum()) > 100 and int(duck["n_elsewhere"].sum()) > 0
    assert_same_scope(duck, conflict_scope(real_store, engine=SPARK, **one))
    two = dict(countries=codes, period="year", theatres=2)
    duck = conflict_scope(real_store, **two)
    assert duck["region"].str.contains(",").any()  # a region of two codes, in code order
    assert_same_scope(duck, conflict_scope(real_store, engine=SPARK, **two))
    # a given region, a window cutting quarters
    fixed = dict(
        countries=codes,
        period="quarter",
        region=["geo", "syr"],
        start="2011-03-15",
        end="2018-06-30",
    )
    duck = conflict_scope(real_store, **fixed)
    assert int(duck["n_region"].sum()) > 100 and int(duck["n_elsewhere"].sum()) > 0
    assert_same_scope(duck, conflict_scope(real_store, engine="spark", **fixed))


@pytest.fixture
def engines_used(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(module, engine) of every query the measure stage runs while the test runs."""
    import trilateral.measure._indices as m_indices
    import trilateral.measure._scope as m_scope
    import trilateral.measure._titfortat as m_titfortat

    used: list[tuple[str, str]] = []
    for module in (m_indices, m_scope, m_titfortat):
        real = module.event_source

        @contextmanager
        def spy(*args: Any, _real: Any = real, _name: str = module.__name__, **kw: Any) -> Any:
            with _real(*args, **kw) as source:
                used.append((_name.rsplit(".", 1)[-1], source.engine))
                yield source

        monkeypatch.setattr(module, "event_source", spy)
    return used


@pytest.mark.spark
def test_diagnose_command_runs_its_queries_on_spark(
    real_store: Path, spark_session, engines_used: list[tuple[str, str]]
) -> None:
    runner = CliRunner()
    args = ["diagnose", "--db", str(real_store), "--countries", "USA,RUS,UKR"]
    args += ["--start", "2011-01-01", "--end", "2018-12-31", "--n-boot", "20", "--json"]
    duck = runner.invoke(app, args)
    assert duck.exit_code == 0, duck.output
    assert sorted(set(engines_used)) == [("_indices", "duckdb"), ("_scope", "duckdb")]
    engines_used.clear()
    spark = runner.invoke(app, [*args, "--engine", "spark"])
    assert spark.exit_code == 0, spark.output
    # the index and the scope queries ran on Spark, and the regimes are the same
    assert sorted(set(engines_used)) == [("_indices", "spark"), ("_scope", "spark")]
    assert '"regimes"' in duck.stdout and duck.stdout == spark.stdout


@pytest.mark.spark
def test_tit_for_tat_events_and_matches_equal_on_duckdb_and_spark(
    real_store: Path, spark_session
) -> None:
    kw = dict(countries=("USA", "RUS", "CHN", "UKR"), start="2011-01-01", end="2019-12-31")
    duck = load_events(real_store, **kw)
    spark = load_events(real_store, engine=SPARK, **kw)
    # rows of every evidence base, with the chronicle's magnitudes and descriptions
    assert duck.height > 1000 and int(duck["magnitude"].is_not_null().sum()) > 10
    assert set(duck["dataset"]) >= {"gdelt1", "gdelt2", "icews", "icews_tkg", "chronicle"}
    assert duck.schema == spark.schema
    # ordered by date and event id on both engines (ids are unique in this store)
    assert duck["event_id"].n_unique() == duck.height
    assert duck.equals(spark)
    # the hostile events only, filtered by Spark: the matching is the same as on every
    # event from DuckDB
    hostile = load_events(real_store, engine=SPARK, hostile="quad", **kw)
    assert 0 < hostile.height < duck.height
    match = dict(countries=kw["countries"], match_on="root", window_days=30)
    a = match_tit_for_tat(duck, **match)
    b = match_tit_for_tat(hostile, **match)
    assert int(a.matches["answered"].sum()) > 100
    assert a.matches.equals(b.matches)
    sa, sb = a.summary_frame(), b.summary_frame()
    assert sa.select("arena", "source", "target", "n_acts", "n_answered").equals(
        sb.select("arena", "source", "target", "n_acts", "n_answered")
    )
    assert float((sa["answer_rate"] - sb["answer_rate"]).abs().max()) <= 1e-9  # type: ignore[arg-type]


@pytest.mark.spark
def test_claims_command_runs_its_queries_on_spark(
    real_store: Path, spark_session, engines_used: list[tuple[str, str]]
) -> None:
    runner = CliRunner()
    ids = ["--id", "expulsions-60-for-60", "--id", "usa-rus-limited-opponents"]
    args = ["claims", "--db", str(real_store), *ids, "--json"]
    duck = runner.invoke(app, args)
    assert duck.exit_code == 0, duck.output
    assert {e for _, e in engines_used} == {"duckdb"}
    engines_used.clear()
    spark = runner.invoke(app, [*args, "--engine", "spark"])
    assert spark.exit_code == 0, spark.output
    # the tit-for-tat events, the indices and the scope ran on Spark: the same verdicts
    assert sorted(set(engines_used)) == [
        ("_indices", "spark"),
        ("_scope", "spark"),
        ("_titfortat", "spark"),
    ]
    assert '"supported"' in duck.stdout and '"circular"' in duck.stdout
    assert duck.stdout == spark.stdout


def test_engine_from_config_file(tmp_path: Path) -> None:
    cfg = tmp_path / "trilateral.toml"
    cfg.write_text(
        '[engine]\nname = "spark"\nmaster = "spark://head:7077"\nexecutor_memory = "8g"\n'
        '"spark.sql.shuffle.partitions" = "64"\n',
        encoding="utf-8",
    )
    eng = EngineConfig.from_file(cfg)
    assert eng.name == "spark" and eng.master == "spark://head:7077"
    assert eng.executor_memory == "8g"
    assert eng.conf == {"spark.sql.shuffle.partitions": "64"}
    assert resolve_engine(None).name == "duckdb"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[engine]\nname = "flink"\n', "name"),
        ('[engine]\nname = "spark"\nhadoop.x = "1"\n', "hadoop"),
        ("[other]\nx = 1\n", r"no \[engine\] section"),
        ("[engine\n", "not valid TOML"),
    ],
)
def test_bad_engine_config_is_a_clear_error(tmp_path: Path, text: str, message: str) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        EngineConfig.from_file(cfg)


def test_unknown_engine_name() -> None:
    with pytest.raises(ConfigError, match="unknown engine"):
        resolve_engine("flink")
