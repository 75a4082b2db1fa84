"""How a value becomes a CSV cell or a JSON value, for a face that writes rows itself.

The rules live with the exports (``exports/cells.py``, ``exports/neutralise.py``); the faces take them
from here so that they reach the domain only through the engine, and their output matches an export's.
"""

from importdesk.exports.cells import NUMERIC_TYPES, csv_text, json_value
from importdesk.exports.neutralise import neutralise

__all__ = ["NUMERIC_TYPES", "csv_text", "json_value", "neutralise"]
