"""The serving worker's loop (`importdesk work`) while the store goes away and comes back: it says
so once, keeps trying, says when the store answers, and queues again the job that the lost
connection interrupted. A stand-in engine plays the store; nothing waits on a clock."""

from __future__ import annotations

import threading

from importdesk.engine.work_queue import serve
from importdesk.models import JobStatus
from importdesk.store.backends import StoreConnectionLost

LOST = ("big.csv: the connection to the store was lost (…); the first 5,000 rows are in, nothing of the batch "
        "being written was kept. Resume once the store is back: importdesk resume 3T8K2M")


class Job:
    def __init__(self, uid: str, status: JobStatus, message: str | None = None):
        self.uid, self.status, self.error_message = uid, status, message


class Store:
    """What the loop asks of the engine and its JobLoop: claims answer from a script of jobs; after
    one marked ``"down"`` the store refuses the next ``DOWN_CALLS`` calls of any kind."""

    DOWN_CALLS = 3

    def __init__(self, outcomes: list):
        self.outcomes = outcomes
        self.stop = threading.Event()
        self.engine = self
        self.resumed: list[str] = []
        self.refusals = 0

    def _answer(self) -> None:
        if self.refusals:
            self.refusals -= 1
            raise StoreConnectionLost("the connection to the store was lost (server closed the connection)")

    def data_version(self) -> int:
        self._answer()
        return 1

    def run_next(self):
        self._answer()
        outcome = self.outcomes.pop(0)
        if not self.outcomes:
            self.stop.set()  # the script is over: the worker is asked to stop
        if isinstance(outcome, tuple):  # (job, "down"): the store goes away right after this claim
            outcome, _down = outcome
            self.refusals = self.DOWN_CALLS
        return outcome

    def resume(self, uid: str) -> None:
        self._answer()
        self.resumed.append(uid)


def test_the_store_going_away_is_said_once_and_the_interrupted_job_is_queued_again():
    interrupted = Job("J1", JobStatus.INTERRUPTED, LOST)
    done = Job("J2", JobStatus.DONE)
    store = Store([(interrupted, "down"), done, None])
    said: list[str] = []
    ran = list(serve(store, say=said.append, idle_claim=0, look=0, retry=0))
    assert ran == [interrupted, done]
    assert store.resumed == ["J1"]  # once the store answered again
    assert said == ["the connection to the store was lost (server closed the connection); trying again every 0 s",
                    "the store answers again", "job J1 is queued again from its last committed row"]


def test_a_job_interrupted_for_another_reason_stays_interrupted():
    by_user = Job("J1", JobStatus.INTERRUPTED, "interrupted by the user after 5000 rows; resume to continue")
    store = Store([by_user, None])
    assert list(serve(store, say=lambda _m: None, idle_claim=0, look=0, retry=0)) == [by_user]
    assert store.resumed == []
