"""Name rules, type from folder/name, sidecar and defaults parsing, display of odd names (no watcher)."""

from __future__ import annotations

import pytest

from importdesk.inbox.naming import display, is_config, is_supported, is_temporary, type_from_folder, type_from_name
from importdesk.inbox.options import OptionsError, options_for
from importdesk.inbox.scan import Stability, scan
from importdesk.models import JobType

TYPES = ["customers", "prices", "products", "stock_items", "subscription", "subscription_offering",
         "subscription_plan", "subscription_product", "subscription_subscriber"]


@pytest.mark.parametrize("name", [".hidden.csv", "x.csv.part", "x.csv.tmp", "~$book.xlsx", "x.csv.crdownload",
                                  "x.CSV.PART", "backup.csv~"])
def test_temporary_names_are_ignored(name):
    assert is_temporary(name)


@pytest.mark.parametrize("name", ["x.csv", "-dash.csv", "ünïcödé.csv", "a b.csv"])
def test_regular_names_are_not_temporary(name):
    assert not is_temporary(name)


def test_config_and_supported():
    assert is_config("x.csv.toml") and is_config("_defaults.toml")
    assert is_supported("x.CSV") and is_supported("y.xlsx") and is_supported("z.ndjson")
    assert not is_supported("x.pdf") and not is_supported("noext")


@pytest.mark.parametrize("name, expected", [
    ("prices-2026-11.csv", "prices"),
    ("Products.csv", "products"),
    ("product_list.csv", "products"),
    ("price 2026.xlsx", "prices"),
    ("stock-items-week1.csv", "stock_items"),
    ("stock_item.csv", "stock_items"),
    ("subscription_plans.jsonl", "subscription_plan"),
    ("subscription-plan.2026.json", "subscription_plan"),
    ("subscriptions.jsonl", "subscription"),
    ("subscription.csv", "subscription"),
    ("customers.csv", "customers"),
    ("pricesheet.csv", None),
    ("export.csv", None),
    ("2026-prices.csv", None),
])
def test_type_from_name(name, expected):
    assert type_from_name(name, TYPES) == expected


def test_type_from_name_ambiguous_plural_is_not_guessed():
    assert type_from_name("item-1.csv", ["item", "items"]) == "item"  # the exact one wins
    assert type_from_name("items.csv", ["item", "items"]) == "items"
    assert type_from_name("widget.csv", ["widgets", "widgetes"]) is None


@pytest.mark.parametrize("folder, expected", [
    ("products", "products"), ("Products", "products"), ("product", "products"),
    ("stock-items", "stock_items"), ("subscription_plan", "subscription_plan"), ("from-erp", None),
    ("products-old", None),
])
def test_type_from_folder(folder, expected):
    assert type_from_folder(folder, TYPES) == expected


def test_display_escapes_control_characters_and_undecodable_bytes():
    assert display("a\nb\tc\x1b[31m.csv") == "a\\x0ab\\x09c\\x1b[31m.csv"
    assert display("caf\udce9.csv") == "caf\\xe9.csv"
    assert display("ünïcödé -x.csv") == "ünïcödé -x.csv"


def test_options_layers_sidecar_wins(tmp_path):
    inbox = tmp_path / "inbox"
    (inbox / "products").mkdir(parents=True)
    (inbox / "_defaults.toml").write_text('locale = "de"\nthreshold = "20%"\n')
    (inbox / "products" / "_defaults.toml").write_text('job = "validate"\nskip_errors = true\n')
    sidecar = inbox / "products" / "x.csv.toml"
    sidecar.write_text('locale = "fr"\nforce = true\nshared = { currency = "EUR" }\nparent = "PL-1"\n'
                       'reference = "batch 7"\n')
    opts = options_for(inbox, ("products", "x.csv"), sidecar)
    o = opts.import_options("products")
    assert (o.locale, o.error_threshold, o.job_type, o.skip_errors) == ("fr", 0.2, JobType.VALIDATE, True)
    assert o.shared_entity_data == {"currency": "EUR"} and o.parent_resource_id == "PL-1"
    assert o.reference == "batch 7" and opts.force and o.resource_type == "products"
    assert len(opts.sources) == 3


@pytest.mark.parametrize("text, fragment", [
    ('skip_error = true', "unknown key"),
    ('job = "run"', "validate"),
    ('threshold = "lots"', "threshold"),
    ('threshold = 250', "ambiguous: write 250% for 250 percent"),
    ('threshold = 1', "ambiguous"),
    ('threshold = "250%"', "between 0% and 100%"),
    ('force = "yes"', "force"),
    ('locale = 5', "locale"),
    ('this is = not toml', "not valid TOML"),
])
def test_bad_sidecars_are_refused_with_the_reason(tmp_path, text, fragment):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    sidecar = inbox / "x.csv.toml"
    sidecar.write_text(text)
    with pytest.raises(OptionsError) as info:
        options_for(inbox, ("x.csv",), sidecar)
    assert fragment in str(info.value) and "x.csv.toml" in str(info.value)


def test_stability_needs_an_unchanged_signature_for_the_window(tmp_path):
    now = [100.0]
    stab = Stability(1.0, lambda: now[0])
    f = tmp_path / "x.csv"
    f.write_text("a")
    cands = scan(tmp_path).candidates.values()
    assert stab.update(cands) == ([], 101.0)
    now[0] = 100.9
    assert stab.update(scan(tmp_path).candidates.values())[0] == []
    f.write_text("ab")  # it grew: the window starts again
    now[0] = 101.5
    assert stab.update(scan(tmp_path).candidates.values()) == ([], 102.5)
    now[0] = 102.5
    stable, due = stab.update(scan(tmp_path).candidates.values())
    assert [c.name for c in stable] == ["x.csv"] and due is None


def test_scan_reports_odd_entries_without_following_them(tmp_path):
    import os

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    outside = tmp_path / "secret.csv"
    outside.write_text("sku\n1\n")
    (inbox / "link.csv").symlink_to(outside)
    os.mkfifo(inbox / "pipe.csv")
    (inbox / "dir.csv").mkdir()
    (inbox / "dir.csv" / "inner.csv").write_text("x")
    (inbox / "real.csv").write_text("x")
    (inbox / "real.csv.toml").write_text("")
    result = scan(inbox)
    assert sorted(result.candidates) == ["real.csv"]
    assert result.candidates["real.csv"].sidecar == inbox / "real.csv.toml"
    assert sorted((o.key, o.kind) for o in result.odd) == [("dir.csv", "directory"), ("link.csv", "symlink"),
                                                           ("pipe.csv", "fifo")]


def test_scan_refuses_hard_links_and_names_folders_nested_too_deep(tmp_path):
    """A hard link's content can change through its other name while it is imported; files
    deeper than the watched depth were ignored without a word (issue 12)."""
    import os

    inbox = tmp_path / "inbox"
    deep = inbox / "products" / "a" / "b"
    (deep / "c").mkdir(parents=True)
    (deep / "c" / "lost.csv").write_text("sku\n1\n")
    (deep / "empty").mkdir()
    (deep / "kept.csv").write_text("sku\n1\n")
    outside = tmp_path / "elsewhere.csv"
    outside.write_text("sku\n2\n")
    os.link(outside, inbox / "linked.csv")
    result = scan(inbox)
    assert sorted(result.candidates) == ["products/a/b/kept.csv"]
    odd = {o.key: o for o in result.odd}
    assert sorted((o.key, o.kind) for o in result.odd) == [("linked.csv", "hardlink"),
                                                           ("products/a/b/c", "too_deep")]  # not the empty one
    assert "hard link" in odd["linked.csv"].reason and "copy or move the file itself" in odd["linked.csv"].reason
    assert "nested too deep" in odd["products/a/b/c"].reason


def test_an_inbox_event_has_one_of_the_named_kinds():
    from importdesk.inbox import InboxEvent, InboxEventKind

    event = InboxEvent("duplicate", "inbox/x.csv: duplicate of job …")
    assert event.kind is InboxEventKind.DUPLICATE and event.kind.is_trouble
    assert not InboxEvent(InboxEventKind.FINISHED, "job x: done").kind.is_trouble
    with pytest.raises(ValueError, match="'dupe' is not a valid InboxEventKind"):
        InboxEvent("dupe", "a kind the app would not know")
