"""The command palette's answer to a search that matches nothing: why, instead of Textual's bare
"No matches found" (job actions are listed only on the job list, for the highlighted job)."""

from __future__ import annotations

from textual.command import Hit, Hits, Provider


class NoMatchProvider(Provider):
    """One line when no command's name matches: what the palette searches, and where job actions are."""

    async def search(self, query: str) -> Hits:
        if not query.strip():
            return
        matcher = self.matcher(query)
        commands = list(self.app.get_system_commands(self.screen))
        if any(matcher.match(name) > 0 for name, *_ in commands):
            return
        reason = why_nothing_matches(self.screen, query)
        yield Hit(0.0001, f"Nothing matches {query.strip()!r}", lambda: None, text=query, help=reason)


def why_nothing_matches(screen, query: str) -> str:
    """What the user can do when a palette search finds nothing, for the screen it was opened on."""
    searched = "The palette searches command names (job: …, jobs: …, records: …, app: …)."
    selected = getattr(screen, "selected", None) if getattr(screen, "id", None) == "main" else None
    if getattr(screen, "id", None) != "main":
        return (f"{searched} Job actions (retry, resume, cancel …) are listed on the job list, for the "
                "highlighted job: Esc, then ctrl+p again.")
    if selected is None:
        return f"{searched} No job is selected, so job actions can only tell why they do not apply."
    return f"{searched} Job actions are for the highlighted job ({selected.file_name}); ? lists every key."
