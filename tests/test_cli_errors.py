"""Bad command-line input: one line on stderr, a non-zero exit, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_LESSONS
from tutor.cli import main


def _one_line_error(capsys: pytest.CaptureFixture[str], *parts: str) -> str:
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err
    for part in parts:
        assert part in lines[0]
    return lines[0]


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "x.py", "--device", "gpu"],
        ["check", "tensors/from-a-list", "x.py", "--device", "gpu"],
        ["doctor", "--device", "gpu"],
        ["--device", "gpu", "doctor"],
    ],
)
def test_an_unknown_device(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    _one_line_error(capsys, "unknown device 'gpu': use auto, cpu, cuda or cuda:N")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "x.py", "--memory", "abc"], "not a size: 'abc' (try 512M or 2G)"),
        (["run", "x.py", "--threads", "0"], "not a number of threads: '0'"),
    ],
)
def test_a_bad_memory_size_or_thread_count(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    assert _one_line_error(capsys, message).startswith("tutor run: argument")


@pytest.mark.parametrize("share", ["0", "1.5", "half", "-0.5"])
@pytest.mark.parametrize("command", [["run", "x.py"], ["doctor"]])
def test_a_bad_gpu_memory_share(
    share: str, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*command, "--gpu-memory", share]) == 2
    line = _one_line_error(capsys, f"not a share of GPU memory: {share!r}", "try 0.5")
    assert line.startswith(f"tutor {command[0]}: argument --gpu-memory")


def test_a_bad_administrators_gpu_memory_cap(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TUTOR_GPU_MEMORY", "most")
    assert main(["run", "x.py"]) == 2
    _one_line_error(capsys, "tutor: TUTOR_GPU_MEMORY=most: not a share of GPU memory")


@pytest.mark.parametrize("command", ["run", "check"])
def test_a_file_that_is_not_utf8(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "latin1.py"
    path.write_bytes("nome = 'João'\n".encode("latin-1"))
    argv = ["--lessons", str(FIXTURE_LESSONS), command]
    argv += ["tensors/from-a-list", str(path)] if command == "check" else [str(path)]
    assert main(argv) == 2
    _one_line_error(capsys, "latin1.py is not UTF-8 text", "# coding: latin-1")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("missing", "no such folder or file"),
        ("lesson.py", "not a folder of lessons or a lesson file (.md)"),
    ],
)
def test_lessons_that_are_not_a_lesson_folder(
    name: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if name.endswith(".py"):
        (tmp_path / name).write_text("print('hi')\n")
    assert main(["--lessons", str(tmp_path / name), "list"]) == 2
    _one_line_error(capsys, f"--lessons {tmp_path / name}: {message}")


def test_an_unknown_language_lists_the_available_ones(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--lang", "xx", "list"]) == 2
    _one_line_error(capsys, "--lang xx: no such language; available: en, pt, es")


@pytest.mark.parametrize(
    ("lang", "title"),
    [("pt", "Tensores"), ("pt-BR", "Tensores"), ("PT_br", "Tensores"), ("es_ES", "Tensores")],
)
def test_language_tags_are_matched_loosely(
    lang: str, title: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--lang", lang, "list"]) == 0
    assert _tensors_title(capsys.readouterr().out) == title


def _tensors_title(listing: str) -> str:
    line = next(line for line in listing.splitlines() if line.strip().startswith("tensors "))
    return line.split()[1]


@pytest.mark.parametrize(
    ("locale", "title"),
    [("pt_BR.UTF-8", "Tensores"), ("es_AR.UTF-8", "Tensores"), ("C.UTF-8", "Tensors")],
)
def test_with_no_flag_the_locale_decides(
    locale: str, title: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LANG", locale)
    assert main(["list"]) == 0
    assert _tensors_title(capsys.readouterr().out) == title


def test_list_json_gives_titles_in_the_chosen_language(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--lang", "es", "list", "--json"]) == 0
    lessons = json.loads(capsys.readouterr().out)
    assert next(lesson for lesson in lessons if lesson["id"] == "tensors")["title"] == "Tensores"


def test_english_is_the_lessons_own_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--lang", "EN", "list"]) == 0
    assert _tensors_title(capsys.readouterr().out) == "Tensors"


def test_a_closed_pipe_prints_nothing(tutor_home: Path) -> None:
    """`tutor list | head -3` where head has gone: no BrokenPipeError, nothing on stderr."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tutor", "list"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # before tutor has written anything
    err = process.stderr.read()
    assert process.wait(timeout=60) == 141
    assert err == b""


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--lang", "pt", "--help"], ["uso: tutor", "opções:", "mostrar esta ajuda e sair"]),
        (["--lang=es", "run", "--help"], ["uso: tutor run", "detener después de S segundos"]),
    ],
)
def test_help_is_in_the_chosen_language(
    argv: list[str], words: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 0
    out = capsys.readouterr().out
    for word in words:
        assert word in out
    assert "usage:" not in out and "show this help" not in out
