"""Progress lines for long phases (export of items, …): ``what: done / total unit, N unit/s``, at most
one line every few seconds, and a last line at the end."""

from __future__ import annotations

import time
from collections.abc import Callable


class Progress:
    """Counts work done and reports it through ``emit`` (e.g. ``print``) with its rate."""

    def __init__(
        self,
        what: str,
        total: int | None,
        emit: Callable[[str], None],
        unit: str = "items",
        every: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.what, self.total, self.emit, self.unit, self.every, self.clock = (
            what,
            total,
            emit,
            unit,
            every,
            clock,
        )
        self.done = self.reported = 0
        self.start = self.last = clock()

    def line(self) -> str:
        """The current progress as one line."""
        seconds = max(self.clock() - self.start, 1e-9)
        of = f" / {self.total:,}" if self.total is not None else ""
        return f"{self.what}: {self.done:,}{of} {self.unit}, {self.done / seconds:,.0f} {self.unit}/s"

    def tick(self, n: int = 1) -> None:
        """Count ``n`` more; emit a line when ``every`` seconds have passed since the last one."""
        self.done += n
        now = self.clock()
        if now - self.last >= self.every:
            self.last, self.reported = now, self.done
            self.emit(self.line())

    def finish(self) -> None:
        """Emit the final line (unless the last line already said it all)."""
        if self.done != self.reported or not self.done:
            self.reported = self.done
            self.emit(self.line())
