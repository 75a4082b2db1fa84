"""Cyclic garbage collector settings for every process that imports (the command line, the app's workers)."""

from __future__ import annotations

import gc

# An import allocates millions of short-lived objects that reference counting frees; with the
# default thresholds the cyclic collector still ran ~2,000 times per 500k rows and took ~10% of the
# time (1.39 s of 14.5 s; 0.03 s with these). In the app, full collections over Textual's heap were
# also the main cause of event-loop stalls. Measured with gc.callbacks; see bench/import_speed.py.
# Young generation of 50,000: a JSON record of nested values is ~10 containers that live until its
# batch is validated, and with 20,000 each young collection walked ~20,000 of them (~7 ms; 200k
# price records: 0.57 s of 5.9 s CPU in the runner, 0.38 s of 5.2 s in the batch writer); with
# 50,000 the young generation seldom fills (0.05 s, 0.02 s). The flat CSV path: 0.04 s, 0.05 s.
GC_THRESHOLDS = (50_000, 50, 50)
# The app's own process keeps young collections short: one holds the GIL, and a 50,000 one over
# nested records took ~20 ms, which the event loop would feel as lag.
SCREEN_GC_THRESHOLDS = (20_000, 50, 50)


def tune_gc(screen: bool = False) -> None:
    gc.set_threshold(*(SCREEN_GC_THRESHOLDS if screen else GC_THRESHOLDS))
