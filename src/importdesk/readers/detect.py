"""Detection: file format (extension confirmed by magic bytes), text encoding, CSV delimiter.

Every function raises ReaderError with the file's base name; none touches the engine or store.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import unicodedata

from .base import ReaderError, make_error

FORMATS = ("csv", "xlsx", "json", "jsonl")
EXTENSIONS = {
    ".csv": "csv", ".tsv": "csv", ".txt": "csv",
    ".xlsx": "xlsx", ".xlsm": "xlsx",
    ".json": "json",
    ".jsonl": "jsonl", ".ndjson": "jsonl",
}
ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, or an encrypted (password) xlsx

SAMPLE_BYTES = 1024 * 1024          # read once at open for detection
ENCODING_SAMPLE_BYTES = 64 * 1024   # what charset-normalizer gets (it is slow on large input)
DELIMITERS = (",", ";", "\t", "|")

BOMS = (  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)

ENCODING_HINT = "pass the encoding explicitly (--encoding, e.g. cp1252, latin-1, utf-16)"


# --- format ---------------------------------------------------------------------------------------

def detect_format(name: str, head: bytes, fmt: str | None = None) -> str:
    """The format to read ``name`` as: ``fmt`` if given, else the extension, else the content.

    The content must agree: an .xlsx must be a ZIP, a text format must not be a ZIP or binary.
    A ``.json`` file that starts with an object is a stream of values (read as JSON Lines).
    """
    if fmt is not None:
        fmt = fmt.lower().lstrip(".")
        fmt = {"ndjson": "jsonl", "tsv": "csv", "txt": "csv", "xlsm": "xlsx"}.get(fmt, fmt)
        if fmt not in FORMATS:
            raise ReaderError(f"{name}: unknown format {fmt!r} (expected one of: {', '.join(FORMATS)})",
                              file=name)
    else:
        fmt = EXTENSIONS.get(os.path.splitext(name)[1].lower()) or _sniff_format(name, head)

    if fmt == "xlsx":
        if head.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC)):
            return fmt
        if head.startswith(OLE2_MAGIC):
            raise ReaderError(f"{name}: is not an XLSX workbook: it is a legacy .xls file or a "
                              "password-protected workbook; save it as .xlsx without a password",
                              file=name)
        raise ReaderError(f"{name}: is not an XLSX workbook (the file is not a ZIP archive)", file=name)

    if head.startswith((ZIP_MAGIC, OLE2_MAGIC)):
        raise ReaderError(f"{name}: looks like an Excel workbook, not {fmt.upper()}; "
                          "rename it to .xlsx or choose the xlsx format", file=name)
    if fmt == "json":
        return _json_or_jsonl(name, head)
    return fmt


def _sniff_format(name: str, head: bytes) -> str:
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    text = _strip_bom(head).lstrip()
    if text.startswith(b"["):
        return "json"
    if text.startswith(b"{"):
        return "jsonl"
    if head and not _looks_binary(head):
        return "csv"
    raise ReaderError(f"{name}: unknown format: not a text file and not an XLSX workbook "
                      "(expected .csv, .tsv, .txt, .xlsx, .xlsm, .json, .jsonl or .ndjson)", file=name)


def _json_or_jsonl(name: str, head: bytes) -> str:
    """A .json file: an array is JSON; objects (one per line, pretty-printed, back to back) are
    a stream of values, read like JSON Lines."""
    text = _strip_bom(head).lstrip()
    if not text or text.startswith(b"["):
        return "json"
    if text.startswith(b"{"):
        return "jsonl"
    if _looks_binary(head):
        raise ReaderError(f"{name}: is not a text file (binary content), not JSON", file=name)
    raise ReaderError(f"{name}: is not JSON: expected an array of objects starting with '[' "
                      "or objects starting with '{'", file=name)


def _strip_bom(data: bytes) -> bytes:
    """The start of the file as UTF-8 bytes, without a BOM (for sniffing only)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:]
    enc = bom_encoding(data)
    if enc:  # UTF-16/32: good enough to look at the first characters
        return data[:4096].decode(enc, "ignore").encode("utf-8")
    return data


def _looks_binary(head: bytes) -> bool:
    """NUL bytes that are not the regular pattern of UTF-16/32 text."""
    if any(head.startswith(bom) for bom, _ in BOMS):
        return False
    return b"\x00" in head and _utf16_without_bom(head) is None


# --- encoding -------------------------------------------------------------------------------------

def bom_encoding(head: bytes) -> str | None:
    for bom, enc in BOMS:
        if head.startswith(bom):
            return enc
    return None


def detect_encoding(name: str, head: bytes, *, what: str = "CSV") -> str:
    """Python codec for a text file whose first bytes are ``head``.

    Order: BOM; UTF-16 without BOM (NUL in every other byte); refuse other NUL bytes (binary);
    UTF-8 if the sample decodes; else Windows-1252 when the sample reads as Western European
    text; else charset-normalizer, accepted only when it is reasonably sure. ``utf-8-sig`` /
    ``utf-16`` consume the BOM, so it never reaches the first header.
    """
    enc = bom_encoding(head)
    if enc:
        return enc
    enc = _utf16_without_bom(head)
    if enc:
        return enc
    if b"\x00" in head:
        raise ReaderError(f"{name}: is a binary file, not {what} (it contains NUL bytes)", file=name)
    if _decodes(head, "utf-8"):
        return "utf-8"
    _refuse_broken_utf8(name, head)
    sample = _non_ascii_lines(head)
    if _decodes(sample, "cp1252") and _looks_western(sample.decode("cp1252", "replace")):
        return "cp1252"
    guess, coherence = _charset_normalizer(sample)
    if guess is not None:
        try:
            guess = codecs.lookup(guess).name
        except LookupError:
            guess = None
    if guess is not None and guess in ("latin-1", "iso8859-1", "ascii"):
        guess = "cp1252" if _decodes(sample, "cp1252") else None
    if guess is None or coherence < 0.2 or not _decodes(sample, guess):
        if _control_share(head) > 0.05:
            raise ReaderError(f"{name}: is not a text file (binary content), not {what}", file=name)
        raise ReaderError(f"{name}: could not determine the text encoding (not UTF-8, and no "
                          f"confident guess); {ENCODING_HINT}", file=name)
    return guess


def _refuse_broken_utf8(name: str, head: bytes) -> None:
    """UTF-8 text with a few invalid bytes must not be mistaken for cp1252 (that would turn
    every accented letter into mojibake): when the sample holds more valid multi-byte UTF-8
    characters than invalid bytes, name the first invalid byte instead."""
    text = codecs.getincrementaldecoder("utf-8")("replace").decode(head, final=False)
    invalid = text.count("\ufffd")
    valid = len(_NON_ASCII.findall(text))
    if valid and valid >= invalid:
        try:
            codecs.getincrementaldecoder("utf-8")("strict").decode(head, final=False)
        except UnicodeDecodeError as exc:
            line, column = locate_decode_error(exc, b"")
            bad = exc.object[exc.start]
            raise make_error(name, f"byte 0x{bad:02X} is not valid UTF-8, in a file that is "
                             "otherwise UTF-8; fix that byte, or pass the encoding explicitly "
                             "(--encoding) if the file is not UTF-8", line=line, column=column) from None


_NON_ASCII = re.compile("[^\x00-\x7f\ufffd]")


def _utf16_without_bom(head: bytes) -> str | None:
    sample = head[: 4096 - 4096 % 2]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    n = len(odd)
    if odd.count(0) > 0.4 * n and even.count(0) < 0.05 * n:
        return "utf-16-le" if _decodes(sample, "utf-16-le") else None
    if even.count(0) > 0.4 * n and odd.count(0) < 0.05 * n:
        return "utf-16-be" if _decodes(sample, "utf-16-be") else None
    return None


def _decodes(data: bytes, encoding: str) -> bool:
    """True if ``data`` decodes; a multi-byte sequence cut at the end of the sample is fine."""
    try:
        codecs.getincrementaldecoder(encoding)("strict").decode(data, final=False)
        return True
    except (UnicodeDecodeError, LookupError):
        return False


def _non_ascii_lines(head: bytes, limit: int = ENCODING_SAMPLE_BYTES) -> bytes:
    """The first lines plus the lines holding non-ASCII bytes: what decides the encoding."""
    lines = head.split(b"\n")
    if len(head) >= SAMPLE_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut in the middle of a character
    picked = lines[:5] + [ln for ln in lines[5:] if not ln.isascii()]
    out, size = [], 0
    for ln in picked:
        out.append(ln)
        size += len(ln) + 1
        if size >= limit:
            break
    return b"\n".join(out)


_WESTERN_SYMBOLS = set("€£¥¢°§©®™«»“”‘’‚„–—…•·×÷±²³¹½¼¾µ¶¡¿ªº¬¦ ")


def _looks_western(text: str) -> bool:
    """Does ``text`` read as Western European (German, French, Spanish, Nordic...) text?

    Non-ASCII characters must be Latin letters or common symbols, and they must sit inside
    mostly-ASCII words (Cyrillic or Greek read as cp1252 gives runs of accented letters).
    """
    non_ascii = [c for c in text if ord(c) > 127]
    if not non_ascii:
        return False
    odd = 0
    for c in non_ascii:
        if c in _WESTERN_SYMBOLS:
            continue
        if not (unicodedata.category(c).startswith("L") and "LATIN" in unicodedata.name(c, "")):
            odd += 1
    if odd > 0.05 * len(non_ascii):
        return False
    run = longest = 0
    for c in text:
        if ord(c) > 127 and c.isalpha():
            run += 1
            longest = max(longest, run)
        else:
            run = 0
    return longest <= 3


def _charset_normalizer(sample: bytes) -> tuple[str | None, float]:
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(sample).best()
    except Exception:  # detection failing means "unsure", not a crash
        return None, 0.0
    if best is None:
        return None, 0.0
    return best.encoding, float(best.coherence)


def _control_share(head: bytes) -> float:
    sample = head[:65536]
    if not sample:
        return 0.0
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls / len(sample)


# Codecs Python finds that are not character sets a file is written in: they decode escapes
# (unicode_escape lets "\x00" or "\x1b" in a file become NUL and ESC in a record), domain names,
# or nothing at all.
NOT_FILE_ENCODINGS = frozenset({"unicode-escape", "raw-unicode-escape", "idna", "punycode", "undefined"})


def check_encoding_name(name: str, encoding: str) -> str:
    try:
        codec = codecs.lookup(encoding)
    except LookupError:
        raise ReaderError(f"{name}: unknown encoding {encoding!r}", file=name) from None
    if not codec._is_text_encoding or codec.name in NOT_FILE_ENCODINGS:  # rot13, base64, zlib…
        raise ReaderError(f"{name}: {encoding!r} is not a text encoding a file can be written in; "
                          f"{ENCODING_HINT}", file=name)
    return codec.name


def decode_sample(name: str, head: bytes, encoding: str, complete: bool) -> str:
    """Decode the detection sample; a bad byte in it is a ReaderError naming line and column."""
    try:
        text = codecs.getincrementaldecoder(encoding)("strict").decode(head, final=complete)
    except UnicodeDecodeError as exc:
        line, column = locate_decode_error(exc, b"")
        raise make_error(name, describe_decode_error(exc, encoding), line=line, column=column) from None
    return text.lstrip("\ufeff")


def describe_decode_error(exc: UnicodeDecodeError, encoding: str, explicit: bool = True) -> str:
    bad = exc.object[exc.start:exc.end][:4]
    shown = " ".join(f"0x{b:02X}" for b in bad)
    text = f"byte {shown} cannot be decoded as {encoding}"
    if explicit:
        return f"{text}; {ENCODING_HINT}"
    return (f"{text} (the encoding was detected from the start of the file, which is not "
            f"what the rest is in); {ENCODING_HINT}")


def locate_decode_error(exc: UnicodeDecodeError, before: bytes) -> tuple[int, int]:
    """1-based (line, column) of the bad byte, given the bytes of the same stream before
    ``exc.object`` (only their count of newlines matters)."""
    data = exc.object[: exc.start]
    line = before.count(b"\n") + data.count(b"\n") + 1
    column = exc.start - (data.rfind(b"\n") + 1) + 1 if b"\n" in data else exc.start + 1
    return line, column


def find_decode_error(path: str, encoding: str, chunk: int = 1 << 20) -> tuple[int, int, UnicodeDecodeError] | None:
    """Scan the file for the first byte ``encoding`` cannot decode: (line, column, exception).

    Used after a TextIOWrapper failed: it decodes ahead in chunks, so where it stopped says
    little about where the bad byte is. Lines and columns count decoded characters.
    """
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    lines = 0
    column_base = 0
    with open(path, "rb") as f:
        while True:
            data = f.read(chunk)
            try:
                text = decoder.decode(data, final=not data)
            except UnicodeDecodeError as exc:
                good = _safe_decode(exc.object[: exc.start], encoding)
                last_nl = good.rfind("\n")
                line = lines + good.count("\n") + 1
                column = (len(good) - last_nl) if last_nl >= 0 else column_base + len(good) + 1
                return line, column, exc
            if not data:
                return None
            nl = text.count("\n")
            if nl:
                lines += nl
                column_base = len(text) - text.rfind("\n") - 1
            else:
                column_base += len(text)


def _safe_decode(data: bytes, encoding: str) -> str:
    return data.decode(encoding, "replace").lstrip("\ufeff")


# --- line length --------------------------------------------------------------------------------

MAX_LINE_BYTES = 64 * 1024 * 1024


def check_line_lengths(path: str, name: str, limit: int = MAX_LINE_BYTES, chunk: int = 1 << 20) -> None:
    """Refuse a text file with a physical line longer than ``limit`` bytes.

    Reading line by line (csv, JSON Lines) holds a whole physical line in memory before any
    field-size limit can act, so a multi-gigabyte file without line breaks would exhaust
    memory. One pass of ``bytes.find`` in C (~10 ms per 100 MB from the page cache); only
    files larger than ``limit`` can fail it, so the caller skips it for the others.
    """
    run = 0      # bytes since the last line break
    lines = 0    # line breaks (\n) before the current line
    chunk = max(1, min(chunk, limit // 2))
    with open(path, "rb") as f:
        while True:
            data = f.read(chunk)
            if not data:
                return
            first = _first_break(data)
            if first < 0:
                run += len(data)
            else:
                if run + first > limit:
                    break
                lines += data.count(b"\n")
                run = len(data) - _last_break(data) - 1
            if run > limit:
                break
    raise make_error(name, f"has a line longer than {limit:,} bytes without a line break; it is "
                     "not a CSV/JSON Lines text file, or it is damaged", line=lines + 1)


def _first_break(data: bytes) -> int:
    n, r = data.find(b"\n"), data.find(b"\r")
    return r if n < 0 else n if r < 0 else min(n, r)


def _last_break(data: bytes) -> int:
    return max(data.rfind(b"\n"), data.rfind(b"\r"))


# --- delimiter ------------------------------------------------------------------------------------

def detect_delimiter(text: str, prefer: str | None = None, max_rows: int = 30) -> str:
    """The delimiter among , ; TAB | that splits the first lines most consistently.

    The sample is parsed with the csv module, so delimiters inside quoted fields do not count.
    Score: share of rows with the header's field count, then the field count itself. A header
    that does not split on a candidate rules it out. One column only: ",".
    """
    lines = text.splitlines(keepends=True)
    if len(lines) > 1 and not text.endswith(("\n", "\r")):
        lines = lines[:-1]  # probably cut in the middle by the sample size
    sample = "".join(lines[: max_rows * 4])
    best, best_score = ",", (0.0, 0, 0)
    for delim in DELIMITERS:
        rows: list[list[str]] = []
        try:
            for row in csv.reader(io.StringIO(sample, newline=""), delimiter=delim):
                if any(row):
                    rows.append(row)
                if len(rows) >= max_rows:
                    break
        except csv.Error:
            pass
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        consistent = sum(1 for r in rows if len(r) == width) / len(rows)
        score = (consistent, 1 if delim == prefer else 0, width)
        if score > best_score:
            best, best_score = delim, score
    return best


def check_delimiter(name: str, delimiter: str) -> str:
    aliases = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
    delimiter = aliases.get(delimiter.lower(), delimiter) if len(delimiter) > 1 else delimiter
    if len(delimiter) != 1 or delimiter in "\r\n\"":
        raise ReaderError(f"{name}: invalid delimiter {delimiter!r} (one character, e.g. ',' ';' "
                          "'|' or 'tab')", file=name)
    return delimiter
