#!/usr/bin/env python3
"""Write the demo / end-to-end sample files into ``src/importdesk/sample_data/``.

They ship inside the package: ``importdesk demo`` imports them from any installation.

Deterministic: a fixed random seed, fixed dates, no wall clock. Running it again produces
byte-identical files, the XLSX included (zip entry timestamps and the document properties are
pinned). Its output is committed; the folder's ``README.md`` is written by this script too, so the
row numbers it lists always match the files.

    .venv/bin/python scripts/make_sample_data.py [--out DIR]

Row numbers follow the readers' convention: for CSV the physical line (header = line 1, first
data row = line 2; no field in these files contains a line break, so row N is line N); for XLSX
the sheet row; for JSONL the line.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import random
import re
import zipfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = 20250314
FIXED_ZIP_TIME = (2025, 1, 1, 0, 0, 0)
FIXED_DOC_TIME = dt.datetime(2025, 1, 1, 0, 0, 0)

PRODUCT_HEADER = [
    "sku", "name", "description", "category", "price", "currency",
    "weight_kg", "active", "ean", "launched_on", "attributes",
]

# --------------------------------------------------------------------------------------------
# helpers


def money(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def ean13(rng: random.Random, leading_zero: bool) -> str:
    """A 13-digit EAN with a valid check digit; ``leading_zero`` -> it starts with 0."""
    first = "0" if leading_zero else str(rng.randint(1, 9))
    body = first + "".join(str(rng.randint(0, 9)) for _ in range(11))
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def rand_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def compact_json(obj: object) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def write_csv(path: Path, header: list[str], rows: list[list[str]], *, encoding: str = "utf-8",
              delimiter: str = ",", lineterminator: str = "\n") -> None:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator=lineterminator)
    w.writerow(header)
    w.writerows(rows)
    text = buf.getvalue()
    # Row number == line number only holds without embedded line breaks; keep it that way.
    assert text.count(lineterminator) == len(rows) + 1, f"{path.name}: a field contains a newline"
    path.write_bytes(text.encode(encoding))


def save_xlsx_deterministic(wb, path: Path) -> None:
    """Save an openpyxl workbook with pinned zip timestamps and document properties."""
    wb.properties.created = FIXED_DOC_TIME
    wb.properties.creator = "importdesk sample data"
    wb.properties.lastModifiedBy = "importdesk sample data"
    raw = io.BytesIO()
    wb.save(raw)  # openpyxl stamps properties.modified with the wall clock: undone below
    stamp = FIXED_DOC_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp.encode() + rb"\g<2>",
                    data,
                )
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            zi.create_system = 3
            dst.writestr(zi, data)
    path.write_bytes(out.getvalue())


# --------------------------------------------------------------------------------------------
# products

CATEGORIES = ["kitchen", "office", "garden", "electronics", "outdoor", "toys", "bath", "books"]
ADJECTIVES = ["Classic", "Compact", "Deluxe", "Eco", "Nordic", "Urban", "Vintage", "Smart",
              "Travel", "Pro", "Mini", "Premium", "Rustic", "Solar", "Bamboo", "Steel"]
NOUNS = {
    "kitchen": ["Mug", "Teapot", "Chef Knife", "Cutting Board", "Coffee Grinder", "Salad Bowl"],
    "office": ["Desk Lamp", "Notebook", "Stapler", "Monitor Stand", "Fountain Pen", "Desk Chair"],
    "garden": ["Watering Can", "Pruning Shears", "Planter", "Hose Reel", "Bird Feeder", "Rake"],
    "electronics": ["Headphones", "Speaker", "Power Bank", "USB Hub", "Webcam", "Smartwatch"],
    "outdoor": ["Tent", "Backpack", "Sleeping Bag", "Camping Stove", "Headlamp", "Hammock"],
    "toys": ["Puzzle", "Kite", "Building Blocks", "Yo-Yo", "Toy Train", "Plush Bear"],
    "bath": ["Towel Set", "Bath Mat", "Soap Dish", "Shower Head", "Bathrobe", "Toothbrush Cup"],
    "books": ["Cookbook", "Atlas", "Travel Guide", "Sketchbook", "Diary", "Poetry Collection"],
}
DESCRIPTIONS = ["Everyday essential.", "Built to last.", "Light and sturdy.", "A customer favourite.",
                "Made from recycled materials.", "Great as a gift.", "Simple, practical design.",
                "Our best seller.", "Limited edition.", "Easy to clean."]
COLORS = ["red", "blue", "green", "black", "white", "grey", "yellow", "navy"]
SIZES = ["S", "M", "L", "XL"]
MATERIALS = ["steel", "oak", "cotton", "glass", "ceramic", "bamboo"]

# Names that exercise CSV quoting and Unicode; index into products.csv: (category, name, description)
SPECIAL_NAMES = {
    7: ("electronics", "Cable, USB-C, 2 m", "Braided, fast-charging cable."),
    23: ("books", '12" Vinyl Record', 'A 12" LP in a sleeve.'),
    41: ("kitchen", 'The "Classic" Mug', 'Holds 350 ml, "dishwasher safe".'),
    66: ("kitchen", "Crème brûlée Torch", "Caramelises crème brûlée evenly."),
    88: ("kitchen", "Müsli Bowl, large", "Für das Frühstück."),
    104: ("kitchen", "日本 Tea Cup", "Porcelain cup from 日本 (Japan)."),
    131: ("outdoor", "Über Backpack", "Größe: 30 l."),
    160: ("kitchen", 'Knife "Santoku", 18 cm', "Japanese-style knife, 18 cm."),
    203: ("kitchen", "Café au lait Bowl", "Wide bowl, ceramic."),
    251: ("kitchen", "Smørrebrød Board", "Oak board, oiled."),
    307: ("electronics", 'Screen 27", 4K', 'IPS panel, 27".'),
    399: ("office", "Ça va? Greeting Cards", "Set of 10, assorted."),
    512: ("books", "Pâtisserie Book, 2nd ed.", "Recipes from Paris, Lyon & Nice."),
    640: ("books", "東京 Travel Guide", "Guide to 東京 (Tokyo)."),
    777: ("office", 'Lamp "Nordlys"', 'Warm light, 2700 K, "dimmable".'),
    901: ("kitchen", "Jürgen's Pretzel Kit", "Brezeln wie in München."),
}


def product_row(rng: random.Random, sku: str, *, name: str | None = None,
                description: str | None = None, category: str | None = None) -> list[str]:
    category = rng.choice(CATEGORIES) if category is None else category
    if name is None:
        name = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS[category])}"
    if description is None:
        description = rng.choice(DESCRIPTIONS)
    big_ticket = rng.random() < 0.05  # no thousands separator
    price = money(rng.uniform(1000, 4999) if big_ticket else rng.uniform(1.5, 299))
    currency = rng.choices(["EUR", "USD", "GBP"], weights=[6, 3, 1])[0]
    weight = money(rng.uniform(0.05, 25) if rng.random() < 0.2 else rng.uniform(0.05, 3))
    active = "true" if rng.random() < 0.85 else "false"
    ean = ean13(rng, leading_zero=rng.random() < 0.10)
    launched = rand_date(rng, dt.date(2015, 1, 1), dt.date(2025, 12, 31)).isoformat()
    attrs: dict[str, object] = {}
    pick = rng.random()
    if pick < 0.45:
        attrs = {"color": rng.choice(COLORS), "size": rng.choice(SIZES)}
    elif pick < 0.75:
        attrs = {"color": rng.choice(COLORS)}
    elif pick < 0.95:
        attrs = {"material": rng.choice(MATERIALS), "pack": rng.randint(1, 12)}
    return [sku, name, description, category, str(price), currency, str(weight), active, ean,
            launched, compact_json(attrs)]


def make_products(out: Path, rng: random.Random) -> list[list[str]]:
    rows = []
    for i in range(1000):
        cat, name, desc = SPECIAL_NAMES.get(i, (None, None, None))
        rows.append(product_row(rng, f"SKU-{i + 1:06d}", name=name, description=desc, category=cat))
    # uniqueness the importer's key relies on
    assert len({r[0] for r in rows}) == len(rows)
    eans = [r[8] for r in rows]
    assert len(set(eans)) == len(eans)
    write_csv(out / "products.csv", PRODUCT_HEADER, rows)
    return rows


# --------------------------------------------------------------------------------------------
# products_with_errors

ERROR_KINDS = [
    # (kind, field, bad value, what the user should see)
    ("negative_price", "price", "-5.00", "price must not be negative"),
    ("price_not_number", "price", "abc", "price is not a number"),
    ("missing_name", "name", "", "name is required"),
    ("sku_with_space", "sku", None, "sku contains a space"),
    ("bad_currency", "currency", "EURO", "currency not one of EUR/USD/GBP (3-letter code)"),
    ("ean_11_digits", "ean", None, "ean must have 13 digits"),
    ("weight_not_number", "weight_kg", "heavy", "weight_kg is not a number"),
    ("bad_date", "launched_on", "2025-13-45", "launched_on is not a valid date"),
    ("bad_boolean", "active", "maybe", "active is not a boolean"),
    ("broken_json", "attributes", "{broken json", "attributes is not valid JSON"),
]
NOTES = ["check EAN with supplier", "photo missing", "price from 2024 list", "ask purchasing"]


def make_products_with_errors(out: Path, rng: random.Random) -> dict:
    header = [*PRODUCT_HEADER, "internal_note"]
    n_rows = 200
    rows = []
    for i in range(n_rows):
        row = product_row(rng, f"SKU-{2001 + i:06d}")
        row.append(rng.choice(NOTES) if rng.random() < 0.15 else "")
        rows.append(row)

    # Positions (0-based data-row index) for the special rows.
    n_value = len(ERROR_KINDS) * 3
    positions = rng.sample(range(n_rows), n_value + 3 + 6)
    value_pos, ragged_pos, dup_pos = positions[:n_value], positions[n_value:n_value + 3], positions[n_value + 3:]

    errors = []  # (line, sku, kind, field, value, message)
    for k, (kind, field, bad, message) in enumerate(ERROR_KINDS):
        for j in range(3):
            idx = value_pos[k * 3 + j]
            row = rows[idx]
            col = header.index(field)
            if kind == "sku_with_space":
                bad = row[0].replace("-", " ")  # "SKU 002034"
            elif kind == "ean_11_digits":
                bad = row[col][:11]
            row[col] = bad
            errors.append((idx + 2, row[0], kind, field, bad, message))

    # Duplicate skus: pairs (earlier, later). Later row reuses the sku with different values;
    # both rows are valid, the later one must win.
    duplicates = []
    for j in range(3):
        a, b = sorted(dup_pos[j * 2: j * 2 + 2])
        sku = rows[a][0]
        later = product_row(rng, sku)
        later[1] = rows[a][1] + " (2026 edition)"
        later[4] = str(money(Decimal(rows[a][4]) + Decimal("10.00")))
        later.append("replaces the earlier row")
        rows[b] = later
        duplicates.append((a + 2, b + 2, sku, rows[a][1], rows[a][4], later[1], later[4]))

    # Ragged rows: too few columns.
    ragged = []
    for j, keep in enumerate([6, 8, 9]):
        idx = ragged_pos[j]
        rows[idx] = rows[idx][:keep]
        ragged.append((idx + 2, rows[idx][0], keep))

    write_csv(out / "products_with_errors.csv", header, rows)
    errors.sort()
    duplicates.sort()
    ragged.sort()
    bad_lines = {e[0] for e in errors} | {r[0] for r in ragged}
    skus_ok = {rows[i][0] for i in range(n_rows) if i + 2 not in bad_lines}
    return {
        "rows": n_rows,
        "errors": errors,
        "duplicates": duplicates,
        "ragged": ragged,
        "n_columns": len(header),
        "rows_in_error": len(bad_lines),
        "valid_rows": n_rows - len(bad_lines),
        "distinct_valid_skus": len(skus_ok),
    }


# --------------------------------------------------------------------------------------------
# preise_de.csv (Windows-1252, ';', decimal comma)

PRICE_LISTS = [("EU-Retail", Decimal("1.00")), ("EU-Wholesale", Decimal("0.70")),
               ("DE-Großkunden", Decimal("0.80"))]
DE_PERIODS = [
    ("01.01.2026", "31.12.2026"), ("01.03.2026", "31.05.2026"), ("15.01.2026", "30.06.2026"),
    ("01.12.2025", "28.02.2026"), ("01.07.2026", "31.12.2027"),
]


def de_number(d: Decimal) -> str:
    s = f"{d:,.2f}"  # 1,234.50
    return s.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def make_preise(out: Path, rng: random.Random, products: list[list[str]]) -> dict:
    # 100 skus: all big-ticket ones (thousands separators) plus a random sample of the rest.
    big = [p for p in products if Decimal(p[4]) >= 1000]
    rest = [p for p in products if Decimal(p[4]) < 1000]
    chosen = big[:20] + rng.sample(rest, 100 - min(20, len(big)))
    chosen.sort(key=lambda p: p[0])
    rows = []
    for list_name, factor in PRICE_LISTS:
        for p in chosen:
            amount = money(Decimal(p[4]) * factor)
            valid_from, valid_to = rng.choice(DE_PERIODS)
            rows.append([list_name, p[0], de_number(amount), "EUR", valid_from, valid_to])
    header = ["Preisliste", "Artikelnummer", "Preis", "Währung", "gültig ab", "gültig bis"]
    write_csv(out / "preise_de.csv", header, rows, encoding="cp1252", delimiter=";",
              lineterminator="\r\n")
    return {"rows": len(rows), "thousands": sum(1 for r in rows if "." in r[2])}


# --------------------------------------------------------------------------------------------
# customers.xlsx

FIRST = ["Anna", "Jürgen", "Zoë", "François", "Łukasz", "Maria", "Peter", "Sophie", "Jan", "Emma",
         "Lukas", "Chloé", "Björn", "Giulia", "Oliver", "Mia", "Noah", "Lena", "Søren", "Inés"]
LAST = ["Müller", "Schmidt", "Dubois", "Rossi", "Nowak", "Smith", "García", "Jansen", "Weiß",
        "Schröder", "Martin", "Bianchi", "Kowalski", "Brown", "Fernández", "de Vries", "Öztürk",
        "Hoffmann", "Lefèvre", "O'Brien"]
COMPANIES = ["Acme GmbH", "Nordlicht AG", "Café Central", "Blue Ocean Ltd", "Müller & Söhne KG",
             "Atelier Lumière SARL", "Rossi S.r.l.", "Grünwerk eG"]
STREETS = ["Hauptstraße", "Bahnhofstraße", "Rue de la Paix", "Via Roma", "High Street",
           "Kerkstraat", "Gran Vía", "Main Street", "Königsallee", "Schillerstraße"]
PLACES = [  # country, postcode (text, leading zeros kept), city, phone prefix
    ("DE", "01067", "Dresden", "+49 351"), ("DE", "04109", "Leipzig", "+49 341"),
    ("DE", "08056", "Zwickau", "+49 375"), ("DE", "09111", "Chemnitz", "+49 371"),
    ("DE", "06108", "Halle (Saale)", "+49 345"), ("DE", "07743", "Jena", "+49 3641"),
    ("DE", "10115", "Berlin", "+49 30"), ("DE", "80331", "München", "+49 89"),
    ("DE", "50667", "Köln", "+49 221"), ("AT", "1010", "Wien", "+43 1"),
    ("FR", "01000", "Bourg-en-Bresse", "+33 4"), ("FR", "75001", "Paris", "+33 1"),
    ("IT", "00184", "Roma", "+39 06"), ("IT", "20121", "Milano", "+39 02"),
    ("US", "02108", "Boston", "+1 617"), ("US", "07030", "Hoboken", "+1 201"),
    ("GB", "SW1A 1AA", "London", "+44 20"), ("NL", "1012 AB", "Amsterdam", "+31 20"),
    ("ES", "08001", "Barcelona", "+34 93"), ("ES", "28013", "Madrid", "+34 91"),
]
TRANSLIT = str.maketrans({"ü": "ue", "ö": "oe", "ä": "ae", "ß": "ss", "é": "e", "è": "e",
                          "ë": "e", "á": "a", "ç": "c", "ł": "l", "ø": "o", "í": "i", "Ł": "L", "Ö": "Oe",
                          "'": "", " ": ""})
CUSTOMER_HEADER = ["email", "first_name", "last_name", "company", "phone", "street", "postcode",
                   "city", "country", "birth_date", "newsletter", "customer_group", "signed_up_at"]


def make_customers(out: Path, rng: random.Random) -> dict:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Customers"
    ws.append(CUSTOMER_HEADER)
    for c in ws[1]:
        c.font = Font(bold=True)
    emails = set()
    n = 250
    for i in range(n):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        domain = rng.choice(["example.com", "example.org", "example.net"])
        email = f"{first}.{last}{i + 1}@{domain}".translate(TRANSLIT).lower()
        assert email.isascii() and email not in emails
        emails.add(email)
        group = rng.choices(["retail", "wholesale", "vip"], weights=[7, 2, 1])[0]
        company = rng.choice(COMPANIES) if group != "retail" else None
        country, postcode, city, prefix = rng.choice(PLACES)
        phone = f"{prefix} {rng.randint(100000, 9999999)}"
        street = f"{rng.choice(STREETS)} {rng.randint(1, 120)}"
        birth = rand_date(rng, dt.date(1950, 1, 1), dt.date(2005, 12, 31))
        signed = dt.datetime(2019, 1, 1) + dt.timedelta(seconds=rng.randint(0, 7 * 365 * 86400))
        newsletter = rng.random() < 0.4
        ws.append([email, first, last, company, phone, street, postcode, city, country, birth,
                   newsletter, group, signed])
        r = ws.max_row
        ws.cell(r, 7).number_format = "@"  # postcode: a text cell
        ws.cell(r, 10).number_format = "yyyy-mm-dd"
        ws.cell(r, 13).number_format = "yyyy-mm-dd hh:mm:ss"
    for col, width in zip("ABCDEFGHIJKLM", [34, 12, 14, 22, 18, 22, 10, 16, 8, 12, 11, 15, 20], strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"

    notes = wb.create_sheet("Notes")
    notes["A1"] = "Customer export from the shop backend."
    notes["A2"] = "Postcodes are text cells: keep the leading zeros (01067 Dresden)."
    notes["A3"] = "The importer reads the first sheet (Customers) unless told otherwise."
    notes["B5"] = "Do not import this sheet."
    save_xlsx_deterministic(wb, out / "customers.xlsx")
    return {"rows": n}


# --------------------------------------------------------------------------------------------
# subscriptions.jsonl (Elastic Path style)


def make_subscriptions(out: Path, rng: random.Random, products: list[list[str]]) -> dict:
    """Elastic Path Subscriptions import lines (the fact sheet's attribute tables): offerings
    first, naming products and plans that come later (the import reads the whole file first)."""
    lines: list[dict] = []

    def add(t: str, attrs: dict) -> None:
        lines.append({"data": {"type": t, "attributes": attrs}})

    def uuid4() -> str:  # from the seeded generator: the same ids on every run
        h = f"{rng.getrandbits(128):032x}"
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:32]}"

    sub_products = [  # prices in minor units (cents) per currency, and the period they cover
        ("prod-coffee-beans", "Coffee Beans Subscription", "Freshly roasted beans, 500 g.",
         {"EUR": 1490, "USD": 1590}, ("month", 1)),
        ("prod-tea-box", "Tea Box", "Six loose-leaf teas from Japan and India.", {"EUR": 1950}, ("month", 1)),
        ("prod-filter-pack", "Filter Paper Pack", "100 unbleached filters.", {"EUR": 399}, ("day", 30)),
        ("prod-mug-club", "Mug of the Month", "A new handmade mug every month.", {"GBP": 2400}, ("month", 1)),
        ("prod-magazine", "Brew Magazine", "Print and digital edition.", {"USD": 750, "EUR": 690}, ("month", 1)),
    ]
    plans = [
        ("plan-weekly", "Weekly", "week", 1, 0, 52, "roll"),
        ("plan-monthly", "Monthly", "month", 1, 14, 12, "roll"),
        ("plan-quarterly", "Every three months", "month", 3, 0, 4, "roll"),
        ("plan-annual", "Annual", "year", 1, 30, 1, "roll"),
        ("plan-2y-fixed", "Two years, fixed", "year", 1, 0, 2, "close"),
        ("plan-day-pass", "30-day pass", "day", 1, 0, 30, "close"),
    ]
    offerings = [
        ("offering-coffee-lovers", "Coffee Lovers", "Beans and filters, delivered.",
         ["prod-coffee-beans", "prod-filter-pack"], ["plan-weekly", "plan-monthly", "plan-quarterly"]),
        ("offering-tea-time", "Tea Time", "Tea and a mug to drink it from.",
         ["prod-tea-box", "prod-mug-club"], ["plan-monthly", "plan-annual"]),
        ("offering-reader", "Reader", "The magazine, your way.",
         ["prod-magazine"], ["plan-monthly", "plan-annual", "plan-2y-fixed", "plan-day-pass"]),
    ]
    for ref, name, desc, prods, pls in offerings:
        add("subscription_offering", {"external_ref": ref, "name": name, "description": desc,
                                      "products": prods, "plans": pls})
    for k, (ref, name, desc, prices, (unit, amount)) in enumerate(sub_products):
        add("subscription_product", {
            "external_ref": ref, "name": name, "sku": products[k * 10][0], "description": desc,
            "price": {cur: {"amount": cents, "includes_tax": cur != "USD"} for cur, cents in prices.items()},
            "price_units": {"unit": unit, "amount": amount}})
    for ref, name, itype, freq, trial, length, end in plans:
        add("subscription_plan", {"external_ref": ref, "name": name, "billing_interval_type": itype,
                                  "billing_frequency": freq, "trial_period": trial,
                                  "plan_length": length, "end_behavior": end,
                                  "can_pause": end == "roll", "can_resume": end == "roll", "can_cancel": True})
    subscribers = []
    for i in range(40):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"{first}.{last}.{i + 1}@example.com".translate(TRANSLIT).lower()
        subscriber = {"account_id": uuid4(), "name": f"{first} {last}", "email": email}
        subscribers.append(subscriber)
        add("subscription_subscriber", subscriber)
    for i in range(60):
        off = rng.choice(offerings)
        who = rng.choice(subscribers)
        add("subscription", {
            "external_ref": f"subscription-{i + 1:04d}",
            "account_id": who["account_id"],
            "offering_external_ref": off[0],
            "selected_plan": rng.choice(off[4]),
            "currency": rng.choices(["EUR", "USD", "GBP"], weights=[6, 2, 2])[0],
            "manual_payments": rng.random() < 0.2,
            "name": who["name"],
            "email": who["email"],
        })
    text = "".join(json.dumps(obj, ensure_ascii=False) + "\n" for obj in lines)
    (out / "subscriptions.jsonl").write_text(text, encoding="utf-8")
    counts: dict[str, int] = {}
    for obj in lines:
        counts[obj["data"]["type"]] = counts.get(obj["data"]["type"], 0) + 1
    return {"rows": len(lines), "by_type": counts}


# --------------------------------------------------------------------------------------------
# wines (user-defined type)

WINE_TOML = '''\
# A user-defined resource type: copy this file into the workspace's schemas/ folder.
[resource]
name = "wines"
title = "Wine catalogue"
key = ["lot"]
description = "Wines in the cellar, one row per lot."

[fields.lot]
type = "string"
required = true
pattern = '^L[0-9]{5}$'
description = "Lot number, L followed by five digits."

[fields.name]
type = "string"
required = true
min_length = 2
max_length = 120

[fields.producer]
type = "string"
required = true
max_length = 80

[fields.region]
type = "string"
max_length = 80

[fields.vintage]
type = "integer"
min = 1900
max = 2030
description = "Harvest year; empty for non-vintage wines."

[fields.colour]
type = "enum"
required = true
choices = ["red", "white", "rosé", "sparkling"]
aliases = ["color"]

[fields.bottle_price]
type = "decimal"
required = true
min = 0

[fields.organic]
type = "boolean"
default = false
'''

WINES = [  # name, producer, region, colour, price range
    ("Riesling Kabinett", "Weingut Lindenhof", "Mosel", "white", (9, 24)),
    ("Grüner Veltliner Federspiel", "Domäne Wachau", "Wachau", "white", (11, 26)),
    ("Côtes du Rhône Villages", "Domaine des Pierres", "Côtes du Rhône", "red", (10, 22)),
    ("Rioja Reserva", "Bodegas Ebro", "Rioja", "red", (14, 38)),
    ("Barolo", "Cantina Langhe", "Piemonte", "red", (35, 95)),
    ("Provence Rosé", "Château Lavande", "Provence", "rosé", (9, 19)),
    ("Crémant d'Alsace Brut", "Cave de Ribeauvillé", "Alsace", "sparkling", (11, 21)),
    ("Champagne Brut Réserve", "Maison Lefèvre", "Champagne", "sparkling", (32, 89)),
    ("Spätburgunder", "Weingut Kaiserstuhl", "Baden", "red", (12, 45)),
    ("Sancerre", "Domaine du Loup", "Loire", "white", (18, 36)),
    ("Schilcher Rosé", "Weingut Stainz", "Weststeiermark", "rosé", (10, 17)),
]


def make_wines(out: Path, rng: random.Random) -> dict:
    schemas = out / "schemas"
    schemas.mkdir(exist_ok=True)
    (schemas / "wine_catalogue.toml").write_text(WINE_TOML, encoding="utf-8")
    rows = []
    lots = rng.sample(range(10000, 99999), 100)
    for lot in sorted(lots):
        name, producer, region, colour, (lo, hi) = rng.choice(WINES)
        non_vintage = colour == "sparkling" and rng.random() < 0.5
        vintage = "" if non_vintage else str(rng.randint(1995, 2024))
        rows.append([f"L{lot:05d}", name, producer, region, vintage, colour,
                     str(money(rng.uniform(lo, hi))), "true" if rng.random() < 0.3 else "false"])
    header = ["lot", "name", "producer", "region", "vintage", "color", "bottle_price", "organic"]
    write_csv(out / "wines.csv", header, rows)
    return {"rows": len(rows), "non_vintage": sum(1 for r in rows if not r[4])}


# --------------------------------------------------------------------------------------------
# stock.csv

def make_stock(out: Path, rng: random.Random, products: list[list[str]]) -> dict:
    rows = []
    locations = ["WH-BER", "WH-LEJ", "STORE-DRS"]
    pairs = set()
    while len(pairs) < 100:
        pairs.add((rng.choice(locations), rng.choice(products[:300])[0]))
    for loc, sku in sorted(pairs):
        qty = rng.randint(0, 500)
        reserved = rng.randint(0, qty) if qty and rng.random() < 0.4 else 0
        bin_ = f"{rng.choice('ABCD')}-{rng.randint(1, 24):02d}-{rng.randint(1, 6)}"
        rows.append([loc, sku, str(qty), str(reserved), bin_])
    write_csv(out / "stock.csv", ["stock_location", "sku", "quantity", "reserved", "bin"], rows)
    return {"rows": len(rows)}


# --------------------------------------------------------------------------------------------
# README


def readme(info: dict) -> str:
    e = info["errors"]
    lines = [
        "# Sample data",
        "",
        "Written by `scripts/make_sample_data.py` (fixed seed, no wall clock: re-running it gives",
        "byte-identical files). Do not edit by hand; change the script and re-run it.",
        "",
        "Row numbers are what the readers report: for CSV the line in the file (header = line 1,",
        "first data row = line 2; no field contains a line break), for XLSX the sheet row, for",
        "JSONL the line.",
        "",
        "| File | Type | Format | Data rows | Valid |",
        "|---|---|---|---|---|",
        "| `products.csv` | products | UTF-8, `,`, LF | 1000 | all |",
        f"| `products_with_errors.csv` | products | UTF-8, `,`, LF | {e['rows']} | {e['valid_rows']} (see below) |",
        f"| `preise_de.csv` | prices | Windows-1252, `;`, CRLF, locale `de` | {info['preise']['rows']} | all |",
        f"| `customers.xlsx` | customers | XLSX, sheet `Customers` (+ `Notes`) | {info['customers']['rows']} | all |",
        f"| `subscriptions.jsonl` | Elastic Path subscription_* types | JSONL | {info['subs']['rows']} | all |",
        f"| `wines.csv` + `schemas/wine_catalogue.toml` | wines (user-defined) | UTF-8, `,` "
        f"| {info['wines']['rows']} | all |",
        f"| `stock.csv` | stock_items | UTF-8, `,` | {info['stock']['rows']} | all |",
        "",
        "## products.csv",
        "",
        "Header `" + ",".join(PRODUCT_HEADER) + "`. 1,000 rows, skus `SKU-000001` … `SKU-001000`.",
        "Prices with a `.` decimal point and two decimals, some above 1000 without a thousands",
        "separator; currencies EUR/USD/GBP; `weight_kg` like `0.35`; `active` `true`/`false`;",
        "`ean` 13 digits with a valid check digit, about 10 % start with `0` (leading zeros must",
        "survive); `launched_on` ISO dates; `attributes` a compact JSON object (CSV-quoted, may be `{}`).",
        "Names that need CSV quoting or are non-ASCII, by line:",
        "",
    ]
    for idx, (_cat, name, _desc) in sorted(SPECIAL_NAMES.items()):
        lines.append(f"- line {idx + 2} (`SKU-{idx + 1:06d}`): `{name}`")
    lines += [
        "",
        "## products_with_errors.csv",
        "",
        "Same header plus an unknown 12th column `internal_note` (expected: a **warning** about",
        f"an unknown column, not an error). {e['rows']} data rows (lines 2–{e['rows'] + 1}),",
        f"skus `SKU-002001` … `SKU-{2000 + e['rows']:06d}`. Each error row has exactly one problem.",
        "",
        f"Totals: **{e['rows_in_error']} rows in error**, {e['valid_rows']} valid rows,",
        f"{e['distinct_valid_skus']} distinct products after an execute run (3 skus appear twice,",
        "the later row wins).",
        "",
        "### Rows in error",
        "",
        "| Line | sku | Field | Value | Error |",
        "|---|---|---|---|---|",
    ]
    merged = [(ln, sku, field, f"`{val}`" if val else "(empty)", msg) for ln, sku, _k, field, val, msg in e["errors"]]
    merged += [(ln, sku, "(row)", f"{keep} of {e['n_columns']} columns",
                f"ragged row: expected {e['n_columns']} columns, got {keep}") for ln, sku, keep in e["ragged"]]
    for ln, sku, field, val, msg in sorted(merged):
        lines.append(f"| {ln} | `{sku}` | {field} | {val} | {msg} |")
    lines += [
        "",
        "By kind: " + "; ".join(
            f"{kind} lines {', '.join(str(x[0]) for x in e['errors'] if x[2] == kind)}"
            for kind, *_ in ERROR_KINDS
        ) + "; ragged lines " + ", ".join(str(r[0]) for r in e["ragged"]) + ".",
        "",
        "### Duplicate skus (valid rows, the later one wins)",
        "",
        "| sku | Earlier line | Earlier name / price | Later line | Later name / price (kept) |",
        "|---|---|---|---|---|",
    ]
    for a, b, sku, n1, p1, n2, p2 in e["duplicates"]:
        lines.append(f"| `{sku}` | {a} | {n1} / {p1} | {b} | {n2} / {p2} |")
    lines += [
        "",
        "## preise_de.csv",
        "",
        "German price lists for the `prices` type, import with locale `de`. Windows-1252 bytes",
        "(umlauts in the header, `ß` in the price list `DE-Großkunden`), `;` delimiter, CRLF.",
        "Header `Preisliste;Artikelnummer;Preis;Währung;gültig ab;gültig bis` (aliases for",
        "price_list, sku, amount, currency, valid_from, valid_to). Amounts with a decimal comma and",
        f"`.` thousands separators (`1.234,50`; {info['preise']['thousands']} rows have one), dates day-first",
        "(`01.12.2026`). 100 skus from products.csv × 3 price lists (`EU-Retail`, `EU-Wholesale`,",
        "`DE-Großkunden`); (price list, sku) is unique. Currency always `EUR`; every row has",
        "both dates, `gültig bis` after `gültig ab`.",
        "",
        "Encoding detection: charset-normalizer 3.5 reports `cp1250` for this file, which decodes",
        "every byte in it exactly like Windows-1252. Careful: with umlauts in the header only",
        "(no `ß` in the data) it guesses `cp775` and garbles the header (`Wõhrung`).",
        "",
        "## customers.xlsx",
        "",
        "First sheet `Customers`, header row 1, customers in rows 2–251. Header",
        "`" + ",".join(CUSTOMER_HEADER) + "`.",
        "`postcode` and `phone` are text cells (`01067`, `04109`, `SW1A 1AA` …: leading zeros",
        "must survive), `birth_date` real date cells (format `yyyy-mm-dd`), `signed_up_at`",
        "datetime cells, `newsletter` boolean cells, `customer_group` retail/wholesale/vip,",
        "`company` empty for retail customers, `country` ISO 3166 alpha-2. Emails are unique and",
        "ASCII. A second sheet `Notes` holds free text and must not be imported by default.",
        "",
        "## subscriptions.jsonl",
        "",
        "Elastic Path Subscriptions import lines: one `{\"data\": {\"type\": T, \"attributes\": {...}}}`",
        "per line: " + ", ".join(f"{n} × `{t}`" for t, n in info["subs"]["by_type"].items()) + ".",
        "Lines 1–3 offerings, naming by external_ref the products (lines 4–8) and plans (9–14) that",
        "come after them; 15–54 subscribers (keyed by a UUID `account_id`), 55–114 subscriptions",
        "(`offering_external_ref` names an offering, `selected_plan` one of its plans). Product",
        "`price` is a map of currency to `{amount, includes_tax}` in minor units (cents), with",
        "`price_units`. All valid.",
        "",
        "## wines.csv + schemas/wine_catalogue.toml",
        "",
        "A user-defined resource type (copy the TOML into the workspace's `schemas/`). The CSV",
        "header uses `color`, an alias of the field `colour`; `rosé` is one of the enum choices.",
        f"{info['wines']['non_vintage']} sparkling rows have an empty `vintage` (optional field).",
        "`organic` is not required (default false). All rows valid; key `lot`.",
        "",
        "## stock.csv",
        "",
        "`stock_location,sku,quantity,reserved,bin`; (stock_location, sku) unique, skus from",
        "products.csv, `reserved` ≤ `quantity`. All valid.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "src" / "importdesk" / "sample_data")
    args = ap.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    # One generator per file: changing one file's recipe leaves the others unchanged.
    products = make_products(out, random.Random(SEED))
    info = {
        "errors": make_products_with_errors(out, random.Random(SEED + 1)),
        "preise": make_preise(out, random.Random(SEED + 2), products),
        "customers": make_customers(out, random.Random(SEED + 3)),
        "subs": make_subscriptions(out, random.Random(SEED + 4), products),
        "wines": make_wines(out, random.Random(SEED + 5)),
        "stock": make_stock(out, random.Random(SEED + 6), products),
    }
    (out / "README.md").write_text(readme(info), encoding="utf-8")
    for p in sorted(out.rglob("*")):
        if p.is_file():
            print(f"{p.relative_to(out)}  {p.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
