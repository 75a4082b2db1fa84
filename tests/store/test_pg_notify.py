"""The app on a PostgreSQL store hears other machines' jobs move (LISTEN/NOTIFY): two engines on
one store, as two machines are; the one looking on answers ``data_version()`` without a query,
and asks the store again while its listening connection is lost."""

from __future__ import annotations

import psycopg
import pytest

from importdesk.engine import Engine, ImportOptions
from importdesk.models import JobStatus
from importdesk.workspace import Workspace

from support import counting_uids, write_products
from waiting import WAIT_LIMIT, wait_until


@pytest.fixture
def machines(tmp_path, pg_url, monkeypatch):
    """(the engine that imports, the engine that looks on): one store, one shared workspace."""
    monkeypatch.setenv("IMPORTDESK_STORE", pg_url)
    worker = Engine(Workspace.open(tmp_path / "ws"), uid_factory=counting_uids("01A"))
    app = Engine(Workspace.open(tmp_path / "ws"), uid_factory=counting_uids("01B"))
    yield worker, app
    worker.close()
    app.close()


def _queue(engine: Engine, tmp_path, name: str) -> str:
    path = write_products(tmp_path / name, 5)
    return engine.create_job(path, ImportOptions(resource_type="products")).uid


def _cannot_query(*_args):
    raise AssertionError("data_version() asked the store")


def _end_listening_connection(worker: Engine, listener) -> None:
    pid = listener.raw.info.backend_pid
    worker.ctx.db.conn().execute("SELECT pg_terminate_backend(?)", (pid,))


def test_a_job_saved_on_one_machine_moves_the_others_version_without_a_query(machines, tmp_path, monkeypatch):
    worker, app = machines
    before = app.data_version()
    listener = app.ctx.db.listener
    assert listener.listening.is_set()

    uid = _queue(worker, tmp_path, "a.csv")
    assert listener.wait_changed(before, WAIT_LIMIT), "the new job was not heard"
    monkeypatch.setattr(app.ctx.db, "conn", _cannot_query)
    queued = app.data_version()
    assert queued != before
    monkeypatch.undo()
    assert [job.uid for job in app.list_jobs()] == [uid]

    worker.cancel(uid)
    assert listener.wait_changed(queued, WAIT_LIMIT), "the cancelled job was not heard"
    assert app.data_version() != queued
    assert app.list_jobs()[0].status is JobStatus.CANCELED


def test_a_version_is_still_there_when_nothing_moved(machines):
    _worker, app = machines
    assert app.data_version() == app.data_version()


def test_while_the_listening_connection_is_lost_the_version_is_asked_of_the_store(machines, tmp_path):
    worker, app = machines
    app.data_version()
    listener = app.ctx.db.listener
    listener.retry_seconds = WAIT_LIMIT * 10  # it stays lost for the test
    _end_listening_connection(worker, listener)
    assert listener.lost.wait(WAIT_LIMIT)
    assert listener.version() is None

    before = app.data_version()
    _queue(worker, tmp_path, "a.csv")
    assert app.data_version() != before  # asked, right away: no notification is heard now


def test_a_lost_listening_connection_is_made_again_and_heard_on(machines, tmp_path):
    worker, app = machines
    app.data_version()
    listener = app.ctx.db.listener
    listener.retry_seconds = 0
    lost_connection = listener.raw
    _end_listening_connection(worker, listener)
    wait_until(lambda: listener.listening.is_set() and listener.raw not in (None, lost_connection),
               WAIT_LIMIT, message="the listener to listen again")

    before = app.data_version()
    _queue(worker, tmp_path, "a.csv")
    assert listener.wait_changed(before, WAIT_LIMIT), "the new job was not heard after reconnecting"


def test_a_store_that_cannot_be_listened_to_is_asked(machines, tmp_path, monkeypatch):
    worker, app = machines

    def refused():
        raise psycopg.OperationalError("connection refused")

    monkeypatch.setattr(app.ctx.db, "_listening_connection", refused)
    before = app.data_version()
    assert app.ctx.db.listener.version() is None
    _queue(worker, tmp_path, "a.csv")
    assert app.data_version() != before
