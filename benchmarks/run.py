"""``make bench``: run every ``benchmarks/bench_*.py`` in turn; each prints its own table.

Usage: ``python benchmarks/run.py [NAME ...]`` (e.g. ``ingest`` runs only bench_ingest.py).
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    names = sys.argv[1:] if argv is None else argv
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))  # so bench modules can `import _util`
    benches = sorted(HERE.glob("bench_*.py"))
    if names:
        benches = [b for b in benches if b.stem.removeprefix("bench_") in names or b.stem in names]
    failed = []
    for path in benches:
        print(f"\n=== {path.stem} ===", flush=True)
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        t0 = time.perf_counter()
        try:
            spec.loader.exec_module(module)
            module.main([])
        except Exception as exc:  # one broken benchmark should not hide the others
            failed.append(path.stem)
            print(f"{path.stem} failed: {exc!r}", flush=True)
        print(f"({path.stem}: {time.perf_counter() - t0:.0f} s)", flush=True)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
