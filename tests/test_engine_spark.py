"""The measure stage's Ibis query on DuckDB and on PySpark (local mode) agree.

Real files: six GDELT 1.0 Georgia monthly files of 2011 and the two GDELT 2.0 raw exports
(../shared/data/gdelt/), the ICEWS18 validation split and the raw ICEWS 2018 sample
(../shared/data/icews/), ingested into one store. The expected numbers are DuckDB's,
computed by the same expressions on the other engine: equal counts, means and shares
within 1e-9, equal bootstrap intervals (the bootstrap draws from the per-cell (g, w)
pairs each engine returns, so equal intervals mean equal pairs and multiplicities).

One SparkSession (local[2]) serves the module; run these alone with ``pytest -m spark``.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from trilateral.data import export_parquet
from trilateral.data.store import EventStore
from trilateral.errors import ConfigError
from trilateral.measure._engine import EngineConfig, resolve_engine
from trilateral.measure._indices import INDEX_COLUMNS, indices

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
