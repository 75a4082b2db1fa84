#!/usr/bin/env python3
"""Write the robustness corpus of broken / hostile input files into ``tests/corpus/``.

Deterministic (fixed seeds, pinned zip timestamps): re-running it gives byte-identical files.
Its output is committed together with ``tests/corpus/README.md``, which this script writes too
and which states, per file, what a user must see.

    .venv/bin/python scripts/make_bad_corpus.py [--out DIR]
    .venv/bin/python scripts/make_bad_corpus.py --huge-cell PATH   # the 2 MB file, not committed

Row numbers: CSV = physical line where the record starts (header = line 1), JSONL = line,
JSON array = 1-based element index, XLSX = sheet row.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_sample_data import (
    FIXED_ZIP_TIME,
    PRODUCT_HEADER,
    product_row,
    save_xlsx_deterministic,
)

ROOT = Path(__file__).resolve().parent.parent
SEED = 4242
HEADER_LINE = ",".join(PRODUCT_HEADER) + "\n"
N_COLS = len(PRODUCT_HEADER)
HUGE_CELL_CHARS = 2_000_000
ZIP_BOMB_SHEET_BYTES = 20_000_000
DEEP_LEVELS = 10_000


def csv_text(rows: list[list[str]], header: list[str] | None = PRODUCT_HEADER) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    if header is not None:
        w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def products(rng: random.Random, n: int, start: int = 1) -> list[list[str]]:
    return [product_row(rng, f"SKU-{start + i:06d}") for i in range(n)]


def plain_products(rng: random.Random, n: int, start: int = 1) -> list[list[str]]:
    """Valid product rows without any character that needs CSV quoting (attributes ``{}``)."""
    rows = []
    for i in range(n):
        r = product_row(rng, f"SKU-{start + i:06d}", name=f"Plain Product {start + i}",
                        description="No quotes here.")
        r[-1] = "{}"
        rows.append(r)
    return rows


def json_product(row: list[str]) -> dict:
    """A products.csv row as a JSON object with JSON-native types (ean stays a string)."""
    d = dict(zip(PRODUCT_HEADER, row, strict=True))
    d["weight_kg"] = float(d["weight_kg"])
    d["active"] = d["active"] == "true"
    d["attributes"] = json.loads(d["attributes"])
    return d  # price stays a string: "19.99"


def deterministic_zip(entries: list[tuple[str, bytes]], level: int = 9) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in entries:
            zi = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            zi.create_system = 3
            z.writestr(zi, data, compresslevel=level)
    return out.getvalue()


def products_xlsx(rows: list[list[str]], path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Products"
    ws.append(PRODUCT_HEADER)
    for r in rows:
        ws.append(r)
    save_xlsx_deterministic(wb, path)


def huge_cell_text() -> str:
    rng = random.Random(SEED + 99)
    row = plain_products(rng, 2)
    row[0][2] = "x" * HUGE_CELL_CHARS
    return csv_text(row)


# --------------------------------------------------------------------------------------------


def build(out: Path) -> list[tuple[str, str, str]]:
    """Write every file; return README entries (file, content, expected outcome)."""
    out.mkdir(parents=True, exist_ok=True)
    entries: list[tuple[str, str, str]] = []

    def put(name: str, data: bytes | str, content: str, expected: str) -> None:
        if isinstance(data, str):
            data = data.encode("utf-8")
        (out / name).write_bytes(data)
        entries.append((name, content, expected))

    # --- empty / nearly empty -----------------------------------------------------------------
    put("empty.csv", b"", "0 bytes.",
        "**job in error**: says the file is empty (no header row). No rows, no traceback.")
    put("header_only.csv", HEADER_LINE, "The products header line and nothing else.",
        "**no rows**: header recognised, 0 data records (progress total 0), no row errors. "
        "Either the job ends `done` with 0 rows (preferred, with a 'no data rows' warning) or "
        "in error with a message mentioning 'no data rows' - never a crash.")
    put("whitespace_only.csv", "   \n\t\n  \r\n\n    ", "Spaces, tabs and blank lines only.",
        "**job in error**: file is empty / has no header row (blank content counts as empty).")

    # --- encodings ----------------------------------------------------------------------------
    rng = random.Random(SEED + 1)
    high = list(range(0x80, 0x100))
    lines = [HEADER_LINE.encode()]
    for i in range(20):
        f1 = bytes(rng.choice(high) for _ in range(24))
        f2 = bytes(rng.choice(high) for _ in range(24))
        lines.append(b"SKU-%06d," % (i + 1) + f1 + b"," + f2
                     + b",kitchen,9.99,EUR,0.10,true,4006381333931,2024-01-01,{}\n")
    # at least one byte that Windows-1252 leaves undefined, so strict cp1252 fails as well
    lines[3] = lines[3].replace(b"SKU-000003,", b"SKU-000003,\x81\x8d\x90", 1)
    junk = b"".join(lines)
    for enc in ("utf-8", "cp1252", "utf-16"):
        try:
            junk.decode(enc)
        except UnicodeDecodeError:
            pass
        else:  # pragma: no cover - guards the recipe
            raise AssertionError(f"wrong_encoding.csv decodes as {enc}")
    put("wrong_encoding.csv", junk,
        "ASCII products header, then 20 rows whose name/description are random bytes "
        "0x80-0xFF: not UTF-8, not Windows-1252 (contains undefined 0x81/0x8D/0x90), no BOM; "
        "charset-normalizer 3.5 finds no encoding (`from_bytes(...).best() is None`).",
        "**job in error**: the encoding could not be detected; the message mentions the "
        "encoding and how to choose one (e.g. an `--encoding` option). Must not import "
        "mojibake (e.g. as Latin-1).")

    rng = random.Random(SEED + 2)
    rows = plain_products(rng, 6)
    rows[1][1] = "Crème brûlée Torch"
    rows[4][1] = "Müsli Bowl"   # this line will be cp1252, the rest UTF-8
    text_lines = csv_text(rows).splitlines(keepends=True)
    mixed = b"".join(
        ln.encode("cp1252") if i == 5 else ln.encode("utf-8") for i, ln in enumerate(text_lines)
    )
    put("mixed_encoding.csv", mixed,
        "UTF-8 products file (line 3 has `Crème brûlée Torch` in UTF-8) where line 6 alone is "
        "Windows-1252 (`Müsli Bowl`, 0xFC). Detection cannot give one encoding that is right "
        "for every line: charset-normalizer 3.5 guesses `cp1257`, which garbles line 3 (`CrĆØme`).",
        "**job in error** (recommended): mentions the encoding and line 6 (first byte that is "
        "not valid UTF-8). Acceptable alternative: the user picks `--encoding cp1252`. It must "
        "not silently import `CrÃ¨me` mojibake.")

    rng = random.Random(SEED + 3)
    rows = plain_products(rng, 5)
    rows[0][1] = "Müsli Bowl"
    rows[2][1] = "Crème brûlée Torch"
    put("utf16le_nobom.csv", csv_text(rows).encode("utf-16-le"),
        "Valid products file (5 rows, umlauts/accents) in UTF-16 LE **without** a BOM.",
        "**imports fine**: 5 rows, encoding detected as UTF-16 LE (charset-normalizer says "
        "`utf_16_le`); line 2 name is `Müsli Bowl`, line 4 `Crème brûlée Torch`.")

    # --- CSV structure ------------------------------------------------------------------------
    rng = random.Random(SEED + 4)
    rows = plain_products(rng, 8)
    text_lines = csv_text(rows).splitlines(keepends=True)
    r = rows[3]  # data row 4 -> line 5
    text_lines[4] = ",".join([r[0], '"Unclosed quote name', *r[2:]]) + "\n"
    body = "".join(text_lines)
    assert body.count('"') == 1
    put("unbalanced_quote.csv", body,
        "Products header, valid lines 2-4, line 5 opens a quote (`\"Unclosed quote name`) that "
        "is never closed; lines 6-9 follow with no quote at all.",
        "**job in error**: mentions an unclosed/unbalanced quote and **line 5**. (Python's "
        "csv module in non-strict mode would swallow lines 5-9 into one field without "
        "complaint: the reader must detect it, e.g. with `strict=True` -> "
        "'unexpected end of data'.)")

    rng = random.Random(SEED + 5)
    data = bytearray(rng.getrandbits(8) for _ in range(4096))
    for k in range(0, 4096, 37):
        data[k] = 0  # plenty of NULs
    put("binary_junk.csv", bytes(data), "4 KB of random bytes with many NULs.",
        "**job in error**: not a text/CSV file (binary content / NUL bytes). No rows.")

    rng = random.Random(SEED + 6)
    rows = plain_products(rng, 8)
    rows[2] = rows[2][:9]                       # line 4: 9 fields
    rows[5] = rows[5] + ["surplus", "values"]   # line 7: 13 fields
    rows[7] = rows[7][:1]                       # line 9: 1 field
    put("ragged.csv", csv_text(rows),
        "Products header (11 columns), 8 data rows: line 4 has 9 fields, line 7 has 13, "
        "line 9 has 1 (just the sku); the others are valid.",
        "**rows in error: lines 4, 7, 9** with 'expected 11 columns, got 9 / 13 / 1'; "
        "lines 2, 3, 5, 6, 8 import (5 rows).")

    rng = random.Random(SEED + 7)
    put("bom_header.csv", "\ufeff" + csv_text(products(rng, 5)),
        "UTF-8 BOM, then the products header and 5 valid rows.",
        "**imports fine**: 5 rows; the first header is `sku` (the BOM never reaches it), "
        "so no 'unknown column' and no 'missing required sku'.")

    rng = random.Random(SEED + 8)
    formula = [
        ("=SUM(A1:A3)", "=1+1"),
        ("+49 Travel Adapter", "+ fits German sockets"),
        ("-20% Bundle", "-- limited --"),
        ("@home Desk Lamp", "@everyone loves it"),
        ('=HYPERLINK("http://example.com","click")', "Link-looking name."),
        ("=cmd|' /C calc'!A0", "Classic DDE payload."),
        ("+1", "Plus one."),
        ("-", "Just a minus."),
    ]
    rows = products(rng, len(formula))
    for r, (name, desc) in zip(rows, formula, strict=True):
        r[1], r[2] = name, desc
    put("formula_values.csv", csv_text(rows),
        "8 valid products whose name/description start with `=`, `+`, `-`, `@` "
        "(spreadsheet formula / DDE payloads), lines 2-9.",
        "**imports fine**: 8 rows; values stored literally, byte for byte (line 2 name is "
        "`=SUM(A1:A3)`, line 6 `=HYPERLINK(\"http://example.com\",\"click\")`): no leading "
        "apostrophe added, nothing evaluated, nothing stripped.")

    rng = random.Random(SEED + 9)
    markup = [
        ("[red]alert[/]", "[blink]Sale[/blink]"),
        ("[bold]", "Opening tag only."),
        ("[/]", "Closing tag only."),
        ("[/bold] unmatched close", "Rich raises MarkupError on this if rendered as markup."),
        ("[link=https://example.com]click[/link]", "Link markup."),
        ("[@click=app.quit]Quit[/]", "Textual action markup: must not run."),
        ("Mug [50% off]", "Brackets in ordinary text."),
        ("[b][i]Nested[/i][/b]", ":smile: emoji code"),
    ]
    rows = products(rng, len(markup))
    for r, (name, desc) in zip(rows, markup, strict=True):
        r[1], r[2] = name, desc
    put("markup.csv", csv_text(rows),
        "8 valid products whose names/descriptions look like Rich/Textual console markup "
        "(lines 2-9), including an unmatched `[/bold]` and an `[@click=app.quit]` action.",
        "**imports fine**: 8 rows, stored literally; the TUI shows them literally (escaped): "
        "no styling, no MarkupError crash, no action run.")

    rng = random.Random(SEED + 10)
    rows = plain_products(rng, 5)
    rows[1][2] = "Line one\nLine two"               # record at line 3 spans lines 3-4
    rows[2][2] = "First\nSecond\nThird"              # record at line 5 spans lines 5-7
    rows[3][4] = "abc"                               # record at line 8: bad price
    put("multiline_cells.csv", csv_text(rows),
        "5 products; quoted descriptions with line breaks: the record starting at line 3 spans "
        "lines 3-4, the one at line 5 spans 5-7; the record at **line 8** has price `abc`; "
        "line 9 is valid.",
        "**rows in error: line 8** with 'price is not a number' (the row number is the line "
        "where the record starts, not the record index 4). 4 rows import; descriptions keep "
        "their line breaks.")

    rng = random.Random(SEED + 11)
    extra = [f"x{i:04d}" for i in range(N_COLS + 1, 2001)]
    rows = [r + [""] * len(extra) for r in plain_products(rng, 3)]
    put("many_columns.csv", csv_text(rows, header=PRODUCT_HEADER + extra),
        "2,000 columns: the 11 products columns then `x0012` … `x2000`; 3 rows with values "
        "only in the first 11.",
        "**job in error**: too many columns - the message mentions 2000 and the limit "
        "(assumes `Limits` caps columns below 2000; if the cap is higher, the outcome is 3 "
        "rows imported with one warning listing/counting 1,989 unknown columns).")

    # --- XLSX ---------------------------------------------------------------------------------
    rng = random.Random(SEED + 12)
    put("not_really.xlsx", csv_text(products(rng, 5)),
        "A plain CSV text file (products, 5 rows) named `.xlsx`.",
        "**job in error**: not a valid XLSX file (not a zip archive); mentions the file. "
        "No openpyxl/zipfile traceback text like 'BadZipFile'.")

    rng = random.Random(SEED + 13)
    tmp = out / "_full.xlsx"
    products_xlsx(products(rng, 300), tmp)
    full = tmp.read_bytes()
    tmp.unlink()
    put("truncated.xlsx", full[: len(full) // 2],
        f"A real products XLSX ({len(full):,} bytes, 300 rows) cut to its first "
        f"{len(full) // 2:,} bytes (no zip central directory).",
        "**job in error**: the XLSX is damaged/truncated (not a readable zip); mentions "
        "the file. No rows imported.")

    rng = random.Random(SEED + 14)
    tmp = out / "_seed.xlsx"
    products_xlsx(products(rng, 1), tmp)
    with zipfile.ZipFile(tmp) as z:
        parts = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    tmp.unlink()
    sheet_name = "xl/worksheets/sheet1.xml"
    head = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b"<sheetData>")
    tail = b"</sheetData></worksheet>"
    hdr_row = b"<row>" + b"".join(
        b'<c t="inlineStr"><is><t>' + h.encode() + b"</t></is></c>" for h in PRODUCT_HEADER
    ) + b"</row>"
    # Row 2: millions of empty cells `<c/>`. A 4-byte period keeps deflate near its ~1000:1
    # maximum (longer periods cost distance bits); unprotected, it is a 5-million-column row.
    filler = b"<c/>"
    n_fill = (ZIP_BOMB_SHEET_BYTES - len(head) - len(tail) - len(hdr_row) - 11) // len(filler)
    sheet = head + hdr_row + b"<row>" + filler * n_fill + b"</row>" + tail
    parts = [(n, sheet if n == sheet_name else d) for n, d in parts]
    bomb = deterministic_zip(parts)
    with zipfile.ZipFile(io.BytesIO(bomb)) as z:
        info = z.getinfo(sheet_name)
        declared, packed = info.file_size, info.compress_size
    put("zip_bomb.xlsx", bomb,
        f"A well-formed XLSX whose `{sheet_name}` declares {declared:,} bytes uncompressed "
        f"and is stored in {packed:,} bytes (ratio ~{declared // packed}:1): the products "
        f"header row, then row 2 made of {n_fill:,} empty `<c/>` cells. Whole file "
        f"{len(bomb):,} bytes.",
        "**job in error**: refused before parsing the sheet - the message mentions the "
        "uncompressed size and/or the compression ratio limit. Must not inflate/parse the "
        "20 MB of XML, nor report 'too many columns' after having parsed it.")

    # --- JSON / JSONL -------------------------------------------------------------------------
    rng = random.Random(SEED + 15)
    ok = [json_product(r) for r in products(rng, 2)]
    inner = "[" * (DEEP_LEVELS - 2) + "]" * (DEEP_LEVELS - 2)
    deep_obj = '{"sku": "SKU-000001", "name": "Deep", "attributes": ' + inner + "}"
    put("deep.json", "[" + deep_obj + ", " + json.dumps(ok[1], ensure_ascii=False) + "]\n",
        f"A JSON array whose element 1 is an object nesting {DEEP_LEVELS:,} levels deep "
        "(array > object > 9,998 nested arrays in `attributes`); element 2 is a valid "
        "product.",
        "**job in error**: JSON nested too deeply (mentions the depth limit and element 1 / "
        "the position). No RecursionError traceback. Note: ijson's C backend parses it "
        "without complaint, so the reader must count depth itself.")

    rng = random.Random(SEED + 16)
    ok = [json_product(r) for r in products(rng, 2)]
    deep_line = ('{"sku": "SKU-000002", "name": "Deep", "attributes": '
                 + "[" * (DEEP_LEVELS - 1) + "]" * (DEEP_LEVELS - 1) + "}")
    put("deep.jsonl",
        json.dumps(ok[0], ensure_ascii=False) + "\n" + deep_line + "\n"
        + json.dumps(ok[1], ensure_ascii=False) + "\n",
        f"3 lines: line 1 valid product, line 2 an object nesting {DEEP_LEVELS:,} levels deep "
        "(`json.loads` raises RecursionError on it), line 3 valid product.",
        "**rows in error: line 2** with 'nested too deeply' (recommended: a bad JSONL line "
        "is a row error); lines 1 and 3 import. If depth is treated as fatal instead: job "
        "in error mentioning line 2 and the depth. Never a RecursionError traceback.")

    put("not_objects.json", '[1, 2, "x"]\n', "A JSON array of 3 non-objects.",
        "**rows in error: rows 1, 2, 3** (element index) with 'expected a JSON object' "
        "(got number / number / string); 0 rows import. (A job-level error 'array of "
        "objects expected' would also be reasonable - decide once.)")

    rng = random.Random(SEED + 17)
    ok = [json.dumps(json_product(r), ensure_ascii=False) for r in products(rng, 12)]
    ok[2] = ok[2][: len(ok[2]) // 2]                       # line 3: truncated object
    ok[5] = "{'sku': 'SKU-000006', 'name': 'Single quotes'}"  # line 6: not JSON
    ok[8] = "not json at all"                               # line 9
    ok[10] = "[1, 2, 3]"                                     # line 11: JSON, not an object
    put("bad_lines.jsonl", "\n".join(ok) + "\n",
        "12 lines of products as JSON objects (price a string, weight a number, active a "
        "boolean, attributes an object); line 3 is cut in half, line 6 uses single quotes, "
        "line 9 is plain text, line 11 is `[1, 2, 3]`.",
        "**rows in error: lines 3, 6, 9** with 'invalid JSON' and **line 11** with 'expected "
        "a JSON object'; the other 8 lines import (SKU-000001, 2, 4, 5, 7, 8, 10, 12).")

    entries.append(("huge_cell.csv", (
        f"Products header + 2 rows; line 2's description is {HUGE_CELL_CHARS:,} × `x` "
        "(~2 MB, too big to commit). Generate it in the test:\n\n"
        "```python\n"
        "header = \"" + HEADER_LINE.strip() + "\\n\"\n"
        "row2 = \"SKU-000001,Huge,\" + \"x\" * 2_000_000 + "
        "\",kitchen,9.99,EUR,0.10,true,4006381333931,2024-01-01,{}\\n\"\n"
        "row3 = \"SKU-000002,Small,ok,kitchen,9.99,EUR,0.10,true,4006381333931,2024-01-01,{}\\n\"\n"
        "path.write_text(header + row2 + row3, encoding=\"utf-8\")\n"
        "```\n\n"
        "(or `scripts/make_bad_corpus.py --huge-cell PATH`, same shape with random valid "
        "values)."), (
        "**rows in error: line 2** with 'cell too large' (mentions the limit); line 3 "
        "imports. Python's csv module raises 'field larger than field limit (131072)' and "
        "can continue with the next record. If the reader treats it as fatal: job in error "
        "mentioning line 2 and the limit. Never a raw `_csv.Error`.")))
    return entries


def write_readme(out: Path, entries: list[tuple[str, str, str]]) -> None:
    lines = [
        "# Robustness corpus",
        "",
        "Written by `scripts/make_bad_corpus.py` (deterministic; do not edit by hand). Each file",
        "is hostile or broken in one way. For each: what is in it, and what a user must see.",
        "",
        "Outcome vocabulary: **job in error** = the job ends with status `error` and an",
        "`error_message` that mentions what is listed (a `ReaderError`, never a traceback);",
        "**rows in error** = the job runs, the listed rows become error items, the rest import;",
        "**imports fine** = no errors at all.",
        "",
        "Row numbers: CSV = physical line where the record starts (header = line 1); JSONL =",
        "line; JSON array = 1-based element index; XLSX = sheet row. Import every file as",
        "resource type `products` (header `" + HEADER_LINE.strip() + "`).",
        "",
    ]
    for name, content, expected in entries:
        path = out / name
        size = f" ({path.stat().st_size:,} bytes)" if path.exists() else " (not committed)"
        lines += [f"## `{name}`{size}", "", content, "", "Expected: " + expected, ""]
    (out / "README.md").write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "tests" / "corpus")
    ap.add_argument("--huge-cell", type=Path, metavar="PATH",
                    help="only write the (uncommitted) 2 MB huge_cell.csv to PATH")
    args = ap.parse_args()
    if args.huge_cell:
        args.huge_cell.write_text(huge_cell_text(), encoding="utf-8")
        return
    entries = build(args.out)
    write_readme(args.out, entries)
    for p in sorted(args.out.iterdir()):
        print(f"{p.name}  {p.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
