"""A job whose slash dates all read both ways (03/04/2024) under its locale gets one warning that
says which order it used; one date that fits only one order (25/04/2024) settles it."""

from __future__ import annotations

import pytest

from cli_helpers import invoke

HEADER = "sku,name,price,launched_on\n"


def write(tmp_path, dates: list[str]):
    path = tmp_path / "dated.csv"
    path.write_text(HEADER + "".join(f"S-{i},n,1,{d}\n" for i, d in enumerate(dates)), encoding="utf-8")
    return path


def date_warnings(tmp_path, path, *options):
    ws = tmp_path / "ws"
    run = invoke("run", path, "--type", "products", "--validate", "--json", *options, workspace=ws)
    assert run.code == 0, run.err
    items = invoke("errors", run.json()["uid"], "--json", "--level", "warning", workspace=ws).json()
    return [i for i in items if i["code"] == "ambiguous_date_order"], run.json()


@pytest.mark.parametrize("locale, order, other", [("en", "day first (DD/MM/YYYY)", "en_US"),
                                                  ("en_US", "month first (MM/DD/YYYY)", "en_GB")])
def test_all_ambiguous_slash_dates_get_one_warning_naming_the_order(tmp_path, locale, order, other):
    warnings, job = date_warnings(tmp_path, write(tmp_path, ["03/04/2024", "01/02/2023", "2024-05-06",
                                                             "05/05/2024", ""]), "--locale", locale)
    assert len(warnings) == 1 and job["warnings_count"] == 1
    assert warnings[0]["field"] == "launched_on" and warnings[0]["row_number"] is None
    message = warnings[0]["message"]
    assert order in message and f"locale {locale}" in message and f"with locale {other}" in message


@pytest.mark.parametrize("dates", [
    ["03/04/2024", "25/02/2023"],  # day 25: day first, and so are the others
    ["03/04/2024", "02/13/2023"],  # rejected under en (month 13), but the order is no longer in doubt
    ["2024-04-03", "2023-02-01"],  # ISO
    ["05/05/2024", "07/07/2024"],  # the same date either way round
])
def test_no_warning_when_the_order_is_not_in_doubt(tmp_path, dates):
    path = write(tmp_path, dates)
    ws = tmp_path / "ws"
    run = invoke("run", path, "--type", "products", "--validate", "--skip-errors", "--json", workspace=ws)
    items = invoke("errors", run.json()["uid"], "--json", "--level", "warning", workspace=ws).json()
    assert not [i for i in items if i["code"] == "ambiguous_date_order"]


def test_dotted_dates_under_de_are_not_in_doubt(tmp_path):
    warnings, _ = date_warnings(tmp_path, write(tmp_path, ["03.04.2024", "01.02.2023"]), "--locale", "de")
    assert warnings == []


def test_many_batches_one_warning_and_a_late_date_still_settles_it(tmp_path):
    ambiguous = [f"{m:02d}/{d:02d}/2024" for m in range(1, 13) for d in range(1, 13) if m != d] * 60  # 7,920 rows
    warnings, job = date_warnings(tmp_path, write(tmp_path, ambiguous))
    assert job["progress"]["total"] > 5000 * 1.5 and len(warnings) == 1  # one, not one per batch
    settled = tmp_path / "late"
    settled.mkdir()
    warnings, _ = date_warnings(settled, write(settled, [*ambiguous, "13/01/2024"]))
    assert warnings == []
