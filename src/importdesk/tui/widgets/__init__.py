"""Widgets of the main screen: job list, job detail, error table, filter bar."""
