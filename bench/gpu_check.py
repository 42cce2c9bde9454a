"""Check and time every Triton kernel in solutions/ on a CUDA GPU.

    python bench/gpu_check.py            # full run (a few minutes on an H100)
    python bench/gpu_check.py --quick    # smaller sizes, fewer rows
    python bench/gpu_check.py --only rmsnorm,attention
    python bench/gpu_check.py --only cross_entropy,layernorm
    python bench/gpu_check.py --smoke    # no GPU: every code path at toy sizes on CPU
    python bench/gpu_check.py --out FILE # the results file (default on a GPU:
                                         # bench/results/gpu_check_<gpu-name>.txt)

What it does, in order:

1. Measures the device's peaks in this run: memory bandwidth from a 1 GiB device-to-device
   copy, and dense matmul throughput (8192³) in float16, bfloat16 and float32 (TF32 off).
2. Compiled edge cases the CPU interpreter cannot cover: bfloat16 attention, fully masked
   rows, key-padding masks, ragged lengths, D = 80, non-contiguous inputs, decode (Sq = 1),
   float16 |x| ≈ 300 RMSNorm and its backward, rows longer than one block, empty softmax
   states; cross-entropy with ±1e4 logits, every row ignored, odd vocabularies, strided
   logits, label smoothing; LayerNorm streamed rows, float64, σ ≈ 300 in float16.
3. At realistic sizes, for each kernel and dtype: the Triton kernel, the torch built-in
   (``F.rms_norm``, ``F.scaled_dot_product_attention``, an eager merge, ``F.cross_entropy``
   and ``F.layer_norm`` forward and forward + backward) and the float64
   reference oracle. Errors are measured against the oracle as max |a − b| / (1 + |b|);
   times are medians from ``triton.testing.do_bench`` (which clears L2 before every run);
   throughput is GB/s for memory-bound kernels and TFLOP/s for attention, with the
   percentage of the peak measured in step 1.

4. The issue's targets, one PASS/MISS line each, from the rows of step 3 in this same run:
   memory-bound kernels (RMSNorm, LayerNorm, RoPE, cross-entropy, merge states) at ≥ 85 %
   of the copy bandwidth measured in step 1; matmul at ≥ 0.8× cuBLAS (``torch.matmul``)
   at 4096³ float16; attention forward at ≥ 0.8× SDPA's throughput at B = 4, H = 32,
   S = 4096, D = 128, float16, causal and not. Every timed Triton row also shows its speed
   against its torch baseline (× torch: baseline ms / Triton ms, above 1 is faster).

The kernels are discovered from the drill bundles (``solutions/*/kernel.py``); a kernel
without a section here is an ERROR row, so a new Triton drill cannot go unchecked. On a GPU
the table is also written to ``bench/results/gpu_check_<gpu-name>.txt``.

``--smoke`` checks this script itself where there is no GPU: toy sizes, kernels under
``TRITON_INTERPRET=1`` on CPU, wall-clock timing; its numbers mean nothing.

Exit status: 0 when every check is within tolerance, 1 when any is not or raised, 2 when
there is no CUDA device (or torch/triton are missing).
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import os
import statistics
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = ("attention", "rmsnorm", "softmax_merge", "cross_entropy", "layernorm", "rope",
            "paged_attention", "matmul")
#: Kernels timed in GB/s whose target is a fraction of the measured copy bandwidth.
MEMORY_BOUND = ("rmsnorm", "layernorm", "rope", "cross_entropy", "merge_states")
COPY_TARGET = 0.85
#: Triton over its torch baseline (time ratio) for the compute-bound targets.
SPEED_TARGET = 0.8
MATMUL_TARGET_SHAPE = "4096×4096×4096"
ATTENTION_TARGET_SHAPES = ("4×32×4096×128", "4×32×4096×128 causal")
HALF_AND_FP32 = ("float16", "bfloat16", "float32")
# Max scaled error |a − b| / (1 + |b|) allowed against the float64 oracle.
TOLERANCE = {"float16": 4e-3, "bfloat16": 3.2e-2, "float32": 2e-5, "float64": 1e-10}

# Sizes per mode. "smoke" runs on CPU under the Triton interpreter, which has no bfloat16 dot.
SIZES: dict[str, dict[str, Any]] = {
    "full": {
        "copy_elems": 1 << 28,  # float32: 1 GiB
        "matmul": 8192,
        "rmsnorm": [(4096, 4096), (16384, 8192), (2048, 16384)],
        "attention": [
            # (B, H, S, D, causal, dtypes)
            (4, 32, 1024, 128, False, HALF_AND_FP32),
            (4, 32, 1024, 128, True, ("float16", "bfloat16")),
            (2, 16, 4096, 64, False, ("float16", "bfloat16")),
            (2, 16, 4096, 128, True, ("float16", "bfloat16")),
            (1, 16, 8192, 64, True, ("float16",)),
            # The attention targets (≥ 0.8× SDPA):
            (4, 32, 4096, 128, False, ("float16", "bfloat16")),
            (4, 32, 4096, 128, True, ("float16", "bfloat16")),
        ],
        "merge": [(4 * 32 * 4096, 128), (16 * 8192, 64)],
        "blockwise": (2, 16, 2048, 64, 256),
        "attention_edge_dtypes": HALF_AND_FP32,
        "cross_entropy": [(8192, 32000), (4096, 128256)],
        "layernorm": [(4096, 4096), (16384, 8192)],
        # (B, H, S, D)
        "rope": [(4, 32, 4096, 128), (16, 32, 4096, 128)],
        # (B, Hq, Hkv, D, block size, sequence length)
        "paged_attention": [(32, 32, 8, 128, 16, 4096), (64, 64, 8, 128, 16, 2048)],
        # (M, K, N, dtypes)
        "matmul_sizes": [(4096, 4096, 4096, HALF_AND_FP32), (8192, 8192, 8192, ("float16",)),
                         (4097, 4093, 4099, ("float16",)), (16, 8192, 8192, ("float16",))],
    },
    "quick": {
        "copy_elems": 1 << 26,
        "matmul": 4096,
        "rmsnorm": [(4096, 4096)],
        "attention": [
            (4, 32, 1024, 128, False, HALF_AND_FP32),
            (4, 32, 1024, 128, True, ("float16", "bfloat16")),
            (4, 32, 4096, 128, False, ("float16",)),
            (4, 32, 4096, 128, True, ("float16",)),
        ],
        "merge": [(4 * 32 * 4096, 128)],
        "blockwise": (1, 8, 1024, 64, 128),
        "attention_edge_dtypes": HALF_AND_FP32,
        "cross_entropy": [(4096, 32000)],
        "layernorm": [(4096, 4096)],
        "rope": [(4, 32, 4096, 128)],
        "paged_attention": [(32, 32, 8, 128, 16, 4096)],
        "matmul_sizes": [(4096, 4096, 4096, ("float16", "bfloat16"))],
    },
    "smoke": {
        "copy_elems": 1 << 16,
        "matmul": 64,
        "rmsnorm": [(8, 96), (2, 9000)],
        "attention": [
            (1, 2, 40, 32, False, ("float16", "float32")),
            (1, 1, 33, 64, True, ("float32",)),
        ],
        "merge": [(300, 24)],
        "blockwise": (1, 2, 40, 16, 16),
        "attention_edge_dtypes": ("float16", "float32"),
        "cross_entropy": [(16, 5000)],
        "layernorm": [(16, 96)],
        "rope": [(1, 2, 40, 32)],
        "paged_attention": [(2, 4, 2, 32, 16, 37)],
        "matmul_sizes": [(70, 50, 40, ("float16", "float32"))],
    },
}


@dataclass
class Row:
    """One line of the results table."""

    kernel: str
    impl: str
    shape: str
    dtype: str
    err: float | None = None
    ms: float | None = None
    throughput: float | None = None
    unit: str = ""
    pct_peak: float | None = None
    status: str = "ok"
    #: Baseline ms / this row's ms (Triton rows with a torch baseline in the same run).
    vs_torch: float | None = None
    target: str = ""
    verdict: str = ""


#: The torch baseline of each Triton row, by impl label (same kernel, shape and dtype).
BASELINES = {
    "triton": ("F.rms_norm", "SDPA", "torch eager fp32", "torch eager", "cuBLAS"),
    "triton fwd": ("F.cross_entropy fwd", "F.layer_norm fwd"),
    "triton fwd+bwd": ("F.cross_entropy fwd+bwd",),
    "triton bwd": ("F.layer_norm autograd bwd",),
}


def discovered_kernels() -> list[str]:
    """The drills whose bundle has a Triton reference kernel (solutions/<id>/kernel.py)."""
    return sorted(path.parent.name for path in (ROOT / "solutions").glob("*/kernel.py"))


def gpu_slug(name: str) -> str:
    """'NVIDIA H100 80GB HBM3' -> 'nvidia-h100-80gb-hbm3' (for the results file's name)."""
    return "-".join("".join(c if c.isalnum() else " " for c in name.lower()).split())


def load(drill: str, name: str) -> ModuleType:
    """Import solutions/<drill>/<name>.py (solutions/ is not a package)."""
    path = ROOT / "solutions" / drill / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"gpu_check_{drill}_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def whole(output: Any) -> Any:
    """Compare an entry point's whole output (the default view)."""
    return output


class Checker:
    """Runs the checks and timings and collects table rows."""

    def __init__(self, torch: Any, triton: Any, mode: str) -> None:
        self.torch = torch
        self.triton = triton
        self.mode = mode
        self.sizes = SIZES[mode]
        self.dev = torch.device("cpu" if mode == "smoke" else "cuda")
        self.rows: list[Row] = []
        self.peak_gbs = 0.0
        self.peak_tflops: dict[str, float] = {}
        self.gen = torch.Generator(device=self.dev).manual_seed(0)

    # -- helpers ---------------------------------------------------------------------------

    def randn(self, *shape: int, dtype: Any, scale: float = 1.0, offset: float = 0.0) -> Any:
        t = self.torch.randn(*shape, generator=self.gen, device=self.dev, dtype=self.torch.float32)
        return (t * scale + offset).to(dtype)

    def bench(self, fn: Callable[[], Any]) -> float:
        """Median milliseconds of fn on the GPU, L2 cleared before each run."""
        if self.mode == "smoke":  # wall clock on CPU: only exercises the plumbing
            times = []
            for _ in range(3):
                start = time.perf_counter()
                fn()
                times.append((time.perf_counter() - start) * 1e3)
            return statistics.median(times)
        try:
            return float(self.triton.testing.do_bench(fn, return_mode="median"))
        except TypeError:  # a triton from before return_mode
            return float(self.triton.testing.do_bench(fn))

    def error(self, got: Any, want: Any) -> float:
        """max |got − want| / (1 + |want|) over tensors or tuples of tensors; inf on a shape
        mismatch or a NaN."""
        if isinstance(got, (tuple, list)):
            return max(self.error(g, w) for g, w in zip(got, want, strict=True))
        if got.shape != want.shape:
            return math.inf
        a, b = got.double(), want.double()
        if a.isnan().any() or b.isnan().any():
            return math.inf
        if a.numel() == 0:
            return 0.0
        # Matching infinities (empty states' m = −inf) are agreement, not an error.
        same_inf = (a == b) & a.isinf()
        diff = ((a - b).abs() / (1 + b.abs())).masked_fill(same_inf, 0.0)
        return float(diff.max())

    def fits(self, nbytes: float) -> bool:
        """Whether nbytes of scratch may be allocated without crowding the device."""
        if self.dev.type != "cuda":
            return True
        free, _ = self.torch.cuda.mem_get_info()
        return nbytes < 0.5 * free

    def record(self, row: Row, fn: Callable[[Row], None]) -> None:
        """Run fn(row), which fills the row in; an exception becomes an error row."""
        try:
            fn(row)
        except self.torch.cuda.OutOfMemoryError:
            row.status = "skip: out of memory"
        except Exception as err:  # the table must show every failure and carry on
            row.status = f"ERROR {type(err).__name__}: {str(err).splitlines()[0][:90]}"
            traceback.print_exc(file=sys.stderr)
        finally:
            if self.dev.type == "cuda":
                self.torch.cuda.empty_cache()
        self.rows.append(row)
        print(f"  {row.kernel:<13} {row.impl:<24} {row.shape:<26} {row.dtype:<9} {row.status}",
              file=sys.stderr, flush=True)

    def judge(self, row: Row, err: float) -> None:
        """Store the error and fail the row when it is over the dtype's tolerance."""
        row.err = err
        if not err <= TOLERANCE[row.dtype]:
            row.status = f"FAIL: error {err:.2e} > {TOLERANCE[row.dtype]:.0e}"

    def compare(self, row: Row, got: Callable[[], Any], want: Callable[[], Any]) -> None:
        """An edge-case row: the kernel's output against the oracle's, no timing."""
        self.judge(row, self.error(got(), want()))

    def timed(
        self,
        row: Row,
        fn: Callable[[], Any],
        want: Any,
        *,
        check: bool,
        nbytes: float = 0.0,
        flops: float = 0.0,
        view: Callable[[Any], Any] = whole,
    ) -> None:
        """A realistic-size row: error of view(fn()) against want (failing the row only when
        ``check``), then the median time and the throughput."""
        if want is not None:
            err = self.error(view(fn()), want)
            if check:
                self.judge(row, err)
            else:
                row.err = err
        row.ms = self.bench(fn)
        if flops:
            row.throughput, row.unit = flops / (row.ms * 1e-3) / 1e12, "TFLOP/s"
            peak = self.peak_tflops.get(row.dtype)
        else:
            row.throughput, row.unit = nbytes / (row.ms * 1e-3) / 1e9, "GB/s"
            peak = self.peak_gbs
        row.pct_peak = 100 * row.throughput / peak if peak else None

    # -- 1. peaks --------------------------------------------------------------------------

    def measure_peaks(self) -> None:
        """Copy bandwidth and matmul throughput of this device, measured now."""
        torch = self.torch
        torch.backends.cuda.matmul.allow_tf32 = False
        n = self.sizes["copy_elems"]
        src = torch.empty(n, device=self.dev)
        dst = torch.empty_like(src)
        ms = self.bench(partial(dst.copy_, src))
        self.peak_gbs = 2 * n * 4 / (ms * 1e-3) / 1e9
        self.rows.append(Row("peak", "copy_ d2d", f"{n * 4 / 2**20:g} MiB", "float32", ms=ms,
                             throughput=self.peak_gbs, unit="GB/s", pct_peak=100.0))
        src = dst = None
        size = self.sizes["matmul"]
        for name in HALF_AND_FP32:
            a = self.randn(size, size, dtype=getattr(torch, name))
            b = self.randn(size, size, dtype=getattr(torch, name))
            ms = self.bench(partial(torch.matmul, a, b))
            self.peak_tflops[name] = 2 * size**3 / (ms * 1e-3) / 1e12
            self.rows.append(Row("peak", "matmul", f"{size}³", name, ms=ms,
                                 throughput=self.peak_tflops[name], unit="TFLOP/s",
                                 pct_peak=100.0))

    # -- 2. compiled edge cases ------------------------------------------------------------

    def edge_rmsnorm(self) -> None:
        torch = self.torch
        k, r = load("rmsnorm", "kernel"), load("rmsnorm", "reference")
        for name in (*HALF_AND_FP32, "float64"):
            dtype = getattr(torch, name)
            x = self.randn(3, 7, 4096, dtype=dtype, scale=300, offset=50)
            w = self.randn(4096, dtype=dtype, scale=0.2, offset=1)
            self.record(Row("rmsnorm", "edge |x|≈300 eps=1e-5", "3×7×4096", name),
                        partial(self.compare, got=partial(k.rms_norm, x, w, 1e-5),
                                want=partial(r.rms_norm, x, w, 1e-5)))
            self.record(Row("rmsnorm", "edge backward", "64×1000", name),
                        partial(self.rms_backward, k.rms_norm, r.rms_norm, dtype))
        x = self.randn(2, 20000, dtype=torch.float32, offset=0.5)
        w = self.randn(20000, dtype=torch.float32)
        self.record(Row("rmsnorm", "edge N=20000 (streamed)", "2×20000", "float32"),
                    partial(self.compare, got=partial(k.rms_norm, x, w),
                            want=partial(r.rms_norm, x, w)))

    def rms_backward(self, kernel: Callable[..., Any], ref: Callable[..., Any], dtype: Any,
                     row: Row) -> None:
        """Gradients of Σ rms_norm(x, w)·g for x and w, kernel against oracle."""
        x0 = self.randn(64, 1000, dtype=dtype, scale=3, offset=1)
        w0 = self.randn(1000, dtype=dtype, scale=0.2, offset=1)
        gy = self.randn(64, 1000, dtype=dtype)
        grads = []
        for fn in (kernel, ref):
            x, w = x0.clone().requires_grad_(), w0.clone().requires_grad_()
            (fn(x, w) * gy).sum().backward()
            # dw sums 64 rows: compare it per row so the tolerance stays per-element.
            grads.append((x.grad, w.grad / x0.shape[0]))
        self.judge(row, self.error(grads[0], grads[1]))

    def edge_attention(self) -> None:
        torch = self.torch
        k, r = load("attention", "kernel"), load("attention", "reference")
        cases: list[tuple[str, tuple[int, int, int, int, int], str]] = [
            ("ragged causal", (2, 3, 77, 77, 64), "causal"),
            ("Sq≠Sk, D=80", (2, 2, 33, 130, 80), "plain"),
            ("fully masked rows", (2, 2, 50, 70, 32), "rows"),
            ("key padding (B,1,1,Sk)", (2, 4, 64, 96, 128), "padding"),
            ("(B,S,H,D) strides", (2, 3, 40, 40, 16), "strided"),
            ("decode Sq=1", (4, 8, 1, 300, 128), "plain"),
        ]
        for name in self.sizes["attention_edge_dtypes"]:
            dtype = getattr(torch, name)
            for label, (b, h, sq, sk, d), variant in cases:
                if variant == "strided":
                    q = self.randn(b, sq, h, d, dtype=dtype).transpose(1, 2)
                    kk = self.randn(b, sk, h, d, dtype=dtype).transpose(1, 2)
                    v = self.randn(b, sk, h, d, dtype=dtype).transpose(1, 2)
                else:
                    q = self.randn(b, h, sq, d, dtype=dtype, scale=1.5)
                    kk = self.randn(b, h, sk, d, dtype=dtype, scale=1.5)
                    v = self.randn(b, h, sk, d, dtype=dtype, offset=0.5)
                kwargs: dict[str, Any] = {"is_causal": variant in ("causal", "strided")}
                if variant == "rows":
                    mask = torch.rand(sq, sk, generator=self.gen, device=self.dev) > 0.6
                    mask[::7] = False  # rows 0, 7, 14, ... see no key: they must be zeros
                    kwargs = {"mask": mask}
                elif variant == "padding":
                    lengths = torch.tensor([sk, sk // 3], device=self.dev)
                    keys = torch.arange(sk, device=self.dev)
                    kwargs = {"mask": (keys < lengths[:, None])[:, None, None, :]}
                self.record(Row("attention", f"edge {label}", f"{b}×{h}×{sq}×{sk}×{d}", name),
                            partial(self.compare, got=partial(k.attention, q, kk, v, **kwargs),
                                    want=partial(r.attention, q, kk, v, **kwargs)))

    def edge_softmax_merge(self) -> None:
        torch = self.torch
        k, r = load("softmax_merge", "kernel"), load("softmax_merge", "reference")
        rows, d = 1000, 72
        for name in (*HALF_AND_FP32, "float64"):
            dtype = getattr(torch, name)
            st = self.states(rows, d, dtype)
            # Even rows: the first state is empty; rows 0-9: both are.
            pick = torch.arange(rows, device=self.dev) % 2 == 0
            a = [st[0].masked_fill(pick, -math.inf), st[1].masked_fill(pick, 0),
                 st[2].masked_fill(pick[:, None], 0)]
            b = [st[3].clone(), st[4].clone(), st[5].clone()]
            b[0][:10], b[1][:10], b[2][:10] = -math.inf, 0, 0
            self.record(Row("merge_states", "edge empty states", f"{rows}×{d}", name),
                        partial(self.compare, got=partial(k.merge_states, *a, *b),
                                want=partial(r.merge_states, *a, *b)))

    def states(self, rows: int, d: int, dtype: Any) -> list[Any]:
        """Two realistic states (m, l, o) per row, each over a block of 64 keys."""
        out = []
        for shift in (0.0, 1.0):
            s = self.randn(rows, 64, dtype=self.torch.float32, scale=3, offset=shift)
            v = self.randn(64, d, dtype=self.torch.float32)
            m = s.amax(-1)
            p = (s - m[:, None]).exp()
            out += [m.to(dtype), p.sum(-1).to(dtype), (p @ v).to(dtype)]
        return out

    def edge_cross_entropy(self) -> None:
        torch = self.torch
        k, r = load("cross_entropy", "kernel"), load("cross_entropy", "reference")
        names = (*HALF_AND_FP32, "float64") if self.mode != "smoke" else ("float16", "float32")
        for name in names:
            dtype = getattr(torch, name)
            cases = [("±1e4 logits, ε=0.1", 64, 1000, 1e4, "some", 0.1),
                     ("every row ignored", 32, 777, 3.0, "all", 0.0),
                     ("V=50257 strided", 48, 50257, 4.0, "some", 0.0)]
            for label, n, v, scale, ignore, eps in cases:
                if label.startswith("V=50257"):
                    x = self.randn(v, n, dtype=dtype, scale=scale).t()  # non-contiguous rows
                else:
                    x = (self.torch.rand(n, v, generator=self.gen, device=self.dev) * 2 - 1)
                    x = x * scale
                    # A clear winner per row: at |x| ≈ 1e4 float32 rounds the log-sum-exp to
                    # ~1e-3, which near-ties would turn into ~5e-4 relative gradient error.
                    x[torch.arange(n, device=self.dev), x.argmax(-1)] += 50.0
                    x = x.to(dtype)
                t = torch.randint(0, v, (n,), generator=self.gen, device=self.dev)
                if ignore == "all":
                    t.fill_(-100)
                else:
                    t[::3] = -100
                self.record(Row("cross_entropy", f"edge {label} (+grad)", f"{n}×{v}", name),
                            partial(self.ce_backward, k.cross_entropy, r.cross_entropy, x, t,
                                    eps))

    def ce_backward(self, kernel: Callable[..., Any], ref: Callable[..., Any], x0: Any, t: Any,
                    eps: float, row: Row) -> None:
        """Loss and dlogits of the kernel against the oracle (dlogits scaled by N so the
        per-element tolerance applies)."""
        outs = []
        for fn in (kernel, ref):
            x = x0.detach().clone().requires_grad_()
            loss = fn(x, t, label_smoothing=eps)
            (grad,) = self.torch.autograd.grad(loss, x)
            outs.append((loss, grad * x0.shape[0]))
        self.judge(row, self.error(outs[0], outs[1]))

    def edge_layernorm(self) -> None:
        torch = self.torch
        k, r = load("layernorm", "kernel"), load("layernorm", "reference")
        names = (*HALF_AND_FP32, "float64") if self.mode != "smoke" else ("float16", "float32")
        for name in names:
            dtype = getattr(torch, name)
            scale = 300.0 if name == "float16" else 3.0
            x = self.randn(3, 7, 4096, dtype=dtype, scale=scale, offset=20)
            w = self.randn(4096, dtype=dtype, scale=0.2, offset=1)
            b = self.randn(4096, dtype=dtype)
            dy = self.randn(3, 7, 4096, dtype=dtype, offset=0.3)
            self.record(Row("layernorm", f"edge forward σ≈{scale:g}", "3×7×4096", name),
                        partial(self.compare, got=partial(k.layer_norm, x, w, b),
                                want=partial(r.layer_norm, x, w, b)))
            self.record(Row("layernorm", f"edge backward σ≈{scale:g}", "3×7×4096", name),
                        partial(self.compare, got=partial(self.ln_grads, k, x, w, dy),
                                want=partial(self.ln_grads, r, x, w, dy)))
        x = self.randn(2, 20000, dtype=torch.float32, offset=0.5)
        w = self.randn(20000, dtype=torch.float32)
        dy = self.randn(2, 20000, dtype=torch.float32)
        self.record(Row("layernorm", "edge N=20000 bwd (streamed)", "2×20000", "float32"),
                    partial(self.compare, got=partial(self.ln_grads, k, x, w, dy),
                            want=partial(self.ln_grads, r, x, w, dy)))

    def ln_grads(self, module: ModuleType, x: Any, w: Any, dy: Any) -> tuple:
        """layer_norm_backward with dweight and dbias divided by the row count, so the
        per-element tolerance applies to the summed gradients too."""
        rows = x.numel() // x.shape[-1]
        dx, dw, db = module.layer_norm_backward(dy, x, w)
        return dx, dw / rows, db / rows

    # -- 3. realistic sizes ----------------------------------------------------------------

    def rmsnorm(self) -> None:
        torch = self.torch
        k, r = load("rmsnorm", "kernel"), load("rmsnorm", "reference")
        builtin = getattr(torch.nn.functional, "rms_norm", None)  # torch >= 2.4
        for m, n in self.sizes["rmsnorm"]:
            for name in HALF_AND_FP32:
                x = self.randn(m, n, dtype=getattr(torch, name), scale=2, offset=0.5)
                w = self.randn(n, dtype=x.dtype, scale=0.1, offset=1)
                nbytes = (2 * m * n + n) * x.element_size()
                oracle_fits = self.fits(m * n * 8 * 4)
                want = r.rms_norm(x, w) if oracle_fits else None
                shape = f"{m}×{n}"
                measure = partial(self.timed, want=want, nbytes=nbytes)
                self.record(Row("rmsnorm", "triton", shape, name),
                            partial(measure, fn=partial(k.rms_norm, x, w), check=True))
                if builtin is not None:
                    self.record(Row("rmsnorm", "F.rms_norm", shape, name),
                                partial(measure, fn=partial(builtin, x, (n,), w, 1e-6),
                                        check=False))
                if oracle_fits:
                    self.record(Row("rmsnorm", "reference (fp64)", shape, name),
                                partial(measure, fn=partial(r.rms_norm, x, w),
                                        check=False))
                x = w = want = None  # free before the next, larger, allocation

    def attention(self) -> None:
        torch = self.torch
        sdpa = torch.nn.functional.scaled_dot_product_attention
        k, r = load("attention", "kernel"), load("attention", "reference")
        for b, h, s, d, causal, dtypes in self.sizes["attention"]:
            for name in dtypes:
                dtype = getattr(torch, name)
                q = self.randn(b, h, s, d, dtype=dtype)
                kk = self.randn(b, h, s, d, dtype=dtype)
                v = self.randn(b, h, s, d, dtype=dtype, offset=0.3)
                shape = f"{b}×{h}×{s}×{d}" + (" causal" if causal else "")
                # The oracle on two heads of the first batch: its float64 score matrix at full
                # size would need tens of GB.
                heads = (slice(0, 1), slice(0, min(h, 2)))
                want = r.attention(q[heads], kk[heads], v[heads], is_causal=causal)
                flops = 4 * b * h * s * s * d * (0.5 if causal else 1.0)
                measure = partial(self.timed, want=want, flops=flops,
                                  view=lambda out, heads=heads: out[heads])
                self.record(Row("attention", "triton", shape, name),
                            partial(measure, fn=partial(k.attention, q, kk, v, is_causal=causal),
                                    check=True))
                self.record(Row("attention", "SDPA", shape, name),
                            partial(measure, fn=partial(sdpa, q, kk, v, is_causal=causal),
                                    check=False))
                if self.fits(b * h * s * s * 8 * 4):
                    self.record(Row("attention", "reference (fp64)", shape, name),
                                partial(measure, fn=partial(r.attention, q, kk, v,
                                                            is_causal=causal),
                                        check=False))
                q = kk = v = want = None

    def softmax_merge(self) -> None:
        torch = self.torch
        k, r = load("softmax_merge", "kernel"), load("softmax_merge", "reference")
        for rows, d in self.sizes["merge"]:
            for name in HALF_AND_FP32:
                st = self.states(rows, d, getattr(torch, name))
                # Reads m, l (×2) and o (×2); writes m, l and o.
                nbytes = rows * ((4 + 2 * d) + (2 + d)) * st[2].element_size()
                want = r.merge_states(*st)
                shape = f"{rows}×{d}"
                measure = partial(self.timed, want=want, nbytes=nbytes)
                self.record(Row("merge_states", "triton", shape, name),
                            partial(measure, fn=partial(k.merge_states, *st),
                                    check=True))
                self.record(Row("merge_states", "torch eager fp32", shape, name),
                            partial(measure, fn=partial(eager_merge, torch, *st),
                                    check=False))
                self.record(Row("merge_states", "reference (fp64)", shape, name),
                            partial(measure, fn=partial(r.merge_states, *st),
                                    check=False))
                st = want = None

        # blockwise_attention: torch block matmuls + the Triton merge, against the oracle.
        sdpa = torch.nn.functional.scaled_dot_product_attention
        b, h, s, d, block = self.sizes["blockwise"]
        for name in ("float16", "float32"):
            dtype = getattr(torch, name)
            q = self.randn(b, h, s, d, dtype=dtype)
            kk = self.randn(b, h, s, d, dtype=dtype)
            v = self.randn(b, h, s, d, dtype=dtype, offset=0.3)
            want = r.blockwise_attention(q, kk, v, block)
            shape = f"{b}×{h}×{s}×{d} block {block}"
            measure = partial(self.timed, want=want, flops=4 * b * h * s * s * d)
            self.record(Row("blockwise", "torch + triton merge", shape, name),
                        partial(measure, fn=partial(k.blockwise_attention, q, kk, v, block),
                                check=True))
            self.record(Row("blockwise", "reference (fp64)", shape, name),
                        partial(measure, fn=partial(r.blockwise_attention, q, kk, v, block),
                                check=False))
            self.record(Row("blockwise", "SDPA", shape, name),
                        partial(measure, fn=partial(sdpa, q, kk, v), check=False))
            q = kk = v = want = None

    def cross_entropy(self) -> None:
        torch = self.torch
        k, r = load("cross_entropy", "kernel"), load("cross_entropy", "reference")
        ce = torch.nn.functional.cross_entropy
        for n, v in self.sizes["cross_entropy"]:
            for name in HALF_AND_FP32:
                x = self.randn(n, v, dtype=getattr(torch, name), scale=3)
                t = torch.randint(0, v, (n,), generator=self.gen, device=self.dev)
                t[::7] = -100
                esize = x.element_size()
                want = r.cross_entropy(x, t, label_smoothing=0.1) \
                    if self.fits(n * v * 8 * 3) else None
                shape = f"{n}×{v}"
                fwd = partial(self.timed, want=want, nbytes=n * v * esize)
                self.record(Row("cross_entropy", "triton fwd", shape, name),
                            partial(fwd, fn=partial(k.cross_entropy, x, t, label_smoothing=0.1),
                                    check=True))
                self.record(Row("cross_entropy", "F.cross_entropy fwd", shape, name),
                            partial(fwd, fn=partial(ce, x, t, label_smoothing=0.1),
                                    check=False))
                # Forward + backward: x read twice, dlogits written once.
                both = partial(self.timed, want=None, nbytes=3 * n * v * esize)
                self.record(Row("cross_entropy", "triton fwd+bwd", shape, name),
                            partial(both, fn=partial(self.loss_and_grad, k.cross_entropy, x, t),
                                    check=False))
                self.record(Row("cross_entropy", "F.cross_entropy fwd+bwd", shape, name),
                            partial(both, fn=partial(self.loss_and_grad, ce, x, t),
                                    check=False))
                x = t = want = None

    def loss_and_grad(self, fn: Callable[..., Any], x0: Any, t: Any) -> Any:
        x = x0.detach().requires_grad_()
        return self.torch.autograd.grad(fn(x, t, label_smoothing=0.1), x)[0]

    def layernorm(self) -> None:
        torch = self.torch
        k, r = load("layernorm", "kernel"), load("layernorm", "reference")
        fln = torch.nn.functional.layer_norm
        for m, n in self.sizes["layernorm"]:
            for name in HALF_AND_FP32:
                dtype = getattr(torch, name)
                x = self.randn(m, n, dtype=dtype, scale=2, offset=0.5)
                w = self.randn(n, dtype=dtype, scale=0.1, offset=1)
                b = self.randn(n, dtype=dtype, scale=0.1)
                dy = self.randn(m, n, dtype=dtype)
                esize = x.element_size()
                oracle_fits = self.fits(m * n * 8 * 6)
                shape = f"{m}×{n}"
                fwd = partial(self.timed, nbytes=2 * m * n * esize,
                              want=r.layer_norm(x, w, b) if oracle_fits else None)
                self.record(Row("layernorm", "triton fwd", shape, name),
                            partial(fwd, fn=partial(k.layer_norm, x, w, b), check=True))
                self.record(Row("layernorm", "F.layer_norm fwd", shape, name),
                            partial(fwd, fn=partial(fln, x, (n,), w, b), check=False))
                # Backward: reads x and dy, writes dx (the weight-sized traffic is negligible).
                want = self.ln_grads(r, x, w, dy) if oracle_fits else None
                bwd = partial(self.timed, nbytes=3 * m * n * esize, want=want)
                self.record(Row("layernorm", "triton bwd", shape, name),
                            partial(bwd, fn=partial(self.ln_grads, k, x, w, dy), check=True))
                self.record(Row("layernorm", "F.layer_norm autograd bwd", shape, name),
                            partial(bwd, fn=partial(self.torch_ln_grads, x, w, b, dy),
                                    check=False))
                x = w = b = dy = want = None

    def torch_ln_grads(self, x0: Any, w0: Any, b0: Any, dy: Any) -> tuple:
        """F.layer_norm's gradients (forward included: autograd needs its saved statistics),
        in ln_grads' layout."""
        x, w, b = (t.detach().requires_grad_() for t in (x0, w0, b0))
        out = self.torch.nn.functional.layer_norm(x, (x.shape[-1],), w, b)
        dx, dw, db = self.torch.autograd.grad(out, (x, w, b), dy)
        rows = x.numel() // x.shape[-1]
        return dx, dw / rows, db / rows


    # -- rope, paged attention, matmul (edge cases, then realistic sizes) ------------------

    def edge_rope(self) -> None:
        torch = self.torch
        k, r = load("rope", "kernel"), load("rope", "reference")
        names = HALF_AND_FP32 if self.mode != "smoke" else ("float16", "float32")
        for name in names:
            dtype = getattr(torch, name)
            x = self.randn(2, 3, 50, 80, dtype=dtype, scale=2.0)
            decode = torch.tensor([99_999], device=self.dev)  # positions up to 1e5
            for label, pos, kwargs in (
                    ("edge interleaved, D=80", torch.arange(50, device=self.dev),
                     {"interleaved": True}),
                    ("edge decode at 99999", decode, {"base": 500000.0})):
                xx = x[:, :, :1] if label.startswith("edge decode") else x
                self.record(Row("rope", label, "×".join(map(str, xx.shape)), name),
                            partial(self.compare, got=partial(k.apply_rope, xx, pos, **kwargs),
                                    want=partial(r.apply_rope, xx, pos, **kwargs)))

    def rope(self) -> None:
        torch = self.torch
        k, r = load("rope", "kernel"), load("rope", "reference")
        for b, h, s, d in self.sizes["rope"]:
            for name in HALF_AND_FP32:
                x = self.randn(b, h, s, d, dtype=getattr(torch, name), scale=2)
                pos = torch.arange(s, device=self.dev)
                nbytes = 2 * x.numel() * x.element_size()  # read x, write y
                # The oracle on the first batch element (float64 at full size is large).
                want = r.apply_rope(x[:1], pos)
                measure = partial(self.timed, want=want, nbytes=nbytes,
                                  view=lambda out: out[:1])
                shape = f"{b}×{h}×{s}×{d}"
                self.record(Row("rope", "triton", shape, name),
                            partial(measure, fn=partial(k.apply_rope, x, pos), check=True))
                self.record(Row("rope", "torch eager", shape, name),
                            partial(measure, fn=partial(r.apply_rope_same_precision, x, pos),
                                    check=False))
                x = want = None

    def paged_inputs(self, b: int, hq: int, hkv: int, d: int, bs: int, length: int,
                     dtype: Any) -> tuple[Any, ...]:
        """q, page pools with the blocks of each sequence scattered at random, the table
        (garbage −1 past each sequence's blocks) and lengths from `length` down to length/4."""
        torch = self.torch
        lens = [max(1, length - (i * length) // (b * 4 // 3 + 1)) for i in range(b)]
        needed = [-(-n // bs) for n in lens]
        num_blocks = sum(needed) + 3
        order = torch.randperm(num_blocks, generator=torch.Generator().manual_seed(1))
        table = torch.full((b, max(needed) + 1), -1, dtype=torch.int32)
        used = 0
        for i, n in enumerate(needed):
            table[i, :n] = order[used:used + n].to(torch.int32)
            used += n
        k_pages = self.randn(num_blocks, hkv, bs, d, dtype=dtype)
        v_pages = self.randn(num_blocks, hkv, bs, d, dtype=dtype, offset=0.3)
        q = self.randn(b, hq, d, dtype=dtype)
        seq_lens = torch.tensor(lens, dtype=torch.int32)
        return q, k_pages, v_pages, table.to(self.dev), seq_lens.to(self.dev)

    def edge_paged_attention(self) -> None:
        torch = self.torch
        k, r = load("paged_attention", "kernel"), load("paged_attention", "reference")
        names = HALF_AND_FP32 if self.mode != "smoke" else ("float16", "float32")
        for name in names:
            dtype = getattr(torch, name)
            args = self.paged_inputs(5, 8, 2, 80, 16, 100, dtype)
            args[4][2] = 0  # an empty sequence: zeros
            self.record(Row("paged_attn", "edge D=80, an empty sequence", "5×8×2×80", name),
                        partial(self.compare, got=partial(k.paged_attention, *args),
                                want=partial(r.paged_attention, *args)))

    def paged_attention(self) -> None:
        torch = self.torch
        k, r = load("paged_attention", "kernel"), load("paged_attention", "reference")
        for b, hq, hkv, d, bs, length in self.sizes["paged_attention"]:
            for name in ("float16", "bfloat16") if self.mode != "smoke" else ("float16",):
                args = self.paged_inputs(b, hq, hkv, d, bs, length, getattr(torch, name))
                q = args[0]
                tokens = int(args[4].sum())
                # Decode reads every live key and value once: the traffic that bounds it.
                nbytes = (2 * tokens * hkv * d + 2 * q.numel()) * q.element_size()
                few = tuple(a[:2] if i in (0, 3, 4) else a for i, a in enumerate(args))
                want = r.paged_attention(*few)
                measure = partial(self.timed, want=want, nbytes=nbytes,
                                  view=lambda out: out[:2])
                shape = f"B{b} Hq{hq} Hkv{hkv} D{d} L≤{length}"
                self.record(Row("paged_attn", "triton", shape, name),
                            partial(measure, fn=partial(k.paged_attention, *args), check=True))
                self.record(Row("paged_attn", "torch eager", shape, name),
                            partial(measure, fn=partial(r.paged_attention_same_precision, *args),
                                    check=False))
                args = q = want = None

    def edge_matmul(self) -> None:
        torch = self.torch
        k, r = load("matmul", "kernel"), load("matmul", "reference")
        names = HALF_AND_FP32 if self.mode != "smoke" else ("float16", "float32")
        for name in names:
            dtype = getattr(torch, name)
            for label, (m, kk, n), layout in (("edge 1×1×1", (1, 1, 1), ""),
                                              ("edge primes", (131, 257, 67), ""),
                                              ("edge b = Wᵀ view", (97, 200, 45), "bt"),
                                              ("edge a, b transposed", (45, 70, 33), "both"),
                                              ("edge K=4096, M=N=5", (5, 4096, 5), "")):
                a = self.randn(m, kk, dtype=dtype, offset=0.3)
                b = self.randn(kk, n, dtype=dtype, offset=0.3)
                if layout in ("bt", "both"):
                    b = b.T.contiguous().T
                if layout == "both":
                    a = a.T.contiguous().T
                self.record(Row("matmul", label, f"{m}×{kk}×{n}", name),
                            partial(self.compare, got=partial(k.matmul, a, b),
                                    want=partial(r.matmul, a, b)))

    def matmul(self) -> None:
        torch = self.torch
        k, r = load("matmul", "kernel"), load("matmul", "reference")
        torch.backends.cuda.matmul.allow_tf32 = False  # cuBLAS float32 is true float32
        for m, kk, n, dtypes in self.sizes["matmul_sizes"]:
            for name in dtypes:
                dtype = getattr(torch, name)
                a = self.randn(m, kk, dtype=dtype)
                b = self.randn(kk, n, dtype=dtype, offset=0.1)
                # The oracle on 64 rows (float64 matmul of the full size is slow on most GPUs).
                want = r.matmul(a[:64], b)
                measure = partial(self.timed, want=want, flops=2 * m * kk * n,
                                  view=lambda out: out[:64])
                shape = f"{m}×{kk}×{n}"
                self.record(Row("matmul", "triton", shape, name),
                            partial(measure, fn=partial(k.matmul, a, b), check=True))
                self.record(Row("matmul", "cuBLAS", shape, name),
                            partial(measure, fn=partial(torch.matmul, a, b), check=False))
                a = b = want = None

    # -- targets ---------------------------------------------------------------------------

    def link_baselines(self) -> None:
        """× torch on every Triton row that has its torch baseline in this run."""
        for row in self.rows:
            for base in self.rows:
                if base.impl in BASELINES.get(row.impl, ()) and base.kernel == row.kernel \
                        and base.shape == row.shape and base.dtype == row.dtype \
                        and row.ms and base.ms:
                    row.vs_torch = base.ms / row.ms

    def apply_targets(self) -> list[Row]:
        """Mark the rows the issue sets a target for; returns them, in table order."""
        marked = []
        for row in self.rows:
            if not row.impl.startswith("triton") or row.ms is None or row.kernel == "peak":
                continue
            if row.kernel in MEMORY_BOUND and row.pct_peak is not None:
                row.target = f"≥{COPY_TARGET:.0%} copy"
                row.verdict = "PASS" if row.pct_peak >= 100 * COPY_TARGET else "MISS"
            elif (row.kernel, row.dtype) == ("matmul", "float16") \
                    and row.shape == MATMUL_TARGET_SHAPE:
                row.target = f"≥{SPEED_TARGET}× cuBLAS"
            elif (row.kernel, row.dtype) == ("attention", "float16") \
                    and row.shape in ATTENTION_TARGET_SHAPES:
                row.target = f"≥{SPEED_TARGET}× SDPA"
            else:
                continue
            if not row.verdict:
                row.verdict = "MISS" if row.vs_torch is None or row.vs_torch < SPEED_TARGET \
                    else "PASS"
            if not row.status.startswith("ok"):
                row.verdict = "MISS"  # a wrong or failed kernel meets no target
            marked.append(row)
        return marked

    def target_lines(self, marked: list[Row]) -> list[str]:
        """One line per target: achieved, against what, PASS or MISS; the targets no row of
        this run measured are said to be unmeasured."""
        lines = []
        for row in marked:
            achieved = (f"{row.pct_peak:.0f}% of copy bandwidth" if row.kernel in MEMORY_BOUND
                        else f"{row.vs_torch:.2f}× the torch baseline" if row.vs_torch
                        else "no baseline measured")
            lines.append(f"  {row.verdict}  {row.kernel} {row.impl} {row.shape} {row.dtype}: "
                         f"{achieved} (target {row.target})")
        measured = {(r.kernel, r.shape) for r in marked}
        wanted = [("matmul", MATMUL_TARGET_SHAPE)] + [("attention", s)
                                                      for s in ATTENTION_TARGET_SHAPES]
        for kernel, shape in wanted:
            if (kernel, shape) not in measured:
                lines.append(f"  ----  {kernel} {shape} float16: not measured in this run")
        for kernel in MEMORY_BOUND:
            if not any(r.kernel == kernel for r in marked):
                lines.append(f"  ----  {kernel}: not measured in this run")
        return lines

    # -- output ----------------------------------------------------------------------------

    def table(self) -> str:
        head = ("kernel", "impl", "shape", "dtype", "max err", "ms", "throughput", "% peak",
                "× torch", "target", "verdict", "status")
        lines: list[Sequence[str]] = [head]
        for row in self.rows:
            lines.append((
                row.kernel, row.impl, row.shape, row.dtype,
                "" if row.err is None else f"{row.err:.1e}",
                "" if row.ms is None else f"{row.ms:.4f}",
                "" if row.throughput is None else f"{row.throughput:,.1f} {row.unit}",
                "" if row.pct_peak is None else f"{row.pct_peak:.0f}%",
                "" if row.vs_torch is None else f"{row.vs_torch:.2f}×",
                row.target, row.verdict,
                row.status,
            ))
        widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
        fmt = "  ".join(f"{{:<{w}}}" for w in widths)
        out = [fmt.format(*head), fmt.format(*("-" * w for w in widths))]
        out += [fmt.format(*line) for line in lines[1:]]
        return "\n".join(out)


def eager_merge(torch: Any, m1: Any, l1: Any, o1: Any, m2: Any, l2: Any, o2: Any) -> tuple:
    """The merge as one writes it in plain PyTorch: float32 math, −inf guarded, one kernel
    launch per op. The baseline the Triton merge should beat."""
    m1f, l1f, o1f, m2f, l2f, o2f = (t.float() for t in (m1, l1, o1, m2, l2, o2))
    m = torch.maximum(m1f, m2f)
    m_fin = torch.where(torch.isinf(m), torch.zeros_like(m), m)
    a1 = torch.where(torch.isneginf(m1f), torch.zeros_like(m), (m1f - m_fin).exp())
    a2 = torch.where(torch.isneginf(m2f), torch.zeros_like(m), (m2f - m_fin).exp())
    return (m.to(m1.dtype), (a1 * l1f + a2 * l2f).to(l1.dtype),
            (a1[:, None] * o1f + a2[:, None] * o2f).to(o1.dtype))


def main(argv: list[str] | None = None) -> int:
    """Run the checks, print the table and return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer rows")
    parser.add_argument("--smoke", action="store_true",
                        help="no GPU needed: toy sizes on CPU under TRITON_INTERPRET=1, to check "
                        "this script itself (numbers are meaningless)")
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help=f"comma-separated subset of {', '.join(SECTIONS)}")
    parser.add_argument("--out", type=Path, default=None,
                        help="write the report here too (default on a GPU: "
                             "bench/results/gpu_check_<gpu-name>.txt; none with --smoke)")
    args = parser.parse_args(argv)
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    if unknown := only - set(SECTIONS):
        print(f"gpu_check: unknown section(s) {sorted(unknown)}; choose from {SECTIONS}")
        return 2
    mode = "smoke" if args.smoke else "quick" if args.quick else "full"
    if mode == "smoke":
        os.environ["TRITON_INTERPRET"] = "1"  # read when triton is imported
    try:
        import torch
        import triton
        import triton.testing
    except ImportError as err:
        print(f"gpu_check: needs torch and triton ({err})")
        return 2
    if mode != "smoke" and not torch.cuda.is_available():
        print("gpu_check: no CUDA device is visible (torch.cuda.is_available() is False); "
              "run it on a machine with an NVIDIA GPU. Without one, the kernels are checked "
              "by tests/drills/test_solutions_kernels.py under TRITON_INTERPRET=1, and "
              "--smoke exercises this script on CPU.")
        return 2

    report: list[str] = []

    def say(line: str = "") -> None:
        print(line, flush=True)
        report.append(line)

    if mode == "smoke":
        say(f"SMOKE RUN on CPU (TRITON_INTERPRET=1): checks the script, not the kernels' "
            f"speed; torch {torch.__version__}, triton {triton.__version__}")
        out = args.out
    else:
        props = torch.cuda.get_device_properties(0)
        say(f"device: {props.name} ({props.total_memory / 2**30:.0f} GiB, "
            f"{props.multi_processor_count} SMs), torch {torch.__version__}, "
            f"triton {triton.__version__}, CUDA {torch.version.cuda}")
        out = args.out or ROOT / "bench" / "results" / f"gpu_check_{gpu_slug(props.name)}.txt"
    say(f"run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, mode {mode}, "
        f"sections {', '.join(s for s in SECTIONS if s in only)}")
    checker = Checker(torch, triton, mode)
    # Every Triton kernel of the bundles needs a section: a new one is an error until it has.
    for drill in discovered_kernels():
        if drill not in SECTIONS:
            checker.rows.append(Row(drill, "kernel.py", "", "", status=f"ERROR no gpu_check "
                                    f"section for solutions/{drill}/kernel.py"))
    print("measuring peaks...", file=sys.stderr, flush=True)
    checker.measure_peaks()
    print("compiled edge cases...", file=sys.stderr, flush=True)
    for section in SECTIONS:
        if section in only:
            getattr(checker, f"edge_{section}")()
    for section in SECTIONS:
        if section in only:
            print(f"{section} at realistic sizes...", file=sys.stderr, flush=True)
            getattr(checker, section)()
    checker.link_baselines()
    marked = checker.apply_targets()
    say()
    say(checker.table())
    say()
    say(f"measured peaks: {checker.peak_gbs:,.0f} GB/s (copy); "
        + ", ".join(f"{k} {v:,.0f} TFLOP/s" for k, v in checker.peak_tflops.items()))
    say("targets (issue 13 §3)" + (" — smoke sizes on CPU: the verdicts mean nothing"
                                   if mode == "smoke" else "") + ":")
    for line in checker.target_lines(marked):
        say(line)
    missed = [row for row in marked if row.verdict == "MISS"]
    say(f"{len(marked) - len(missed)} of {len(marked)} measured target(s) met")
    if skipped := [row for row in checker.rows if row.status.startswith("skip")]:
        say(f"{len(skipped)} row(s) skipped for lack of memory")
    bad = [row for row in checker.rows if row.status.startswith(("FAIL", "ERROR"))]
    if bad:
        say(f"{len(bad)} check(s) FAILED or raised:")
        for row in bad:
            say(f"  {row.kernel} {row.impl} {row.shape} {row.dtype}: {row.status}")
    else:
        say("all kernel checks passed")
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("\n".join(report) + "\n", encoding="utf-8")
        print(f"written to {out}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
