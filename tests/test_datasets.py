"""The bundled digits dataset loads as documented, without torch and without a network."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO
from tutor import datasets

np = pytest.importorskip("numpy")


def test_digits_file_is_bundled_with_the_lessons() -> None:
    path = datasets.digits_path()
    assert path.is_file()
    assert path.parent.name == "data"
    assert path.parent.parent == datasets.bundled_lessons_dir()


def test_load_digits_shapes_dtypes_and_ranges() -> None:
    images, labels = datasets.load_digits()
    assert images.shape == (1797, 64)
    assert images.dtype == np.float32
    assert labels.shape == (1797,)
    assert labels.dtype == np.int64
    assert float(images.min()) == 0.0
    assert float(images.max()) == 1.0
    assert sorted(set(labels.tolist())) == list(range(10))
    counts = np.bincount(labels)
    assert counts.min() >= 170 and counts.max() <= 190


def test_first_image_is_a_zero() -> None:
    images, labels = datasets.load_digits()
    zero = images[0].reshape(8, 8)
    assert labels[0] == 0
    # A zero is a ring: ink at the sides of the middle rows, none in the centre.
    assert zero[3, 2] > 0.5 and zero[3, 6] > 0.4
    assert zero[3, 3] == 0.0 and zero[4, 4] == 0.0
    assert zero[0, 3] * 16 == 13


def test_importing_datasets_loads_neither_torch_nor_numpy() -> None:
    probe = "import sys, tutor.datasets; print('torch' in sys.modules, 'numpy' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert result.stdout.split() == ["False", "False"]
