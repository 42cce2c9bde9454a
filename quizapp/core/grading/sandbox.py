"""Kernel-enforced isolation of the grading child, applied after fork and before user code.

What `confine()` does, in this order, inside the child that is about to import a solution:

- **No regaining privileges.** `PR_SET_NO_NEW_PRIVS`, then every capability dropped (bounding
  set, ambient, effective, permitted): a child running as root can no longer raise its hard
  resource limits (`CAP_SYS_RESOURCE`), and an `execve` gives nothing back.
- **Memory.** The child's address-space limit becomes a *hard* limit (soft = hard), so the
  solution cannot lift it, even temporarily.
- **Landlock** (Linux ≥ 5.13; the ABI is asked of the kernel at run time). The filesystem is
  read+exec only for the Python environment (prefixes, stdlib, site-packages with torch and
  triton and their native libraries) and the system directories they load from (`/usr`,
  `/lib*`, `/etc`, `/proc`, `/sys`), read for the solution file itself, read+write for the
  grade's private temporary directory (HOME, TMPDIR and Triton's cache point there) and
  `/dev/null`, and — for `--device cuda` — `/dev/nvidia*` with device ioctls. Directories
  that hold the grader (`quizapp/`), the oracles (`solutions/`), the drill content and the
  user's data (`QUIZAPP_HOME`) are never granted, even when they lie inside a granted
  directory: that directory's other entries are granted one by one instead. ABI ≥ 4: no
  TCP bind or connect. ABI ≥ 6: no signals to processes outside the sandbox (the grader,
  the zygote) and no abstract unix sockets.
- **The grader's own modules** are dropped from `sys.modules` and an import hook refuses
  `import quizapp…` (the static check refuses it in the source too).

Every step that the platform lacks is recorded in an `Isolation` report, which the child
sends to the parent before the solution is imported; the grade carries it as `isolation`
("isolation: partial (no Landlock)"). Nothing here is a substitute for the limits of
in-process guards: see the README's threat model.
"""

from __future__ import annotations

import ctypes
import errno
import glob
import importlib.abc
import os
import platform
import resource
import sys
import sysconfig
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

# --------------------------------------------------------------------------- Landlock ABI

_SYS_CREATE_RULESET, _SYS_ADD_RULE, _SYS_RESTRICT_SELF = 444, 445, 446  # same on all arches
_CREATE_RULESET_VERSION = 1 << 0
_RULE_PATH_BENEATH = 1

_FS_EXECUTE = 1 << 0
_FS_WRITE_FILE = 1 << 1
_FS_READ_FILE = 1 << 2
_FS_READ_DIR = 1 << 3
_FS_REMOVE_DIR = 1 << 4
_FS_REMOVE_FILE = 1 << 5
_FS_MAKE_CHAR = 1 << 6
_FS_MAKE_DIR = 1 << 7
_FS_MAKE_REG = 1 << 8
_FS_MAKE_SOCK = 1 << 9
_FS_MAKE_FIFO = 1 << 10
_FS_MAKE_BLOCK = 1 << 11
_FS_MAKE_SYM = 1 << 12
_FS_REFER = 1 << 13  # ABI 2
_FS_TRUNCATE = 1 << 14  # ABI 3
_FS_IOCTL_DEV = 1 << 15  # ABI 5
_NET_BIND_TCP = 1 << 0  # ABI 4
_NET_CONNECT_TCP = 1 << 1
_SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0  # ABI 6
_SCOPE_SIGNAL = 1 << 1

#: Rights that make sense on a regular file (the kernel refuses the others there).
_FILE_RIGHTS = _FS_EXECUTE | _FS_WRITE_FILE | _FS_READ_FILE | _FS_TRUNCATE | _FS_IOCTL_DEV
_READ = _FS_EXECUTE | _FS_READ_FILE | _FS_READ_DIR
_WRITE = (_READ | _FS_WRITE_FILE | _FS_REMOVE_DIR | _FS_REMOVE_FILE | _FS_MAKE_DIR
          | _FS_MAKE_REG | _FS_MAKE_SYM | _FS_MAKE_FIFO | _FS_MAKE_SOCK | _FS_REFER
          | _FS_TRUNCATE)

_PR_SET_NO_NEW_PRIVS = 38
_PR_CAPBSET_DROP = 24
_PR_CAP_AMBIENT = 47
_PR_CAP_AMBIENT_CLEAR_ALL = 4
_CAP_VERSION_3 = 0x20080522


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


def _libc() -> Any:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return libc


def landlock_abi() -> int:
    """The kernel's Landlock ABI version (0: unavailable, not Linux, or disabled)."""
    if not sys.platform.startswith("linux"):
        return 0
    try:
        version = _libc().syscall(ctypes.c_long(_SYS_CREATE_RULESET), None, ctypes.c_size_t(0),
                                  ctypes.c_uint32(_CREATE_RULESET_VERSION))
    except (OSError, AttributeError):
        return 0
    return max(int(version), 0)


# --------------------------------------------------------------------------- the report


@dataclass
class Isolation:
    """What `confine()` could apply on this machine (sent to the parent as plain data)."""

    landlock_abi: int = 0
    applied: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def level(self) -> str:
        """"full" when nothing the grader asks for was missing, else "partial"."""
        return "partial" if self.missing else "full"

    def line(self) -> str:
        """One line for a user: "isolation: partial (no Landlock)"."""
        if not self.missing:
            return "isolation: full"
        return f"isolation: partial ({'; '.join(self.missing)})"

    def to_json(self) -> dict[str, Any]:
        """The `isolation` object of `quizapp grade --json`."""
        return {"level": self.level, "line": self.line(), "landlock_abi": self.landlock_abi,
                "applied": list(self.applied), "missing": list(self.missing)}

    @classmethod
    def from_json(cls, data: Any) -> Isolation:
        """Back from `to_json()` (as received over the channel); unknown if malformed."""
        if not isinstance(data, dict):
            return cls(missing=["isolation unknown"])
        return cls(int(data.get("landlock_abi") or 0), [str(a) for a in data.get("applied", [])],
                   [str(m) for m in data.get("missing", [])])


# --------------------------------------------------------------------------- privileges


def drop_privileges(report: Isolation) -> None:
    """no_new_privs and an empty capability set (Linux)."""
    if not sys.platform.startswith("linux"):
        report.missing.append("no privilege dropping (not Linux)")
        return
    libc = _libc()
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        report.missing.append("no no_new_privs")
        return
    libc.prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    for cap in range(64):  # needs CAP_SETPCAP, so before capset; EINVAL past the last cap
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 and ctypes.get_errno() == errno.EINVAL:
            break
    header = _CapHeader(_CAP_VERSION_3, 0)
    data = (_CapData * 2)()
    if libc.capset(ctypes.byref(header), data) != 0:
        report.missing.append("capabilities kept")
        return
    report.applied.append("no privileges")


def hard_memory_limit(limit: int | None, report: Isolation) -> None:
    """Make the address-space limit hard (the solution cannot raise it again)."""
    if limit is None:
        report.missing.append("no memory limit")
        return
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        report.applied.append("hard memory limit")
    except (ValueError, OSError):
        report.missing.append("no hard memory limit")


def set_hard_data_limit(limit: int) -> None:
    """Lower RLIMIT_DATA, soft and hard, to `limit` (for good: a memory-budget case)."""
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


# --------------------------------------------------------------------------- filesystem


def _is_within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


class _Rules:
    """Collects path-beneath rules into a ruleset, skipping protected trees."""

    def __init__(self, libc: Any, ruleset_fd: int, handled: int, protected: Sequence[str]) -> None:
        self.libc = libc
        self.fd = ruleset_fd
        self.handled = handled
        self.protected = [os.path.realpath(p) for p in protected]
        self.failed: list[str] = []

    def grant(self, path: str, access: int) -> None:
        try:
            real = os.path.realpath(path)
            is_dir = os.path.isdir(real)
        except OSError:
            return
        if not os.path.exists(real):
            return
        if any(_is_within(real, p) for p in self.protected):
            return
        if is_dir and any(_is_within(p, real) for p in self.protected):
            # A protected tree lies inside: grant its siblings instead, one level down.
            try:
                entries = os.listdir(real)
            except OSError:
                return
            for entry in entries:
                self.grant(os.path.join(real, entry), access)
            return
        rights = access & self.handled
        if not is_dir:
            rights &= _FILE_RIGHTS
        try:
            fd = os.open(real, os.O_PATH | os.O_CLOEXEC)
        except OSError:
            return
        try:
            rule = _PathBeneath(rights, fd)
            if self.libc.syscall(ctypes.c_long(_SYS_ADD_RULE), ctypes.c_int(self.fd),
                                 ctypes.c_int(_RULE_PATH_BENEATH), ctypes.byref(rule),
                                 ctypes.c_uint32(0)) != 0:
                self.failed.append(real)
        finally:
            os.close(fd)


def python_paths() -> list[str]:
    """Where this interpreter loads code and native libraries from."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             os.path.dirname(os.path.realpath(sys.executable))}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        try:
            paths.add(sysconfig.get_paths()[key])
        except KeyError:
            pass
    try:
        import site

        paths.update(site.getsitepackages())
        paths.add(site.getusersitepackages())
    except (ImportError, AttributeError):
        pass
    # Packages imported so far (torch, triton, numpy, …) wherever they were installed.
    for module in list(sys.modules.values()):
        location = getattr(module, "__file__", None)
        if location and "site-packages" in location:
            paths.add(location.split("site-packages", 1)[0] + "site-packages")
    return sorted(p for p in paths if p)


_SYSTEM_READ = ("/usr", "/lib", "/lib32", "/lib64", "/bin", "/sbin", "/etc", "/proc", "/sys",
                "/dev/zero", "/dev/urandom", "/dev/random")


def restrict_filesystem(*, workdir: str, solution: str, protected: Iterable[str],
                        cuda: bool, report: Isolation) -> None:
    """Apply the Landlock ruleset described in the module docstring to this process."""
    abi = landlock_abi()
    report.landlock_abi = abi
    if abi <= 0:
        report.missing.append("no Landlock")
        return
    libc = _libc()
    handled_fs = (1 << 13) - 1
    if abi >= 2:
        handled_fs |= _FS_REFER
    if abi >= 3:
        handled_fs |= _FS_TRUNCATE
    if abi >= 5:
        handled_fs |= _FS_IOCTL_DEV
    attr = _RulesetAttr(handled_fs, 0, 0)
    size = 8
    if abi >= 4:
        attr.handled_access_net = _NET_BIND_TCP | _NET_CONNECT_TCP
        size = 16
    if abi >= 6:
        attr.scoped = _SCOPE_SIGNAL | _SCOPE_ABSTRACT_UNIX_SOCKET
        size = 24
    ruleset = libc.syscall(ctypes.c_long(_SYS_CREATE_RULESET), ctypes.byref(attr),
                           ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        report.missing.append(f"no Landlock (ruleset refused: {os.strerror(ctypes.get_errno())})")
        return
    try:
        rules = _Rules(libc, int(ruleset), handled_fs, list(protected))
        for path in (*python_paths(), *_SYSTEM_READ, *_cuda_homes()):
            rules.grant(path, _READ)
        rules.grant(solution, _FS_READ_FILE)
        rules.grant(workdir, _WRITE)
        rules.grant("/dev/null", _FS_READ_FILE | _FS_WRITE_FILE)
        if cuda:
            for device in glob.glob("/dev/nvidia*") + glob.glob("/dev/dri/*"):
                rules.grant(device, _FS_READ_FILE | _FS_WRITE_FILE | _FS_IOCTL_DEV)
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or libc.syscall(
                ctypes.c_long(_SYS_RESTRICT_SELF), ctypes.c_int(ruleset),
                ctypes.c_uint32(0)) != 0:
            report.missing.append(f"no Landlock (restrict_self: "
                                  f"{os.strerror(ctypes.get_errno())})")
            return
    finally:
        os.close(int(ruleset))
    report.applied.append(f"Landlock ABI {abi} filesystem")
    if abi >= 4:
        report.applied.append("no TCP")
    else:
        report.missing.append(f"TCP allowed (Landlock ABI {abi} < 4)")
    if abi >= 6:
        report.applied.append("no signals outside the sandbox")
    else:
        report.missing.append(f"signals not scoped (Landlock ABI {abi} < 6)")


def _cuda_homes() -> list[str]:
    homes = [os.environ.get(name, "") for name in ("CUDA_HOME", "CUDA_PATH")]
    homes += [p for p in os.environ.get("LD_LIBRARY_PATH", "").split(os.pathsep)]
    return [h for h in homes if h and os.path.isabs(h)]


# --------------------------------------------------------------------------- imports


class _RefuseGrader(importlib.abc.MetaPathFinder):
    """Refuses `import quizapp…` from the solution: the grader is not part of its world."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> None:
        if fullname == "quizapp" or fullname.startswith("quizapp."):
            raise ImportError(f"a solution cannot import the grader ({fullname})")
        return None


def hide_grader_modules(report: Isolation) -> None:
    """Forget the grader's modules and refuse importing them again."""
    for name in [n for n in sys.modules if n == "quizapp" or n.startswith("quizapp.")]:
        del sys.modules[name]
    sys.meta_path.insert(0, _RefuseGrader())
    report.applied.append("grader modules hidden")


# --------------------------------------------------------------------------- environment

#: Variables a grading child may inherit; everything else (QUIZAPP_HOME, the user's paths,
#: tokens) is dropped.
_KEPT = ("PATH", "LANG", "LANGUAGE", "TZ", "CUDA_VISIBLE_DEVICES", "CUDA_HOME", "CUDA_PATH",
         "LD_LIBRARY_PATH", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "TERM")
_KEPT_PREFIXES = ("LC_", "NVIDIA_", "TRITON_", "TORCH_")
_PER_CHILD = ("TRITON_CACHE_DIR", "TRITON_HOME", "TRITON_DUMP_DIR", "TRITON_OVERRIDE_DIR",
              "TORCHINDUCTOR_CACHE_DIR", "TORCH_HOME", "TORCH_EXTENSIONS_DIR",
              "TRITON_INTERPRET")


def child_environment(base: dict[str, str], package_root: str) -> dict[str, str]:
    """The environment of the zygote (and so of every grading child): no user paths."""
    env = {k: v for k, v in base.items()
           if (k in _KEPT or k.startswith(_KEPT_PREFIXES)) and k not in _PER_CHILD}
    env.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
    # Only so that `python -m quizapp.core.grading.zygote` finds the package from a source
    # checkout; the zygote removes it before any child exists.
    env["PYTHONPATH"] = package_root
    env["PYTHONUNBUFFERED"] = "1"  # prints reach the capped pipe even if the child dies
    env["PYTHONIOENCODING"] = "utf-8"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONNOUSERSITE"] = "1"
    # numpy's BLAS pool would be a second thread in the zygote at fork time; torch has its own.
    env["OPENBLAS_NUM_THREADS"] = "1"
    return env


def use_private_dirs(workdir: str) -> None:
    """Point HOME, TMPDIR and Triton's cache into the grade's private directory."""
    import tempfile

    for name in ("HOME", "TMPDIR", "TMP", "TEMP"):
        os.environ[name] = workdir
    os.environ["TRITON_CACHE_DIR"] = os.path.join(workdir, ".triton", "cache")
    os.environ["TRITON_HOME"] = workdir
    os.environ.pop("PYTHONPATH", None)
    tempfile.tempdir = None


def platform_line() -> str:
    """A short description of the platform, for reports."""
    return f"{platform.system()} {platform.release()}"
