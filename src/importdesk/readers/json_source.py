"""JSON sources: an array of objects (streamed with ijson) and JSON Lines (one object per line).

Values are dicts as decoded (numbers: int or float, as ``json.loads`` gives them). An Elastic
Path line/element ``{"data": {"type": T, "attributes": {...}}}`` yields ``type=T`` and the
attributes dict as values.

Nesting deeper than ``Limits.max_json_depth`` (the record object is level 1): a record error in
JSON Lines, fatal in an array. Deep input never reaches a recursive parser unguarded:

- JSON Lines: ``json`` raises RecursionError itself on absurd depth (caught, a record error);
  otherwise the depth is checked iteratively, and only for lines holding more brackets than the
  limit (a ``bytes.count`` in C), so flat lines pay nothing.
- Array: ijson's ``items()`` builds prefix strings as long as the nesting for every event, which
  is quadratic: a 100,000-deep element exhausted memory in a test. So ``count()`` runs first,
  always: one pass over ijson's prefix-free ``basic_parse`` events that tracks the depth, counts
  the elements and finds syntax errors; only then does ``records()`` use the C ``items()``
  builder (~2x faster than building the objects in Python from events, measured).

ijson backend: yajl2_c (C) when available, checked at import; ``ijson.backend`` names it.
"""

from __future__ import annotations

import codecs
import json
from typing import Any, Iterable, Iterator

from .base import Limits, ReaderError, Record, RowSource, SourceInfo
from .detect import (MAX_LINE_BYTES, _looks_binary, _strip_bom, bom_encoding, check_encoding_name,
                     check_line_lengths, describe_decode_error, find_decode_error)

PREVIEW_RECORDS = 100
_raw_decode = json.JSONDecoder().raw_decode


def _ijson() -> Any:
    """ijson with its fastest backend (yajl2_c, else the pure-Python one)."""
    import ijson

    if ijson.backend != "yajl2_c":
        try:
            return ijson.get_backend("yajl2_c")
        except Exception:  # noqa: BLE001 - fall back to whatever ijson chose
            pass
    return ijson


class _JsonBase(RowSource):
    format = "json"

    def __init__(self, path: str, head: bytes, size: int, limits: Limits,
                 encoding: str | None) -> None:
        super().__init__(path, limits)
        what = "JSON" if self.format == "json" else "JSON Lines"
        bom = bom_encoding(head)
        if encoding is not None:
            enc = check_encoding_name(self.name, encoding)
            if enc == "utf-8" and bom == "utf-8-sig":
                enc = "utf-8-sig"
        else:
            enc = bom or "utf-8"
        if enc in ("utf-8", "utf-8-sig") and bom in (None, "utf-8-sig"):
            if _looks_binary(head):
                raise self._error(f"is not a text file (binary content), not {what}")
            sample = head.decode("utf-8", "replace")
            if sample.count("\ufffd") > max(3, len(sample) // 100):
                raise self._error(f"is not a text file in UTF-8, not {what}; if it is text in "
                                  "another encoding, pass it explicitly (--encoding)")
        # else: UTF-16/32 (BOM) or an explicit other encoding, transcoded to UTF-8 on the fly
        self._encoding = enc
        self._utf8 = enc in ("utf-8", "utf-8-sig")
        complete = size <= len(head)
        if complete and not _strip_bom(head).strip():
            raise self._error("is empty")
        self.info = SourceInfo(format=self.format, encoding=enc, size=size)

    def _open_bytes(self) -> Any:
        """A binary file positioned after any BOM; UTF-16/32 input is transcoded to UTF-8."""
        try:
            if self._utf8:
                f = open(self.path, "rb", buffering=1 << 20)
                if f.read(3) != codecs.BOM_UTF8:
                    f.seek(0)
            else:
                f = _Utf8Reader(open(self.path, encoding=self._encoding, newline=None))
        except OSError as exc:
            raise self._error(f"cannot be read: {exc.strerror or exc}") from exc
        return self._track(f)

    def _convert(self, exc: BaseException, where: int | None) -> ReaderError:
        if isinstance(exc, ReaderError):
            return exc
        if isinstance(exc, UnicodeDecodeError):
            found = find_decode_error(self.path, self._encoding)
            if found is not None:
                line, column, exc = found
                return ReaderError(
                    f"{self.name}, line {line}, column {column}: "
                    f"{describe_decode_error(exc, self._encoding)}", file=self.name, line=line,
                    column=column)
            return self._error(describe_decode_error(exc, self._encoding), line=where)
        if isinstance(exc, ValueError) and self._closed:
            return self._error("the source was closed while reading")
        if isinstance(exc, OSError):
            return self._error(f"cannot be read: {exc.strerror or exc}", line=where)
        return self._error(f"unexpected error while reading: {type(exc).__name__}: {exc}", line=where)

    def _collect_headers(self) -> list[str]:
        keys: dict[str, None] = {}
        records = self._preview()
        try:
            for rec in records:
                if rec.error is None:
                    keys.update(dict.fromkeys(rec.values))
        finally:
            close = getattr(records, "close", None)
            if close:
                close()
        return list(keys)

    def _preview(self) -> Iterator[Record]:
        raise NotImplementedError


class JsonLinesSource(_JsonBase):
    format = "jsonl"
    unit = "line"

    def __init__(self, path: str, head: bytes, size: int, limits: Limits,
                 encoding: str | None = None) -> None:
        super().__init__(path, head, size, limits, encoding)
        if size > MAX_LINE_BYTES:
            check_line_lengths(self.path, self.name, MAX_LINE_BYTES)
        self.info.headers = self._collect_headers()

    def _preview(self) -> Iterator[Record]:
        limit = min(PREVIEW_RECORDS, self.limits.max_rows)
        for i, rec in enumerate(self._records(0), start=1):
            yield rec
            if i >= limit:
                return

    def _count_records(self) -> int:
        f = self._open_bytes()
        count = 0
        number = 0
        try:
            for number, raw in enumerate(f, start=1):
                if raw.strip():
                    count += 1
        except Exception as exc:  # noqa: BLE001
            raise self._convert(exc, number + 1) from exc
        finally:
            self._untrack(f)
        return count

    def _records(self, skip: int) -> Iterator[Record]:
        f = self._open_bytes()
        max_depth = self.limits.max_json_depth
        max_rows = self.limits.max_rows
        seen = 0
        number = 0
        try:
            for number, raw in enumerate(f, start=1):
                line = raw.strip()
                if not line:
                    continue
                seen += 1
                if seen <= skip:
                    continue
                if seen > max_rows:
                    self._check_rows(seen)
                try:
                    text = line.decode("utf-8")
                    obj, end = _raw_decode(text)
                except UnicodeDecodeError as exc:
                    yield Record(number, {}, None, f"line is not valid UTF-8 (byte 0x{line[exc.start]:02X} "
                                                   f"at column {exc.start + 1 + _indent(raw)})")
                    continue
                except json.JSONDecodeError as exc:
                    yield Record(number, {}, None,
                                 f"invalid JSON: {exc.msg} (column {exc.colno + _indent(raw)})")
                    continue
                except RecursionError:
                    yield Record(number, {}, None, _too_deep(max_depth))
                    continue
                if end != len(text):
                    yield Record(number, {}, None, "invalid JSON: extra data after the object "
                                                   f"(column {end + 1 + _indent(raw)})")
                    continue
                if type(obj) is not dict:
                    yield Record(number, {}, None, f"expected a JSON object, got {_kind(obj)}")
                    continue
                if line.count(b"{") + line.count(b"[") > max_depth and _deeper_than(obj, max_depth):
                    yield Record(number, {}, None, _too_deep(max_depth))
                    continue
                if "data" in obj:
                    typ, values, error = _elastic_path(obj)
                    if error:
                        yield Record(number, {}, None, error)
                        continue
                    yield Record(number, values, typ)
                else:
                    yield Record(number, obj)
        except Exception as exc:  # noqa: BLE001
            raise self._convert(exc, number + 1) from exc
        finally:
            self._untrack(f)


class JsonArraySource(_JsonBase):
    format = "json"
    unit = "element"

    def __init__(self, path: str, head: bytes, size: int, limits: Limits,
                 encoding: str | None = None) -> None:
        super().__init__(path, head, size, limits, encoding)
        self._ijson = _ijson()
        self.info.headers = self._collect_headers()

    # Document depth = record depth + 1 (the array itself is level 1 of the document).

    def _count_records(self) -> int:
        """The guard pass (see the module docstring): depth, syntax, element count."""
        f = self._open_bytes()
        limit = self.limits.max_json_depth + 1
        depth = 0
        count = 0
        try:
            events = self._ijson.basic_parse(f, use_float=True)
            for event, _value in events:
                if event == "start_map" or event == "start_array":
                    if depth == 0 and event == "start_map":
                        raise self._not_an_array()
                    if depth == 1:
                        count += 1
                    depth += 1
                    if depth > limit:
                        raise self._error(_too_deep(limit - 1), line=count)
                elif event == "end_map" or event == "end_array":
                    depth -= 1
                elif depth == 1:
                    count += 1
                elif depth == 0:
                    raise self._not_an_array()
        except Exception as exc:  # noqa: BLE001
            raise self._convert_json(exc, count if depth >= 2 else count + 1) from exc
        finally:
            self._untrack(f)
        return count

    def _records(self, skip: int) -> Iterator[Record]:
        self.count()  # the guard pass must have run before items() sees the data
        return self._items(skip)

    def _items(self, skip: int) -> Iterator[Record]:
        f = self._open_bytes()
        number = 0
        try:
            for number, obj in enumerate(self._ijson.items(f, "item", use_float=True), start=1):
                if number <= skip:
                    continue
                yield _element_record(number, obj)
        except Exception as exc:  # noqa: BLE001
            raise self._convert_json(exc, number + 1) from exc
        finally:
            self._untrack(f)

    def _preview(self) -> Iterator[Record]:
        """The first records, built from events with the depth guard (count() has not run)."""
        f = self._open_bytes()
        number = 0
        try:
            events = self._ijson.basic_parse(f, use_float=True)
            built = _build(events, self.limits.max_json_depth + 1, PREVIEW_RECORDS)
            for number, obj in enumerate(built, start=1):
                yield _element_record(number, obj)
        except _TooDeep as exc:
            raise self._error(_too_deep(self.limits.max_json_depth), line=exc.element) from None
        except _NotAnArray:
            raise self._not_an_array() from None
        except Exception as exc:  # noqa: BLE001
            raise self._convert_json(exc, number + 1) from exc
        finally:
            self._untrack(f)

    def _not_an_array(self) -> ReaderError:
        return ReaderError(f"{self.name}: the top level is not an array; expected an array of "
                           "objects ([{...}, {...}]) or one object per line (JSON Lines)",
                           file=self.name)

    def _convert_json(self, exc: BaseException, element: int | None) -> ReaderError:
        from ijson.common import JSONError

        if isinstance(exc, JSONError):
            detail = _yajl_message(exc)
            if "overflow" in detail:
                return self._error(f"a number is too large ({detail})", line=element)
            return self._error(f"invalid JSON: {detail}", line=element)
        if isinstance(exc, RecursionError):
            return self._error(_too_deep(self.limits.max_json_depth), line=element)
        return self._convert(exc, element)


# --- helpers --------------------------------------------------------------------------------------

class _Utf8Reader:
    """Read a text file as UTF-8 bytes (ijson and the line splitter want bytes)."""

    def __init__(self, text_file: Any) -> None:
        self._f = text_file

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            return self._f.read().encode("utf-8")
        if n == 0:
            return b""
        return self._f.read(max(n // 2, 1)).encode("utf-8")

    def __iter__(self) -> Iterator[bytes]:
        for line in self._f:
            yield line.encode("utf-8")

    def close(self) -> None:
        self._f.close()


def _element_record(number: int, obj: Any) -> Record:
    if type(obj) is not dict:
        return Record(number, {}, None, f"expected a JSON object, got {_kind(obj)}")
    if "data" in obj:
        typ, values, error = _elastic_path(obj)
        if error:
            return Record(number, {}, None, error)
        return Record(number, values, typ)
    return Record(number, obj)


def _elastic_path(obj: dict[str, Any]) -> tuple[str | None, dict[str, Any], str | None]:
    """``{"data": {"type": T, "attributes": {...}}}`` -> (T, attributes, None); other objects
    that merely have a "data" field are returned as they are."""
    data = obj["data"]
    if type(data) is not dict or "type" not in data or "attributes" not in data:
        return None, obj, None
    typ, attributes = data["type"], data["attributes"]
    if not isinstance(typ, str) or not typ:
        return None, {}, "data.type must be a non-empty string"
    if type(attributes) is not dict:
        return None, {}, f"data.attributes must be an object, got {_kind(attributes)}"
    return typ, attributes, None


def _deeper_than(obj: Any, limit: int) -> bool:
    """Iterative (no recursion): is ``obj`` nested more than ``limit`` levels?"""
    stack = [(obj, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        children = value.values() if type(value) is dict else value
        for child in children:
            if type(child) is dict or type(child) is list:
                stack.append((child, depth + 1))
    return False


class _TooDeep(Exception):
    def __init__(self, element: int) -> None:
        self.element = element


class _NotAnArray(Exception):
    pass


def _build(events: Iterable[tuple[str, Any]], limit: int, max_items: int) -> Iterator[Any]:
    """Elements of a top-level array from ijson basic_parse events, with a depth limit."""
    stack: list[Any] = []
    keys: list[Any] = []
    key: Any = None
    produced = 0
    for event, value in events:
        if event == "map_key":
            key = value
            continue
        if event == "start_map" or event == "start_array":
            container: Any = {} if event == "start_map" else []
            if not stack:
                if event == "start_map":
                    raise _NotAnArray()
            elif type(stack[-1]) is dict:
                stack[-1][key] = container
                keys.append(key)
            else:
                stack[-1].append(container)
            stack.append(container)
            if len(stack) > limit:
                raise _TooDeep(produced + 1)
            continue
        if event == "end_map" or event == "end_array":
            done = stack.pop()
            if len(stack) == 1:
                yield done
                produced += 1
                if produced >= max_items:
                    return
            elif stack and type(stack[-1]) is dict:
                key = keys.pop()
            continue
        if not stack:
            raise _NotAnArray()
        top = stack[-1]
        if type(top) is dict:
            top[key] = value
        else:
            top.append(value)
            if len(stack) == 1:
                yield value
                produced += 1
                if produced >= max_items:
                    return


def _too_deep(limit: int) -> str:
    return f"JSON nested deeper than {limit} levels (limit max_json_depth={limit})"


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    return "a number"


def _indent(raw: bytes) -> int:
    return len(raw) - len(raw.lstrip())


def _yajl_message(exc: BaseException) -> str:
    text = exc.args[0] if exc.args else str(exc)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    first = str(text).strip().splitlines()
    message = first[0] if first else type(exc).__name__
    for prefix in ("parse error: ", "lexical error: "):
        if message.startswith(prefix):
            message = message[len(prefix):]
    return message.rstrip(".")
