"""The watched inbox: files dropped into the workspace's ``inbox/`` become import jobs, exactly once.

Conventions (folders, names, sidecars): see README.md in this package.
"""

from importdesk.inbox.events import InboxEvent, InboxEventKind
from importdesk.inbox.service import run_watch_service
from importdesk.inbox.status import InboxStatus, inbox_status
from importdesk.inbox.watcher import InboxWatcher

__all__ = ["InboxEvent", "InboxEventKind", "InboxStatus", "InboxWatcher", "inbox_status", "run_watch_service"]
