"""A retry's rows: the failed rows of an earlier job, raw values kept, corrections applied.

Rows keep their original row numbers, so "row 70" means the same line of the same file in the
source job's report and in the retry's. A JSON envelope's members outside the attributes were kept
as ``data.<member>`` (``engine.row_mapper``): they go back into the envelope, where a field's
``source`` path reads them."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from importdesk.engine.row_corrections import apply_correction
from importdesk.models import ImportJob, ItemLevel
from importdesk.readers import Record, SourceInfo

if TYPE_CHECKING:
    from importdesk.engine.context import EngineContext


ENVELOPE = "data."  # how a kept raw row names its envelope's members


class FailedRowsSource:
    def __init__(self, ctx: EngineContext, job: ImportJob):
        self.ctx = ctx
        self.job = job
        self.source_uid = job.provider_data.source_job_uid or ""
        self.edits = ctx.row_edits.for_job(self.source_uid)
        first = next(self._failed(), None)
        headers = [h for h in (first[1] if first else {})
                   if h not in ("_extra", "_truncated") and not h.startswith(ENVELOPE)]
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
            outer = {k[len(ENVELOPE):]: values.pop(k) for k in [k for k in values if k.startswith(ENVELOPE)]}
            if "_truncated" in raw:  # kept cut (too large): only the file has the whole row
                cut = ", ".join(map(str, raw["_truncated"])) or "some fields"
                yield Record(number, values, type=rtype if mixed else None, outer=outer or None,
                             error=f"the row was too large to keep whole ({cut} cut); fix it in the file and "
                                   "import the file again")
                continue
            corrections = self.edits.get(number)
            if corrections:
                values, outer = self._apply(values, outer, corrections, rtype)
            elif malformed:
                # its values may sit under the wrong columns: only a person's correction makes it usable
                yield Record(number, values, type=rtype if mixed else None, outer=outer or None,
                             error=f"{malformed}; correct the row before retrying it")
                continue
            yield Record(number, values, type=rtype if mixed else None, outer=outer or None)

    def _grouped(self) -> str | None:
        try:
            return self.ctx.registry.get(self.job.resource_type).rows
        except Exception:  # an unknown type: the runner reports it
            return None

    def _apply(self, values: dict[str, Any], outer: dict[str, Any], corrections: dict[str, str | None],
               rtype: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
        """Corrections are by field or nested path; the raw row is by header: each goes where its
        field is read from (engine.row_corrections)."""
        rt = self.ctx.registry.get(rtype or self.job.resource_type)
        headers = list(values)
        by_field = {f: h for h, f in zip(headers, rt.map_headers(headers).columns, strict=False) if f}
        fixed, fixed_outer = copy.deepcopy(values), copy.deepcopy(outer)
        for path, value in corrections.items():
            apply_correction(fixed, fixed_outer, path, value, header_of=by_field, sources=dict(rt.sourced_fields))
        return fixed, fixed_outer

    def close(self) -> None:
        pass

    def __enter__(self) -> FailedRowsSource:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
