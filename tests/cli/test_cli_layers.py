"""The domain stays free of the command line's libraries: click and rich are the CLI's alone.
(sqlite-utils imports click for its own command line, so the check reads our import statements.)"""

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "importdesk"
DOMAIN = ["models.py", "workspace.py", "store", "readers", "schemas", "engine", "exports"]
FACE_LIBRARIES = {"click", "rich", "textual", "click_default_group"}


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def test_domain_modules_do_not_import_click_rich_or_textual():
    files = [p for d in DOMAIN for p in ([PACKAGE / d] if d.endswith(".py") else (PACKAGE / d).rglob("*.py"))]
    assert len(files) > 30
    offenders = {str(p.relative_to(PACKAGE)): sorted(_imports(p) & FACE_LIBRARIES) for p in files
                 if _imports(p) & FACE_LIBRARIES}
    assert offenders == {}


def test_importing_the_domain_loads_neither_rich_nor_textual():
    code = ("import sys\nimport importdesk.engine, importdesk.engine.records_query, importdesk.exports\n"
            "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in ('rich', 'textual'))))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
