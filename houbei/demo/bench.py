"""Running the benchmarks in ``bench/``: discovery and the run loop.

Protocol: ``bench/<name>.py`` defines ``main(argv: list[str]) -> int``; it is called with
Django set up and the default connection pointing at a freshly migrated scratch database,
creates its own data and prints JSON lines (see ``bench/_report.py``). Modules whose name
starts with ``_`` are helpers: ``all`` skips them, but they can be run by name."""

from __future__ import annotations

import importlib.util
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from django.conf import settings

from .scratch import scratch_database

BENCH_DIR = Path(settings.BASE_DIR) / "bench"


def discover(bench_dir: Path = BENCH_DIR) -> list[str]:
    """The names ``bench all`` runs, in order."""
    return sorted(p.stem for p in bench_dir.glob("*.py") if not p.stem.startswith("_"))


def load(name: str, bench_dir: Path = BENCH_DIR) -> ModuleType:
    path = bench_dir / f"{name}.py"
    if not path.is_file():
        # ``houbei bench ballots-burst`` runs bench/ballots_burst.py, as commands take dashes.
        path = bench_dir / f"{name.replace('-', '_')}.py"
    if not path.is_file():
        known = ", ".join(discover(bench_dir)) or "—"
        raise LookupError(f"没有名为 {name} 的基准（{path} 不存在）。可用：{known}")
    # The bench directory's parent goes on the path so benches can share helpers with
    # ``from bench._district import ...``; loading by path also allows names such as
    # ``import`` that are not valid module names.
    parent = str(bench_dir.parent)
    if parent not in sys.path:
        sys.path.insert(0, parent)
    spec = importlib.util.spec_from_file_location(f"{bench_dir.name}.{path.stem}", path)
    if spec is None or spec.loader is None:
        raise LookupError(f"无法加载 {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses and pickling look the module up by name
    spec.loader.exec_module(module)
    if not callable(getattr(module, "main", None)):
        raise LookupError(f"{path} 没有 main(argv) 函数")
    return module


def run_one(
    name: str,
    argv: list[str],
    *,
    bench_dir: Path = BENCH_DIR,
    keep: bool = False,
    log: Callable[[str], None] = lambda message: None,
) -> int:
    """Run one bench in its own scratch database and return its exit code."""
    module = load(name, bench_dir)
    started = time.perf_counter()
    with scratch_database(keep=keep) as db_name:
        log(f"# {name}: scratch database {db_name}")
        code = int(module.main(list(argv)) or 0)
        if keep:
            log(f"# {name}: scratch database kept: {db_name}")
    log(f"# {name}: exit {code} in {time.perf_counter() - started:.1f} s")
    return code
