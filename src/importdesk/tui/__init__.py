"""The terminal app (Textual). Nothing below this package imports it."""
