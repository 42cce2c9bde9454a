"""The Triton kernels in solutions/ compile for real GPUs, checked without one.

The interpreter (test_solutions_kernels.py) runs kernels as numpy code, so it cannot catch
what only the compiler rejects: type mismatches across loop iterations, unsupported dot
shapes or dtypes, constexpr misuse. Here each kernel is compiled ahead of time to a cubin for
sm_90 (H100) and sm_80 (A100) with Triton's bundled ptxas, in one child process without
TRITON_INTERPRET, for the configurations the launchers use. Nothing is run; gpu_check.py
does that on a GPU.

Also checks bench/gpu_check.py: without CUDA it exits 2 with one clear line, and ``--smoke``
runs every code path of it on CPU.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

FLOAT_SCALARS = {"eps", "qk_scale"}


def signature(arg_names: list[str], pointers: dict[str, str], constexprs: dict[str, Any]) -> dict:
    """Triton's signature for a kernel: pointers as given, float scalars fp32, other
    runtime scalars (strides, sizes) i32, constexprs marked as such, in argument order."""
    sig = {}
    for name in arg_names:
        if name in constexprs:
            sig[name] = "constexpr"
        elif name in pointers:
            sig[name] = pointers[name]
        else:
            sig[name] = "fp32" if name in FLOAT_SCALARS else "i32"
    return sig


def _attention(dt: str, d: int, block: tuple[int, int, int, int], causal: bool, mask: bool,
               arch: int = 90) -> dict[str, Any]:
    sig = {"Q": f"*{dt}", "K": f"*{dt}", "V": f"*{dt}", "MASK": "*u8", "OUT": f"*{dt}"}
    block_d = max(16, 1 << (d - 1).bit_length())
    constexprs = {"HEAD_DIM": d, "BLOCK_D": block_d, "BLOCK_M": block[0], "BLOCK_N": block[1],
                  "IS_CAUSAL": causal, "HAS_MASK": mask,
                  "DOT_PRECISION": "ieee" if dt == "fp32" else "tf32"}
    name = f"attention {dt} D={d} {block[:2]} causal={causal} mask={mask} sm_{arch}"
    return {"name": name, "drill": "attention", "kernel": "_attention_fwd_kernel", "sig": sig,
            "constexprs": constexprs, "warps": block[2], "stages": block[3], "arch": arch}


def _rms(kind: str, dt: str, block: int, one_block: bool = True) -> dict[str, Any]:
    acc = "*fp64" if dt == "fp64" else "*fp32"
    if kind == "fwd":
        sig = {"X": f"*{dt}", "W": f"*{dt}", "Y": f"*{dt}", "RSTD": acc}
        constexprs = {"BLOCK_N": block, "ONE_BLOCK": one_block, "FP64": dt == "fp64"}
    else:
        sig = {"X": f"*{dt}", "W": f"*{dt}", "DY": f"*{dt}", "DX": f"*{dt}", "DW_PARTIAL": acc,
               "RSTD": acc}
        constexprs = {"BLOCK_N": block, "FP64": dt == "fp64"}
    name = f"rmsnorm {kind} {dt} BLOCK_N={block}" + ("" if one_block else " streamed")
    return {"name": name, "drill": "rmsnorm", "kernel": f"_rms_norm_{kind}_kernel", "sig": sig,
            "constexprs": constexprs, "warps": min(16, max(1, block // 256)), "stages": 3,
            "arch": 90}


def _merge(dt: str) -> dict[str, Any]:
    sig = {n: f"*{dt}" for n in ("M1", "L1", "O1", "M2", "L2", "O2", "M_OUT", "L_OUT", "O_OUT")}
    return {"name": f"merge_states {dt}", "drill": "softmax_merge",
            "kernel": "_merge_states_kernel", "sig": sig,
            "constexprs": {"BLOCK_R": 32, "BLOCK_D": 128, "FP64": dt == "fp64"}, "warps": 4,
            "stages": 3, "arch": 90}


def _matmul(dt: str, arch: int = 90) -> dict[str, Any]:
    """solutions/matmul/kernel.py's launcher configuration for dtype `dt` (its _config)."""
    sig = {"A": f"*{dt}", "B": f"*{dt}", "C": f"*{dt}"}
    if dt == "fp32":
        blocks, warps, precision = (64, 64, 32), 4, "ieee"
    else:
        blocks, warps, precision = (128, 256, 64), 8, "tf32"
    constexprs = {"BLOCK_M": blocks[0], "BLOCK_N": blocks[1], "BLOCK_K": blocks[2],
                  "GROUP_M": 8, "DOT_PRECISION": precision}
    return {"name": f"matmul {dt} {blocks} sm_{arch}", "drill": "matmul",
            "kernel": "_matmul_kernel", "sig": sig, "constexprs": constexprs, "warps": warps,
            "stages": 3, "arch": arch}


# The launchers' configurations (solutions/attention/kernel.py: first CUDA configs).
COMPILES = [
    _attention("fp16", 128, (128, 64, 8, 3), False, False),
    _attention("bf16", 64, (128, 64, 8, 3), True, False),
    _attention("fp16", 80, (64, 64, 4, 3), False, True),
    _attention("fp32", 64, (64, 32, 4, 2), True, False),
    _attention("fp16", 64, (128, 64, 8, 3), True, False, arch=80),
    _rms("fwd", "fp16", 8192),
    _rms("fwd", "fp32", 8192, one_block=False),
    _rms("fwd", "fp64", 1024),
    _rms("bwd", "bf16", 4096),
    _merge("fp16"),
    _merge("fp64"),
    _matmul("fp16"),
    _matmul("bf16"),
    _matmul("fp32"),
    _matmul("fp16", arch=80),
]


@pytest.fixture(scope="module")
def compile_results() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "TRITON_INTERPRET"}
    proc = subprocess.run([sys.executable, __file__], env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, f"compile checks crashed:\n{proc.stderr[-4000:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.slow
@pytest.mark.parametrize("name", [c["name"] for c in COMPILES])
def test_triton_kernel_compiles_for_gpu(name: str, compile_results: dict[str, str]) -> None:
    assert compile_results[name] == "", compile_results[name]


def test_gpu_check_without_cuda_exits_2_with_one_clear_line() -> None:
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "gpu_check.py")], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1 and "no CUDA device" in lines[0]
    assert "Traceback" not in proc.stderr


@pytest.mark.slow
def test_gpu_check_smoke_run_exercises_every_section_on_cpu(tmp_path: Path) -> None:
    """The whole script at toy sizes under the interpreter (about 45 s of CPU; the timeout
    allows for a loaded machine): every discovered kernel has rows, every row is within
    tolerance, the targets are judged, the report file is written."""
    out = tmp_path / "report.txt"
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "gpu_check.py"), "--smoke",
                           "--out", str(out)], capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    table = proc.stdout
    for label in ("peak", "attention", "rmsnorm", "merge_states", "blockwise", "F.rms_norm",
                  "SDPA", "reference (fp64)", "edge fully masked rows", "edge empty states",
                  "cuBLAS", "edge b = Wᵀ view", "edge decode at 99999", "paged_attn",
                  "× torch", "targets (issue 13 §3)", "≥85% copy",
                  "matmul 4096×4096×4096 float16: not measured"):
        assert label in table, f"{label!r} missing from the table"
    kernels = sorted(p.parent.name for p in (ROOT / "solutions").glob("*/kernel.py"))
    assert "matmul" in kernels and len(kernels) >= 8
    rows = table.split("targets (issue 13 §3)")[0]
    for drill in kernels:
        name = {"softmax_merge": "merge_states", "paged_attention": "paged_attn"}.get(drill, drill)
        assert f"\n{name} " in rows, f"no row for solutions/{drill}/kernel.py"
    assert "FAIL" not in table and "ERROR" not in table
    assert "all kernel checks passed" in table
    assert out.read_text(encoding="utf-8").strip() == table.strip()


def test_gpu_check_has_a_section_for_every_discovered_kernel() -> None:
    """Every solutions/<id>/kernel.py has a section in gpu_check.py (a run reports one
    without a section as an ERROR row; the full run needs a GPU, so the discovery is checked
    here)."""
    spec = importlib.util.spec_from_file_location("_gpu_check", ROOT / "bench" / "gpu_check.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    found = module.discovered_kernels()
    assert set(found) <= set(module.SECTIONS), set(found) - set(module.SECTIONS)
    assert {"rmsnorm", "softmax_merge", "rope", "paged_attention", "cross_entropy",
            "layernorm", "attention", "matmul"} <= set(found)
    assert module.gpu_slug("NVIDIA H100 80GB HBM3") == "nvidia-h100-80gb-hbm3"


def _child() -> dict[str, str]:
    """Compile every configuration in COMPILES; '' for success, else the error."""
    import triton
    from triton.backends.compiler import GPUTarget
    from triton.compiler import ASTSource

    modules: dict[str, Any] = {}
    results: dict[str, str] = {}
    for item in COMPILES:
        drill = item["drill"]
        if drill not in modules:
            path = ROOT / "solutions" / drill / "kernel.py"
            spec = importlib.util.spec_from_file_location(f"_compile_{drill}", path)
            assert spec is not None and spec.loader is not None
            modules[drill] = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(modules[drill])
        fn = getattr(modules[drill], item["kernel"])
        sig = signature(fn.arg_names, item["sig"], item["constexprs"])
        try:
            triton.compile(
                ASTSource(fn=fn, signature=sig, constexprs=item["constexprs"]),
                target=GPUTarget("cuda", item["arch"], 32),
                options={"num_warps": item["warps"], "num_stages": item["stages"]},
            )
            results[item["name"]] = ""
        except Exception as err:  # report per configuration, keep compiling the rest
            results[item["name"]] = f"{type(err).__name__}: {str(err)[-1500:]}"
    return results


if __name__ == "__main__":
    print(json.dumps(_child()))
