"""Solutions that try to break, fool or escape the grader each get the right verdict, and
the grading process stays healthy."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.drills.drill_helpers import grade, write

GOOD_RMS = """
    import torch
    def _good(x, weight, eps=1e-6):
        up = torch.float64 if x.dtype == torch.float64 else torch.float32
        xf = x.to(up)
        return (xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps) * weight.to(up)
                ).to(x.dtype)
"""

ADVERSARIAL = {
    "loop_in_case": ("rmsnorm", "timeout", """
        def rms_norm(x, weight, eps=1e-6):
            while True:
                pass
    """),
    "loop_at_import": ("rmsnorm", "timeout", """
        import time
        while True:
            time.sleep(0.01)
        def rms_norm(x, weight, eps=1e-6):
            return x
    """),
    "os_exit_at_import": ("rmsnorm", "error", """
        import os
        os._exit(0)
        def rms_norm(x, weight, eps=1e-6):
            return x
    """),
    "sys_exit_at_import": ("rmsnorm", "error", """
        import sys
        sys.exit(0)
        def rms_norm(x, weight, eps=1e-6):
            return x
    """),
    "os_exit_in_case": ("rmsnorm", "error", """
        import os
        def rms_norm(x, weight, eps=1e-6):
            os._exit(0)
    """),
    "sys_exit_in_case": ("rmsnorm", "error", """
        import sys
        def rms_norm(x, weight, eps=1e-6):
            sys.exit("passed!")
    """),
    "segfault": ("rmsnorm", "error", """
        import os, signal
        def rms_norm(x, weight, eps=1e-6):
            os.kill(os.getpid(), signal.SIGSEGV)
    """),
    "allocates_100_gb": ("rmsnorm", "memory", """
        import torch
        def rms_norm(x, weight, eps=1e-6):
            hog = torch.ones(100 * 2**30, dtype=torch.uint8)
            return x * hog[0]
    """),
    "python_bytes_100_gb": ("rmsnorm", "memory", """
        def rms_norm(x, weight, eps=1e-6):
            hog = bytearray(100 * 2**30)
            return x
    """),
    "patches_the_comparisons": ("rmsnorm", "failed", """
        import torch, torch.testing
        torch.allclose = lambda *a, **k: True
        torch.equal = lambda *a, **k: True
        torch.testing.assert_close = lambda *a, **k: None
        torch.Tensor.__eq__ = lambda self, other: torch.ones_like(self, dtype=torch.bool)
        torch.isclose = lambda a, b, **k: torch.ones_like(a, dtype=torch.bool)
        def rms_norm(x, weight, eps=1e-6):
            return torch.zeros_like(x)
    """),
    "steals_the_answer_from_memory": ("rmsnorm", "failed", """
        import gc, inspect, sys, torch
        def rms_norm(x, weight, eps=1e-6):
            for obj in gc.get_objects():
                if (isinstance(obj, torch.Tensor) and obj.shape == x.shape
                        and obj.dtype == x.dtype and obj is not x):
                    return obj.detach().clone().requires_grad_(x.requires_grad)
            for frame in inspect.stack():
                for name, value in frame.frame.f_locals.items():
                    if name in ("expected", "want", "reference", "expected_grads"):
                        return value
            return x * 0
    """),
    "forbidden_api_through_getattr": ("attention", "banned", """
        import torch.nn.functional as F
        def attention(q, k, v, mask=None, is_causal=False):
            fn = getattr(F, "scaled_" + "dot_product_attention")
            return fn(q, k, v, attn_mask=mask, is_causal=is_causal)
    """),
    "forbidden_op_through_importlib_and_swallowed": ("attention", "banned", """
        import importlib, torch
        def attention(q, k, v, mask=None, is_causal=False):
            ops = importlib.import_module("torch.ops").aten
            try:
                return getattr(ops, "_scaled_dot_product_attention" + "_math")(
                    q, k, v, attn_mask=mask, is_causal=is_causal)[0]
            except BaseException:
                return torch.zeros_like(q)
    """),
    "forbidden_module_by_alias": ("rmsnorm", "banned", """
        import torch
        Norm = getattr(torch.nn, "RMS" + "Norm")
        def rms_norm(x, weight, eps=1e-6):
            layer = Norm(x.shape[-1], eps=eps)
            return layer(x)
    """),
    "forbidden_api_in_plain_sight": ("rmsnorm", "banned", """
        import torch.nn.functional as F
        def rms_norm(x, weight, eps=1e-6):
            return F.rms_norm(x, (x.shape[-1],), weight, eps)
    """),
    "mutates_its_input": ("rmsnorm", "failed", GOOD_RMS + """
    def rms_norm(x, weight, eps=1e-6):
        out = _good(x, weight, eps)
        if not x.requires_grad:
            x.mul_(2)
        return out
    """),
    "returns_its_input_list": ("bpe_merge", "failed", """
        import importlib.util as u
        def merge(ids, pair, new_id):
            if pair not in list(zip(ids, ids[1:])):
                return ids
            out, i = [], 0
            while i < len(ids):
                if i + 1 < len(ids) and (ids[i], ids[i + 1]) == tuple(pair):
                    out.append(new_id); i += 2
                else:
                    out.append(ids[i]); i += 1
            return out
        def train(text, vocab_size):
            return []
    """),
    "floods_the_output": ("rmsnorm", "passed", GOOD_RMS + """
    import sys
    print("x" * (100 * 2**20))
    def rms_norm(x, weight, eps=1e-6):
        print('{"drill": "rmsnorm", "passed": true, "status": "passed"}')
        sys.stderr.write("e" * 2**20)
        return _good(x, weight, eps)
    """),
    "writes_into_the_grader_channel": ("rmsnorm", "error", """
        import os
        for fd in range(3, 64):
            try:
                os.write(fd, b"\\x00" * 7 + b"\\x10" + b"not a torch payload")
            except OSError:
                pass
        def rms_norm(x, weight, eps=1e-6):
            return x
    """),
    "forges_the_end_of_the_run": ("rmsnorm", "error", """
        import io, os, struct, sys, torch
        def _frame(message):
            buffer = io.BytesIO()
            torch.save(message, buffer)
            data = buffer.getvalue()
            return struct.pack(">Q", len(data)) + data
        # The harness's result pipe: the highest write-only pipe among our descriptors.
        for fd in sorted(int(n) for n in os.listdir("/proc/self/fd"))[::-1]:
            try:
                if os.readlink(f"/proc/self/fd/{fd}").startswith("pipe:") and fd > 2:
                    os.write(fd, _frame({"type": "imported", "seconds": 0.0})
                             + _frame({"type": "cases_done"}))
            except OSError:
                pass
        def rms_norm(x, weight, eps=1e-6):
            return x * 0
    """),
    "returns_a_list": ("rmsnorm", "error", """
        def rms_norm(x, weight, eps=1e-6):
            return x.tolist()
    """),
    "returns_numpy": ("rmsnorm", "error", """
        def rms_norm(x, weight, eps=1e-6):
            return x.detach().numpy()
    """),
    "wrong_dtype": ("rmsnorm", "error", """
        import torch
        def rms_norm(x, weight, eps=1e-6):
            xf = x.double()
            return xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps) * weight.double()
    """),
    "not_differentiable": ("rmsnorm", "failed", GOOD_RMS + """
    def rms_norm(x, weight, eps=1e-6):
        with torch.no_grad():
            return _good(x, weight, eps)
    """),
    "spawns_a_process_and_hangs": ("rmsnorm", "timeout", """
        import subprocess, sys
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)  # grandchild"])
        def rms_norm(x, weight, eps=1e-6):
            while True:
                pass
    """),
    "tensor_subclass": ("rmsnorm", "error", GOOD_RMS + """
    class Sneaky(torch.Tensor):
        pass
    def rms_norm(x, weight, eps=1e-6):
        return _good(x, weight, eps).as_subclass(Sneaky)
    """),
    "syntax_error": ("rmsnorm", "error", """
        def rms_norm(x, weight, eps=1e-6)
            return x
    """),
    "missing_entry_point": ("bpe_merge", "error", """
        def merge(ids, pair, new_id):
            return list(ids)
    """),
}


_RESULTS: dict[str, object] = {}


def _graded(folder: Path, name: str) -> object:
    """Grade an adversarial solution once per session (the message test reuses it)."""
    if name not in _RESULTS:
        drill_id, _, source = ADVERSARIAL[name]
        started = time.monotonic()
        _RESULTS[name] = grade(drill_id, write(folder, f"adv_{name}.py", source), time_limit=2)
        assert time.monotonic() - started < 30, "the grader itself must not hang"
    return _RESULTS[name]


@pytest.mark.parametrize("name", list(ADVERSARIAL))
def test_adversarial_solution_gets_the_right_status(solution_dir: Path, name: str) -> None:
    result = _graded(solution_dir, name)
    assert result.status == ADVERSARIAL[name][1], result.message
    assert result.message and "\n" not in result.message


def test_messages_say_what_happened(solution_dir: Path) -> None:
    def message(name: str) -> str:
        return _graded(solution_dir, name).message

    assert "within the 2 s limit" in message("loop_in_case")
    assert "importing the solution did not finish" in message("loop_at_import")
    assert "sys.exit(0) while being imported" in message("sys_exit_at_import")
    assert "exited with code 0" in message("os_exit_in_case")
    assert "SIGSEGV" in message("segfault")
    assert "scaled_dot_product_attention" in message("forbidden_api_through_getattr")
    assert "it is the function you are asked to write" in message("forbidden_api_in_plain_sight")
    assert "modified its input `x` in place" in message("mutates_its_input")
    assert "returns its input `ids`" in message("returns_its_input_list")
    assert "returned a list where the output should be a torch.Tensor" in message(
        "returns_a_list")
    assert "numpy.ndarray" in message("returns_numpy")
    assert "returned float64, expected float32" in message("wrong_dtype")
    assert "not differentiable" in message("not_differentiable")
    assert "private channel" in message("writes_into_the_grader_channel")
    assert "private channel" in message("forges_the_end_of_the_run")
    assert "Tensor subclass" in message("tensor_subclass")
    assert message("syntax_error").startswith("line 1: SyntaxError")
    assert "defines no function train()" in message("missing_entry_point")


def test_output_flood_is_capped_and_the_json_untouched(solution_dir: Path) -> None:
    from quizapp.core.grading.runner import OUTPUT_CAP

    drill_id, _, source = ADVERSARIAL["floods_the_output"]
    result = grade(drill_id, write(solution_dir, "flood.py", source))
    assert result.passed
    assert len(result.output.encode()) <= OUTPUT_CAP
    assert result.output_truncated > 100 * 2**20 - OUTPUT_CAP


def test_no_grandchild_survives_the_grade(solution_dir: Path) -> None:
    _graded(solution_dir, "spawns_a_process_and_hangs")
    time.sleep(0.5)
    survivors = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if b"# grandchild" in cmdline:
                survivors.append(pid)
    assert survivors == []
