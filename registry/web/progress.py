"""How long work says how far it has got: one callable, whoever is watching.

Long work (imports, exports, registers, a full re-evaluation) takes a `Progress` and calls it
now and then with the units done and the total (None while the total is unknown). A command
passes a bar drawn on its terminal (`terminal_progress`), a background task passes one that
records the figures on its job, tests pass a list's append, and everything else `no_progress`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol


class Progress(Protocol):
    def __call__(self, done: int, total: int | None, /) -> None: ...


class _Terminal(Protocol):
    """What a bar needs of its stream: sys.stderr, or a command's OutputWrapper."""

    def isatty(self) -> bool: ...
    def write(self, text: str, /) -> object: ...
    def flush(self) -> None: ...


def no_progress(done: int, total: int | None, /) -> None:
    """Nobody is watching."""


_BAR_WIDTH = 30
_REDRAW_SECONDS = 0.1


def terminal_progress(stream: _Terminal, label: str) -> Callable[[int, int | None], None]:
    """A bar redrawn in place on `stream` when it is a terminal; silent otherwise, so that
    pipelines and CI logs get only the command's result."""
    if not stream.isatty():
        return no_progress
    last = 0.0

    def draw(done: int, total: int | None) -> None:
        nonlocal last
        now = time.monotonic()
        finished = total is not None and done >= total
        if now - last < _REDRAW_SECONDS and not finished:
            return
        last = now
        if total:
            filled = min(_BAR_WIDTH, _BAR_WIDTH * done // total)
            bar = "#" * filled + "." * (_BAR_WIDTH - filled)
            text = f"\r{label} [{bar}] {done:,}/{total:,}"
        else:
            text = f"\r{label} {done:,}"
        stream.write(text + ("\n" if finished else ""))
        stream.flush()

    return draw
