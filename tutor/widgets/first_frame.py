"""Work that waits until the app has written its first frame to the terminal.

`call_after_refresh` is not enough at start-up: Textual refreshes several times
inside its start-up batch, when nothing reaches the terminal, and its `Ready`
event is sent before the batch ends, so work given to either (the editor's
highlighting, the worker's start) still delays the first paint.

An app that tracks its first frame has a `first_frame_shown` flag and calls
`frame_shown` once its first whole frame is out (`TutorApp._display`); any other app
(a widget's own test) is taken as painted already.
"""

from __future__ import annotations

from collections.abc import Callable
from weakref import WeakKeyDictionary

from textual.app import App
from textual.dom import DOMNode

_waiting: WeakKeyDictionary[App, list[tuple[DOMNode, Callable[[], object]]]] = WeakKeyDictionary()


def first_frame_shown(app: App) -> bool:
    """Whether `app` has shown its first frame; apps that do not track it have."""
    return getattr(app, "first_frame_shown", True)


def after_first_frame(node: DOMNode, callback: Callable[[], object]) -> None:
    """Call `callback` once the first frame is out, or after the next refresh if it is."""
    app = node.app
    if first_frame_shown(app):
        node.call_after_refresh(callback)
    else:
        _waiting.setdefault(app, []).append((node, callback))


def frame_shown(app: App) -> None:
    """Called by the app after a display outside Textual's start-up batch: runs the waiters."""
    app.first_frame_shown = True  # type: ignore[attr-defined]
    for node, callback in _waiting.pop(app, []):
        if node.is_attached:
            # Outside the batch, a screen runs these only once it has nothing left to paint;
            # asked from the node's own turn, so the callback runs in its context (Footer's
            # compose binds data to the node composing).
            node.call_later(node.call_after_refresh, callback)
