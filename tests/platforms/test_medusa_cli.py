"""From the shell: a Medusa product CSV and Commerce Layer inputs in, the platforms' formats out."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from cli.cli_helpers import invoke

FIXTURES = Path(__file__).parent / "fixtures"


def test_run_then_export_in_medusa_format(tmp_path):
    ws = tmp_path / "ws"
    ran = invoke("run", FIXTURES / "medusa_products.csv", "--type", "medusa_product", workspace=ws)
    assert ran.code == 0, ran.err
    out = tmp_path / "upload.csv"
    done = invoke("export", "medusa_product", out, "--platform", "medusa", workspace=ws)
    assert done.code == 0, done.err
    assert "4 medusa_product rows exported to upload.csv (medusa)" in done.err
    assert len(list(csv.DictReader(out.open(encoding="utf-8")))) == 4


def test_export_commercelayer_inputs_and_refusals(tmp_path):
    ws = tmp_path / "ws"
    assert invoke("run", FIXTURES / "cl_stock_items.json", "--type", "commercelayer_stock_items",
                  "--parent", "SlMilan001", workspace=ws).code == 0
    out = tmp_path / "stock.json"
    assert invoke("export", "commercelayer_stock_items", out, "--platform", "commercelayer", workspace=ws).code == 0
    assert {i["stock_location_id"] for i in json.loads(out.read_text(encoding="utf-8"))} == {"SlMilan001", "WkbRfDVmQx"}
    refused = invoke("export", "commercelayer_stock_items", tmp_path / "x.csv", "--platform", "medusa", workspace=ws)
    assert refused.code == 2 and "Medusa's product CSV holds a type whose rows" in refused.err
    assert invoke("export", "commercelayer_stock_items", out, "--platform", "commercelayer", "--json",
                  workspace=ws).code == 2
