"""The one loader of every YAML file trilateral reads (scenarios, claims, provenance).

A YAML file is user input, so it is read defensively (issue 21, item 2):

- its size is capped (:data:`MAX_BYTES`) before it is read, and the number of values
  after alias expansion (:data:`MAX_NODES`) before anything walks it, so an alias bomb
  ("billion laughs") fails at once with memory bounded;
- it must be UTF-8 (a Latin-1 file names the line and the byte);
- a key given twice in one mapping is an error (YAML's own rule; PyYAML keeps the last);
- an unquoted date that is no date (``2020-13-45``) is an error naming the key;
- :func:`validate` checks the data against a pydantic model in strict mode (no bool for
  an int, no int for a string), the errors naming file, line, key, value and what is
  allowed;
- :func:`load_extending` follows ``extends:`` chains, merging mappings deeply, and names
  the chain when it goes round in a circle.

Every error is a :class:`YamlError` (a :class:`~trilateral.errors.ConfigError`), which
the CLI prints without a traceback and exits with status 2 (bad input).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

import yaml
from pydantic import TypeAdapter, ValidationError

from .errors import ConfigError

__all__ = [
    "MAX_BYTES",
    "MAX_NODES",
    "Layer",
    "YamlError",
    "deep_merge",
    "line_of",
    "load_extending",
    "load_yaml",
    "load_yaml_text",
    "locate",
    "read_text",
    "validate",
]

#: The largest YAML file read (bytes): a scenario or claims file is a few kB.
MAX_BYTES = 1_000_000
#: The most values (scalars, sequences, mappings) a document may hold once its aliases
#: are expanded: far above any real file, far below what exhausts memory.
MAX_NODES = 200_000
#: The longest ``extends`` chain followed.
MAX_CHAIN = 16


T = TypeVar("T")


class YamlError(ConfigError):
    """A YAML file is unreadable or invalid: the message names file, line, key and value,
    and what is allowed. The CLI exits with status 2."""

    exit_code = 2


class _Readable(Protocol):
    def read_bytes(self) -> bytes: ...


def _where(source: str, line: int | None = None, key: str | None = None) -> str:
    out = source
    if line is not None:
        out += f", line {line}"
    if key:
        out += f", key {key!r}"
    return out


def read_text(path: str | Path | _Readable, *, max_bytes: int | None = None) -> str:
    """The file's text: at most ``max_bytes`` bytes (default :data:`MAX_BYTES`), UTF-8
    (a byte-order mark is dropped).

    Raises
    ------
    YamlError
        The file is missing, larger than ``max_bytes`` or not UTF-8.
    """
    source = str(path)
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    if isinstance(path, str | Path):
        path = Path(path)
        try:
            size = path.stat().st_size
            if size > max_bytes:
                raise YamlError(
                    f"{source}: {size:,} bytes, more than the {max_bytes:,} allowed",
                    hint="a configuration file is a few kB; check that this is the right file",
                )
            with path.open("rb") as fh:  # bounded: a device or pipe states no size
                data = fh.read(max_bytes + 1)
        except OSError as exc:
            raise YamlError(
                f"{source}: cannot read it ({exc.strerror or exc})",
                hint="check the path and its permissions",
            ) from None
    else:
        data = path.read_bytes()
    if len(data) > max_bytes:
        raise YamlError(
            f"{source}: more than the {max_bytes:,} bytes allowed",
            hint="a configuration file is a few kB; check that this is the right file",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise YamlError(
            f"{_where(source, line)}, column {col}: byte 0x{data[exc.start]:02x} is not UTF-8 "
            "(the file looks Latin-1 or Windows-1252 encoded)",
            hint="save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8 IN > OUT`)",
        ) from None


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader; the checks run on the composed node graph."""


def _key_text(node: yaml.Node) -> str:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else f"<{node.tag}>"


def _check_date(loader: _Loader, node: yaml.ScalarNode, source: str, key: str) -> None:
    try:
        loader.construct_yaml_timestamp(node)
    except (ValueError, OverflowError) as exc:
        raise YamlError(
            f"{_where(source, node.start_mark.line + 1, key or '(top level)')}: "
            f"value {node.value!r} is not a date ({exc}) — allowed: a calendar date "
            "YYYY-MM-DD",
            hint="fix the date, or quote the value if it is not meant as a date",
        ) from None


def _check_nodes(loader: _Loader, root: yaml.Node, source: str, max_nodes: int) -> None:
    """Walk the node graph once: duplicate keys, bad dates, and the expanded size."""
    size: dict[int, int] = {}
    active: set[int] = set()

    def expanded(node: yaml.Node, key: str) -> int:
        ident = id(node)
        if ident in size:
            return size[ident]
        if ident in active:
            raise YamlError(
                f"{_where(source, node.start_mark.line + 1, key)}: an alias refers to a "
                "value that contains it (a recursive alias)",
                hint="remove the recursive alias",
            )
        active.add(ident)
        total = 1
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for k, v in node.value:
                name = _key_text(k)
                path = f"{key}.{name}" if key else name
                if k.tag != "tag:yaml.org,2002:merge":
                    if name in seen:
                        raise YamlError(
                            f"{_where(source, k.start_mark.line + 1, path)}: given twice "
                            f"(first on line {seen[name]})",
                            hint="keep one of the two; YAML allows a key once per mapping",
                        )
                    seen[name] = k.start_mark.line + 1
                total += expanded(k, path) + expanded(v, path)
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                total += expanded(v, f"{key}[{i}]")
        elif isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:timestamp":
            _check_date(loader, node, source, key)
        active.discard(ident)
        size[ident] = total
        if total > max_nodes:
            raise YamlError(
                f"{_where(source, node.start_mark.line + 1, key or None)}: more than "
                f"{max_nodes:,} values once its aliases are expanded (an alias bomb?)",
                hint="write the values out, or use fewer nested aliases",
            )
        return total

    expanded(root, "")


def load_yaml_text(text: str, source: str = "<yaml>", *, max_nodes: int | None = None) -> Any:
    """Parse YAML text with every check of this module (see the module's docstring).

    Parameters
    ----------
    text : str
        The document.
    source : str
        The file name the errors give.
    max_nodes : int, optional
        The most values the document may hold with its aliases expanded (default
        :data:`MAX_NODES`).

    Raises
    ------
    YamlError
        Not YAML, a duplicate key, a date that is no date, too many values, or nested too
        deeply.

    Examples
    --------
    >>> load_yaml_text("runs: 10\\nstart: 2020-01-01\\n")
    {'runs': 10, 'start': datetime.date(2020, 1, 1)}
    >>> load_yaml_text("runs: 1\\nruns: 2\\n", "a.yaml")
    Traceback (most recent call last):
    ...
    trilateral._yaml.YamlError: a.yaml, line 2, key 'runs': given twice (first on line 1)
      what to do: keep one of the two; YAML allows a key once per mapping
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_nodes(loader, node, source, MAX_NODES if max_nodes is None else max_nodes)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise YamlError(
            f"{_where(source, line)}: not valid YAML ({getattr(exc, 'problem', None) or exc})",
            hint="fix the YAML syntax (indentation, colons, quotes)",
        ) from None
    except RecursionError:  # PyYAML composes (and this module checks) recursively
        raise YamlError(
            f"{source}: nested too deeply (more levels of lists or mappings than can be read)",
            hint="a configuration file nests a few levels; check that this is the right file",
        ) from None
    finally:
        loader.dispose()


def load_yaml(
    path: str | Path | _Readable, *, max_bytes: int | None = None, max_nodes: int | None = None
) -> Any:
    """Read and parse a YAML file: :func:`read_text` then :func:`load_yaml_text`.

    Examples
    --------
    >>> _ = Path("s.yaml").write_text("name: test\\nruns: 5\\n", encoding="utf-8")
    >>> load_yaml("s.yaml")
    {'name': 'test', 'runs': 5}
    """
    return load_yaml_text(read_text(path, max_bytes=max_bytes), str(path), max_nodes=max_nodes)


def deep_merge(
    base: Mapping[str, Any],
    over: Mapping[str, Any],
    replace: tuple[str, ...] = (),
    tags: tuple[str, ...] = (),
    *,
    _tagged: bool = False,
) -> dict[str, Any]:
    """``base`` updated by ``over``, mapping by mapping: a nested mapping is merged key by
    key, anything else (a value, a list) in ``over`` replaces the one in ``base``, and so
    does the value of a top-level key named in ``replace``. Under a key named in ``tags``
    (e.g. ``strategy``), a mapping whose own value of that key differs from the base's
    replaces it whole: its other keys belong to its kind.

    Examples
    --------
    >>> deep_merge({"players": {"USA": {"noise": 0.1}, "RUS": {"noise": 0.2}}},
    ...            {"players": {"USA": {"noise": 0.3}}})
    {'players': {'USA': {'noise': 0.3}, 'RUS': {'noise': 0.2}}}
    >>> deep_merge({"USA": {"noise": 0.1, "strategy": {"strategy": "grim_trigger", "grim": 1.5}}},
    ...            {"USA": {"strategy": {"strategy": "tit_for_tat"}}}, tags=("strategy",))
    {'USA': {'noise': 0.1, 'strategy': {'strategy': 'tit_for_tat'}}}
    """
    out = dict(base)
    for key, value in over.items():
        old = out.get(key)
        tagged = _tagged or key in tags
        if key in replace or not isinstance(value, Mapping) or not isinstance(old, Mapping):
            out[key] = value
        elif tagged and any(t in value and value[t] != old.get(t) for t in tags):
            out[key] = value
        else:
            out[key] = deep_merge(old, value, tags=tags, _tagged=tagged)
    return out


def _mapping(data: Any, source: str, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise YamlError(
            f"{source}: {what} is a mapping of keys to values, got {type(data).__name__}",
            hint="write one `key: value` a line",
        )
    return data


def load_extending(
    path: Path,
    resolve: Callable[[str, Path], Path],
    *,
    key: str = "extends",
    what: str = "a scenario",
    replace: tuple[str, ...] = (),
    tags: tuple[str, ...] = (),
) -> tuple[dict[str, Any], list[Layer]]:
    """A mapping file with its ``extends:`` chain merged in (:func:`deep_merge`).

    Parameters
    ----------
    path : Path
        The file.
    resolve : callable
        ``resolve(name, child)`` → the file ``extends: name`` in ``child`` means; raises
        :class:`~trilateral.errors.ConfigError` when there is none.
    key : str
        The key naming the parent.
    what : str
        What the file is, for the messages.
    replace, tags : tuple of str
        Top-level keys a file replaces whole instead of merging, and the keys that tag a
        mapping's kind (see :func:`deep_merge`).

    Returns
    -------
    (dict, list of Layer)
        The merged data (without ``key``) and the files of the chain, ``path`` first, for
        :func:`validate` to name the file that gives a bad value.

    Raises
    ------
    YamlError
        Any check of :func:`load_yaml` fails in a file of the chain, the chain goes round
        in a circle (the message shows it) or is longer than :data:`MAX_CHAIN`.
    """
    text = read_text(path)
    layers = [_mapping(load_yaml_text(text, str(path)), str(path), what)]
    texts = [text]
    chain = [path]
    seen = {path.resolve()}
    while (parent := layers[-1].pop(key, None)) is not None:
        child = chain[-1]
        if not isinstance(parent, str):
            raise YamlError(
                f"{_where(str(child), line_of(child.read_text('utf-8'), (key,)), key)}: "
                f"value {parent!r} — allowed: the name of a file or of a shipped one"
            )
        nxt = resolve(parent, child)
        if nxt.resolve() in seen or len(chain) >= MAX_CHAIN:
            shown = " → ".join(str(p) for p in [*chain, nxt])
            why = "goes round in a circle" if nxt.resolve() in seen else "is too long"
            raise YamlError(
                f"{path}: the {key!r} chain {why}: {shown}",
                hint=f"let one file of the chain extend none (at most {MAX_CHAIN} files)",
            )
        seen.add(nxt.resolve())
        chain.append(nxt)
        texts.append(read_text(nxt))
        layers.append(_mapping(load_yaml_text(texts[-1], str(nxt)), str(nxt), what))
    merged: dict[str, Any] = {}
    for layer in reversed(layers):
        merged = deep_merge(merged, layer, replace, tags)
    return merged, [Layer(str(p), t, dict(d)) for p, t, d in zip(chain, texts, layers, strict=True)]


@dataclass(frozen=True)
class Layer:
    """One file of an ``extends`` chain: its name, text and own data (``extends`` left
    out), for :func:`validate` to find the file that gives a key."""

    source: str
    text: str | None
    data: Mapping[str, Any]

    def holds(self, loc: tuple[Any, ...]) -> bool:
        """Whether this file itself gives the value at ``loc``."""
        node: Any = self.data
        for key in loc:
            if isinstance(node, Mapping):
                match = [v for k, v in node.items() if str(k) == str(key)]
                if not match:
                    return False
                node = match[0]
            elif isinstance(node, list) and isinstance(key, int) and key < len(node):
                node = node[key]
            else:
                return False
        return True


def line_of(text: str, loc: tuple[Any, ...]) -> int | None:
    """1-based line of the key at ``loc`` in the YAML text (its deepest existing parent).

    Examples
    --------
    >>> line_of("a: 1\\nb:\\n  c: 2\\n", ("b", "c"))
    3
    """
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return None
    line = None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if str(k.value) == str(key):
                    line, node = k.start_mark.line + 1, v
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            if key >= len(node.value):
                return line
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def locate(
    loc: tuple[Any, ...], source: str, text: str | None, layers: Sequence[Layer] = ()
) -> tuple[str, int | None]:
    """The file and line of the value at ``loc``: the first of ``layers`` that gives it,
    else ``source`` at the line of the deepest key of ``loc`` in ``text``."""
    for layer in layers:
        if layer.holds(loc):
            return layer.source, line_of(layer.text, loc) if layer.text is not None else None
    return source, line_of(text, loc) if text is not None else None


def _allowed(err: Mapping[str, Any]) -> str:
    ctx = err.get("ctx") or {}
    kind = str(err.get("type", ""))
    msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        return f"allowed: {msg.replace('Input should be ', '')}"
    lo, hi = ctx.get("ge", ctx.get("gt")), ctx.get("le", ctx.get("lt"))
    if lo is not None or hi is not None:
        return f"allowed range [{lo}, {hi}]"
    if msg.startswith("Input should be "):
        return "allowed: " + msg.removeprefix("Input should be ")
    return msg


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return str(value)


def validate(
    adapter: TypeAdapter[T],
    data: Any,
    source: str,
    text: str | None = None,
    *,
    what: str = "invalid",
    hint: str | None = None,
    drop: tuple[str, ...] = (),
    layers: Sequence[Layer] = (),
) -> T:
    """``data`` validated by ``adapter`` in pydantic's strict mode, as JSON would be read.

    Strict: a bool is no int (``runs: true``), an int no string, a float no int; a date
    is an ISO date. Every error line names the file, line (from ``text``), key, value and
    what is allowed. ``drop`` lists location parts left out of the key (a discriminated
    union's tag). With ``layers`` (from :func:`load_extending`), a value is reported in
    the first file of the chain that gives it, at its line there.

    Examples
    --------
    >>> from pydantic import BaseModel
    >>> class M(BaseModel):
    ...     runs: int = 1
    >>> validate(TypeAdapter(M), {"runs": True}, "s.yaml", "runs: true\\n")
    Traceback (most recent call last):
    ...
    trilateral._yaml.YamlError: invalid:
      s.yaml, line 1, key 'runs': value True — allowed: a valid integer
    """
    payload = json.dumps(data, default=_json_default, allow_nan=True)
    try:
        return adapter.validate_json(payload, strict=True)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if p not in drop)
            key = ".".join(str(p) for p in loc) or "(top level)"
            where, line = locate(loc, source, text, layers)
            value = err.get("input")
            shown = "" if isinstance(value, dict) else f": value {value!r}"
            lines.append(f"{_where(where, line, key)}{shown} — {_allowed(err)}")
        raise YamlError(f"{what}:\n  " + "\n  ".join(lines), hint=hint) from None
