"""Every key binding of the TUI, found by walking its modules: for the help screen and for
checking the binding ids a config file remaps."""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from functools import cache
from typing import Any

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


@dataclass(frozen=True)
class KeySection:
    """The bindings of one part of the app, as the help screen lists them."""

    #: The declaring classes' `HELP_SECTION` (English; translated where shown) or name.
    title: str
    #: The module that declares them.
    module: str
    bindings: tuple[Binding, ...]


@cache
def binding_sections() -> tuple[KeySection, ...]:
    """Every class of the TUI that declares bindings, grouped by help section (classes that
    share a `HELP_SECTION` are listed together)."""
    sections: dict[str, KeySection] = {}
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
            if not bindings:
                continue
            title = value.__dict__.get("HELP_SECTION", value.__name__)
            before = sections.get(title)
            sections[title] = KeySection(title, before.module if before else name,
                                         (before.bindings if before else ()) + bindings)
    return tuple(sections.values())


def known_binding_ids() -> set[str]:
    """The ids of all bindings (what `[keys]` in the config file may remap)."""
    return {b.id for section in binding_sections() for b in section.bindings if b.id}


def key_label(app: Any, binding: Binding) -> str:
    """The keys of a binding as the user presses them (after any remap)."""
    keys = getattr(app, "keymap", {}).get(binding.id or "", binding.key)
    return ", ".join(app.get_key_display(binding.with_key(k.strip())) for k in keys.split(","))
