"""A Footer that rebuilds its keys only when the keys it shows change.

Textual's Footer recomposes (every key a new widget, each styled) whenever the
focus moves, because the active bindings may change with it. Moving from a
reading step to an exercise moves the focus between the text and the editor,
whose own bindings are hidden, so the keys shown stay the same: rebuilding them
was a large part of the time F7/F8 took.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from tutor.widgets.first_frame import after_first_frame, first_frame_shown


class KeyFooter(Footer):
    """Shows the same keys as Textual's Footer, rebuilt only when they differ."""

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._shown: Hashable = None
        """What the keys on screen were built from."""
        self._waiting = False
        """A rebuild is due after the first frame."""

    def compose(self) -> ComposeResult:
        """The keys in the order the screen declares them, whatever has focus.

        Footer orders them as the focused widget's own bindings come, so the editor's
        hidden F6/F7 would pull Check and Prev to the front while typing.
        """
        if not first_frame_shown(self.app):
            # The keys (a dozen widgets, each styled) come a moment after the first frame.
            if not self._waiting:
                self._waiting = True
                after_first_frame(self, self.recompose)
            return
        keys = list(super().compose())
        if not all(isinstance(key, FooterKey) for key in keys):
            yield from keys  # grouped keys: Footer's own layout
            return
        for key in keys:
            # A key starts compact and is then bound to the footer's style: two restyles
            # of every key at each rebuild, unless it starts as the footer is. (The
            # palette's key is not bound: it stays compact.)
            if not key.has_class("-command-palette"):
                key.set_reactive(FooterKey.compact, self.compact)
        rank = declared_order(self.screen.BINDINGS)
        yield from sorted(
            keys,
            key=lambda key: (key.has_class("-command-palette"), rank.get(key.action, len(rank))),
        )

    def bindings_changed(self, screen: Screen) -> None:
        shown = shown_keys(screen)
        if shown == self._shown:
            return
        super().bindings_changed(screen)
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self._shown = shown  # rebuilt (Footer skips it while the app is not focused)


def shown_keys(screen: Screen) -> Hashable:
    """Everything Footer.compose reads from the active bindings, in any order.

    The order changes with the focus (the editor's own F6/F7 bindings, hidden behind
    the screen's, come first); keeping the keys where they were reads better too.
    """
    palette = screen.app.COMMAND_PALETTE_BINDING
    return frozenset(
        (key, binding, enabled, tooltip)
        for key, (_, binding, enabled, tooltip) in screen.active_bindings.items()
        if binding.show or key == palette
    )


def declared_order(bindings: Iterable[Binding | tuple[str, ...]]) -> dict[str, int]:
    """Each action's place among a screen's `BINDINGS`."""
    order: dict[str, int] = {}
    for binding in bindings:
        action = binding.action if isinstance(binding, Binding) else binding[1]
        order.setdefault(action, len(order))
    return order
