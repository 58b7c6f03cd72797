"""Small lesson files for the loader, lint and app tests, built from one template."""

from __future__ import annotations

HEADER = """---
id: {id}
title: {title}
order: {order}
summary: A tiny lesson for tests.
---
"""

READING = """
Intro prose.

## Reading {#reading}

Just words.
"""

EXERCISE = """
## Make x {#make-x}

Make `x` a float32 tensor of shape (3,) holding 1, 2, 3.

```python starter
import torch
x = ...
```

```python solution
import torch
x = torch.tensor([1.0, 2.0, 3.0])
```

```python check
expect_tensor("x", dtype=torch.float32, shape=(3,), values=[1, 2, 3])
```

```python mistake message="got int64"
import torch
x = torch.tensor([1, 2, 3])
```

### Hint

Use a decimal point.
"""


def lesson(
    id: str = "tiny", title: str = "Tiny", order: int = 1, body: str = READING + EXERCISE
) -> str:
    return HEADER.format(id=id, title=title, order=order) + body
