"""Errors of the schemas layer: bad schema files, bad rows, bad fields.

- ``SchemaError``: a resource type file (or a requested locale / type name) is unusable.
  ``str()`` names the file first, then what is wrong, e.g.
  ``"shop.toml: field 'price': unknown type 'money' (expected one of: string, integer, …)"``.
- ``FieldError``: one rejected value of a row, with a stable ``code`` and a plain-words ``message``
  meant to follow the field name ("price must be a number ≥ 0").
- ``RowInvalid``: raised by ``RowValidator.validate``; carries *all* ``FieldError`` of the row.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "CODES",
    "FieldError",
    "RowInvalid",
    "SchemaError",
    "UnknownResourceType",
]

#: Every ``FieldError.code`` this package produces (stable: the engine may store and count them).
CODES = frozenset(
    {
        "required",          # missing / empty / whitespace only, and no default
        "too_short",         # string shorter than min_length
        "too_long",          # string longer than max_length
        "pattern_mismatch",  # string does not match pattern
        "too_small",         # number below min
        "too_large",         # number above max
        "not_a_number",      # not a number in the job's locale format
        "ambiguous_number",  # a group symbol outside groups of three ("12.50" in de)
        "not_an_integer",    # a number with a fractional part for an integer field
        "too_many_digits",   # a decimal with more than MAX_DECIMAL_DIGITS digits written out
        "invalid_url",       # not an absolute http(s) address
        "invalid_value",     # a nested value of the wrong kind (an object where a list belongs …)
        "invalid_key",       # a map key that does not match the field's key_pattern
        "too_few_items",     # a list shorter than min_items
        "too_many_items",    # a list longer than max_items
        "invalid_boolean",
        "invalid_date",
        "invalid_datetime",
        "invalid_email",
        "not_a_choice",      # enum value not among the choices
        "invalid_json",
        "invalid_string",    # a value that cannot be text (e.g. a yes/no cell in a text column)
        "unresolved_reference",  # names a record of another type that neither the file nor the store has
        "invalid",           # anything else (should not happen; message says what)
    }
)


class SchemaError(ValueError):
    """A resource type definition (or a locale / type name asked for) is unusable.

    ``file`` is the TOML file (``None`` when the problem is not about a file), ``problems`` the
    list of individual problems found (a file is checked completely, not just up to the first
    problem), ``message`` the problems joined.
    """

    def __init__(self, message: str | list[str], file: str | Path | None = None) -> None:
        problems = [message] if isinstance(message, str) else list(message)
        self.problems: list[str] = problems
        self.message: str = "; ".join(problems)
        self.file: str | None = None if file is None else str(file)
        super().__init__(self.__str__())

    @property
    def file_name(self) -> str | None:
        return None if self.file is None else Path(self.file).name

    def __str__(self) -> str:
        return f"{self.file_name}: {self.message}" if self.file else self.message

    def __reduce__(self):  # picklable (worker processes, logging handlers)
        return (self.__class__, (self.problems, self.file))


class UnknownResourceType(SchemaError, LookupError):
    """``Registry.get(name)`` for a name that is not defined."""

    def __init__(self, name: str, known: list[str] | tuple[str, ...] = ()) -> None:
        self.name = name
        self.known = tuple(known)
        super().__init__(f"unknown resource type {name!r}; known: {', '.join(self.known) or '(none)'}")

    def __reduce__(self):
        return (self.__class__, (self.name, self.known))


@dataclass(frozen=True, slots=True)
class FieldError:
    """One rejected field value.

    ``field``: the field name; ``value``: the raw value as it came in (``None`` when the field was
    missing); ``code``: one of ``CODES``; ``message``: plain words to put after the field name.
    """

    field: str
    value: Any
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.field} {self.message}" if self.field else self.message


class RowInvalid(ValueError):
    """A row failed validation; ``errors`` lists every bad field of the row, in field order."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors: list[FieldError] = list(errors)
        super().__init__(self.__str__())

    def __str__(self) -> str:
        parts = []
        for e in self.errors:
            shown = "" if e.value is None or e.code == "required" else f" (got {_short(e.value)})"
            parts.append(f"{e}{shown}")
        return "; ".join(parts)

    def __reduce__(self):
        return (self.__class__, (self.errors,))


def _short(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
