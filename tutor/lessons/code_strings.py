"""The words inside a lesson's code, found and replaced for a translation.

A learner reads the starter's `# TODO` comments first and the checks' messages last; both
live in Python code that a translation must not copy (the code is the English file's, and
must stay one). So a translation lists each English text with its translation, and the
loader puts the translation in place: comments through `tokenize`, string literals through
`ast`, each replaced where it stands so the rest of the code is untouched.

A text is keyed as the author wrote it: a comment by its words after `#`, a string literal
by its source between the quotes (an f-string's `{fields}` included, so the translation can
move them). Texts that do not read as words (`"m"`, `"float32"`, commented-out code) are
not translated.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

_WORD = re.compile(r"[^\W\d_]{2,}(?:-[^\W\d_]+)*")
_MARKERS = {"TODO", "FIXME", "NOTE", "XXX"}
_PUNCTUATION = ".,:;!?()[]`'\"«»…"
_PREFIX = re.compile(r"[rRbBuUfF]{0,2}")
_FIELD = re.compile(r"\{\{|\}\}|\{")


@dataclass(frozen=True)
class Text:
    """One translatable text in a block of code, located by character offsets."""

    key: str
    line: int
    """1-based line in the block, for `file:line` reports."""
    start: int
    end: int
    replacement: str
    """How to write the translation in place: `{}` is where the translated text goes."""


def reads_as_words(text: str) -> bool:
    """Several space-separated pieces, one a word of letters: a phrase, not a name or a formula.

    `torch.nn.functional`, `float32` and `(x - 1) * (x - 2)` are left alone; `x squared`,
    `shape (4,)` and `... raised {error}` are words. A `TODO:` marker is not a word.
    """
    pieces = _FIELD_TEXT.sub(" ", text).split()
    return len(pieces) >= 2 and any(
        _WORD.fullmatch(piece.strip(_PUNCTUATION)) and piece.strip(_PUNCTUATION) not in _MARKERS
        for piece in pieces
    )


_FIELD_TEXT = re.compile(r"\{[^{}]*\}")


def comments(source: str) -> list[Text]:
    """The comments that read as words; commented-out code is left alone."""
    found: list[Text] = []
    offsets = _line_offsets(source)
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return found
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
        body = token.string[1:]
        words = body.strip()
        marked = words.split(":", 1)[0].strip() in _MARKERS
        if not reads_as_words(words) or (_is_code(words) and not marked):
            continue
        lead = body[: len(body) - len(body.lstrip())]
        start = offsets[token.start[0] - 1] + token.start[1]
        found.append(Text(words, token.start[0], start, start + len(token.string), f"#{lead}{{}}"))
    return found


def literals(source: str) -> list[Text]:
    """The string literals that read as words, f-strings and implicit concatenations included."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    inner = {
        id(part)
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr)
        for value in node.values
        for part in ast.walk(value)
        if part is not node
    }
    offsets = _line_offsets(source)
    found = []
    for node in ast.walk(tree):
        is_text = isinstance(node, ast.JoinedStr) or (
            isinstance(node, ast.Constant) and isinstance(node.value, str)
        )
        if not is_text or id(node) in inner or node.end_lineno is None:
            continue
        start = _offset(source, offsets, node.lineno, node.col_offset)
        end = _offset(source, offsets, node.end_lineno, node.end_col_offset or 0)
        text = _literal_text(source[start:end])
        if text is None:
            continue
        key, replacement = text
        if "\n" in key or not reads_as_words(key):
            continue
        found.append(Text(key, node.lineno, start, end, replacement))
    return sorted(found, key=lambda text: text.start)


def translate(source: str, texts: list[Text], table: Mapping[str, str]) -> str:
    """`source` with each of `texts` that `table` translates replaced in place."""
    for text in sorted(texts, key=lambda t: t.start, reverse=True):
        translated = table.get(text.key)
        if translated is not None and translated != text.key:
            new = text.replacement.replace("{}", translated, 1)
            source = source[: text.start] + new + source[text.end :]
    return source


def fields(text: str) -> list[str]:
    """The `{fields}` of an f-string's text, as written, in order (`{{` is a brace, not one)."""
    found = []
    index = 0
    while True:
        match = _FIELD.search(text, index)
        if match is None:
            return found
        if match.group() != "{":
            index = match.end()
            continue
        depth, end = 1, match.end()
        while end < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            end += 1
        found.append(text[match.start() : end])
        index = end


def _literal_text(segment: str) -> tuple[str, str] | None:
    """The text of a literal's source and the template to write a translation back.

    Adjacent literals ("a " "b", across lines) are one text; a plain part next to an
    f-string part has its braces doubled, as the rewrite is one f-string.
    """
    pieces = list(_pieces(segment))
    if not pieces:
        return None
    is_f = any("f" in prefix.lower() for prefix, _, _ in pieces)
    raw = all("r" in prefix.lower() for prefix, _, _ in pieces)
    if any("b" in prefix.lower() for prefix, _, _ in pieces):
        return None
    if any(len(quote) == 3 for _, quote, _ in pieces) and len(pieces) > 1:
        return None
    bodies = []
    for prefix, _, body in pieces:
        if is_f and "f" not in prefix.lower():
            body = body.replace("{", "{{").replace("}", "}}")
        bodies.append(body)
    quote = pieces[0][1]
    prefix = ("r" if raw else "") + ("f" if is_f else "")
    return "".join(bodies), f"{prefix}{quote}{{}}{quote}"


def _pieces(segment: str) -> Iterator[tuple[str, str, str]]:
    """(prefix, quote, body) of each literal in `segment`, skipping the space between them."""
    index = 0
    while index < len(segment):
        char = segment[index]
        if char in " \t\r\n\\(":
            index += 1
            continue
        if char == "#":
            newline = segment.find("\n", index)
            index = len(segment) if newline < 0 else newline
            continue
        prefix = _PREFIX.match(segment, index).group()  # type: ignore[union-attr]
        index += len(prefix)
        quote = segment[index : index + 3]
        if quote not in ('"""', "'''"):
            quote = segment[index : index + 1]
        if quote not in ('"', "'", '"""', "'''"):
            return
        body_start = index + len(quote)
        index = body_start
        while index < len(segment) and not segment.startswith(quote, index):
            index += 2 if segment[index] == "\\" else 1
        yield prefix, quote, segment[body_start:index]
        index += len(quote)


def _is_code(text: str) -> bool:
    """A comment that compiles is commented-out code (`# print(x.shape)`).

    Except a lone annotation without a value: `# TODO: shape (4,)` compiles, and is words.
    """
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    body = tree.body
    return not (len(body) == 1 and isinstance(body[0], ast.AnnAssign) and body[0].value is None)


def _line_offsets(source: str) -> list[int]:
    offsets = [0]
    for line in source.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line))
    return offsets


def _offset(source: str, offsets: list[int], line: int, column: int) -> int:
    """A character offset from ast's (line, UTF-8 byte column)."""
    start = offsets[line - 1]
    text = source[start : offsets[line] if line < len(offsets) else len(source)]
    return start + len(text.encode("utf-8")[:column].decode("utf-8", errors="ignore"))
