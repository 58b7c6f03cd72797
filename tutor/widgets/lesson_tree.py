"""The lesson browser: lessons, their steps and done marks, broken lessons flagged."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from tutor.course import done_count
from tutor.i18n import _
from tutor.lessons.model import BrokenLesson, Catalog, Lesson, Step
from tutor.progress import Progress
from tutor.widgets.plain import plain

Entry = Lesson | Step | BrokenLesson

DONE = "✓"
TODO = "○"
READING = "·"
BROKEN = "⚠"


class LessonTree(Tree[Entry]):
    """Marks are symbols as well as colours, so progress reads the same with NO_COLOR."""

    DEFAULT_CSS = """
    LessonTree {
        padding: 0 1;
    }
    """

    def __init__(
        self,
        catalog: Catalog,
        progress: Progress,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(_("Lessons"), name=name, id=id, classes=classes)
        self.catalog = catalog
        self.progress = progress
        self.show_root = False
        self.guide_depth = 2
        self._add_nodes()

    def _add_nodes(self) -> None:
        """Lessons of installed packs go under their pack's name, after the others."""
        packs: dict[str, TreeNode[Entry]] = {}
        for number, lesson in enumerate(self.catalog.lessons, start=1):
            parent = self.root
            if lesson.pack:
                if lesson.pack not in packs:
                    label = Text(
                        _("{pack} (installed pack)").format(pack=lesson.pack), style="bold italic"
                    )
                    packs[lesson.pack] = self.root.add(label, expand=True)
                parent = packs[lesson.pack]
            node = parent.add(self._lesson_label(number, lesson), data=lesson)
            for step in lesson.steps:
                node.add_leaf(self._step_label(step), data=step)
        for broken in self.catalog.broken:
            node = self.root.add(
                plain(
                    _("{broken} {title} (cannot load)").format(broken=BROKEN, title=broken.title),
                    style="bold red",
                ),
                data=broken,
            )
            for problem in broken.problems:
                node.add_leaf(
                    plain(
                        _("line {line}: {message}").format(
                            line=problem.line, message=problem.message
                        ),
                        style="red",
                    ),
                    data=broken,
                )

    def show_catalog(self, catalog: Catalog) -> None:
        """Rebuild from `catalog` (lesson files were edited), keeping the cursor's step."""
        current = self.cursor_node.data if self.cursor_node is not None else None
        self.catalog = catalog
        self.clear()
        self._add_nodes()
        if isinstance(current, Step):
            step = catalog.find_step(current.key)
            if step is not None:
                self.select_step(step)

    def refresh_marks(self) -> None:
        """Relabel every node after progress changed (cheap: a few hundred nodes at most)."""
        for number, node in enumerate(self._lesson_nodes(), start=1):
            assert isinstance(node.data, Lesson)
            node.set_label(self._lesson_label(number, node.data))
            for child in node.children:
                if isinstance(child.data, Step):
                    child.set_label(self._step_label(child.data))

    def select_step(self, step: Step) -> None:
        """Expand the step's lesson and put the cursor on the step."""
        for lesson_node in self._lesson_nodes():
            for node in lesson_node.children:
                if isinstance(node.data, Step) and node.data.key == step.key:
                    lesson_node.expand()
                    # A node's line is known only once the tree has rebuilt its lines.
                    self.call_after_refresh(self.move_cursor, node)
                    return

    def _lesson_nodes(self) -> list[TreeNode[Entry]]:
        """Lesson nodes in catalog order, at the top or under their pack's node."""
        nodes = []
        for node in self.root.children:
            if isinstance(node.data, Lesson):
                nodes.append(node)
            elif node.data is None:
                nodes.extend(child for child in node.children if isinstance(child.data, Lesson))
        return nodes

    def _lesson_label(self, number: int, lesson: Lesson) -> Text:
        done, total = done_count(lesson, self.progress)
        mark = DONE if total and done == total else " "
        label = plain(f"{mark} {number}. {lesson.title}", style="bold")
        label.append(f"  {done}/{total}", style="dim")
        return label

    def _step_label(self, step: Step) -> Text:
        if not step.is_exercise:
            return plain(f"{READING} {step.title}", style="dim")
        if self.progress.is_done(step.key):
            return plain(f"{DONE} {step.title}", style="green")
        return plain(f"{TODO} {step.title}")
