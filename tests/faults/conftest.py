"""Fixtures of the fault-injection tests: every connection the engine and its batch writer open
follows a FaultPlan."""

from __future__ import annotations

import fault_injection
import pytest
from fault_injection import PLAN_ENV, WRITER_ENV, FaultPlan, FaultySqlite


@pytest.fixture
def fault_plan(tmp_path, monkeypatch) -> FaultPlan:
    from importdesk.store import batch_writer, database

    plan = FaultPlan(tmp_path / "fault-plan")
    monkeypatch.setenv(PLAN_ENV, str(plan.path))
    monkeypatch.setenv(WRITER_ENV, batch_writer.__file__)
    monkeypatch.setattr(database, "sqlite3", FaultySqlite())
    monkeypatch.setattr(batch_writer.BatchWriter, "script", fault_injection.__file__, raising=False)
    return plan
