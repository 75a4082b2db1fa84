"""Text encoding: BOM, UTF-16 without BOM, UTF-8, Western European cp1252, else a confident
charset-normalizer guess; and the checks of an encoding name a user gives."""

from __future__ import annotations

import codecs
import re
import unicodedata

from ..base import ReaderError, make_error
from .decode_errors import ENCODING_HINT, locate_decode_error

__all__ = [
    "BOMS", "ENCODING_SAMPLE_BYTES", "NOT_FILE_ENCODINGS", "SAMPLE_BYTES", "bom_encoding", "check_encoding_name",
    "decodes", "detect_encoding", "looks_binary", "strip_bom", "utf16_without_bom",
]

SAMPLE_BYTES = 1024 * 1024          # read once at open for detection
ENCODING_SAMPLE_BYTES = 64 * 1024   # what charset-normalizer gets (it is slow on large input)

BOMS = (  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)


def strip_bom(data: bytes) -> bytes:
    """The start of the file as UTF-8 bytes, without a BOM (for sniffing only)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:]
    enc = bom_encoding(data)
    if enc:  # UTF-16/32: good enough to look at the first characters
        return data[:4096].decode(enc, "ignore").encode("utf-8")
    return data


def looks_binary(head: bytes) -> bool:
    """NUL bytes that are not the regular pattern of UTF-16/32 text."""
    if any(head.startswith(bom) for bom, _ in BOMS):
        return False
    return b"\x00" in head and utf16_without_bom(head) is None


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
    enc = utf16_without_bom(head)
    if enc:
        return enc
    if b"\x00" in head:
        raise ReaderError(f"{name}: is a binary file, not {what} (it contains NUL bytes)", file=name)
    if decodes(head, "utf-8"):
        return "utf-8"
    _refuse_broken_utf8(name, head)
    sample = _non_ascii_lines(head)
    if decodes(sample, "cp1252") and _looks_western(sample.decode("cp1252", "replace")):
        return "cp1252"
    guess, coherence = _charset_normalizer(sample)
    if guess is not None:
        try:
            guess = codecs.lookup(guess).name
        except LookupError:
            guess = None
    if guess is not None and guess in ("latin-1", "iso8859-1", "ascii"):
        guess = "cp1252" if decodes(sample, "cp1252") else None
    if guess is None or coherence < 0.2 or not decodes(sample, guess):
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


def utf16_without_bom(head: bytes) -> str | None:
    sample = head[: 4096 - 4096 % 2]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    n = len(odd)
    if odd.count(0) > 0.4 * n and even.count(0) < 0.05 * n:
        return "utf-16-le" if decodes(sample, "utf-16-le") else None
    if even.count(0) > 0.4 * n and odd.count(0) < 0.05 * n:
        return "utf-16-be" if decodes(sample, "utf-16-be") else None
    return None


def decodes(data: bytes, encoding: str) -> bool:
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
