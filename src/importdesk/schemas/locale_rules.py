"""What a locale means for raw values: number symbols, date order, yes/no words.

``get_rules("de_DE")`` asks Babel (CLDR data) once per locale and returns a small frozen
``LocaleRules``; the coercion functions then do plain string work with it.

- Numbers: the locale's decimal symbol and group (thousands) symbol, Latin digits. A space-like
  group symbol (fr: U+202F, sv/ru/pl: U+00A0) also accepts the other space kinds; an apostrophe
  group symbol (de_CH: U+2019) also accepts ASCII "'".
- Dates: the order of day, month and year in the locale's short date pattern (de ``dd.MM.yy`` ->
  DMY, en_US ``M/d/yy`` -> MDY, ja ``y/MM/dd`` -> YMD). A bare ``en`` is read as international
  English (CLDR ``en_001``: day first), because CLDR's plain ``en`` is US English; ask for ``en_US``
  to get month first.
- Booleans: English words always, plus the words of the locale's language (``BOOLEAN_WORDS``).

Locale names: ``de``, ``de_DE``, ``de-DE``, ``pt_BR`` ... (case-insensitive). A name copied from
``$LANG`` works too: the encoding and modifier are dropped (``de_DE.UTF-8``, ``ca_ES@valencia``).
``C`` and ``POSIX`` are read as ``en_US``: the POSIX locale writes numbers with a dot and no
grouping and dates month first, which is what US English rules accept. This is our decision, not
Babel's (whose answer for ``C`` changed between releases). An unknown locale raises
``SchemaError`` (a ``ValueError``) naming it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import astuple, dataclass
from typing import TYPE_CHECKING, Any

from .errors import SchemaError

if TYPE_CHECKING:
    from babel import Locale

__all__ = ["BOOLEAN_WORDS", "LocaleRules", "adopt_rules", "get_rules", "known_rules", "normalize_locale"]

#: language -> (true words, false words); compared case-insensitively after stripping.
BOOLEAN_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "en": (("true", "yes", "y", "1", "on", "t"), ("false", "no", "n", "0", "off", "f")),
    "de": (("ja", "j", "wahr"), ("nein", "n", "falsch")),
    "fr": (("oui", "o", "vrai"), ("non", "n", "faux")),
    "es": (("sí", "si", "s", "verdadero"), ("no", "n", "falso")),
    "it": (("sì", "si", "s", "vero"), ("no", "n", "falso")),
    "pt": (("sim", "s", "verdadeiro"), ("não", "nao", "n", "falso")),
    "nl": (("ja", "j", "waar"), ("nee", "n", "onwaar")),
    "sv": (("ja", "j", "sant"), ("nej", "n", "falskt")),
    "da": (("ja", "j", "sand"), ("nej", "n", "falsk")),
    "nb": (("ja", "j", "sann"), ("nei", "n", "usann")),
    "nn": (("ja", "j", "sann"), ("nei", "n", "usann")),
    "no": (("ja", "j", "sann"), ("nei", "n", "usann")),
    "fi": (("kyllä", "k", "tosi"), ("ei", "e", "epätosi")),
    "pl": (("tak", "t", "prawda"), ("nie", "n", "fałsz")),
    "cs": (("ano", "a", "pravda"), ("ne", "n", "nepravda")),
    "sk": (("áno", "ano", "a", "pravda"), ("nie", "n", "nepravda")),
    "hu": (("igen", "i", "igaz"), ("nem", "n", "hamis")),
    "ro": (("da", "d", "adevărat", "adevarat"), ("nu", "n", "fals")),
    "tr": (("evet", "e", "doğru", "dogru"), ("hayır", "hayir", "h", "yanlış", "yanlis")),
    "ru": (("да", "д", "истина"), ("нет", "н", "ложь")),
}

_SPACES = ("\u202f", "\u00a0", " ", "\u2009")
_APOSTROPHES = ("\u2019", "'")
_POSIX_NAMES = frozenset({"C", "POSIX"})
_BIDI = re.compile("[\u200e\u200f\u061c]")


@dataclass(frozen=True, slots=True)
class LocaleRules:
    locale: str                 # normalised name, e.g. "de_DE"
    language: str               # "de"
    decimal: str                # decimal symbol, e.g. ","
    group: str                  # group symbol as CLDR has it, e.g. "." or "\u202f"
    groups: tuple[str, ...]     # group symbols accepted in input
    minus: tuple[str, ...]      # minus signs accepted
    date_order: str             # "DMY", "MDY" or "YMD"
    date_sep: str               # the locale's usual date separator: ".", "/" or "-"
    number_example: str         # 1234.56 written the locale's way, for messages
    true_words: frozenset[str]
    false_words: frozenset[str]

    @property
    def dot_decimal(self) -> bool:
        """True when "12.50" means twelve and a half here (pydantic's own parsing agrees)."""
        return self.decimal == "." and "." not in self.groups

    @property
    def date_hint(self) -> str:
        """Expected date formats for messages, e.g. "DD.MM.YYYY or YYYY-MM-DD"."""
        local = {
            "DMY": f"DD{self.date_sep}MM{self.date_sep}YYYY",
            "MDY": f"MM{self.date_sep}DD{self.date_sep}YYYY",
            "YMD": f"YYYY{self.date_sep}MM{self.date_sep}DD",
        }[self.date_order]
        return "YYYY-MM-DD" if local == "YYYY-MM-DD" else f"{local} or YYYY-MM-DD"

    @property
    def boolean_hint(self) -> str:
        words = ["true/false", "yes/no", "1/0"]
        extra = BOOLEAN_WORDS.get(self.language)
        if extra and self.language != "en":
            words.append(f"{extra[0][0]}/{extra[1][0]}")
        return ", ".join(words)


@functools.lru_cache(maxsize=256)
def normalize_locale(locale: str | None) -> str:
    """'de-de' -> 'de_DE'; None/'' -> 'en'. Raises SchemaError for unknown locales."""
    known = _known.get(locale)
    return known.locale if known is not None else _parse(locale)[0]


def _parse(locale: str | None) -> tuple[str, Locale]:
    from babel import Locale, UnknownLocaleError  # imported on first use: ~50 ms

    name = (locale or "en").strip()
    name = re.split(r"[.@]", name, maxsplit=1)[0].replace("-", "_")
    if name.upper() in _POSIX_NAMES:
        name = "en_US"
    try:
        parsed = Locale.parse(name)
    except (UnknownLocaleError, ValueError, TypeError) as exc:
        raise SchemaError(
            f"unknown locale {locale!r} (use a language code such as 'en', 'de', 'fr' "
            f"or language_TERRITORY such as 'de_DE', 'en_US')"
        ) from exc
    return str(parsed), parsed


def _date_order(pattern: str) -> tuple[str, str]:
    """Order of day/month/year in a CLDR date pattern, and its first separator among . / -."""
    pattern = _BIDI.sub("", pattern)
    letters = {"d": "D", "M": "M", "L": "M", "y": "Y"}
    order = "".join(dict.fromkeys(letters[ch] for ch in pattern if ch in letters))
    if order not in ("DMY", "MDY", "YMD"):
        order = "DMY"
    sep = next((c for c in pattern if c in "./-"), "/")
    return order, sep


#: the rules derived (or adopted) so far, by the name they were asked for
_known: dict[str | None, LocaleRules] = {}
_MOST_KNOWN = 64


def get_rules(locale: str | None = "en") -> LocaleRules:
    rules = _known.get(locale)
    if rules is None:
        rules = _derive(locale)
        if len(_known) >= _MOST_KNOWN:
            _known.clear()
        _known[locale] = rules
    return rules


def known_rules() -> tuple[tuple[Any, ...], ...]:
    """The rules this process has derived, as plain values (``marshal`` carries them) for another
    process to adopt: the batch writer then validates without loading Babel's CLDR data (~30 ms
    and its import). Both are the same installation, and the writer's fingerprint, which holds the
    rules, must equal the runner's before it is trusted (schemas/positional_recipe.py)."""
    return tuple((name, astuple(rules)) for name, rules in list(_known.items()))


def adopt_rules(known: tuple[tuple[Any, ...], ...] | list[Any]) -> None:
    """Take ``known_rules()`` of another process as this one's."""
    for name, values in known:
        _known.setdefault(name, LocaleRules(*values))


def _derive(locale: str | None) -> LocaleRules:
    from babel import Locale, numbers  # on first use (see _parse)

    name, loc = _parse(locale)
    decimal = numbers.get_decimal_symbol(loc, numbering_system="latn")
    group = numbers.get_group_symbol(loc, numbering_system="latn")
    minus = numbers.get_minus_sign_symbol(loc, numbering_system="latn")
    groups: tuple[str, ...] = (group,)
    if group in _SPACES:
        groups = _SPACES
    elif group in _APOSTROPHES:
        groups = _APOSTROPHES
    minus_signs = tuple(dict.fromkeys(m for m in ("-", _BIDI.sub("", minus), "\u2212") if m))
    date_loc = loc
    if loc.language == "en" and not loc.territory and not loc.script:
        date_loc = Locale.parse("en_001")  # see module docstring: bare "en" is day-first
    order, sep = _date_order(date_loc.date_formats["short"].pattern)
    true_words = set(BOOLEAN_WORDS["en"][0])
    false_words = set(BOOLEAN_WORDS["en"][1])
    if loc.language in BOOLEAN_WORDS:
        t, f = BOOLEAN_WORDS[loc.language]
        true_words.update(t)
        false_words.update(f)
    # A word must not mean both (e.g. "n" is "no" everywhere, but "t" is "tak"=yes in pl).
    clash = true_words & false_words
    true_words -= clash
    false_words -= clash
    example = numbers.format_decimal(1234.56, locale=loc, numbering_system="latn")
    return LocaleRules(
        locale=name,
        language=loc.language,
        decimal=decimal,
        group=group,
        groups=groups,
        minus=minus_signs,
        date_order=order,
        date_sep=sep,
        number_example=example,
        true_words=frozenset(w.casefold() for w in true_words),
        false_words=frozenset(w.casefold() for w in false_words),
    )
