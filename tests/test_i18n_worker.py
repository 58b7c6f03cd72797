"""What the worker composes reaches the learner in their language, names and shapes filled in.

Plain unit tests: the explainer, the check helpers, the probes and the "does nothing"
pass are called in this process after `set_language`, as the worker does per request.
"""

from __future__ import annotations

import linecache
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch
from torch import nn

from tests.english import english_words
from tutor import i18n
from tutor.feedback import idle
from tutor.feedback.explain import explain, raised
from tutor.lessons.behaviour import descent_problem
from tutor.lessons.checks import run_checks
from tutor.lessons.model import CodeBlock
from tutor.sandbox.endings import killed, time_limit
from tutor.sandbox.limits import Limits

FILENAME = "<your code>"


@pytest.fixture(params=["pt", "es"])
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    i18n.set_language(request.param)
    try:
        yield request.param
    finally:
        i18n.set_language("en")


def explained(source: str) -> str:
    linecache.cache[FILENAME] = (len(source), None, source.splitlines(True), FILENAME)
    try:
        exec(compile(source, FILENAME, "exec"), {"__name__": "__main__"})
    except Exception as error:  # noqa: BLE001 - the point of the test
        return explain(error, {FILENAME})
    raise AssertionError("the snippet did not fail")


def check_message(check: str, **namespace: object) -> str:
    report = run_checks([CodeBlock(check + "\n", Path("lesson.md"), 10)], dict(namespace))
    assert not report.passed
    return report.message


def translated(text: str, expected: dict[str, str], lang: str) -> None:
    """`text` is the expected sentence for `lang`, and reads as no English at all."""
    assert text == expected[lang]
    assert english_words(text) == []


MATMUL = (
    "import torch\nfeatures = torch.ones(4, 3)\nweights = torch.ones(4, 2)\n"
    "out = features @ weights\n"
)


def test_the_explainer_speaks_the_learners_language(lang: str) -> None:
    text = explained(MATMUL)
    expected = {
        "pt": (
            "Em `features @ weights`, `features` tem forma (4, 3) e `weights` tem forma (4, 2): "
            "a última dimensão de `features` (3) precisa ser igual ao número de linhas de "
            "`weights` (4). Transpondo `features`, eles se encaixam: `features.T @ weights` "
            "tem forma (3, 2)."
        ),
        "es": (
            "En `features @ weights`, `features` tiene forma (4, 3) y `weights` tiene forma "
            "(4, 2): la última dimensión de `features` (3) debe ser igual al número de filas de "
            "`weights` (4). Si transpones `features`, encajan: `features.T @ weights` tiene "
            "forma (3, 2)."
        ),
    }
    translated(text, expected, lang)


def test_the_verdict_of_code_that_raised_quotes_pythons_words_as_code(lang: str) -> None:
    text = raised("TypeError: unsupported operand type(s) for +: 'int' and 'str'", "")
    expected = {
        "pt": (
            "seu código gerou o erro `TypeError: unsupported operand "
            "type(s) for +: 'int' and 'str'`"
        ),
        "es": (
            "tu código lanzó el error `TypeError: unsupported operand "
            "type(s) for +: 'int' and 'str'`"
        ),
    }
    translated(text, expected, lang)


def test_layered_check_messages_fill_in_names_dtypes_and_shapes(lang: str) -> None:
    spec = 'expect_tensor("m", dtype=torch.float32, shape=(2, 3))'
    text = check_message(spec, m=torch.arange(6))
    expected = {
        "pt": (
            "`m`: o esperado era um tensor float32 de forma (2, 3), mas "
            "é int64 de forma (6,) em cpu"
        ),
        "es": (
            "`m`: se esperaba un tensor float32 de forma (2, 3), pero es int64 de forma (6,) en cpu"
        ),
    }
    translated(text, expected, lang)


def test_wrong_values_count_the_differences_in_the_learners_language(lang: str) -> None:
    check = "expect_tensor('w', values=torch.tensor([1.0, 2.0, 3.0]))"
    text = check_message(check, w=torch.tensor([1.0, 5.0, 6.0]))
    expected = {
        "pt": (
            "`w` tem valores errados no índice (1,): o esperado era 2, mas é 5 "
            "(2 de 3 elementos estão diferentes)"
        ),
        "es": (
            "`w` tiene valores incorrectos en el índice (1,): se esperaba 2, pero es 5 "
            "(2 de 3 elementos son distintos)"
        ),
    }
    translated(text, expected, lang)


def test_a_missing_variable_and_the_placeholder(lang: str) -> None:
    missing = check_message("expect_tensor('rank')")
    placeholder = check_message("expect_float('rank')", rank=...)
    expected_missing = {
        "pt": "`rank` não está definido: seu código deveria criar uma variável chamada `rank`",
        "es": "`rank` no está definido: tu código debería crear una variable llamada `rank`",
    }
    expected_placeholder = {
        "pt": (
            "`rank` deveria ser um float do Python, mas é `...` (o marcador de lugar ainda está lá)"
        ),
        "es": (
            "`rank` debería ser un float de Python, pero es `...` (el "
            "marcador de posición sigue ahí)"
        ),
    }
    translated(missing, expected_missing, lang)
    translated(placeholder, expected_placeholder, lang)


def test_probes_name_the_unused_layers(lang: str) -> None:
    class Model(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc1, self.fc2, self.extra = nn.Linear(3, 4), nn.Linear(4, 1), nn.Linear(4, 4)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.fc2(torch.relu(self.fc1(x)))

    text = check_message("expect_all_used(net, torch.randn(8, 3), name='net')", net=Model())
    expected = {
        "pt": (
            "`net.extra`, do tipo Linear(4, 4), nunca recebe gradiente: é criado em __init__, "
            "mas forward nunca o usa"
        ),
        "es": (
            "`net.extra`, de tipo Linear(4, 4), nunca recibe gradiente: se crea en __init__, "
            "pero forward nunca lo usa"
        ),
    }
    translated(text, expected, lang)


def test_lines_that_do_nothing(lang: str) -> None:
    found = idle.find("import torch\nx = torch.ones(2)\nx.float()\noptimizer.zero_grad\n")
    texts = idle.confirm(found, {"x": torch.ones(2)})
    expected = {
        "pt": [
            "linha 3: `x.float()` devolve um valor novo e deixa `x` como estava; "
            "escreva `x = x.float()`.",
            "linha 4: `optimizer.zero_grad` sem () não faz nada; escreva `optimizer.zero_grad()`.",
        ],
        "es": [
            "línea 3: `x.float()` devuelve un valor nuevo y deja `x` como estaba; "
            "escribe `x = x.float()`.",
            "línea 4: `optimizer.zero_grad` sin () no hace nada; escribe `optimizer.zero_grad()`.",
        ],
    }
    assert texts == expected[lang]
    assert all(english_words(text) == [] for text in texts)


def test_english_is_unchanged_after_a_switch_back() -> None:
    english = explained(MATMUL)
    i18n.set_language("pt")
    try:
        assert explained(MATMUL) != english
    finally:
        i18n.set_language("en")
    assert explained(MATMUL) == english
    assert english.startswith("In `features @ weights`, `features` has shape (4, 3)")


def test_the_english_detector_finds_english_and_ignores_code() -> None:
    assert english_words("`m`: expected a tensor of shape (2, 3), got int64") == [
        "expected",
        "of",
        "got",
    ]
    assert english_words("`rank` is still `...` (the placeholder)") == ["is", "still", "the"]
    code_only = "seu código gerou o erro `RuntimeError: the sizes are wrong`; use x.view(2, 3)"
    assert english_words(code_only) == []


def test_behaviour_helpers_describe_the_path_in_the_learners_language(lang: str) -> None:
    text = descent_problem([-3.5, 7.5, -3.5, 7.5], 2.0, name="x", lr=1.0)
    expected = {
        "pt": (
            "`x` pula de um lado para o outro entre -3.5 e 7.5 sem chegar mais perto de 2: "
            "a taxa de aprendizado é grande demais (ela é 1), então cada passo pula por cima "
            "do mínimo"
        ),
        "es": (
            "`x` salta de un lado a otro entre -3.5 y 7.5 sin acercarse a 2: la tasa de "
            "aprendizaje es demasiado grande (es 1), así que cada paso salta por encima del mínimo"
        ),
    }
    assert text is not None
    translated(text, expected, lang)


def test_run_endings_are_worded_in_the_current_language(lang: str) -> None:
    expected = {
        "pt": "as verificações foram interrompidas depois de 30 s",
        "es": "las comprobaciones se detuvieron después de 30 s",
    }
    translated(time_limit("check", 30.0), expected, lang)
    finished = killed("run", "processes", None, Limits(processes=64))
    assert "64" in finished.reason and english_words(finished.reason) == []
