"""Architecture boundaries: the core never imports Textual; the CLI never imports torch."""

from __future__ import annotations

import subprocess
import sys


def _modules_after(code: str) -> set[str]:
    probe = code + "\nimport sys\nprint('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout
    return set(out.split())


def test_core_never_imports_textual() -> None:
    code = ("import importlib, pkgutil, quizapp.core as core\n"
            "for m in pkgutil.walk_packages(core.__path__, 'quizapp.core.'):\n"
            "    if not m.name.endswith('.child'):\n"
            "        importlib.import_module(m.name)")
    modules = _modules_after(code)
    assert "quizapp.core.bank" in modules and "quizapp.core.store" in modules
    assert not any(m == "textual" or m.startswith("textual.") for m in modules)


def test_cli_import_does_not_import_torch_or_textual() -> None:
    modules = _modules_after("import quizapp.cli.main as m\nm.build_parser()")
    assert "quizapp.cli.main" in modules
    assert "torch" not in modules and "triton" not in modules and "textual" not in modules
