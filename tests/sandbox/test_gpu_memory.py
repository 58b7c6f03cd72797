"""The GPU memory cap, on a fake device: torch.cuda's functions are monkeypatched.

No GPU is needed: what is checked is which calls torch.cuda receives, and when.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch

from tutor.cli import main
from tutor.sandbox import commands, ranks
from tutor.sandbox.limits import GPU_MEMORY_VARIABLE, Limits, gpu_memory_cap, parse_fraction
from tutor.sandbox.protocol import DeviceReport, Gpu

GIB = 1024**3


class FakeCuda:
    """Two GPUs; CUDA starts when `start()` runs the queued lazy calls, as torch does."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *, initialized: bool = False) -> None:
        self.initialized = initialized
        self.queued: list[Callable[[], None]] = []
        self.fractions: list[tuple[float, int]] = []
        self.reserved = {0: 3 * GIB, 1: GIB // 2}
        cuda = torch.cuda
        monkeypatch.setattr(cuda, "is_available", lambda: True)
        monkeypatch.setattr(cuda, "device_count", lambda: 2)
        monkeypatch.setattr(cuda, "is_initialized", lambda: self.initialized)
        monkeypatch.setattr(cuda, "_lazy_call", self.queued.append)
        monkeypatch.setattr(
            cuda,
            "set_per_process_memory_fraction",
            lambda fraction, device=None: self.fractions.append((fraction, device)),
        )
        monkeypatch.setattr(cuda, "memory_reserved", lambda device=None: self.reserved[device])

    def start(self) -> None:
        self.initialized = True
        for call in self.queued:
            call()


def test_the_cap_waits_for_cuda_to_start_then_covers_every_gpu(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cuda = FakeCuda(monkeypatch)
    ranks.cap_gpu_memory(0.5)
    assert cuda.fractions == []  # a warm spare worker starts no CUDA context for the cap
    cuda.start()
    assert cuda.fractions == [(0.5, 0), (0.5, 1)]


def test_the_cap_applies_at_once_when_cuda_already_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    cuda = FakeCuda(monkeypatch, initialized=True)
    ranks.cap_gpu_memory(0.25)
    assert cuda.fractions == [(0.25, 0), (0.25, 1)]
    ranks.cap_gpu_memory(None)
    assert len(cuda.fractions) == 2


def test_no_cap_is_set_without_a_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.cuda, "set_per_process_memory_fraction", calls.append)
    ranks.cap_gpu_memory(0.5)
    assert calls == []
    assert ranks.gpu_memory_in_use() is None


def test_memory_in_use_is_zero_before_cuda_starts_then_what_torch_holds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cuda = FakeCuda(monkeypatch)
    assert ranks.gpu_memory_in_use() == 0
    cuda.start()
    assert ranks.gpu_memory_in_use() == 3 * GIB + GIB // 2


def test_the_header_shows_what_the_worker_holds_of_what_it_may_take() -> None:
    report = DeviceReport(
        "3.11", "2.13", True, "cuda", gpus=[Gpu("H100", 80 * GIB)], gpu_memory_cap=0.5
    )
    assert report.gpu_memory_label(3 * GIB // 2) == "GPU 1.5 GiB of 40 GiB"
    assert report.gpu_memory_label(0) == "GPU 0 of 40 GiB"
    assert report.gpu_memory_label(None) == ""
    assert DeviceReport("3.11", "2.13", False, "cpu").gpu_memory_label(0) == ""


@pytest.mark.parametrize(
    ("admin", "asked", "cap"),
    [
        (None, None, None),
        (None, "0.5", 0.5),
        ("50%", None, 0.5),
        ("0.5", "0.25", 0.25),  # the flag lowers the administrator's cap...
        ("0.5", "0.9", 0.5),  # ...and never raises it
    ],
)
def test_the_smaller_of_the_administrators_cap_and_the_flag_applies(
    admin: str | None, asked: str | None, cap: float | None
) -> None:
    environ = {} if admin is None else {GPU_MEMORY_VARIABLE: admin}
    assert gpu_memory_cap(asked, environ) == cap


@pytest.mark.parametrize("text", ["0", "1.5", "-0.5", "abc", "nan", "150%", ""])
def test_a_share_is_more_than_nothing_and_at_most_everything(text: str) -> None:
    with pytest.raises(ValueError, match="not a share of GPU memory"):
        parse_fraction(text)


def test_limits_take_the_administrators_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(GPU_MEMORY_VARIABLE, "0.3")
    assert Limits().gpu_memory == 0.3
    monkeypatch.delenv(GPU_MEMORY_VARIABLE)
    assert Limits().gpu_memory is None


def test_doctor_shows_the_cap_for_each_gpu(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    report = DeviceReport(
        "3.11",
        "2.13",
        True,
        "cuda",
        gpus=[Gpu("H100", 80 * GIB), Gpu("H100", 80 * GIB)],
        gpu_memory_cap=0.25,
    )

    async def fake_report(device: str) -> DeviceReport:
        return report

    monkeypatch.setattr(commands, "_device_report", fake_report)
    monkeypatch.setenv(GPU_MEMORY_VARIABLE, "0.5")
    assert main(["--gpu-memory", "0.25", "doctor"]) == 0
    out = capsys.readouterr().out
    assert "  cuda:1  H100, 80 GiB, of which each worker may use 20 GiB" in out
    assert "GPU memory cap: 25% of each GPU" in out
