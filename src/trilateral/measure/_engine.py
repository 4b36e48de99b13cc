"""Where the measure stage's Ibis expressions run: DuckDB (the default) or Spark.

The measure stage's queries — the index query of :func:`~trilateral.measure.indices`,
the scope query of :func:`~trilateral.measure.conflict_scope` and the tit-for-tat input
query of :func:`~trilateral.measure.load_events` — are written once as Ibis table
expressions over tables ``events`` (and ``event_duplicates``, ``event_extras``) in the
store's layout and compiled by Ibis (:func:`compile_sql`) to the SQL dialect of the
engine the user chose. This module runs that SQL:

* ``duckdb`` — on the store's own DuckDB connection (or an in-memory DuckDB with a view
  over a Parquet directory);
* ``spark`` — on a :class:`pyspark.sql.SparkSession` built from an
  :class:`EngineConfig` (master URL, executor memory, any ``spark.*`` key), with a
  temporary view ``events`` over the data (and ``event_duplicates``, and
  ``event_extras`` when asked for). A Parquet directory (or URL) is read by Spark itself; a
  DuckDB store is first copied to a temporary Parquet file (DuckDB's ``COPY``) that
  Spark reads — for archive-sized data export the store once with
  ``trilateral export --format parquet`` and point Spark at the lake.

Engine settings come from arguments or from the ``[engine]`` section of a TOML file::

    [engine]
    name = "spark"
    master = "spark://head:7077"
    executor_memory = "8g"
    "spark.sql.shuffle.partitions" = "64"
"""

from __future__ import annotations

import shutil
import tempfile
import tomllib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import polars as pl
import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..errors import ConfigError
from ._store_access import StoreHandle, data_hash, open_store, require_events

__all__ = [
    "EVENT_COLUMNS",
    "EngineConfig",
    "EventSource",
    "compile_sql",
    "engine_from_options",
    "event_source",
    "resolve_engine",
]

#: The columns of ``events`` the measure stage reads (a subset of the canonical schema).
EVENT_COLUMNS: tuple[str, ...] = (
    "date",
    "source",
    "target",
    "cameo",
    "quad_class",
    "goldstein",
    "arena",
    "weight",
    "event_id",
    "ingest_id",
)
#: The store's ``event_duplicates`` columns the query reads (``dedup="cross-dataset"``).
DUPLICATE_COLUMNS: tuple[str, ...] = ("event_id", "ingest_id")
#: The store's ``event_extras`` columns (the chronicle's magnitudes and descriptions).
EXTRAS_COLUMNS: tuple[str, ...] = ("event_id", "magnitude", "description", "ingest_id")


def compile_sql(expr: Any, dialect: str) -> str:
    """The SQL of an Ibis expression over unbound tables, in ``dialect`` (``duckdb`` or
    ``pyspark``): what :class:`EventSource` runs. Compiling costs more than running a
    query on a small store, so callers memoise it per parameter set.

    Examples
    --------
    >>> import ibis
    >>> t = ibis.table({"source": "string"}, name="events")
    >>> "events" in compile_sql(t.filter(t.source == "USA"), "duckdb")
    True
    """
    import ibis

    if dialect == "pyspark":  # its compiler reads ibis.options.pyspark: register them
        from ibis.backends.pyspark import Backend

        Backend.register_options()
    return str(ibis.to_sql(expr, dialect=dialect))


class EngineConfig(BaseModel):
    """The engine that runs the measure stage's Ibis expressions.

    Parameters
    ----------
    name : {"duckdb", "spark"}
        ``duckdb`` (embedded, the default) or ``spark`` (PySpark, any cluster manager).
    master : str
        Spark master URL (``local[*]``, ``spark://host:7077``, ``yarn``, ``k8s://…``).
    app_name : str
        The Spark application name.
    executor_memory, driver_memory : str, optional
        ``spark.executor.memory`` / ``spark.driver.memory`` (``"8g"``).
    conf : dict of str to str
        Any further ``spark.*`` settings, passed to the session builder as given.

    Examples
    --------
    >>> EngineConfig(name="spark", master="local[2]", conf={"spark.ui.enabled": "false"}).name
    'spark'
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Literal["duckdb", "spark"] = "duckdb"
    master: str = "local[*]"
    app_name: str = "trilateral"
    executor_memory: str | None = None
    driver_memory: str | None = None
    conf: dict[str, str] = Field(default_factory=dict)

    @field_validator("conf")
    @classmethod
    def _spark_keys(cls, value: dict[str, str]) -> dict[str, str]:
        bad = [k for k in value if not k.startswith("spark.")]
        if bad:
            raise ValueError(f"engine settings must be spark.* keys, got {', '.join(bad)}")
        return {k: str(v) for k, v in value.items()}

    @classmethod
    def from_file(cls, path: str | Path) -> EngineConfig:
        r"""Read the ``[engine]`` section of a TOML file (``spark.*`` keys go to ``conf``).

        Examples
        --------
        >>> from pathlib import Path
        >>> _ = Path("trilateral.toml").write_text(
        ...     '[engine]\nname = "spark"\nmaster = "local[2]"\n"spark.sql.shuffle.partitions" = "8"\n'
        ... )
        >>> cfg = EngineConfig.from_file("trilateral.toml")
        >>> cfg.name, cfg.master, cfg.conf
        ('spark', 'local[2]', {'spark.sql.shuffle.partitions': '8'})
        """
        p = Path(path)
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"cannot read the config file {p}: {exc.strerror or exc}") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(
                f"{p} is not valid TOML: {exc}", hint="see docs/scale.md for an example"
            ) from None
        section = data.get("engine")
        if not isinstance(section, dict):
            raise ConfigError(
                f"{p} has no [engine] section",
                hint='add one, e.g. [engine] name = "spark" master = "local[*]"',
            )
        fields = {k: v for k, v in section.items() if not k.startswith("spark.")}
        conf = dict(fields.pop("conf", {}) or {})
        conf.update({k: v for k, v in section.items() if k.startswith("spark.")})
        try:
            return cls(**fields, conf=conf)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(x) for x in first["loc"])
            raise ConfigError(
                f"{p} [engine] {where}: {first['msg']}",
                hint="name is 'duckdb' or 'spark'; other keys: master, app_name, "
                "executor_memory, driver_memory, spark.*",
            ) from None

    def spark_session(self) -> Any:
        """The SparkSession these settings describe (``getOrCreate``: an active one is reused)."""
        try:
            from pyspark.sql import SparkSession
        except ImportError:
            raise ConfigError(
                "the spark engine needs PySpark, which is not installed",
                hint="pip install 'trilateral[spark]' (and a Java 17 runtime), or use --engine duckdb",
            ) from None

        builder = SparkSession.builder.master(self.master).appName(self.app_name)
        settings = {"spark.sql.session.timeZone": "UTC", **self.conf}
        if self.executor_memory:
            settings["spark.executor.memory"] = self.executor_memory
        if self.driver_memory:
            settings["spark.driver.memory"] = self.driver_memory
        for key, value in settings.items():
            builder = builder.config(key, value)
        return builder.getOrCreate()


def resolve_engine(engine: str | EngineConfig | None) -> EngineConfig:
    """``None`` / ``"duckdb"`` / ``"spark"`` / an :class:`EngineConfig` → an EngineConfig."""
    if engine is None:
        return EngineConfig()
    if isinstance(engine, EngineConfig):
        return engine
    if isinstance(engine, str) and engine.strip().lower() in ("duckdb", "spark"):
        return EngineConfig(name=engine.strip().lower())  # type: ignore[arg-type]
    raise ConfigError(f"unknown engine {engine!r}", hint="choose 'duckdb' or 'spark'")


def engine_from_options(engine: str | None, config: str | Path | None) -> EngineConfig:
    """The engine a command line asks for: ``--engine NAME`` and/or ``--engine-config FILE``.

    The file's ``[engine]`` section gives the settings; ``--engine`` (when given) names
    the engine and must agree with the file's.
    """
    if config is None:
        return resolve_engine(engine)
    cfg = EngineConfig.from_file(config)
    if engine is not None and resolve_engine(engine).name != cfg.name:
        raise ConfigError(
            f"--engine {engine} disagrees with {config}, which sets name = {cfg.name!r}",
            hint="drop one of them",
        )
    return cfg


@dataclass(frozen=True, slots=True)
class EventSource:
    """Where the index query runs: a SQL dialect, a way to run it, and the data's identity.

    ``run(sql)`` executes SQL of ``dialect`` (compiled by Ibis) against a table named
    ``events`` and returns an Arrow table; :meth:`frame` returns it as polars.
    """

    run: Callable[[str], pa.Table]
    dialect: str
    engine: str
    path: str | None
    data_hash: str

    def frame(self, sql: str) -> pl.DataFrame:
        """``run(sql)`` as a polars DataFrame."""
        out = pl.from_arrow(self.run(sql))
        assert isinstance(out, pl.DataFrame)
        return out


@contextmanager
def event_source(
    store: Any,
    engine: str | EngineConfig | None = None,
    *,
    columns: Sequence[str] = EVENT_COLUMNS,
    extras: bool = False,
    duplicates: bool = False,
    require: bool = True,
) -> Iterator[EventSource]:
    """Yield the store's events on the chosen engine, as a table named ``events``.

    ``store`` is anything :func:`~trilateral.measure._store_access.open_store` takes: an
    :class:`~trilateral.data.store.EventStore`, the path of a store file, a DuckDB
    connection, or a Parquet directory / fsspec URL written by ``trilateral export``.
    ``columns`` are the columns of ``events`` the queries read (on Spark the view holds
    those only; a DuckDB store is copied with those only); ``extras`` and ``duplicates``
    also give Spark the store's ``event_extras`` and ``event_duplicates``. Raises :class:`~trilateral.errors.DataError` when the
    source holds no events (unless ``require`` is False).
    """
    cfg = resolve_engine(engine)
    with open_store(store) as handle:
        if require:
            require_events(handle)
        dhash = data_hash(handle)
        if cfg.name == "duckdb":
            con = handle.con

            def run(sql: str) -> pa.Table:
                return con.sql(sql).to_arrow_table()

            yield EventSource(run, "duckdb", "duckdb", handle.path, dhash)
            return
        with _spark_events(handle, cfg, tuple(columns), extras, duplicates) as session:

            def run_spark(sql: str) -> pa.Table:
                return session.sql(sql).toArrow()

            yield EventSource(run_spark, "pyspark", "spark", handle.path, dhash)


@contextmanager
def _spark_events(
    handle: StoreHandle,
    cfg: EngineConfig,
    columns: tuple[str, ...],
    extras: bool,
    duplicates: bool,
) -> Iterator[Any]:
    """A SparkSession with the temporary view ``events`` (and ``event_extras``,
    ``event_duplicates``)."""
    session = cfg.spark_session()
    tmp = Path(tempfile.mkdtemp(prefix="trilateral-spark-"))

    def small(table: str, cols: tuple[str, ...]) -> None:
        # a small table of the store, from DuckDB (a lake's is in DuckDB too)
        path = tmp / f"{table}.parquet"
        sel = ", ".join(cols)
        handle.con.execute(f"COPY (SELECT {sel} FROM {table}) TO '{path}' (FORMAT parquet)")
        session.read.parquet(str(path)).createOrReplaceTempView(table)

    try:
        if duplicates:
            small("event_duplicates", DUPLICATE_COLUMNS)
        if extras:
            small("event_extras", EXTRAS_COLUMNS)
        if handle.parquet is not None:
            frame = session.read.option("basePath", handle.parquet.root).parquet(
                *handle.parquet.spark_paths
            )
            frame.selectExpr(*columns).createOrReplaceTempView("events")
        else:
            small("events", columns)
        yield session
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
