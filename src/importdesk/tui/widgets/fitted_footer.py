"""A footer whose keys are shown whole or not at all, rebuilt only when its keys change.

Textual's Footer lets its keys run on under the command palette key, which is docked at its right:
a narrow terminal showed half a key next to the palette key. Here every key that does not end left
of the palette key is hidden (and those after it, so the order never jumps); `?` lists them all.

Textual's Footer also mounts a new set of keys whenever the screen's bindings are updated (every
focus change, every ``refresh_bindings``), though most updates change no key: styling the new keys
was a sixth of the app's time in its tests. Here the keys are rebuilt only when what they show
(key, label, action, enabled, tooltip, and the palette key) differs from what is on screen, and each
key is built with its compact class already set: Textual's keys start compact and are then bound to
the footer's setting, which styled every key twice more as it mounted."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

PALETTE_KEY = "FooterKey.-command-palette"


class FittedFooter(Footer):
    DEFAULT_CSS = """
    FittedFooter.-compact FooterKey.-command-palette {
        margin-right: 0;  /* the compact keys' margin left a column of the keys under it showing */
    }
    """

    _shown: tuple[Any, ...] | None = None

    def _keys_to_show(self) -> tuple[Any, ...]:
        return (self.show_command_palette, self.app.ENABLE_COMMAND_PALETTE, tuple(
            (binding.key, self.app.get_key_display(binding), binding.description, binding.action,
             binding.group, binding.show, enabled, tooltip, binding.tooltip)
            for _, binding, enabled, tooltip in self.screen.active_bindings.values()))

    def compose(self) -> ComposeResult:
        yield from self._keys_styled_once(super().compose())

    def _keys_styled_once(self, widgets: Iterator[Widget]) -> Iterator[Widget]:
        for widget in widgets:
            if isinstance(widget, FooterKey):
                # The palette key keeps FooterKey's own default (compact); the others follow the footer.
                compact = True if widget.has_class("-command-palette") else self.compact
                widget.set_reactive(FooterKey.compact, compact)
                widget.set_class(compact, "-compact", update=False)
            yield widget

    async def recompose(self) -> None:
        if not self.is_attached:
            return
        shown = self._keys_to_show() if self._bindings_ready else None
        if shown is not None and shown == self._shown and self.children:
            return
        self._shown = shown
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
