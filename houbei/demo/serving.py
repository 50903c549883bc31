"""Serving the app: granian in a child process, or Django's own server as a fallback.

granian is the production WSGI server (see README); the demo uses it too, so what a
school tries is what it would run. Static files come from WhiteNoise inside the app
(``WHITENOISE_USE_FINDERS``), so no ``collectstatic`` is needed. Ctrl-C (or SIGTERM)
stops the child cleanly: it gets SIGINT, time to finish, then SIGTERM, then SIGKILL."""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

GRACE_SECONDS = 10


def port_is_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def granian_command() -> list[str] | None:
    """How to start granian from this environment, or None if it is not installed."""
    beside = Path(sys.executable).with_name("granian")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("granian")
    if found:
        return [found]
    if importlib.util.find_spec("granian") is not None:
        return [sys.executable, "-m", "granian"]
    return None


def url_of(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def database_label() -> str:
    """Where the data lives, for the start-up message."""
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"SQLite {params['NAME']}"
    host = params.get("HOST") or "localhost"
    return f"{connection.vendor} {host}:{params.get('PORT') or ''}/{params['NAME']}"


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def serve(
    *,
    host: str,
    port: int,
    workers: int = 1,
    dev: bool = False,
    say: Callable[[str], None] = print,
) -> int:
    """Serve until interrupted; returns the server's exit code (0 after Ctrl-C).

    Raises ``CommandError`` with a Chinese message when the port is taken."""
    if not port_is_free(host, port):
        raise CommandError(
            f"端口 {port} 已被占用：请用 --port 指定其他端口，或先停止占用它的程序。"
        )
    command = granian_command()
    if dev or command is None:
        if command is None:
            say("未安装 granian，改用 Django 自带的服务器（仅适合演示和开发）。")
        say(f"后备 Houbei 正在运行：{url_of(host, port)}  （按 Ctrl-C 停止）")
        call_command("runserver", f"{host}:{port}", use_reloader=dev, use_threading=True)
        return 0
    args: Sequence[str] = [
        *command,
        "--interface", "wsgi",
        "--host", host,
        "--port", str(port),
        "--workers", str(workers),
        # A few threads per worker beat granian's default of hundreds for Django
        # (measured on two cores: about 6.8k against 4.6k req/s for a trivial view).
        "--blocking-threads", "4",
        "--log-level", "warning",
        "houbei.wsgi:application",
    ]  # fmt: skip
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "houbei.settings"),
        # WhiteNoise warns that STATIC_ROOT is missing; the demo serves from the finders.
        "PYTHONWARNINGS": "ignore:No directory at:UserWarning",
    }
    say(
        f"后备 Houbei 正在运行：{url_of(host, port)}  （granian，{workers} 个进程；按 Ctrl-C 停止）"
    )
    # Explicit handlers: a shell that starts us in the background ignores SIGINT, and
    # SIGTERM (a service manager, a test) should stop the child as cleanly as Ctrl-C.
    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    child = subprocess.Popen(args, env=env, cwd=settings.BASE_DIR)  # noqa: S603 - our own argv
    try:
        return child.wait()
    except KeyboardInterrupt:
        say("正在停止 …")
        return _stop(child)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _stop(child: subprocess.Popen[bytes]) -> int:
    # From a terminal the child got the same SIGINT already; from SIGTERM it did not.
    for sig, wait in ((signal.SIGINT, GRACE_SECONDS), (signal.SIGTERM, 5)):
        if child.poll() is not None:
            break
        child.send_signal(sig)
        try:
            child.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
    if child.poll() is None:
        child.kill()
        child.wait()
    return 0


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(rows: Sequence[Sequence[str]]) -> str:
    """Rows padded to column width, counting Chinese characters as two columns."""
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [cell + " " * (widths[i] - display_width(cell)) for i, cell in enumerate(row)]
        lines.append("  " + "  ".join(cells).rstrip())
    return "\n".join(lines)
