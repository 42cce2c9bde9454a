"""Every key binding of the TUI, found by walking its modules: for the help screen and for
checking the binding ids a config file remaps."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from textual.binding import Binding
from textual.dom import DOMNode

#: Modules whose bindings the help screen lists, in this order (then any other tui module).
_FIRST = ("quizapp.tui.app", "quizapp.tui.screens.home", "quizapp.tui.screens.setup",
          "quizapp.tui.screens.quiz", "quizapp.tui.widgets.question")


def _modules() -> list[str]:
    import quizapp.tui as tui

    names = [m.name for m in pkgutil.walk_packages(tui.__path__, "quizapp.tui.")]
    return sorted(names, key=lambda n: (next((i for i, f in enumerate(_FIRST)
                                              if n.startswith(f)), len(_FIRST)), n))


@cache
def binding_sections() -> list[tuple[str, tuple[Binding, ...]]]:
    """(section title, bindings) for every class of the TUI that declares bindings. The
    title is the class's `HELP_SECTION` (English; translated where shown) or its name."""
    sections: list[tuple[str, tuple[Binding, ...]]] = []
    seen: set[type] = set()
    for name in _modules():
        try:
            module = importlib.import_module(name)
        except ImportError:  # an optional screen whose dependencies are missing
            continue
        for value in vars(module).values():
            if not (isinstance(value, type) and issubclass(value, DOMNode)) \
                    or value.__module__ != name or value in seen:
                continue
            seen.add(value)
            declared = value.__dict__.get("BINDINGS")
            if not declared:
                continue
            bindings = tuple(b for b in declared if isinstance(b, Binding))
            if bindings:
                sections.append((value.__dict__.get("HELP_SECTION", value.__name__), bindings))
    return sections


def known_binding_ids() -> set[str]:
    """The ids of all bindings (what `[keys]` in the config file may remap)."""
    return {b.id for _, bindings in binding_sections() for b in bindings if b.id}
