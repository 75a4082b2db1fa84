"""Opening the terminal app: on a workspace, or on a fresh demo workspace."""

from __future__ import annotations



def open_app(args) -> int:
    from importdesk.tui.launch import launch

    return launch(workspace=getattr(args, "workspace", None), watch=not getattr(args, "no_watch", False))


def open_demo(args) -> int:
    from importdesk.tui.launch import launch_demo

    return launch_demo()
