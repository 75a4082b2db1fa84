"""TOML loader: format rules and the problems it reports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from importdesk.schemas import NO_DEFAULT, SchemaError, load_file, load_text


def toml(fields: str, resource: str = 'name = "things"\nkey = ["code"]') -> str:
    return f'[resource]\n{resource}\n\n[fields.code]\ntype = "string"\n\n{fields}'


def problems_of(text: str) -> str:
    with pytest.raises(SchemaError) as info:
        load_text(text, source="things.toml")
    assert str(info.value).startswith("things.toml: ")
    return str(info.value)


def test_field_order_is_column_order_and_defaults_are_converted():
    rt = load_text(
        toml("""
[fields.zeta]
type = "decimal"
default = "1.50"
[fields.alpha]
type = "date"
default = 2026-01-31
[fields.mid]
type = "integer"
default = 3
[fields.flag]
type = "boolean"
default = "yes"
[fields.opt]
type = "string"
""")
    )
    assert tuple(rt.fields) == ("code", "zeta", "alpha", "mid", "flag", "opt")
    assert rt.fields["zeta"].default == Decimal("1.5")
    assert rt.fields["alpha"].default == dt.date(2026, 1, 31)
    assert rt.fields["mid"].default == 3
    assert rt.fields["flag"].default is True
    assert rt.fields["opt"].default is NO_DEFAULT and not rt.fields["opt"].has_default
    assert rt.title == "Things"
    assert rt.fields["code"].required  # key field


def test_key_may_be_a_single_string():
    rt = load_text(toml("", resource='name = "things"\nkey = "code"'))
    assert rt.key == ("code",)


def test_load_file_reads_utf8(tmp_path):
    path = tmp_path / "things.toml"
    path.write_text(toml('[fields.w]\ntype = "string"\naliases = ["Währung"]\n'), encoding="utf-8")
    rt = load_file(path)
    assert rt.fields["w"].aliases == ("Währung",)
    assert rt.source == str(path)


def test_load_file_not_utf8(tmp_path):
    path = tmp_path / "things.toml"
    path.write_bytes(toml('[fields.w]\ntype = "string"\naliases = ["Währung"]\n').encode("latin-1"))
    with pytest.raises(SchemaError, match=r"^things.toml: not UTF-8"):
        load_file(path)


@pytest.mark.parametrize(
    "fields, resource, expected",
    [
        ('[fields.a]\ntype = "integer"\nmin = 5\nmax = 1\n', None, "field 'a': min (5) is greater than max (1)"),
        ('[fields.a]\ntype = "integer"\nmin = 1.5\n', None, "field 'a': min must be a whole number"),
        ('[fields.a]\ntype = "string"\nmin = 1\n', None, "field 'a': unknown option 'min' for type string"),
        ('[fields.a]\ntype = "decimal"\nmax_length = 3\n', None, "unknown option 'max_length' for type decimal"),
        ('[fields.a]\ntype = "string"\npattern = "([a-z"\n', None, "is not a valid regular expression"),
        ('[fields.a]\ntype = "enum"\nchoices = []\n', None, "choices must be a non-empty list"),
        ('[fields.a]\ntype = "enum"\nchoices = ["x", "x"]\n', None, "choices repeat 'x'"),
        ('[fields.a]\ntype = "string"\nrequired = "yes"\n', None, "required must be true or false"),
        ('[fields.A]\ntype = "string"\n', None, "field name 'A' is not a valid name"),
        ("[fields.a]\nrequired = true\n", None, "field 'a': type is missing"),
        ('[fields.a]\ntype = "integer"\ndefault = "lots"\n', None, "field 'a': default 'lots' is not a whole number"),
        ('[fields.a]\ntype = "integer"\nmin = 0\ndefault = -1\n', None, "default -1 must be a whole number ≥ 0"),
        ('[fields.a]\ntype = "enum"\nchoices = ["x"]\ndefault = "y"\n', None, "default 'y' must be one of: x"),
        (
            '[fields.a]\ntype = "string"\naliases = ["code"]\n',
            None,
            "alias 'code' is already the name or an alias of field 'code'",
        ),
        (
            '[fields.b_c]\ntype = "string"\n[fields.bc]\ntype = "string"\n',
            None,
            "fields 'b_c' and 'bc' match the same header names",
        ),
        ("", 'name = "Things"\nkey = ["code"]', "name 'Things' is not a valid name"),
        ("", 'name = "things"', "key is missing"),
        ("", 'name = "things"\nkey = ["code"]\nparent = "nope"', "parent names unknown field 'nope'"),
        ("", 'name = "things"\nkey = ["code"]\ncolour = "red"', "[resource]: unknown key 'colour'"),
        ('[fields.j]\ntype = "json"\n', 'name = "things"\nkey = ["code", "j"]', "key field 'j' cannot be of type json"),
        (
            '[fields.d]\ntype = "string"\ndefault = "x"\n',
            'name = "things"\nkey = ["code", "d"]',
            "key field 'd' cannot have a default",
        ),
    ],
)
def test_problems_are_named(fields, resource, expected):
    text = toml(fields) if resource is None else toml(fields, resource)
    assert expected in problems_of(text)


def test_all_problems_of_a_file_are_reported_together():
    msg = problems_of(
        toml('[fields.a]\ntype = "money"\n[fields.b]\ntype = "enum"\n', 'name = "things"\nkey = ["code", "zz"]')
    )
    assert "unknown type 'money'" in msg
    assert "an enum needs choices" in msg
    assert "key names unknown field 'zz'" in msg


def test_missing_resource_and_fields():
    msg = problems_of("title = 1\n")
    assert "[resource] table is missing" in msg and "no fields" in msg and "unknown table or key 'title'" in msg


def test_pattern_with_lookaround_still_works():
    rt = load_text(toml("[fields.p]\ntype = \"string\"\npattern = '^(?!x)[a-z]+$'\n"))
    v = rt.validator("en")
    assert v.validate({"code": "c", "p": "abc"})["p"] == "abc"
    with pytest.raises(Exception, match="pattern"):
        v.validate({"code": "c", "p": "xyz"})
