"""The Triton kernels in solutions/ (attention, rmsnorm, softmax_merge) against their PyTorch
references, run under ``TRITON_INTERPRET=1`` on CPU.

The interpreter must be switched on before triton is imported, and other tests in this
process may already have imported triton without it, so every check runs in ONE child
process: this file re-executed as a script with the variable set. The child prints a JSON
verdict per named check; each pytest test below asserts one of them, so a failure names the
kernel, shape and dtype. The interpreter has no bfloat16 arithmetic, so bfloat16 is checked
only where the kernel merely loads and converts it (rmsnorm, softmax_merge).
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SOLUTIONS = Path(__file__).resolve().parents[2] / "solutions"

# --------------------------------------------------------------------------------------------
# The checks (pure data: names and parameters; nothing here imports torch or triton).
# --------------------------------------------------------------------------------------------

RMS_CASES = [
    # (name, shape, dtype, eps, magnitude, grad)
    ("fp32 1-element", (1,), "float32", 1e-6, 1.0, False),
    ("fp32 3x5x7", (3, 5, 7), "float32", 1e-6, 1.0, True),
    ("fp32 eps=0.1 small x", (4, 33), "float32", 0.1, 0.05, True),
    ("fp32 N=1000", (4, 1000), "float32", 1e-5, 3.0, False),
    ("fp32 N=9000 streamed rows", (2, 9000), "float32", 1e-6, 1.0, True),
    ("fp16 |x|~300", (3, 256), "float16", 1e-6, 300.0, True),
    ("bf16 |x|~300", (3, 256), "bfloat16", 1e-6, 300.0, False),
    ("fp64", (2, 3, 40), "float64", 1e-6, 2.0, True),
    ("fp32 non-contiguous", (6, 48), "float32", 1e-6, 1.0, False),
]
MERGE_CASES = [
    # (name, row shape, D, dtype)
    ("fp32 one row D=1", (1,), 1, "float32"),
    ("fp32 3x5 D=7", (3, 5), 7, "float32"),
    ("fp32 2x3x17 D=200", (2, 3, 17), 200, "float32"),
    ("fp16 70 rows D=64", (70,), 64, "float16"),
    ("bf16 4x9 D=16", (4, 9), 16, "bfloat16"),
    ("fp64 5 rows D=8", (5,), 8, "float64"),
]
BLOCKWISE_CASES = [
    # (name, q shape, Sk, block size, dtype)
    ("fp32 block 1", (2, 5, 16), 7, 1, "float32"),
    ("fp32 block 4, Sk 21", (2, 3, 9, 16), 21, 4, "float32"),
    ("fp32 block > Sk", (1, 6, 8), 5, 64, "float32"),
    ("fp16 block 8", (2, 7, 32), 19, 8, "float16"),
    ("fp64 block 3", (4, 4), 10, 3, "float64"),
]
ATTN_CASES = [
    # (name, (B, H, Sq, Sk, D), dtype, variant)
    ("fp32 1x1x1x1 D16", (1, 1, 1, 1, 16), "float32", "plain"),
    ("fp32 Sq5 Sk7 D32", (2, 3, 5, 7, 32), "float32", "plain"),
    ("fp32 33 causal D64", (1, 2, 33, 33, 64), "float32", "causal"),
    ("fp32 Sq17 Sk40 D128", (1, 1, 17, 40, 128), "float32", "plain"),
    ("fp32 2-D mask with empty row", (2, 2, 9, 13, 16), "float32", "mask"),
    ("fp32 key-padding mask (B,1,1,Sk)", (2, 2, 9, 13, 16), "float32", "padding"),
    ("fp32 D=80 (not a power of 2)", (1, 1, 20, 20, 80), "float32", "causal"),
    ("fp32 non-contiguous (B,S,H,D) layout", (2, 3, 11, 11, 32), "float32", "strided"),
    ("fp32 extreme logits", (1, 2, 12, 12, 16), "float32", "extreme"),
    ("fp16 Sq5 Sk7 D32", (2, 3, 5, 7, 32), "float16", "plain"),
    ("fp16 33 causal D64", (1, 2, 33, 33, 64), "float16", "causal"),
    ("fp16 mask D128", (1, 1, 17, 24, 128), "float16", "mask"),
]
ERROR_CHECKS = [
    "attention rejects mask with is_causal",
    "attention rejects float64",
    "attention backward raises NotImplementedError",
    "kernels leave inputs unmodified",
]


def check_names() -> list[str]:
    names = [f"rmsnorm {c[0]}" for c in RMS_CASES]
    names += [f"merge_states {c[0]}" for c in MERGE_CASES]
    names += [f"merge_states empty states {c[0]}" for c in MERGE_CASES]
    names += [f"blockwise_attention {c[0]}" for c in BLOCKWISE_CASES]
    names += [f"attention {c[0]}" for c in ATTN_CASES]
    return names + ERROR_CHECKS


# --------------------------------------------------------------------------------------------
# The pytest side: run the child once, then one test per check.
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def interpreter_results() -> dict[str, dict[str, Any]]:
    env = {**os.environ, "TRITON_INTERPRET": "1"}
    proc = subprocess.run(
        [sys.executable, __file__],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, f"kernel checks crashed:\n{proc.stderr[-4000:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("name", check_names())
def test_triton_kernel_matches_reference_in_interpreter(
    name: str, interpreter_results: dict[str, dict[str, Any]]
) -> None:
    assert name in interpreter_results, f"check {name!r} did not run"
    verdict = interpreter_results[name]
    assert verdict["ok"], verdict["detail"]


# --------------------------------------------------------------------------------------------
# The child side (python this_file.py with TRITON_INTERPRET=1).
# --------------------------------------------------------------------------------------------


def _load(drill: str, name: str) -> ModuleType:
    path = SOLUTIONS / drill / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_kernels_{drill}_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _child() -> dict[str, dict[str, Any]]:  # noqa: C901 - one flat list of checks reads best
    assert os.environ.get("TRITON_INTERPRET") == "1"
    import torch

    tol = {"float64": 1e-12, "float32": 2e-5, "float16": 2e-3, "bfloat16": 1.6e-2}
    results: dict[str, dict[str, Any]] = {}
    gen = torch.Generator().manual_seed(0)

    def randn(*shape: int, dtype: str = "float64", scale: float = 1.0) -> torch.Tensor:
        t = torch.randn(*shape, generator=gen, dtype=torch.float64) * scale
        return t.to(getattr(torch, dtype))

    def close(got: torch.Tensor, want: torch.Tensor, dtype: str) -> str:
        """'' when got ≈ want (same shape and dtype, NaN-free), else what is wrong."""
        if got.shape != want.shape:
            return f"shape {tuple(got.shape)} != {tuple(want.shape)}"
        if got.dtype != want.dtype:
            return f"dtype {got.dtype} != {want.dtype}"
        a, b = got.double(), want.double()
        if torch.isnan(a).any() or torch.isnan(b).any():
            return "NaN in output"
        err = ((a - b).abs() / (1 + b.abs())).max().item() if a.numel() else 0.0
        return "" if err <= tol[dtype] else f"max scaled error {err:.3g} > {tol[dtype]:g}"

    def record(name: str, fn: Callable[[], str]) -> None:
        try:
            detail = fn()
        except Exception as err:  # the verdict must say what broke, not crash the batch
            detail = f"raised {type(err).__name__}: {err}"
        results[name] = {"ok": detail == "", "detail": detail}

    rms_k, rms_r = _load("rmsnorm", "kernel"), _load("rmsnorm", "reference")
    for name, shape, dtype, eps, mag, grad in RMS_CASES:

        def rms_check(name=name, shape=shape, dtype=dtype, eps=eps, mag=mag, grad=grad) -> str:
            x = randn(*shape, scale=mag).add(0.3 * mag).to(getattr(torch, dtype))
            w = (randn(shape[-1]) * 0.2 + 1).to(getattr(torch, dtype))
            if "non-contiguous" in name:
                x = randn(shape[-1] * 2, shape[0]).to(getattr(torch, dtype)).T[:, ::2]
                assert not x.is_contiguous()
            bad = close(rms_k.rms_norm(x, w, eps), rms_r.rms_norm(x, w, eps), dtype)
            if bad or not grad:
                return bad
            gy = randn(*x.shape).to(x.dtype)
            xs = [x.clone().requires_grad_() for _ in range(2)]
            ws = [w.clone().requires_grad_() for _ in range(2)]
            (rms_k.rms_norm(xs[0], ws[0], eps) * gy).sum().backward()
            (rms_r.rms_norm(xs[1], ws[1], eps) * gy).sum().backward()
            # dw sums over rows: allow for the accumulated rounding of half precision.
            return (close(xs[0].grad, xs[1].grad, dtype)
                    or close(ws[0].grad / x.shape[0], ws[1].grad / x.shape[0], dtype))

        record(f"rmsnorm {name}", rms_check)

    merge_k, merge_r = _load("softmax_merge", "kernel"), _load("softmax_merge", "reference")

    def state(rows: tuple[int, ...], keys: int, d: int, dtype: str) -> list[torch.Tensor]:
        s = randn(*rows, keys, scale=3.0)
        v = randn(keys, d)
        m = s.amax(-1)
        p = torch.exp(s - m[..., None])
        return [t.to(getattr(torch, dtype)) for t in (m, p.sum(-1), p @ v)]

    def empty_like(st: list[torch.Tensor]) -> list[torch.Tensor]:
        return [torch.full_like(st[0], float("-inf")), torch.zeros_like(st[1]),
                torch.zeros_like(st[2])]

    for name, rows, d, dtype in MERGE_CASES:

        def merge_check(rows=rows, d=d, dtype=dtype) -> str:
            a, b = state(rows, 5, d, dtype), state(rows, 7, d, dtype)
            b[0] = b[0] + 2.0  # the max sits in the second block for some rows only
            got = merge_k.merge_states(*a, *b)
            want = merge_r.merge_states(*a, *b)
            return next(
                (e for e in (close(g, w, dtype) for g, w in zip(got, want, strict=True)) if e), ""
            )

        def empty_check(rows=rows, d=d, dtype=dtype) -> str:
            a = state(rows, 4, d, dtype)
            e = empty_like(a)
            for got, want in zip(merge_k.merge_states(*e, *a), a, strict=True):
                if bad := close(got, want, dtype):
                    return f"empty + state: {bad}"
            for got, want in zip(merge_k.merge_states(*a, *e), a, strict=True):
                if bad := close(got, want, dtype):
                    return f"state + empty: {bad}"
            m, l_, o = merge_k.merge_states(*e, *e)
            if not (torch.isneginf(m).all() and (l_ == 0).all() and (o == 0).all()):
                return "empty + empty is not the empty state (NaN?)"
            return ""

        record(f"merge_states {name}", merge_check)
        record(f"merge_states empty states {name}", empty_check)

    for name, qshape, sk, block, dtype in BLOCKWISE_CASES:

        def blockwise_check(qshape=qshape, sk=sk, block=block, dtype=dtype) -> str:
            q = randn(*qshape, scale=2.0).to(getattr(torch, dtype))
            k = randn(*qshape[:-2], sk, qshape[-1], scale=2.0).to(q.dtype)
            v = randn(*qshape[:-2], sk, qshape[-1]).add(0.5).to(q.dtype)
            got = merge_k.blockwise_attention(q, k, v, block)
            return close(got, merge_r.blockwise_attention(q, k, v, block), dtype)

        record(f"blockwise_attention {name}", blockwise_check)

    attn_k, attn_r = _load("attention", "kernel"), _load("attention", "reference")
    for name, (b, h, sq, sk, d), dtype, variant in ATTN_CASES:

        def attention_check(b=b, h=h, sq=sq, sk=sk, d=d, dtype=dtype, variant=variant) -> str:
            dt = getattr(torch, dtype)
            scale = 40.0 if variant == "extreme" else 2.0
            q = randn(b, h, sq, d, scale=scale / math.sqrt(math.sqrt(d))).to(dt)
            k = randn(b, h, sk, d, scale=scale / math.sqrt(math.sqrt(d))).to(dt)
            v = randn(b, h, sk, d).add(0.5).to(dt)
            kwargs: dict[str, Any] = {}
            if variant in ("causal", "extreme"):
                kwargs["is_causal"] = True
            elif variant == "mask":
                mask = torch.rand(sq, sk, generator=gen) > 0.5
                mask[sq // 2] = False  # a query with no key: must come out as zeros
                kwargs["mask"] = mask
            elif variant == "padding":
                lengths = torch.tensor([sk, sk // 2])
                kwargs["mask"] = (torch.arange(sk) < lengths[:, None])[:, None, None, :]
            elif variant == "strided":
                # (B, S, H, D) storage viewed as (B, H, S, D): every stride is unusual.
                q = randn(b, sq, h, d).to(dt).transpose(1, 2)
                k = randn(b, sk, h, d).to(dt).transpose(1, 2)
                v = randn(b, sk, h, d).to(dt).transpose(1, 2)
            got = attn_k.attention(q, k, v, **kwargs)
            return close(got, attn_r.attention(q, k, v, **kwargs), dtype)

        record(f"attention {name}", attention_check)

    def rejects(fn: Callable[[], Any], exc: type[Exception]) -> str:
        try:
            fn()
        except exc:
            return ""
        return f"expected {exc.__name__}"

    q = randn(1, 1, 4, 16).float()
    record(
        "attention rejects mask with is_causal",
        lambda: rejects(
            lambda: attn_k.attention(q, q, q, mask=torch.ones(4, 4, dtype=torch.bool),
                                     is_causal=True), ValueError),
    )
    record("attention rejects float64", lambda: rejects(lambda: attn_k.attention(
        q.double(), q.double(), q.double()), TypeError))

    def backward_raises() -> str:
        qg = q.clone().requires_grad_()
        out = attn_k.attention(qg, q, q)
        return rejects(lambda: out.sum().backward(), NotImplementedError)

    record("attention backward raises NotImplementedError", backward_raises)

    def inputs_unmodified() -> str:
        x, w = randn(3, 40).float(), randn(40).float()
        a, c = state((6,), 5, 8, "float32"), state((6,), 3, 8, "float32")
        qq, kk, vv = (randn(1, 2, 9, 16).float() for _ in range(3))
        tensors = [x, w, *a, *c, qq, kk, vv]
        before = [t.clone() for t in tensors]
        rms_k.rms_norm(x, w)
        merge_k.merge_states(*a, *c)
        merge_k.blockwise_attention(qq, kk, vv, 4)
        attn_k.attention(qq, kk, vv, is_causal=True)
        changed = [
            i for i, (t, s) in enumerate(zip(tensors, before, strict=True)) if not torch.equal(t, s)
        ]
        return f"inputs {changed} modified" if changed else ""

    record("kernels leave inputs unmodified", inputs_unmodified)
    return results


if __name__ == "__main__":
    print(json.dumps(_child()))
