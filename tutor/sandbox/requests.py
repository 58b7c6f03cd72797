"""The run and check requests the supervisor sends a worker, as the wire carries them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tutor import i18n
from tutor.lessons.model import CodeBlock

LEARNER_FILENAME = "<your code>"
"""How tracebacks name the learner's snippet (no "/": SyntaxError keeps only a basename)."""


def request(
    kind: str,
    key: str,
    code: str,
    *,
    setup: CodeBlock | str | None,
    cwd: Path | None,
    lang: str | None,
    filename: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """What every request carries, plus `extra` (a run's argv, a check's blocks...).

    The working folder is created if missing (a reset may have removed it), and the
    language defaults to this process's, so the worker words its verdict as the UI does.
    """
    return {
        "type": kind,
        "key": key,
        "code": code,
        "filename": filename or LEARNER_FILENAME,
        "setup": block_message(setup),
        "cwd": _folder(cwd),
        "lang": lang or i18n.current(),
        **extra,
    }


def block_message(block: CodeBlock | str | None) -> dict[str, Any] | None:
    if block is None:
        return None
    if isinstance(block, str):
        return {"source": block, "path": "<setup>", "line": 1}
    return {"source": block.source, "path": str(block.path), "line": block.line}


def _folder(path: Path | None) -> str | None:
    if path is None:
        return None
    path.mkdir(parents=True, exist_ok=True)
    return str(path)
