"""WriterOverlap's choice of raw batches: handed over when the writer has room, paused after one
came back."""

from __future__ import annotations

from importdesk.engine.batch_overlap import WRITER_DEPTH, InFlight, WriterOverlap


class Writer:
    """Stands in for a BatchWriter whose validator is ready: replies as told."""

    helper = "fp"

    def __init__(self) -> None:
        self.replies: list = []
        self.answered = 0

    def helper_ready(self, wait: bool = False) -> str:
        return self.helper

    def replies_waiting(self) -> int:
        return self.answered

    def result(self):
        return self.replies.pop(0)

    def resume(self) -> None:
        pass


class Committer:
    def may_be_all_new(self, resource_type: str) -> bool:
        return True


def _overlap(writer: Writer, fingerprint: str = "fp") -> WriterOverlap:
    return WriterOverlap(None, writer, Committer(), fingerprint)


def _came_back(overlap: WriterOverlap, writer: Writer) -> None:
    overlap.in_flight.append(InFlight(None, None, None, None, raw=[]))
    writer.replies.append("redo")
    assert len(overlap.settle(0, None, lambda job: None)) == 1


def test_raw_batches_go_while_the_writer_has_answered_all_but_one_request():
    writer = Writer()
    overlap = _overlap(writer)
    assert overlap.wants_raw("products")
    overlap.in_flight.extend(InFlight(None, None, None, None) for _ in range(WRITER_DEPTH))
    assert not overlap.wants_raw("products")  # two unanswered: this batch is validated here
    writer.answered = 1
    assert overlap.wants_raw("products")


def test_a_writer_with_another_validator_gets_no_raw_batches():
    assert not _overlap(Writer(), fingerprint="another").wants_raw("products")


def test_after_a_raw_batch_came_back_the_next_one_two_four_are_validated_here():
    writer = Writer()
    overlap = _overlap(writer)
    seen = []
    for _ in range(3):
        _came_back(overlap, writer)
        asked = 0
        while not overlap.wants_raw("products"):
            asked += 1
        seen.append(asked)
    assert seen == [1, 2, 4]


def test_no_raw_batch_while_the_runners_batches_have_many_bad_rows():
    writer = Writer()
    many_bad = [True]
    overlap = WriterOverlap(None, writer, Committer(), "fp", lambda: many_bad[0])
    assert not overlap.wants_raw("products")  # it would come back to be validated here again
    many_bad[0] = False  # a batch with few bad rows: the writer may validate the next
    assert overlap.wants_raw("products")
