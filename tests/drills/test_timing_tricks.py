"""`--bench` cannot be fooled (issue 10 §3): four classic tricks never give "faster".

Every solution here is correct and, apart from its trick, the same code as the baseline
(`BENCH_BASELINES`), so an honest measurement cannot call it faster; each trick, if the
timing could be fooled, would make it look several times faster.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from quizapp.core.grading.timing import summarize, verdict
from tests.drills.drill_helpers import grade, write

BASELINE_RMS = """
import torch
def _rms(x, weight, eps=1e-6):
    up = torch.float64 if x.dtype == torch.float64 else torch.float32
    xf = x.to(up)
    y = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps)
    return (weight.to(up) * y).to(x.dtype) if up == torch.float64 else weight * y.to(x.dtype)
"""

TRICKS = {
    # Serve the previous result again (what a result cache does on repeated inputs).
    "stale_cache": BASELINE_RMS + """
_last = {}
def rms_norm(x, weight, eps=1e-6):
    if torch.is_grad_enabled() or x.dtype != torch.float32 or x.numel() < 1_000_000:
        return _rms(x, weight, eps)
    if "out" not in _last:
        _last["out"] = _rms(x, weight, eps)
    return _last["out"]
""",
    # A content-keyed cache: cannot help when no input is ever seen twice.
    "content_cache": BASELINE_RMS + """
import hashlib
_cache = {}
def rms_norm(x, weight, eps=1e-6):
    if torch.is_grad_enabled():
        return _rms(x, weight, eps)
    key = hashlib.sha1(x.numpy().tobytes()[:4096]).hexdigest()
    if key not in _cache:
        _cache[key] = _rms(x, weight, eps)
    return _cache[key]
""",
    # Slow down what the baseline uses (torch.rsqrt, Tensor.pow) in this process.
    "patches_torch": BASELINE_RMS + """
import time
_rsqrt, _pow = torch.rsqrt, torch.Tensor.pow
def _slow_rsqrt(*a, **k):
    time.sleep(0.02)
    return _rsqrt(*a, **k)
def _slow_pow(self, *a, **k):
    time.sleep(0.02)
    return _pow(self, *a, **k)
def rms_norm(x, weight, eps=1e-6):
    up = torch.float64 if x.dtype == torch.float64 else torch.float32
    xf = x.to(up)
    y = xf / (xf * xf).mean(-1, keepdim=True).add(eps).sqrt()
    return (weight.to(up) * y).to(x.dtype) if up == torch.float64 else weight * y.to(x.dtype)
torch.rsqrt = _slow_rsqrt
torch.Tensor.pow = _slow_pow
""",
    # Replace every clock and sampler the child could use.
    "replaces_the_sampler": BASELINE_RMS + """
import time
import torch.utils.benchmark as _bench
time.perf_counter = lambda: 0.0
time.monotonic = lambda: 0.0
time.perf_counter_ns = lambda: 0
class _Fast:
    def __init__(self, *a, **k): pass
    def timeit(self, n=1):
        class _M:
            mean = median = 1e-9
            times = [1e-9]
        return _M()
    blocked_autorange = adaptive_autorange = timeit
_bench.Timer = _Fast
rms_norm = _rms
""",
    # A thread that holds the GIL in a busy Python loop all the time (during the baseline
    # too, if the baseline shared the process).
    "gil_thread": BASELINE_RMS + """
import threading
def _spin():
    while True:
        pass
threading.Thread(target=_spin, daemon=True).start()
rms_norm = _rms
""",
}


@pytest.mark.parametrize("name", list(TRICKS))
def test_a_timing_trick_never_gives_faster(solution_dir: Path, name: str) -> None:
    result = grade("rmsnorm", write(solution_dir, f"trick_{name}.py", TRICKS[name]),
                   bench=True, bench_seconds=0.4, time_limit=120)
    assert result.passed, result.message
    if name == "stale_cache":
        assert result.timing is None and "timing rejected" in result.message, result.message
        assert "wrong" in result.message
        return
    if result.timing is not None:
        assert result.timing.verdict != "faster", result.message
        assert result.timing.verdict != "suspicious", result.message


def test_honest_timing_checks_every_output(solution_dir: Path) -> None:
    result = grade("rmsnorm", write(solution_dir, "honest.py", BASELINE_RMS + "rms_norm = _rms\n"),
                   bench=True, bench_seconds=0.4)
    assert result.passed and result.timing is not None, result.message
    data = result.timing.to_json()
    assert "outputs checked" in data["label"] and data["samples"] >= 5


def test_ratios_beyond_ten_are_flagged_not_called_faster() -> None:
    assert verdict((0.05, 0.08)) == "suspicious"
    timing = summarize({"device": "cpu", "threads": 1, "paired": True, "checked": 6,
                        "samples": {"user": [1.0] * 6, "reference": [20.0] * 6}},
                       size="n", baseline="reference.py")
    assert timing.verdict == "suspicious" and "second look" in timing.summary()
