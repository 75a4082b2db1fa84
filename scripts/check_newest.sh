#!/usr/bin/env bash
# Drift check (not part of CI's gate): install the newest versions pyproject.toml allows into a
# throwaway venv and run the suite, so a new release that breaks us shows up before users see it.
#   bash scripts/check_newest.sh          # report only
#   bash scripts/check_newest.sh --lock   # and, if the suite passed, rewrite constraints.txt
set -euo pipefail
cd "$(dirname "$0")/.."
venv=$(mktemp -d)/venv
trap 'rm -rf "$(dirname "$venv")"' EXIT
python3 -m venv "$venv"
"$venv/bin/pip" install -q --upgrade pip
"$venv/bin/pip" install -q --upgrade -e '.[test]' uv  # uv: the README's installer, pinned with the rest
echo "newest allowed versions:"
"$venv/bin/pip" freeze --exclude-editable | diff constraints.txt - | grep '^[<>]' || echo "  (same as constraints.txt)"
"$venv/bin/python" -m pytest -q -p no:cacheprovider
if [ "${1:-}" = "--lock" ]; then
  { sed -n '/^#/p' constraints.txt; "$venv/bin/pip" freeze --exclude-editable; } > constraints.txt.new
  mv constraints.txt.new constraints.txt
  echo "constraints.txt rewritten from the passing run"
fi
