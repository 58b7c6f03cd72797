"""`tutor dev new`: a lesson file to start from, complete enough that `dev check` passes.

Every part of the format appears once (header, intro, a reading step, an exercise with
setup, starter, solution, check, mistake and hint), so an author edits rather than
looks up the syntax; `tests/test_scaffold.py` runs `dev check` on the result.
"""

from __future__ import annotations

import re
from pathlib import Path

from tutor.lessons.files import lesson_files
from tutor.lessons.loader import load_lesson

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")

TEMPLATE = """---
id: {id}
title: {title}
order: {order}
summary: One line for the lesson list: what the learner will be able to do.
---

The intro: shown on the lesson's first screen. Say what this lesson is for.

## Read this first {{#read-this-first}}

A reading step: prose only. Steps are `## Title {{#step-id}}` headings; never rename
a step id once learners have progress stored under it.

## Add up a tensor {{#sum}}

An exercise step: it has code blocks with roles. `numbers` holds 3, 1, 4, 1 and 5.
Make `total` the sum of its elements.

```python setup
import torch

numbers = torch.tensor([3.0, 1.0, 4.0, 1.0, 5.0])
```

```python starter
import torch

total = ...  # TODO: the sum of `numbers`
```

```python solution
import torch

total = numbers.sum()
```

```python check
expect_close("total", 14.0)
```

```python mistake message="`total` should be 14, got 2.8"
import torch

total = numbers.mean()
```

### Hint

`numbers.sum()` adds every element of a tensor.
"""


def new_lesson(folder: Path, lesson_id: str, title: str | None = None) -> Path:
    """Write `NN-<lesson_id>.md` into `folder`, ordered after the lessons already there."""
    if not _ID.match(lesson_id):
        raise ValueError(f"bad lesson id {lesson_id!r}: use lowercase letters, digits and -")
    folder.mkdir(parents=True, exist_ok=True)
    orders = [0]
    for path in lesson_files([folder]):
        lesson, _ = load_lesson(path)
        if lesson is not None:
            if lesson.id == lesson_id:
                raise ValueError(f"{path} already has the id {lesson_id!r}")
            orders.append(lesson.order)
    order = max(orders) + 1
    path = folder / f"{order:02d}-{lesson_id}.md"
    if path.exists():
        raise ValueError(f"{path} already exists")
    title = title or lesson_id.replace("-", " ").capitalize()
    path.write_text(TEMPLATE.format(id=lesson_id, title=title, order=order), encoding="utf-8")
    return path
