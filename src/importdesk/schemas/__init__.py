"""Resource types: TOML definitions -> FieldSpec/ResourceType -> fast, locale-aware row validators.

::

    from importdesk.schemas import Registry

    reg = Registry.load(workspace_schemas_dir)   # built-ins + the workspace's *.toml (None: built-ins)
    rt = reg.get("products")                     # SchemaError (UnknownResourceType) if not defined
    mapping = rt.map_headers(src.info.headers)   # columns / unknown / missing_required / duplicates
    v = rt.validator("de")                       # cached per locale
    clean = v.validate(mapping.to_raw(values))   # or RowInvalid(errors=[FieldError, ...])
    row = rt.to_db(clean)                        # tuple in rt.columns order, for executemany
    key = rt.key_of(clean)

See README.md in this folder for the TOML format, and the module docstrings for the rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from importdesk import lazy_names

if TYPE_CHECKING:
    from .errors import CODES, FieldError, RowInvalid, SchemaError, UnknownResourceType
    from .headers import HeaderMapping, normalize_header
    from .locale_rules import LocaleRules, adopt_rules, get_rules, known_rules
    from .registry import Registry
    from .spec import EXTRA, FIELD_TYPES, NO_DEFAULT, FieldSpec, ResourceType
    from .toml_loader import load_file, load_text
    from .validator import RowValidator

# loaded on first use (importdesk/lazy_names.py): ``SchemaError`` alone must not import pydantic-core
_WHERE = lazy_names.where({
    "importdesk.schemas.errors": ("CODES", "FieldError", "RowInvalid", "SchemaError", "UnknownResourceType"),
    "importdesk.schemas.headers": ("HeaderMapping", "normalize_header"),
    "importdesk.schemas.locale_rules": ("LocaleRules", "adopt_rules", "get_rules", "known_rules"),
    "importdesk.schemas.registry": ("Registry",),
    "importdesk.schemas.spec": ("EXTRA", "FIELD_TYPES", "NO_DEFAULT", "FieldSpec", "ResourceType"),
    "importdesk.schemas.toml_loader": ("load_file", "load_text"),
    "importdesk.schemas.validator": ("RowValidator",),
})
__getattr__ = lazy_names.loader(__name__, _WHERE)

__all__ = [
    "CODES",
    "EXTRA",
    "FIELD_TYPES",
    "NO_DEFAULT",
    "FieldError",
    "FieldSpec",
    "HeaderMapping",
    "LocaleRules",
    "Registry",
    "ResourceType",
    "RowInvalid",
    "RowValidator",
    "SchemaError",
    "UnknownResourceType",
    "adopt_rules",
    "get_rules",
    "known_rules",
    "load_file",
    "load_text",
    "normalize_header",
]
