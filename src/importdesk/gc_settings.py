"""Cyclic garbage collector settings for every process that imports (the command line, the app's workers)."""

from __future__ import annotations

import gc

# An import allocates millions of short-lived objects that reference counting frees; with the
# default thresholds the cyclic collector still ran ~2,000 times per 500k rows and took ~10% of the
# time (1.39 s of 14.5 s; 0.03 s with these). In the app, full collections over Textual's heap were
# also the main cause of event-loop stalls. Measured with gc.callbacks; see bench/import_speed.py.
GC_THRESHOLDS = (20_000, 50, 50)


def tune_gc() -> None:
    gc.set_threshold(*GC_THRESHOLDS)
