"""The wheel is a complete tool: built from this tree, installed (not editable) into a fresh
virtual environment, it runs from a directory outside the clone with its own content.

The fresh environment reuses the dependencies already installed here (torch above all) through
a path file instead of downloading them, and pip runs with --no-index, so a dependency the
wheel declares but this environment lacks fails the test instead of fetching anything.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: What the build reads: the package, the data folders it copies, and the metadata files.
BUILD_INPUTS = ("quizapp", "content", "solutions", "pyproject.toml", "setup.py", "MANIFEST.in",
                "README.md", "LICENSE", "CHANGELOG.md")


def _run(args: list[str], cwd: Path, env: dict[str, str], timeout: float = 300
         ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A wheel built from a copy of this tree and installed into a fresh venv."""
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    src.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", "*.egg-info")
    for name in BUILD_INPUTS:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=ignore)
        else:
            shutil.copy2(path, src / name)
    dist = base / "dist"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    built = _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-index",
                  "--no-build-isolation", "-w", str(dist), str(src)], base, env)
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = dist.glob("quizapp-*.whl")

    venv = base / "venv"
    made = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], base, env)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    purelib = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()"
                    "['purelib'])"], base, env).stdout.strip()
    # Every site-packages this interpreter sees (a venv, and what its own path files add).
    shared = [p for p in sys.path if p.rstrip("/").endswith("site-packages")]
    shared.append(sysconfig.get_paths()["purelib"])
    Path(purelib, "zz_reuse_test_env.pth").write_text("\n".join(dict.fromkeys(shared)) + "\n",
                                                     encoding="utf-8")
    install = _run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
                    "--no-index", str(wheel)], base, env)
    assert install.returncode == 0, install.stderr[-3000:]
    outside = base / "elsewhere"
    outside.mkdir()
    return {"venv": venv, "wheel": wheel, "cwd": outside, "home": base / "home"}


def _quizapp(installed: dict[str, Path], *args: str, timeout: float = 300
             ) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "QUIZAPP_CONTENT", "QUIZAPP_QUESTION_DIRS")}
    env["QUIZAPP_HOME"] = str(installed["home"])
    return _run([str(installed["venv"] / "bin" / "quizapp"), *args], installed["cwd"], env,
                timeout)


@pytest.mark.slow
def test_wheel_carries_content_and_runs_outside_the_clone(installed: dict[str, Path]) -> None:
    import zipfile

    names = zipfile.ZipFile(installed["wheel"]).namelist()
    assert "quizapp/_data/content/topics.yaml" in names
    assert any(n.startswith("quizapp/_data/solutions/") and n.endswith("reference.py")
               for n in names)
    assert any(n.endswith("licenses/LICENSE") for n in names)

    where = _run([str(installed["venv"] / "bin" / "python"), "-c",
                  "import quizapp, quizapp.core.paths as p; print(quizapp.__file__); "
                  "print(p.data_location())"], installed["cwd"], {"PATH": os.environ["PATH"]})
    module_file, location = where.stdout.split("\n")[:2]
    assert str(installed["venv"]) in module_file and location == "installed package"

    version = _quizapp(installed, "--version")
    assert version.returncode == 0 and version.stdout.startswith("quizapp ")

    check = _quizapp(installed, "content", "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "0 problem(s)" in check.stdout + check.stderr

    listed = _quizapp(installed, "drill", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    ids = {d["id"] for d in json.loads(listed.stdout)}
    assert ids == {p.name for p in (ROOT / "content" / "drills").iterdir()
                   if (p / "drill.yaml").is_file()}


@pytest.mark.slow
def test_installed_grade_of_a_starter_fails_cleanly(installed: dict[str, Path]) -> None:
    drill = sorted(p.name for p in (ROOT / "content" / "drills").iterdir()
                   if (p / "drill.yaml").is_file())[0]
    started = _quizapp(installed, "drill", "start", drill, "--force")
    assert started.returncode == 0, started.stderr
    graded = _quizapp(installed, "grade", drill)
    assert graded.returncode == 1, graded.stdout + graded.stderr
    output = graded.stdout + graded.stderr
    assert "Traceback" not in output
    assert graded.stdout.splitlines()[0].startswith(f"! {drill} ")


@pytest.mark.slow
def test_installed_drill_verify_passes(installed: dict[str, Path]) -> None:
    # One drill, not --all: verifying all of them from the wheel would add minutes to CI, and
    # the clone's suite verifies every drill; this proves the installed references, mistakes
    # and inputs are all found and readable from outside the clone.
    drill = sorted(p.name for p in (ROOT / "content" / "drills").iterdir()
                   if (p / "drill.yaml").is_file())[-1]
    verified = _quizapp(installed, "drill", "verify", drill, timeout=600)
    assert verified.returncode == 0, verified.stdout[-3000:] + verified.stderr[-2000:]
    assert "Traceback" not in verified.stdout + verified.stderr


@pytest.mark.slow
def test_installed_doctor_reports_a_usable_install(installed: dict[str, Path]) -> None:
    doctor = _quizapp(installed, "doctor", "--json")
    report = json.loads(doctor.stdout)
    assert doctor.returncode == 0 and report["usable"], doctor.stdout
    by_name = {c["name"]: c for c in report["checks"]}
    assert "installed package" in by_name["quizapp"]["detail"]
    assert by_name["content"]["status"] == "ok"
