"""A retry's rows: the failed rows of an earlier job, raw values kept, corrections applied.

Rows keep their original row numbers, so "row 70" means the same line of the same file in the
source job's report and in the retry's."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from importdesk.models import ImportJob, ItemLevel
from importdesk.readers import Record, SourceInfo

if TYPE_CHECKING:
    from importdesk.engine.context import EngineContext


class FailedRowsSource:
    def __init__(self, ctx: EngineContext, job: ImportJob):
        self.ctx = ctx
        self.job = job
        self.source_uid = job.provider_data.source_job_uid or ""
        self.edits = ctx.row_edits.for_job(self.source_uid)
        first = next(self._failed(), None)
        headers = [h for h in (first[1] if first else {}) if h not in ("_extra", "_truncated")]
        self.info = SourceInfo(format="import_job", headers=headers)
        self._count: int | None = None

    def _failed(self) -> Iterator[tuple[int, dict[str, Any], str | None, str | None]]:
        """(row number, raw row by header, resource type, why it was malformed) of each failed row,
        once, in row order."""
        last = None
        for item in self.ctx.items.iter_all(self.source_uid, ItemLevel.ERROR):
            # one row can hold two records (a grouped file's product and variant: engine.row_groups)
            if item.row_number is None or (item.row_number, item.resource_type) == last or item.raw_row is None:
                continue
            last = (item.row_number, item.resource_type)
            malformed = item.message if item.code == "malformed_row" else None
            yield item.row_number, item.raw_row, item.resource_type, malformed

    def count(self) -> int:
        if self._count is None:
            self._count = sum(1 for _ in self._failed())
        return self._count

    def records(self, skip: int = 0) -> Iterator[Record]:
        # typed rows: a mixed file's, or a grouped one's (each failed record says its type)
        mixed = self.job.resource_type == "mixed" or bool(self._grouped())
        for index, (number, raw, rtype, malformed) in enumerate(self._failed()):
            if index < skip:
                continue
            values = {k: v for k, v in raw.items() if k not in ("_extra", "_truncated")}
            if "_truncated" in raw:  # kept cut (too large): only the file has the whole row
                cut = ", ".join(map(str, raw["_truncated"])) or "some fields"
                yield Record(number, values, type=rtype if mixed else None,
                             error=f"the row was too large to keep whole ({cut} cut); fix it in the file and "
                                   "import the file again")
                continue
            corrections = self.edits.get(number)
            if corrections:
                values = self._apply(values, corrections, rtype)
            elif malformed:
                # its values may sit under the wrong columns: only a person's correction makes it usable
                yield Record(number, values, type=rtype if mixed else None,
                             error=f"{malformed}; correct the row before retrying it")
                continue
            yield Record(number, values, type=rtype if mixed else None)

    def _grouped(self) -> str | None:
        try:
            return self.ctx.registry.get(self.job.resource_type).rows
        except Exception:  # an unknown type: the runner reports it
            return None

    def _apply(self, values: dict[str, Any], corrections: dict[str, str | None],
               rtype: str | None) -> dict[str, Any]:
        """Corrections are by field; the raw row is by header: put each under the header that maps to it."""
        rt = self.ctx.registry.get(rtype or self.job.resource_type)
        headers = list(values)
        by_field = {f: h for h, f in zip(headers, rt.map_headers(headers).columns, strict=False) if f}
        fixed = dict(values)
        for field_name, value in corrections.items():
            fixed[by_field.get(field_name, field_name)] = value
        return fixed

    def close(self) -> None:
        pass

    def __enter__(self) -> FailedRowsSource:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
