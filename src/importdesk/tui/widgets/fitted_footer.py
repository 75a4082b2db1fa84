"""A footer whose keys are shown whole or not at all.

Textual's Footer lets its keys run on under the command palette key, which is docked at its right:
a narrow terminal showed half a key next to the palette key. Here every key that does not end left
of the palette key is hidden (and those after it, so the order never jumps); `?` lists them all."""

from __future__ import annotations

from textual import events
from textual.widgets import Footer

PALETTE_KEY = "FooterKey.-command-palette"


class FittedFooter(Footer):
    DEFAULT_CSS = """
    FittedFooter.-compact FooterKey.-command-palette {
        margin-right: 0;  /* the compact keys' margin left a column of the keys under it showing */
    }
    """

    async def recompose(self) -> None:
        await super().recompose()
        self.call_after_refresh(self._fit)

    def on_resize(self, event: events.Resize) -> None:
        for key in self.query("FooterKey"):
            key.display = True
        self.call_after_refresh(self._fit)

    def _fit(self) -> None:
        palette = self.query(PALETTE_KEY)
        right = palette.first().region.x if palette else self.region.right
        hiding = False
        for key in self.query("FooterKey").exclude(PALETTE_KEY):
            hiding = hiding or key.region.right > right
            if hiding:
                key.display = False
