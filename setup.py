"""Build hook: the wheel carries content/ and solutions/ as package data.

The repository keeps one copy of the question bank, the drills and their references beside the
package (content/, solutions/); `build_py` copies them into `quizapp/_data/` of the built
wheel, where `quizapp.core.paths` finds them in an installed copy. Editable installs keep
reading the clone's folders and copy nothing. Everything else is in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

#: Folders of the repository shipped inside the package, as quizapp/_data/<name>.
DATA_DIRS = ("content", "solutions")
_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", ".hypothesis")


class BuildWithData(build_py):
    """`build_py` that also copies the bundled data folders into the build tree."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        root = Path(__file__).resolve().parent
        for name in DATA_DIRS:
            target = Path(self.build_lib) / "quizapp" / "_data" / name
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(root / name, target, ignore=_IGNORE)


setup(cmdclass={"build_py": BuildWithData})
