"""Messy workbooks built in code, the way schools really keep their rosters."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

PEOPLE_HEADERS = [
    "工号",
    "姓名",
    "性别",
    "出生日期",
    "入校时间",
    "参加工作时间",
    "编制",
    "在岗状态",
    "政治面貌",
]


def workbook_bytes(
    sheets: dict[str, Sequence[Sequence[Any]]], merges: dict[str, list[str]] | None = None
) -> bytes:
    """A workbook with one sheet per key (rows as given, row 1 first) and merged ranges."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        ws = workbook.create_sheet(title)
        for row in rows:
            ws.append(list(row))
        for ref in (merges or {}).get(title, []):
            ws.merge_cells(ref)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write(tmp_path: Path, data: bytes, name: str = "roster.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def person_row(
    number: str,
    name: str,
    *,
    gender: str = "女",
    birth: Any = "1985-03-01",
    joined: Any = "2010-09-01",
    started: Any = "2008-08-01",
    establishment: str = "在编",
    status: str = "在岗",
    political: str = "群众",
) -> list[Any]:
    return [number, name, gender, birth, joined, started, establishment, status, political]


def simple_roster(count: int, *, start: int = 1, history: bool = False) -> bytes:
    people = [PEOPLE_HEADERS] + [
        person_row(f"T{i:05d}", f"教师{i}") for i in range(start, start + count)
    ]
    sheets: dict[str, list[list[Any]]] = {"教职工名册": people}
    if history:
        sheets["任职经历"] = [["工号", "姓名", "岗位", "开始", "结束", "备注"]] + [
            [f"T{i:05d}", f"教师{i}", "班主任", dt.date(2012, 9, 1), dt.date(2015, 7, 31), ""]
            for i in range(start, start + count)
        ]
    return workbook_bytes(sheets)
