"""``houbei demo`` and ``houbei serve`` end to end, in subprocesses with their own SQLite
files: two fresh builds give identical data, a second run changes nothing, and the
server serves pages and static files under granian and stops cleanly on Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Everything the demo stores, in a canonical order, without ids, timestamps, hashes and
# password hashes (salted): two builds must agree on all of it.
SNAPSHOT = r"""
import json, django
django.setup()
from django.contrib.auth import authenticate
from houbei.accounts.models import User
from houbei.audit.models import AuditEntry, AuditHead
from houbei.organisation.models import District, Post, ReviewPoint, School, SchoolYear, Term
from houbei.people.models import Honour, Person, PostHistory

def rows(qs, *fields):
    return [[str(v) for v in row] for row in qs.values_list(*fields)]

person_fields = [f.name for f in Person._meta.concrete_fields
                 if f.name not in {"id", "created_at", "updated_at", "archived_at", "user"}]
data = {
    "districts": rows(District.objects.order_by("code"), "name", "code"),
    "schools": rows(School.objects.order_by("code"), "name", "short_name", "code", "district__code"),
    "posts": rows(Post.objects.order_by("school__code", "code"), "school__code", "code", "name",
                  "ladder_level", "allowed_lengths", "capacity_per_term"),
    "mentors": rows(Post.default_mentors.through.objects.order_by("post__school__code", "post__code",
                    "person__staff_number"), "post__code", "person__staff_number"),
    "years": rows(SchoolYear.objects.order_by("school__code", "start_year"), "school__code",
                  "start_year", "start", "end"),
    "terms": rows(Term.objects.order_by("school_year__school__code", "start"), "start", "end"),
    "reviews": rows(ReviewPoint.objects.order_by("term__school_year__school__code", "date"), "kind", "date"),
    "people": rows(Person.objects.order_by("school__code", "staff_number"), *person_fields,
                   "user__username"),
    "history": rows(PostHistory.objects.order_by("person__school__code", "person__staff_number",
                    "start", "post__code"), "person__staff_number", "post__code", "start", "end", "note"),
    "honours": rows(Honour.objects.order_by("person__school__code", "person__staff_number", "year",
                    "title"), "person__staff_number", "title", "level", "year"),
    "users": rows(User.objects.order_by("username"), "username", "role", "school__code",
                  "district__code", "display_name", "is_active"),
    "logins": sorted(u.username for u in User.objects.all()
                     if authenticate(username=u.username, password="houbei-demo")),
    "audit": rows(AuditEntry.objects.order_by("seq"), "seq", "action", "target_type", "actor_id"),
    "audit_head": AuditHead.objects.get().seq,
}
print(json.dumps(data, ensure_ascii=False, sort_keys=True))
"""


def run(args: list[str], data_dir: Path, **kwargs) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(HOUBEI_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="houbei.settings")
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        **kwargs,
    )


def snapshot(data_dir: Path) -> dict:
    result = run(["-c", SNAPSHOT], data_dir)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def first_build(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    data_dir = tmp_path_factory.mktemp("demo-a")
    result = run(["-m", "houbei.cli", "demo", "--no-serve"], data_dir)
    assert result.returncode == 0, result.stderr
    assert "演示数据已建立" in result.stdout
    for username in ("renshi", "xiaowu", "daijiao", "jiaogong", "quju", "admin"):
        assert username in result.stdout
    assert "houbei-demo" in result.stdout and "仅供演示" in result.stdout
    return data_dir


def test_two_fresh_builds_store_identical_data(first_build, tmp_path) -> None:
    result = run(["-m", "houbei.cli", "demo", "--no-serve"], tmp_path)
    assert result.returncode == 0, result.stderr
    a, b = snapshot(first_build), snapshot(tmp_path)
    assert len(a["people"]) == 142 and len(a["logins"]) == 6
    for key in a:
        assert a[key] == b[key], f"builds differ in {key}"


def test_running_the_demo_again_changes_nothing(first_build) -> None:
    before = snapshot(first_build)
    database = first_build / "houbei.sqlite3"
    result = run(["-m", "houbei.cli", "demo", "--no-serve"], first_build)
    assert result.returncode == 0, result.stderr
    assert "演示数据已存在" in result.stdout and "renshi" in result.stdout
    assert snapshot(first_build) == before
    assert database.exists()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers.get("Content-Type", ""), response.read()


def test_serve_answers_with_pages_and_static_files_and_stops_on_ctrl_c(first_build) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["HOUBEI_DATA_DIR"] = str(first_build)
    server = subprocess.Popen(
        [sys.executable, "-m", "houbei.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _type, body = get(f"http://127.0.0.1:{port}/accounts/login/")
                break
            except OSError:
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                assert time.monotonic() < deadline, "server did not answer within 60 s"
                time.sleep(0.5)
        assert status == 200 and "登录" in body.decode()
        status, content_type, css = get(f"http://127.0.0.1:{port}/static/houbei/app.css")
        assert status == 200 and content_type.startswith("text/css") and b".card" in css
    finally:
        server.send_signal(signal.SIGINT)
        try:
            code = server.wait(timeout=30)
        finally:
            if server.poll() is None:
                server.kill()
    output = server.stdout.read() if server.stdout else ""
    assert code == 0, output
    assert f"http://127.0.0.1:{port}/" in output and "正在停止" in output
    with socket.socket() as probe:  # nobody listens any more: granian stopped too
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))


def test_serve_refuses_a_port_in_use(first_build) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run(["-m", "houbei.cli", "serve", "--port", str(port)], first_build)
    assert result.returncode == 1
    assert f"端口 {port} 已被占用" in result.stderr
