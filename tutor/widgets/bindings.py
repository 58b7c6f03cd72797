"""Key descriptions in the learner's language.

Bindings are declared once per class, in English marked with `N_()`; Textual's Footer,
our F1 help and the palette read the descriptions from each node's own bindings map, which
Textual copies from the class when the node is built. Translating that copy makes every
place that lists keys speak the current language, and a screen built after a language
switch speaks the new one.
"""

from __future__ import annotations

from dataclasses import replace

from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode

from tutor.i18n import _


def translated(binding: Binding) -> Binding:
    return replace(
        binding,
        description=_(binding.description) if binding.description else "",
        tooltip=_(binding.tooltip) if binding.tooltip else "",
    )


def translate_bindings(node: DOMNode) -> None:
    """Give `node` its bindings with descriptions and tooltips in the current language.

    The English map is kept on the node the first time, so a later switch translates from
    it again; it includes what Textual binds at run time (the App's command palette key).
    """
    english: BindingsMap = node.__dict__.setdefault(_ENGLISH, node._bindings)
    node._bindings = BindingsMap(
        translated(binding) for bindings in english.key_to_bindings.values() for binding in bindings
    )


_ENGLISH = "_tutor_english_bindings"
