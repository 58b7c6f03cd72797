"""Unit tests of the parts that need no worker: sizes, limits, messages, process scans."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import replace

import pytest

from tutor.sandbox.limits import GIB, MIB, Limits, format_size, parse_size, protections
from tutor.sandbox.procs import descendants, kill_tree, process_table
from tutor.sandbox.protocol import (
    CheckReport,
    DeviceReport,
    Finished,
    Gpu,
    MetricsEvent,
    OutputEvent,
    VariablesEvent,
    decode,
    encode,
    event_from_wire,
)
from tutor.sandbox.worker import check_device, worker_env


@pytest.mark.parametrize(
    ("text", "size"),
    [("512M", 512 * MIB), ("2G", 2 * GIB), ("1.5GiB", 3 * GIB // 2), ("64k", 65536), ("100", 100)],
)
def test_parse_size(text: str, size: int) -> None:
    assert parse_size(text) == size


def test_parse_size_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="not a size"):
        parse_size("lots")


def test_format_size() -> None:
    assert (format_size(2 * GIB), format_size(600 * MIB), format_size(1536 * MIB)) == (
        "2 GiB",
        "600 MiB",
        "1.5 GiB",
    )


def test_limits_defaults_and_wire_round_trip() -> None:
    limits = Limits()
    assert limits.memory <= 4 * GIB and limits.run_timeout is None and limits.threads >= 1
    assert Limits.from_wire(limits.to_wire()) == limits


def test_protections_name_each_protection() -> None:
    names = [name for name, _, _ in protections()]
    assert "memory limit (RLIMIT_DATA)" in names and "network isolation" in names


def test_messages_are_single_json_lines_and_garbage_is_ignored() -> None:
    line = encode({"type": "output", "text": "a\nb\udcff"})
    assert line.count(b"\n") == 1 and line.endswith(b"\n")
    assert decode(line) == {"type": "output", "text": "a\nb\udcff"}
    assert decode(b"not json") is None and decode(b"[1, 2]") is None


def test_output_event_keeps_exact_bytes_and_a_displayable_text() -> None:
    event = event_from_wire({"type": "output", "stream": "stdout", "text": "ok \udcff\n"})
    assert isinstance(event, OutputEvent)
    assert event.data == b"ok \xff\n" and event.text == "ok \ufffd\n"


def test_metrics_and_variables_events_from_the_wire() -> None:
    metrics = event_from_wire(
        {"type": "metrics", "points": [[0, {"loss": 1.5}], [1, {"loss": 1.0}]]}
    )
    assert isinstance(metrics, MetricsEvent) and [p.step for p in metrics.points] == [0, 1]
    variables = event_from_wire(
        {"type": "variables", "variables": [{"name": "x", "type": "Tensor", "shape": [2]}]}
    )
    assert isinstance(variables, VariablesEvent) and variables.variables[0].shape == (2,)
    assert event_from_wire({"type": "finished"}) is None


def test_finished_and_device_report_round_trip() -> None:
    finished = Finished("ok", check=CheckReport(False, "`m` is not defined", 12), exit_code=0)
    assert Finished.from_wire(decode(encode(finished.to_wire())) or {}) == finished
    report = DeviceReport("3.11.7", "2.4.0", True, "cuda", gpus=[Gpu("H100", 80 * GIB)], threads=4)
    assert DeviceReport.from_wire(decode(encode(report.to_wire())) or {}) == report
    assert report.summary().startswith("device cuda (H100, 80 GiB) (auto) · torch 2.4.0")


def test_device_selection_goes_through_cuda_visible_devices(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    assert worker_env("cpu", "t")["CUDA_VISIBLE_DEVICES"] == ""
    assert worker_env("cuda:1", "t")["CUDA_VISIBLE_DEVICES"] == "1"
    assert "CUDA_VISIBLE_DEVICES" not in worker_env("auto", "t")
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "4,6")
    assert worker_env("cuda:1", "t")["CUDA_VISIBLE_DEVICES"] == "6"
    with pytest.raises(ValueError, match="unknown device"):
        check_device("gpu")


def test_kill_tree_finds_setsid_children_by_token() -> None:
    env = {**os.environ, "TUTOR_WORKER_TOKEN": "unit-test-token"}
    code = "import subprocess, time\n"
    code += "subprocess.Popen(['sleep', '60'], start_new_session=True)\ntime.sleep(60)"
    parent = subprocess.Popen([sys.executable, "-c", code], env=env)
    try:
        for _ in range(100):
            if descendants({parent.pid}, process_table()):
                break
            time.sleep(0.02)
        assert kill_tree(parent.pid, "unit-test-token") >= 1
        table = process_table()
        assert {pid for pid in descendants({parent.pid}, table) if table[pid][1] != "Z"} == set()
    finally:
        parent.kill()
        parent.wait()


def test_the_supervisor_side_imports_neither_torch_nor_textual() -> None:
    probe = (
        "import sys, tutor.sandbox.supervisor, tutor.sandbox.commands\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'textual', 'rich')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == "[]", result.stderr


def test_device_label_for_the_header() -> None:
    cpu = DeviceReport(python="3.11", torch="2.13", cuda_available=False, selected="cpu", threads=1)
    assert cpu.label == "cpu · 1 thread"
    gpu = replace(
        cpu, cuda_available=True, selected="cuda", gpus=[Gpu("NVIDIA H100 80GB", 80 * 1024**3)]
    )
    assert gpu.label == "cuda:0 · NVIDIA H100 80GB"


def test_fit_cuts_learner_data_until_a_reply_fits() -> None:
    from tutor.sandbox.protocol import MAX_MESSAGE, fit

    message = {
        "type": "finished",
        "finished": {"status": "error", "traceback": "\x00" * 10**7, "reason": "short"},
    }
    data = fit(message)
    assert len(data) <= MAX_MESSAGE and data.endswith(b"\n")
    decoded = decode(data)
    assert decoded is not None and decoded["finished"]["reason"] == "short"
    assert "characters not shown" in decoded["finished"]["traceback"]
    many = {"type": "variables", "variables": [{"name": "v" * 5000, "i": i} for i in range(500)]}
    assert len(fit(many)) <= MAX_MESSAGE
    assert fit({"type": "ready"}) == encode({"type": "ready"})


def test_a_reply_longer_than_the_cap_is_refused_without_buffering_it() -> None:
    from tutor.sandbox.worker import MAX_REPLY, _Replies

    lines: list[bytes] = []
    overflows: list[None] = []
    replies = _Replies(lines.append, lambda: overflows.append(None))
    replies.data_received(b"first\nsecond")
    assert lines == [b"first"]
    for _ in range(MAX_REPLY // (1 << 20) + 1):
        replies.data_received(b"x" * (1 << 20))
    assert overflows == [None] and len(replies._buffer) == 0
    replies.data_received(b"later\n")
    assert lines == [b"first"]  # nothing on a tampered pipe counts any more


def test_output_tap_keeps_head_and_tail_and_stops_at_the_hard_cap() -> None:
    from tutor.sandbox.capture import OutputTap

    events: list[OutputEvent] = []
    tap = OutputTap(events.append, soft=100, soft_lines=1000, hard=1000)
    assert tap.feed("stdout", b"".join(b"%03d\n" % i for i in range(100)))
    tap.end()
    text = "".join(event.text for event in events)
    assert text.startswith("000\n") and text.endswith("098\n099\n")
    assert "of output not shown" in text
    tap = OutputTap(None, soft=100, soft_lines=1000, hard=1000)
    assert not tap.feed("stdout", b"x" * 1001) and tap.hard_hit
