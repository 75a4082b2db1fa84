"""The domain never imports Textual: the headless command line and the inbox work without it."""

import subprocess
import sys

DOMAIN = ["importdesk.models", "importdesk.store", "importdesk.readers", "importdesk.schemas",
          "importdesk.engine", "importdesk.workspace", "importdesk.cli.run_cmds", "importdesk.cli.job_cmds"]


def test_domain_layers_do_not_import_textual():
    code = ("import sys\n" + "".join(f"import {m}\n" for m in DOMAIN) +
            "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
            "print(','.join(bad))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"domain imported Textual: {out.stdout}"
