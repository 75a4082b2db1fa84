"""Errors the engine raises while running a job."""


class JobFailed(Exception):
    """Fatal for the whole job: the message is for the user (names file, row, column)."""
