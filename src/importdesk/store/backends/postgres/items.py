"""Job items on PostgreSQL: the same queries, ordered as SQLite orders them (PostgreSQL sorts NULL
after every value unless told otherwise; an item without a row or a field comes first on both)."""

from __future__ import annotations

from importdesk.store.items import ItemStore


class PgItemStore(ItemStore):
    PAGE_ORDER = "row_number NULLS FIRST, id"  # job_items_by_row is built in this order
    KINDS_ORDER = "n DESC, field NULLS FIRST"
