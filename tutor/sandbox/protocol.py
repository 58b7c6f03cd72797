"""The messages between the supervisor and the worker: JSON lines, never pickle.

Each request carries an `id` that its replies repeat, and every reply carries the
worker's `pid` and starts with the worker's secret (see `tutor.sandbox.worker`). No
reply is longer than MAX_MESSAGE: `fit` cuts what learner data a reply carries (a huge
exception message, a variable named with a megabyte), so the supervisor can refuse
anything longer. Unpickling would let the worker run code in the UI process, so only
plain JSON crosses. Both sides import this module; it stays free of torch and Textual.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from tutor.i18n import _, ngettext
from tutor.lessons.model import CheckReport

Stream = Literal["stdout", "stderr"]
Status = Literal["ok", "error", "interrupted", "timeout", "limit", "crashed"]


def encode(message: dict[str, Any]) -> bytes:
    """One message as one line. Lone surrogates (undecodable output bytes) survive as escapes."""
    return json.dumps(message, separators=(",", ":")).encode("ascii") + b"\n"


CHANNEL_LOST = 86
"""The worker's exit status when the snippet closed or replaced its channel."""
CHANNEL_LOST_NOTE = "tutor: the snippet closed or replaced the worker's private channel"
"""What a worker that lost its channel writes to its crash log, where the supervisor looks."""
MAX_MESSAGE = 1024 * 1024
"""Bytes in one reply line, at most (the supervisor refuses longer ones)."""
_KEEPS = (64 * 1024, 4096, 256)
"""Characters a string field keeps, tried in turn until the message fits."""


def fit(message: dict[str, Any]) -> bytes:
    """`message` encoded in at most MAX_MESSAGE bytes, its longest strings cut if needed."""
    data = encode(message)
    for keep in _KEEPS:
        if len(data) <= MAX_MESSAGE:
            return data
        data = encode(_shorten(message, keep))
    if len(data) <= MAX_MESSAGE:
        return data
    return encode(_shorten(message, _KEEPS[-1], items=100))


def _shorten(value: Any, keep: int, items: int | None = None) -> Any:
    if isinstance(value, str) and len(value) > keep:
        hidden = len(value) - keep
        note = ngettext(
            "… {count} character not shown …", "… {count} characters not shown …", hidden
        ).format(count=f"{hidden:,}")
        return f"{value[: keep // 2]}{note}{value[-keep // 2 :]}"
    if isinstance(value, dict):
        return {_shorten(k, keep): _shorten(v, keep, items) for k, v in value.items()}
    if isinstance(value, list):
        return [_shorten(item, keep, items) for item in value[:items]]
    return value


def decode(line: bytes) -> dict[str, Any] | None:
    """A message, or None for anything that is not one (garbage from a stray writer)."""
    try:
        message = json.loads(line)
    except ValueError:
        return None
    return message if isinstance(message, dict) else None


@dataclass(frozen=True)
class OutputEvent:
    """Output the snippet wrote, as it was written; shown literally, never interpreted."""

    stream: Stream
    text: str
    """For display: undecodable bytes replaced, control sequences left for the UI to escape."""
    data: bytes = b""
    """The exact bytes, for `tutor run`."""

    @classmethod
    def from_wire(cls, message: dict[str, Any]) -> OutputEvent:
        data = message["text"].encode("utf-8", "surrogateescape")
        return cls(message["stream"], data.decode("utf-8", "replace"), data)


@dataclass(frozen=True)
class MetricPoint:
    step: int
    values: dict[str, float]


@dataclass(frozen=True)
class MetricsEvent:
    """Points from `tutor.log`, batched at most ~10 times a second; every point is kept."""

    points: list[MetricPoint]

    @classmethod
    def from_wire(cls, message: dict[str, Any]) -> MetricsEvent:
        return cls([MetricPoint(int(step), dict(values)) for step, values in message["points"]])


@dataclass(frozen=True)
class Layer:
    """One submodule of a model, for the model's layer tree."""

    name: str
    """Its path in the model, `fc1` or `encoder.0`."""
    type: str
    depth: int
    """1 for the model's children, 2 for theirs, ..."""
    parameters: int
    """Parameters of this layer and the layers inside it."""
    output_shape: str | None = None
    """Shape of its output in the last forward pass, `(64, 10)`; None before any."""


@dataclass(frozen=True)
class Stats:
    """A tensor's or array's numbers at a glance: what hides a NaN or an exploding value."""

    min: float | None
    max: float | None
    mean: float | None
    """Of the finite values; None when there are none (or for non-numeric dtypes)."""
    nan: int
    inf: int
    first: str
    """The first few values, as Python writes them."""
    counted: int
    """How many elements the figures cover (the first ones of a very large tensor)."""


@dataclass(frozen=True)
class Variable:
    """A name the learner's code left in its namespace, described without its repr.

    A learner's object may have a `__repr__` that loops or raises, so only numbers and
    strings are shown by value; everything else by type, size and shape.
    """

    name: str
    type: str
    shape: tuple[int, ...] | None = None
    dtype: str | None = None
    device: str | None = None
    requires_grad: bool | None = None
    value: str = ""
    """A number's or string's value, shortened; empty for other objects."""
    length: int | None = None
    """Items in a list, tuple, dict or set."""
    parameters: int | None = None
    """A model's parameter count."""
    stats: Stats | None = None
    layers: tuple[Layer, ...] = ()

    @classmethod
    def from_wire(cls, item: dict[str, Any]) -> Variable:
        shape = item.get("shape")
        stats = item.get("stats")
        return cls(
            **{
                **item,
                "shape": None if shape is None else tuple(shape),
                "stats": None if stats is None else Stats(**stats),
                "layers": tuple(Layer(**layer) for layer in item.get("layers", ())),
            }
        )


@dataclass(frozen=True)
class VariablesEvent:
    """What the namespace holds after a run, for the variables panel."""

    variables: list[Variable]

    @classmethod
    def from_wire(cls, message: dict[str, Any]) -> VariablesEvent:
        return cls([Variable.from_wire(item) for item in message["variables"]])


@dataclass(frozen=True)
class Finished:
    """How a run or check ended."""

    status: Status
    reason: str = ""
    """One line in plain words; empty for a plain success."""
    traceback: str = ""
    """The error, trimmed to the learner's own frames."""
    check: CheckReport | None = None
    exit_code: int | None = None
    """What `python FILE` would exit with: SystemExit's code, 1 for an exception."""
    seconds: float = 0.0
    variables_lost: bool = False
    """The worker was killed or died, so the namespace is gone; a fresh worker took over."""
    explanation: str = ""
    """Why the learner's code raised, in plain words with their own names (tutor.feedback)."""
    warnings: list[str] = field(default_factory=list)
    """One line each: lines that do nothing, and torch warnings about silent bugs."""

    def to_wire(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_wire(cls, message: dict[str, Any]) -> Finished:
        check = message.get("check")
        return cls(
            status=message["status"],
            reason=message.get("reason", ""),
            traceback=message.get("traceback", ""),
            check=None if check is None else CheckReport(**check),
            exit_code=message.get("exit_code"),
            seconds=float(message.get("seconds", 0.0)),
            variables_lost=bool(message.get("variables_lost", False)),
            explanation=message.get("explanation", ""),
            warnings=list(message.get("warnings", [])),
        )


@dataclass(frozen=True)
class Gpu:
    name: str
    memory: int
    """Total memory in bytes."""


@dataclass(frozen=True)
class DeviceReport:
    """What the worker found at start-up, and the device lessons will use."""

    python: str
    torch: str
    cuda_available: bool
    selected: str
    """"cuda" or "cpu": what `"cuda" if torch.cuda.is_available() else "cpu"` gives."""
    requested: str = "auto"
    cuda_version: str | None = None
    gpus: list[Gpu] = field(default_factory=list)
    mps_available: bool = False
    threads: int = 1
    pid: int = 0

    @property
    def label(self) -> str:
        """Short, for the app's header: `cuda:0 · NVIDIA H100 80GB` or `cpu · 2 threads`."""
        if self.selected.startswith("cuda") and self.gpus:
            return f"{self._gpu_device} · {self.gpus[0].name}"
        return f"cpu · {self._threads}"

    @property
    def _threads(self) -> str:
        return ngettext("{count} thread", "{count} threads", self.threads).format(
            count=self.threads
        )

    @property
    def _gpu_device(self) -> str:
        return self.selected if ":" in self.selected else f"{self.selected}:0"

    def summary(self) -> str:
        """One line, e.g. for `tutor run`'s stderr."""
        if self.selected.startswith("cuda") and self.gpus:
            gpu = self.gpus[0]
            where = f"{self.selected} ({gpu.name}, {gpu.memory / 1024**3:.0f} GiB)"
        else:
            where = "cpu"
        picked = _(" (auto)") if self.requested == "auto" else ""
        extra = ""
        if not self.cuda_available and self.requested != "cpu":
            extra = _(", MPS available") if self.mps_available else _(", no CUDA")
        return _(
            "device {where}{picked}{extra} · torch {torch} · Python {python} · {threads}"
        ).format(
            where=where,
            picked=picked,
            extra=extra,
            torch=self.torch,
            python=self.python,
            threads=self._threads,
        )

    def to_wire(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_wire(cls, message: dict[str, Any]) -> DeviceReport:
        fields = {k: v for k, v in message.items() if k in cls.__dataclass_fields__}
        fields["gpus"] = [Gpu(**gpu) for gpu in message.get("gpus", [])]
        return cls(**fields)


Event = OutputEvent | MetricsEvent | VariablesEvent

EVENT_TYPES: dict[str, Any] = {
    "output": OutputEvent,
    "metrics": MetricsEvent,
    "variables": VariablesEvent,
}


def event_from_wire(message: dict[str, Any]) -> Event | None:
    """The event a worker message carries, or None if it is not an event."""
    kind = EVENT_TYPES.get(message.get("type", ""))
    return None if kind is None else kind.from_wire(message)
