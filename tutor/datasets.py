"""Small real datasets shipped with tutor, so lessons never download anything.

Only numpy is used, and only when a loader is called: importing this module is free,
and lesson code turns the arrays into tensors itself (`torch.from_numpy`).
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import TYPE_CHECKING

from tutor.locations import bundled_lessons_dir

if TYPE_CHECKING:
    import numpy as np

DIGITS_FILE = "digits.csv.gz"
DIGITS_PIXEL_MAX = 16


def digits_path() -> Path:
    """Where the digits file is: lessons/data/ in a checkout, tutor/curriculum/data/ installed."""
    return bundled_lessons_dir() / "data" / DIGITS_FILE


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The UCI optical-recognition handwritten digits: 1,797 images of 8x8 pixels.

    Returns `(images, labels)`: `images` is float32 of shape (1797, 64), one flattened
    image per row (row by row, top to bottom), scaled from the raw counts 0..16 to 0..1;
    `labels` is int64 of shape (1797,), the digit 0..9 each image shows.
    Source and licence (CC BY 4.0): see `lessons/data/README.md`.
    """
    import numpy as np

    with gzip.open(digits_path(), "rt", encoding="ascii") as file:
        table = np.loadtxt(file, delimiter=",", dtype=np.int64)
    images = (table[:, :-1] / DIGITS_PIXEL_MAX).astype(np.float32)
    labels = table[:, -1].astype(np.int64)
    return images, labels
