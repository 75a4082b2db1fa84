"""Row validator speed: importdesk.schemas vs a plain pydantic BaseModel.

Validates one products row with all 11 fields filled, values as strings (as a CSV reader gives
them), many times, and prints µs/row (best of several interleaved rounds: the machine is shared
and noisy, compare ratios) for:

- baseline: a plain pydantic ``BaseModel`` with the same types and constraints (no locale rules,
  no blank handling), ``Model.model_validate(row)``;
- ``rt.validator("en").validate(row)`` on an en row ("12.50", "2026-01-02");
- ``rt.validator("de").validate(row)`` on a de row ("1.234,50", "02.01.2026", "ja");
- en with 5 optional fields empty (blank -> default/None path);
- en ``mapping.to_raw(values)`` + validate + ``rt.to_db`` (what the engine does per CSV row);
- "distinct": 20,000 different rows cycled (distinct SKUs, names, prices, weights; ~1,100
  dates), so the per-field memo caches of decimals/dates/yes-no miss as they would on a real
  file, in en and de.

Run:  .venv/bin/python bench/validator_speed.py [--rows N] [--rounds R]
Target: en ≤ 3 µs/row on the 2-core dev machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import timeit
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from pydantic import BaseModel, Field

from importdesk.schemas import Registry

ROW_EN = {
    "sku": "AB-10001",
    "name": "Stainless steel widget",
    "description": "A fine widget for everyday use",
    "category": "tools",
    "price": "1234.50",
    "currency": "EUR",
    "weight_kg": "1.25",
    "active": "yes",
    "ean": "4006381333931",
    "launched_on": "2026-01-02",
    "attributes": '{"colour":"red","size":3}',
}
ROW_DE = dict(ROW_EN, price="1.234,50", weight_kg="1,25", active="ja", launched_on="02.01.2026")
VALUES_EN = list(ROW_EN.values())
ROW_EN_BLANKS = dict(ROW_EN, description="", category="", weight_kg="", ean="", attributes="")


class ProductModel(BaseModel):
    sku: str = Field(max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    name: str = Field(max_length=200)
    description: str | None = Field(None, max_length=5000)
    category: str | None = None
    price: Decimal = Field(ge=0)
    currency: str = Field("EUR", pattern=r"^[A-Z]{3}$")
    weight_kg: float | None = Field(None, ge=0)
    active: bool = True
    ean: str | None = Field(None, pattern=r"^(\d{8}|\d{12}|\d{13})$")
    launched_on: dt.date | None = None
    attributes: Any | None = None


def distinct_rows(n: int, locale: str) -> list[dict[str, str]]:
    rows = []
    for i in range(n):
        units, cents = 1 + (i * 7919) % 250_000, i % 100
        day = dt.date(2024, 1, 1) + dt.timedelta(days=i % 1100)
        if locale == "de":
            price = f"{units:,}".replace(",", ".") + f",{cents:02d}"
            weight = f"{(i % 3000) / 100}".replace(".", ",")
            launched = day.strftime("%d.%m.%Y")
            active = "ja" if i % 3 else "nein"
        else:
            price = f"{units}.{cents:02d}"
            weight = f"{(i % 3000) / 100}"
            launched = day.isoformat()
            active = "yes" if i % 3 else "no"
        rows.append(dict(
            ROW_EN, sku=f"SKU-{i:06d}", name=f"Product number {i}", price=price, weight_kg=weight,
            launched_on=launched, active=active, ean=f"{4006381000000 + i:013d}",
        ))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=40_000, help="validations per case and round")
    ap.add_argument("--rounds", type=int, default=15, help="interleaved rounds (best counts)")
    args = ap.parse_args()

    rt = Registry.load(None).get("products")
    v_en = rt.validator("en")
    v_de = rt.validator("de")
    to_db = rt.to_db
    to_raw = rt.map_headers(list(ROW_EN)).to_raw

    # Sanity: the same row means the same thing in both locales.
    a, b = v_en.validate(ROW_EN), v_de.validate(ROW_DE)
    assert a == b, (a, b)
    ProductModel.model_validate(ROW_EN)

    n_distinct = 20_000
    many_en, many_de = distinct_rows(n_distinct, "en"), distinct_rows(n_distinct, "de")
    for a, b in zip(many_en[:50], many_de[:50], strict=True):
        assert v_en.validate(a) == v_de.validate(b)

    def cycle(fn, rows):
        def run(_row):
            for r in rows:
                fn(r)
        return run

    cases = {
        "baseline BaseModel (en row)": (ProductModel.model_validate, ROW_EN, 1),
        "importdesk en": (v_en.validate, ROW_EN, 1),
        "importdesk de": (v_de.validate, ROW_DE, 1),
        "importdesk en, 5 blanks": (v_en.validate, ROW_EN_BLANKS, 1),
        "importdesk en to_raw+validate+to_db": (lambda vals: to_db(v_en.validate(to_raw(vals))), VALUES_EN, 1),
        "baseline BaseModel, distinct en": (cycle(ProductModel.model_validate, many_en), None, n_distinct),
        "importdesk en, distinct rows": (cycle(v_en.validate, many_en), None, n_distinct),
        "importdesk de, distinct rows": (cycle(v_de.validate, many_de), None, n_distinct),
        "importdesk en to_raw+validate+to_db, distinct": (
            cycle(lambda vals: to_db(v_en.validate(to_raw(vals))), [list(r.values()) for r in many_en]),
            None, n_distinct),
    }
    best = {k: float("inf") for k in cases}
    for _ in range(args.rounds):
        for name, (fn, row, per_call) in cases.items():
            number = max(1, args.rows // per_call)
            t = timeit.timeit(lambda fn=fn, row=row: fn(row), number=number) / (number * per_call) * 1e6
            best[name] = min(best[name], t)

    base = best["baseline BaseModel (en row)"]
    print(f"products row, 11 fields, best of {args.rounds} rounds x {args.rows} rows")
    print(f"{'case':46s} {'µs/row':>8s} {'vs baseline':>12s}")
    for name, t in best.items():
        print(f"{name:46s} {t:8.2f} {t / base:11.2f}x")
    target = 3.0
    verdict = "OK" if best["importdesk en"] <= target else "ABOVE TARGET"
    print(f"en target ≤ {target:.1f} µs/row: {verdict}")


if __name__ == "__main__":
    main()
