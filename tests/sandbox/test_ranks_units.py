"""The rank machinery without processes: labels, metric points, the rendezvous port."""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

import pytest

from tutor.sandbox import ranks


def test_each_line_starts_with_the_rank_even_across_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "out"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    stream = ranks.RankStream.open(fd, None)
    monkeypatch.setenv("RANK", "1")
    stream.write("a\nb")
    stream.write("c\n")
    monkeypatch.delenv("RANK")
    stream.write("no rank known: no label\n")
    stream.flush()
    os.close(fd)
    assert path.read_text() == "[rank 1] a\n[rank 1] bc\nno rank known: no label\n"


def test_the_process_groups_rank_comes_before_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import torch.distributed as dist

    monkeypatch.setenv("RANK", "3")
    assert ranks.current_rank() == 3
    monkeypatch.setattr(dist, "is_initialized", lambda: True)
    monkeypatch.setattr(dist, "get_rank", lambda: 1)
    assert ranks.current_rank() == 1


def test_points_from_children_are_named_by_rank_and_garbage_is_dropped() -> None:
    pipe = ranks.MetricsPipe()
    lines = [
        json.dumps({"rank": 0, "pid": 11, "step": 4, "values": {"loss": 0.5}}),
        "not json",
        json.dumps({"rank": 1, "pid": 12, "step": "x", "values": {"loss": 1}}),
        json.dumps({"rank": None, "pid": 13, "step": 0, "values": {"loss": 2}}),
        json.dumps({"rank": 1, "pid": 12, "step": 1, "values": ["loss"]}),
    ]
    os.write(pipe.write_fd, ("\n".join(lines) + "\n" + '{"rank": 1').encode())
    got: list[tuple[int, dict[str, float]]] = []
    pipe.drain(lambda step, values: got.append((step, values)))
    assert got == [(4, {"loss (rank 0)": 0.5}), (0, {"loss (pid 13)": 2.0})]
    os.write(pipe.write_fd, b', "pid": 12, "step": 2, "values": {"acc": 0.75}}\n')
    pipe.drain(lambda step, values: got.append((step, values)))
    assert got[-1] == (2, {"acc (rank 1)": 0.75})  # a line split across reads is kept whole


def test_every_run_gets_a_free_port_unless_the_administrator_set_one() -> None:
    environ: dict[str, str] = {}
    ranks.rendezvous({}, environ)
    assert environ["MASTER_ADDR"] == "127.0.0.1"
    port = int(environ["MASTER_PORT"])
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))  # nobody holds it
    ranks.rendezvous({"MASTER_ADDR": "10.0.0.2", "MASTER_PORT": "29400"}, environ)
    assert (environ["MASTER_ADDR"], environ["MASTER_PORT"]) == ("10.0.0.2", "29400")


def test_the_spawn_support_is_never_pickled_outside_a_spawn() -> None:
    import pickle

    spawned = ranks.Spawned([("x = 1", "<your code>")], seed=False, metrics_fd=1, gpu_memory=None)
    with pytest.raises(TypeError, match="only pickled to start a process"):
        pickle.dumps(spawned)


def test_a_flood_costs_no_memory_and_a_closed_pipe_is_left_alone() -> None:
    import threading

    pipe = ranks.MetricsPipe()
    point = json.dumps({"rank": 1, "pid": 12, "step": 0, "values": {"loss": 1.0}}).encode()
    flood = b"x" * (1 << 20) + b"\n" + point + b"\n"
    writer = threading.Thread(target=os.write, args=(pipe.write_fd, flood))
    writer.start()
    got: list[tuple[int, dict[str, float]]] = []
    deadline = time.monotonic() + 30
    while (writer.is_alive() or not got) and time.monotonic() < deadline:
        pipe.drain(lambda step, values: got.append((step, values)))
        assert len(pipe._rest) <= ranks.LINE_LIMIT
    writer.join()
    assert got == [(0, {"loss (rank 1)": 1.0})]
    os.close(pipe.read_fd)  # as a snippet closing every fd would
    assert not pipe.intact
    pipe.drain(lambda step, values: got.append((step, values)))  # no EBADF
    assert len(got) == 1
