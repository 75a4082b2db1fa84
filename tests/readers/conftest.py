"""Fixtures for the reader tests: files are written on the fly into tmp_path."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """write(name, content, encoding="utf-8") -> path. ``content`` may be str or bytes;
    str is written with ``newline=""`` so line endings are exactly as given."""

    def _write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            with open(path, "w", encoding=encoding, newline="") as f:
                f.write(content)
        return path

    return _write


@pytest.fixture
def make_xlsx(tmp_path: Path) -> Callable[..., Path]:
    """make_xlsx(name, {"Sheet title": rows, ...}) -> path; rows are lists (None = empty cell)
    or dicts {"B3": value} to place cells anywhere. Number formats: {"D2": "0.00"} in
    ``formats``."""
    import openpyxl

    def _make(name: str, sheets: dict[str, Iterable[Any]], formats: dict[str, str] | None = None) -> Path:
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        for title, rows in sheets.items():
            ws = wb.create_sheet(title)
            for row in rows:
                if isinstance(row, dict):
                    for ref, value in row.items():
                        ws[ref] = value
                else:
                    ws.append(list(row))
            for ref, fmt in (formats or {}).items():
                ws[ref].number_format = fmt
        path = tmp_path / name
        wb.save(path)
        return path

    return _make


@pytest.fixture
def patch_zip() -> Callable[..., Path]:
    """patch_zip(path, member, {old_bytes: new_bytes}) rewrites one member of a ZIP in place
    (e.g. to give a formula cell the cached value Excel would have stored)."""

    def _patch(path: Path, member: str, replacements: dict[bytes, bytes]) -> Path:
        with zipfile.ZipFile(path) as src:
            items = [(info, src.read(info.filename)) for info in src.infolist()]
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
            for info, data in items:
                if info.filename == member:
                    for old, new in replacements.items():
                        assert old in data, f"{old!r} not in {member}"
                        data = data.replace(old, new)
                out.writestr(info, data)
        return path

    return _patch
