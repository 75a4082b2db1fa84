"""A new job's file is read once to keep it: copied and hashed together, the copy kept only once
its hash is known (and is not a duplicate refused); nothing half-written stays behind."""

from __future__ import annotations

import builtins
import hashlib

import pytest

from importdesk.engine import ImportOptions
from importdesk.engine.errors import DuplicateContent
from importdesk.store import files

from support import write_products


def _parts(workspace) -> list:
    return sorted(workspace.archive.rglob("*.part"))


def test_the_kept_copy_is_the_file_its_hash_and_size_say(engine, workspace, tmp_path, monkeypatch):
    path = write_products(tmp_path / "products.csv", 2_000)
    opened = []
    real_open = builtins.open
    monkeypatch.setattr(files, "open", lambda f, *a, **k: opened.append(str(f)) or real_open(f, *a, **k),
                        raising=False)
    job = engine.create_job(path, ImportOptions(resource_type="products"), refuse_duplicate=True)
    assert opened.count(str(path)) == 1  # hash, duplicate check and copy from one read
    kept = workspace.absolute(job.provider_data.kept_path)
    assert kept.read_bytes() == path.read_bytes()
    assert job.provider_data.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert job.provider_data.size == path.stat().st_size
    assert kept.name == "products.csv"
    assert _parts(workspace) == []


def test_a_duplicate_refused_leaves_nothing_new(engine, workspace, tmp_path):
    path = write_products(tmp_path / "products.csv", 100)
    first = engine.create_job(path, ImportOptions(resource_type="products"), refuse_duplicate=True)
    before = sorted(p for p in workspace.archive.rglob("*"))
    with pytest.raises(DuplicateContent, match=first.uid):
        engine.create_job(path, ImportOptions(resource_type="products"), refuse_duplicate=True)
    assert sorted(p for p in workspace.archive.rglob("*")) == before


def test_the_same_bytes_again_share_the_kept_copy(engine, workspace, tmp_path):
    path = write_products(tmp_path / "products.csv", 100)
    again = tmp_path / "again.csv"
    again.write_bytes(path.read_bytes())
    first = engine.create_job(path, ImportOptions(resource_type="products"))
    second = engine.create_job(again, ImportOptions(resource_type="products"))
    assert second.provider_data.kept_path == first.provider_data.kept_path
    assert _parts(workspace) == []


def test_a_copy_that_fails_leaves_no_part(tmp_path, monkeypatch):
    source = tmp_path / "big.csv"
    source.write_bytes(b"x" * (3 * files.CHUNK))
    folder = tmp_path / "archive"
    writes = []

    class Full(OSError):
        pass

    real_open = builtins.open

    def failing_open(f, mode="r", *a, **k):
        handle = real_open(f, mode, *a, **k)
        if "w" in mode:
            real_write = handle.write

            def write(data):
                writes.append(len(data))
                if len(writes) == 2:
                    raise Full(28, "No space left on device")
                return real_write(data)
            handle.write = write
        return handle

    monkeypatch.setattr(files, "open", failing_open, raising=False)
    with pytest.raises(Full):
        files.stage_copy(source, folder)
    assert list(folder.iterdir()) == []
