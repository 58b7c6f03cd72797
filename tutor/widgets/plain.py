"""Text the learner controls, made safe to draw: never markup, no control codes, bounded.

Variable names, reprs, output, tracebacks and lesson text from third-party packs all
reach widgets that would parse `[...]` as markup, pass terminal escapes through, or
spend seconds laying out a 50 MB line. Every such string goes through `plain` once,
where worker data enters a widget.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rich.text import Text

from tutor.i18n import N_, _

LINE_LIMIT = 2_000
"""Characters drawn of one line; the rest is counted, not drawn."""

HIDDEN = N_(" … ({count:,} characters not shown) … ")
"""Stands where the middle of a too-long line was cut out."""

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def literal(text: str) -> str:
    """`text` with control characters shown as escapes (ESC becomes `\\x1b`), tabs expanded."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text.expandtabs(4))


def shorten(text: str, limit: int = LINE_LIMIT) -> str:
    """The head and tail of `text` around a count of what was left out."""
    if len(text) <= limit:
        return text
    head, tail = limit * 3 // 4, limit // 4
    return text[:head] + _(HIDDEN).format(count=len(text) - head - tail) + text[-tail:]


def printable(text: str, limit: int = LINE_LIMIT) -> str:
    """Shortened first, so a huge string is never scanned whole; then control codes shown."""
    return literal(shorten(text, limit))


def plain(text: str, limit: int = LINE_LIMIT, style: str = "") -> Text:
    """Ready for any widget that would otherwise parse markup (cells, labels, Static)."""
    return Text(printable(text, limit), style=style)


@dataclass
class LineBuffer:
    """A line arriving in pieces, kept as head + tail so a 50 MB line costs O(limit).

    Joining every piece to the last would copy the whole line again for each piece.
    """

    limit: int = LINE_LIMIT
    head: str = ""
    tail: str = ""
    hidden: int = 0

    def add(self, piece: str) -> None:
        room = self.limit * 3 // 4 - len(self.head)
        if room > 0:
            self.head += piece[:room]
            piece = piece[room:]
        if piece:
            keep = self.limit // 4
            tail = self.tail + piece
            self.hidden += max(len(tail) - keep, 0)
            self.tail = tail[-keep:]

    def __bool__(self) -> bool:
        return bool(self.head)

    def text(self) -> str:
        """The line as drawn: its head, the count of what was cut, its tail."""
        middle = _(HIDDEN).format(count=self.hidden) if self.hidden else ""
        return self.head + middle + self.tail
