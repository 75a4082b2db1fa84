"""`python -m importdesk` is the `importdesk` command."""

from importdesk.cli import run

run()
