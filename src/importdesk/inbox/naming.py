"""File-name rules of the inbox: what is ignored, what is config, what can be imported, the type a
name or folder tells, and how odd names are shown."""

from __future__ import annotations

import re
from collections.abc import Iterable

from importdesk.engine.inbox_claim import SIDECAR_SUFFIX
from importdesk.engine.sources import FILE_EXTENSIONS as EXTENSIONS

DEFAULTS_FILE = "_defaults.toml"
TEMP_SUFFIXES = (".part", ".tmp", ".crdownload", ".partial", ".download", ".swp")
SUPPORTED = tuple(sorted(EXTENSIONS))  # .csv .tsv .txt .xlsx .xlsm .json .jsonl .ndjson

_SEPARATORS = re.compile(r"[-_ .]+")


def is_temporary(name: str) -> bool:
    """Names writers use while a file is not complete (and hidden files): never looked at."""
    lower = name.lower()
    return name.startswith((".", "~$")) or lower.endswith(TEMP_SUFFIXES) or name.endswith("~")


def is_config(name: str) -> bool:
    """Sidecars (``x.csv.toml``) and folder defaults (``_defaults.toml``) configure imports; not imports."""
    return name.lower().endswith(SIDECAR_SUFFIX)


def extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def is_supported(name: str) -> bool:
    return extension(name) in EXTENSIONS


def looks_like_data_file(name: str) -> bool:
    """A directory with such a name (``x.csv/``) is reported, not entered."""
    return is_supported(name)


def display(text: str) -> str:
    """A name safe to print and store: control characters and undecodable bytes escaped."""
    out = []
    for ch in text:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:  # a byte os.fsdecode could not decode (surrogateescape)
            out.append(f"\\x{code - 0xDC00:02x}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append(f"\\u{code:04x}")
        elif ch == "\\":
            out.append("\\\\")
        elif not ch.isprintable() and ch != " ":
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def _tokens(text: str) -> list[str]:
    return [t for t in _SEPARATORS.split(text.lower()) if t]


def _same_word(a: str, b: str) -> bool:
    """Singular/plural tolerant: product ~ products, price ~ prices, category ~ categories."""
    if a == b:
        return True
    return any(y in (x + "s", x + "es") or (x.endswith("y") and y == x[:-1] + "ies") for x, y in ((a, b), (b, a)))


def _starts_with(tokens: list[str], type_tokens: list[str]) -> tuple[bool, bool]:
    """(matches, exactly): the name's first tokens are the type's tokens (last one plural-tolerant)."""
    if len(tokens) < len(type_tokens):
        return False, False
    exact = True
    for i, (t, tt) in enumerate(zip(tokens, type_tokens, strict=False)):  # the name may run on past the type
        if t == tt:
            continue
        if i == len(type_tokens) - 1 and _same_word(t, tt):
            exact = False
            continue
        return False, False
    return True, exact


def types_from_name(file_name: str, type_names: Iterable[str]) -> list[str]:
    """The types the file name tells: the longest type names it starts with (separators - _ space .),
    an exact one before plural-tolerant ones. One: the type; several: the name is ambiguous; none.
    """
    stem = file_name[: -len(extension(file_name))] if extension(file_name) else file_name
    tokens = _tokens(stem)
    if not tokens:
        return []
    matches: list[tuple[int, bool, str]] = []
    for name in type_names:
        type_tokens = _tokens(name)
        ok, exact = _starts_with(tokens, type_tokens)
        if ok and type_tokens:
            matches.append((len(type_tokens), exact, name))
    if not matches:
        return []
    longest = max(m[0] for m in matches)
    best = [m for m in matches if m[0] == longest]
    exact = [m[2] for m in best if m[1]]
    return exact if len(exact) == 1 else [m[2] for m in best]


def type_from_name(file_name: str, type_names: Iterable[str]) -> str | None:
    """The longest type name the file name starts with (separators - _ space .), else None.

    ``prices-2026-11.csv`` → prices; ``product_list.csv`` → products (plural tolerant when that is
    unambiguous); ``subscription_plans.csv`` → subscription_plan rather than subscription.
    """
    found = types_from_name(file_name, type_names)
    return found[0] if len(found) == 1 else None


def types_from_folder(folder: str, type_names: Iterable[str]) -> list[str]:
    """The types a folder names: it *is* the type's name (case, separators and plural tolerant),
    an exact match before plural-tolerant ones. One: the type; several: ambiguous; none."""
    tokens = _tokens(folder)
    if not tokens:
        return []
    found = []
    for name in type_names:
        type_tokens = _tokens(name)
        ok, exact = _starts_with(tokens, type_tokens)
        if ok and len(tokens) == len(type_tokens):
            found.append((exact, name))
    exact = [n for e, n in found if e]
    return exact[:1] if exact else [n for _e, n in found]


def type_from_folder(folder: str, type_names: Iterable[str]) -> str | None:
    """A folder names a type when it *is* the type's name (case, separators and plural tolerant)."""
    found = types_from_folder(folder, type_names)
    return found[0] if len(found) == 1 else None
