"""What type a file is of, told by its shape when the user did not say (``schemas/shapes.py``):
typed records (Elastic Path envelopes) by the types they name, tables by their columns. A file
that fits several types is not guessed at: the answer names the candidates."""

from __future__ import annotations

from itertools import islice
from pathlib import Path

from importdesk.engine.import_options import MIXED
from importdesk.readers import open_source
from importdesk.schemas.shapes import Shape, by_headers

__all__ = ["SAMPLE", "Shape", "by_headers", "not_recognised_message", "recognise"]

SAMPLE = 50  # records looked at


def recognise(engine, path: Path, *, fmt: str | None = None, sheet: str | None = None,
              encoding: str | None = None, delimiter: str | None = None) -> Shape:
    """The file's type (``MIXED`` for typed records of several types), or why there is none.
    Raises ReaderError for a file that cannot be read."""
    registry = engine.registry
    with open_source(path, fmt=fmt, sheet=sheet, encoding=encoding, delimiter=delimiter,
                     limits=engine.ctx.limits) as src:
        sample = list(islice(src.records(), SAMPLE))
        typed = {rec.type for rec in sample if rec.type}
        headers = list(src.info.headers)
    if typed:
        known = sorted(t for t in typed if t in registry)
        if not known:
            return Shape(None, how=f"its objects are of type {', '.join(map(repr, sorted(typed)))}, which is not "
                                   "a known resource type")
        if len(typed) == 1 and len(sample) < SAMPLE:  # the whole file looked at: one type
            return Shape(known[0], how=f"every object is a {known[0]}")
        return Shape(MIXED, how=f"its objects say their types ({', '.join(known)}, …)")
    return by_headers(registry.types(), headers)


def not_recognised_message(file_name: str, shape: Shape, names: list[str]) -> str:
    if shape.ambiguous:
        return (f"{file_name}: cannot tell the resource type: {shape.how} ({', '.join(shape.candidates)}); "
                f"choose one with --type")
    why = f" ({shape.how})" if shape.how else ""
    return f"{file_name}: cannot tell the resource type from the file{why}; give one of: {', '.join(names)}"
