"""Find English sentences in text meant to be Portuguese or Spanish.

A verdict mixes the learner's language with code: names in backticks, shapes, dtypes,
`requires_grad=True`, `.item()`, tensor values. Those are never translated, so they are
removed first; what is left is prose, and prose in Portuguese or Spanish never uses
English function words ("the", "is", "should"...). The words below were chosen to
appear in neither language (no "a", "no", "do", "as", "has", "use", "once", nor "for":
Portuguese says "quando device for `cuda`").
"""

from __future__ import annotations

import re

ENGLISH_ONLY = frozenset(
    """
    the is are was were be been being should would must can cannot could will your you
    with without got expected have does did not of to and or it its this that these
    those which what when where there their they them but from into by on at than
    then if so only every each still already because while after before instead
    """.split()
)
"""Function words common in English prose and absent from Portuguese and Spanish."""

_QUOTED = re.compile(r"`[^`]*`")
_CODE_TOKEN = re.compile(r"\S*[._()\[\]=<>{}@*/+\\|:]\S*")
"""A token holding code punctuation: `x.grad`, `requires_grad=True`, `nn.Linear(3,`."""
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def prose(text: str) -> str:
    """`text` without backticked spans and code-looking tokens."""
    text = _QUOTED.sub(" ", text)
    kept = []
    for token in text.split():
        core = token.lstrip("(\"'¿¡").rstrip(",.;:!?)\"'")  # prose punctuation around a word
        if not _CODE_TOKEN.fullmatch(core):
            kept.append(core)
    return " ".join(kept)


def english_words(text: str) -> list[str]:
    """The English-only words in `text`'s prose, in order; [] for a clean translation."""
    return [word for word in _WORD.findall(prose(text)) if word.lower() in ENGLISH_ONLY]
