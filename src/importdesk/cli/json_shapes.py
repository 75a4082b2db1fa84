"""The JSON Schema of the job object the commands print with --json (docs/job.schema.json).

Made from the ImportJob model itself, so it cannot drift from the output; a test compares the
committed file with it. Regenerate: python -m importdesk.cli.json_shapes > docs/job.schema.json
"""

from __future__ import annotations

import json
from typing import Any

from importdesk.models import ImportJob

NOT_PRINTED = ("worker", "heartbeat_at", "request")  # internal: ImportJob.to_seed_json leaves them out


def job_schema() -> dict[str, Any]:
    schema = ImportJob.model_json_schema(mode="serialization")
    for name in NOT_PRINTED:
        schema["properties"].pop(name, None)
    # every field is always printed (null when unset), so all are required
    schema["required"] = list(schema["properties"])
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "importdesk job",
        "description": "A job as `importdesk run/confirm/resume/retry/export/interrupt/cancel/delete --json` and "
                       "`jobs --json` (each of data[]) print it; `show --json` adds errors_log and warnings_log.",
        **{k: v for k, v in schema.items() if k not in ("title", "description")},
    }


def main() -> None:
    print(json.dumps(job_schema(), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
