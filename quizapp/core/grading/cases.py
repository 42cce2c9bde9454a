"""Inputs for every drill case, built deterministically from the case's YAML parameters.

A drill's YAML lists its cases (name, entry point, parameters, trials); this module owns what
the parameters *mean*: one builder per drill turns them, plus a seed, into the arguments of
the entry point. Builders run in the grading parent (never in the user's process), so inputs
are generated where user code cannot tamper with the generator.

`PARAMS` declares, per drill and entry point, the parameters a case may set and their kinds;
`quizapp.core.drills` validates the YAML against it, so this module must stay importable
without torch (torch is imported inside the builders).

Inputs are deliberately *offset and scaled*: values have non-zero means, rows have different
magnitudes, value vectors are shifted, so that trivial outputs (zeros, uniform attention
weights, an identity) fail.
"""

from __future__ import annotations

import math
import random
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: Dtype names a case may use.
DTYPES = ("float64", "float32", "float16", "bfloat16")


@dataclass(frozen=True)
class Param:
    """One case parameter: its kind, default and (for choices) allowed values."""

    kind: str  # int | float | bool | dtype | choice | ints | pair | text | default_or_float
    default: Any = None
    choices: tuple[str, ...] = ()

    def check(self, value: Any) -> str | None:
        """A problem with `value` for this parameter, or None when it is fine."""
        kind = self.kind
        if kind == "int":
            ok = isinstance(value, int) and not isinstance(value, bool)
            return None if ok else "must be an integer"
        if kind == "float":
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
            return None if ok else "must be a number"
        if kind == "bool":
            return None if isinstance(value, bool) else "must be true or false"
        if kind == "dtype":
            return None if value in DTYPES else f"must be one of {', '.join(DTYPES)}"
        if kind == "choice":
            return None if value in self.choices else f"must be one of {', '.join(self.choices)}"
        if kind == "ints":
            ok = isinstance(value, list) and all(
                isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value)
            return None if ok else "must be a list of non-negative integers"
        if kind == "pair":
            ok = (isinstance(value, list) and len(value) == 2
                  and all(isinstance(v, int) and not isinstance(v, bool) for v in value))
            return None if ok or value == "auto" else "must be [a, b] or auto"
        if kind == "text":
            return None if isinstance(value, str) else "must be a string"
        if kind == "default_or_float":
            ok = value == "default" or (isinstance(value, (int, float))
                                        and not isinstance(value, bool))
            return None if ok else "must be a number or 'default' (argument left out)"
        raise AssertionError(f"unknown parameter kind {kind}")


def _p(kind: str, default: Any = None, choices: tuple[str, ...] = ()) -> Param:
    return Param(kind, default, choices)


_ATTENTION = {
    "batch": _p("int", 2), "heads": _p("int", 2), "sq": _p("int", 5), "sk": _p("int", 5),
    "d": _p("int", 8), "dtype": _p("dtype", "float32"),
    "scale": _p("float", 1.2),       # std of q and k entries
    "v_offset": _p("float", 1.5),    # mean of v, so zeros / uniform weights fail
    "mask": _p("choice", "none", ("none", "random", "padding", "some_rows_empty", "square_2d")),
    "is_causal": _p("choice", "omit", ("omit", "false", "true")),
    "pass_mask_none": _p("bool", False),  # pass mask=None explicitly
    "layout": _p("choice", "contiguous", ("contiguous", "transposed")),
}
_RMSNORM = {
    "shape": _p("ints", [4, 64]), "dtype": _p("dtype", "float32"),
    "scale": _p("float", 2.0), "offset": _p("float", 0.5),
    "magnitude": _p("float", 0.0),   # when > 0: |x| ≈ magnitude with random signs
    "weight": _p("choice", "random", ("random", "ones")),
    "eps": _p("default_or_float", "default"),
    "layout": _p("choice", "contiguous", ("contiguous", "transposed")),
}
_MERGE = {
    "ids": _p("ints", None), "length": _p("int", 0), "alphabet": _p("int", 4),
    "pair": _p("pair", "auto"), "new_id": _p("int", 256),
}
_TRAIN = {
    "text": _p("text", None),
    "corpus": _p("choice", "english", ("english", "chinese", "mixed", "repetitive", "ties")),
    "length": _p("int", 400), "vocab_size": _p("int", 300),
}
_MERGE_STATES = {
    "rows": _p("ints", [2, 5]), "d": _p("int", 8), "dtype": _p("dtype", "float32"),
    "block": _p("int", 6),           # keys behind each state
    "scale": _p("float", 2.0),       # std of the scores
    "gap": _p("float", 0.0),         # added to the second block's scores
    "v_offset": _p("float", 1.0),
    "empty": _p("choice", "none", ("none", "first", "second", "both", "mixed")),
}
_BLOCKWISE = {
    "batch": _p("ints", [2]), "sq": _p("int", 6), "sk": _p("int", 20), "d": _p("int", 8),
    "dtype": _p("dtype", "float32"), "block_size": _p("int", 4),
    "scale": _p("float", 1.2), "v_offset": _p("float", 1.5),
}
_CLIP = {
    "n": _p("int", 8), "d": _p("int", 16), "dtype": _p("dtype", "float32"),
    "logit_scale": _p("float", 14.285714),   # 1 / 0.07, CLIP's initial temperature
    "noise": _p("float", 2.0),               # text = image + noise: matched pairs are similar
    "norm_spread": _p("float", 4.0),         # rows get norms between 1 and norm_spread·3
    "scale_dtype": _p("choice", "float32", ("float32", "same")),
}

#: drill id → entry point → parameter name → Param.
PARAMS: dict[str, dict[str, dict[str, Param]]] = {
    "attention": {"attention": _ATTENTION},
    "rmsnorm": {"rms_norm": _RMSNORM},
    "bpe_merge": {"merge": _MERGE, "train": _TRAIN},
    "softmax_merge": {"merge_states": _MERGE_STATES, "blockwise_attention": _BLOCKWISE},
    "clip_loss": {"clip_loss": _CLIP},
}


@dataclass
class CaseInputs:
    """The arguments of one call: `values` in signature order; names in `keywords` are
    passed by keyword, the rest positionally. `grad` names the tensors to differentiate."""

    values: dict[str, Any]
    keywords: tuple[str, ...] = ()
    grad: tuple[str, ...] = ()
    notes: dict[str, Any] = field(default_factory=dict)


def case_seed(drill_id: str, case_name: str) -> int:
    """A stable seed per case (independent of the case's position in the YAML)."""
    return zlib.crc32(f"{drill_id}/{case_name}".encode())


def build_inputs(drill_id: str, entry: str, params: Mapping[str, Any], seed: int) -> CaseInputs:
    """The inputs of one case. `params` are the YAML parameters (defaults filled here)."""
    spec = PARAMS[drill_id][entry]
    full = {name: p.default for name, p in spec.items()}
    full.update(params)
    return _BUILDERS[(drill_id, entry)](full, seed)


# --------------------------------------------------------------------------- helpers


def _torch() -> Any:
    import torch

    return torch


def _dtype(name: str) -> Any:
    return getattr(_torch(), name)


def _gen(seed: int) -> Any:
    return _torch().Generator().manual_seed(seed)


def _randn(shape: tuple[int, ...], gen: Any) -> Any:
    return _torch().randn(shape, generator=gen, dtype=_torch().float64)


# --------------------------------------------------------------------------- attention


def _attention(p: dict[str, Any], seed: int) -> CaseInputs:
    torch = _torch()
    g = _gen(seed)
    b, h, sq, sk, d = p["batch"], p["heads"], p["sq"], p["sk"], p["d"]
    dtype = _dtype(p["dtype"])
    scale = p["scale"]
    q = _randn((b, h, sq, d), g) * scale
    k = _randn((b, h, sk, d), g) * scale
    # v has a per-feature offset: the output is a convex combination of v rows, so a wrong
    # weighting shows, and an all-zero output cannot pass.
    v = _randn((b, h, sk, d), g) + p["v_offset"] * (1 + torch.arange(d, dtype=torch.float64) / d)
    values: dict[str, Any] = {}
    if p["layout"] == "transposed":
        # Real models produce (B, S, H, D) and transpose: non-contiguous inputs.
        q, k, v = (t.transpose(1, 2).contiguous().transpose(1, 2) for t in (q, k, v))
    values["q"], values["k"], values["v"] = q.to(dtype), k.to(dtype), v.to(dtype)
    keywords: list[str] = []
    mask = None
    kind = p["mask"]
    if kind == "random":
        mask = torch.rand((b, 1, sq, sk), generator=g) < 0.7
        mask[..., 0] = True  # every row keeps a key; empty rows have their own case
    elif kind == "padding":
        lengths = torch.randint(1, sk + 1, (b,), generator=g)
        lengths[0] = sk
        mask = (torch.arange(sk)[None, :] < lengths[:, None])[:, None, None, :]
    elif kind == "some_rows_empty":
        mask = torch.rand((b, h, sq, sk), generator=g) < 0.6
        mask[..., 0] = True
        mask[:, :, 0, :] = False  # the first query of every head may attend to nothing
        if sq > 2:
            mask[0, 0, sq - 1, :] = False
    elif kind == "square_2d":
        mask = torch.rand((sq, sk), generator=g) < 0.6
        mask[:, -1] = True
    if mask is not None or p["pass_mask_none"]:
        values["mask"] = mask
        keywords.append("mask")
    if p["is_causal"] != "omit":
        values["is_causal"] = p["is_causal"] == "true"
        keywords.append("is_causal")
    return CaseInputs(values, tuple(keywords), grad=("q", "k", "v"))


# --------------------------------------------------------------------------- rmsnorm


def _rmsnorm(p: dict[str, Any], seed: int) -> CaseInputs:
    torch = _torch()
    g = _gen(seed)
    shape = tuple(p["shape"])
    dtype = _dtype(p["dtype"])
    if p["magnitude"] > 0:
        signs = torch.where(torch.rand(shape, generator=g) < 0.5, -1.0, 1.0).double()
        x = signs * p["magnitude"] * (1 + 0.15 * _randn(shape, g).clamp(-2, 2))
    else:
        # Rows with different scales and a non-zero mean: LayerNorm-style centring and a
        # shared (whole-tensor) RMS both give visibly wrong answers.
        row_scale = torch.exp(0.5 * _randn(shape[:-1] + (1,), g))
        x = (_randn(shape, g) + p["offset"]) * p["scale"] * row_scale
    n = shape[-1]
    if p["weight"] == "random":
        weight = 1.0 + 0.5 * _randn((n,), g)
    else:
        weight = torch.ones(n, dtype=torch.float64)
    if p["layout"] == "transposed" and len(shape) >= 2:
        # A non-contiguous x whose last dim is still the normalised one.
        x = x.transpose(0, -2).contiguous().transpose(0, -2)
    values: dict[str, Any] = {"x": x.to(dtype), "weight": weight.to(dtype)}
    keywords: tuple[str, ...] = ()
    if p["eps"] != "default":
        values["eps"] = float(p["eps"])
        keywords = ("eps",)
    return CaseInputs(values, keywords, grad=("x", "weight"))


# --------------------------------------------------------------------------- BPE

_EN_WORDS = ("the", "model", "token", "attention", "head", "layer", "norm", "merge", "pair",
             "byte", "learns", "a", "of", "to", "and", "in", "is", "low", "lower", "lowest",
             "new", "newer", "newest", "wide", "wider", "interview", "kernel", "cache")
_ZH_WORDS = ("注意力", "模型", "分词", "字节", "合并", "训练", "大模型", "面试", "推理", "缓存",
             "的", "是", "在", "和", "我们", "词表", "编码", "层", "归一化", "梯度")


def _corpus(kind: str, length: int, rng: random.Random) -> str:
    if kind == "repetitive":
        unit = "ab" if length % 2 == 0 else "aba"
        return (unit * (length // len(unit) + 1))[:length]
    if kind == "ties":
        # Every pair occurs equally often: ties must go to the earliest first occurrence.
        letters = list("zyxwvutsrq")
        rng.shuffle(letters)
        return "".join(letters)[: max(2, min(length, 10))]
    parts: list[str] = []
    size = 0
    while size < length:
        if kind == "english":
            word = rng.choice(_EN_WORDS) + " "
        elif kind == "chinese":
            word = rng.choice(_ZH_WORDS) + ("，" if rng.random() < 0.1 else "")
        else:
            word = rng.choice(_ZH_WORDS + _EN_WORDS) + rng.choice(("", " ", "。"))
        parts.append(word)
        size += len(word)
    return "".join(parts)[:length]


def _merge(p: dict[str, Any], seed: int) -> CaseInputs:
    rng = random.Random(seed)
    if p["ids"] is not None:
        ids = list(p["ids"])
    else:
        ids = [rng.randrange(p["alphabet"]) for _ in range(p["length"])]
    if p["pair"] == "auto":
        counts: dict[tuple[int, int], int] = {}
        for pair in zip(ids, ids[1:], strict=False):
            counts[pair] = counts.get(pair, 0) + 1
        pair = max(counts, key=counts.__getitem__) if counts else (1, 2)
    else:
        pair = (p["pair"][0], p["pair"][1])
    return CaseInputs({"ids": ids, "pair": pair, "new_id": p["new_id"]})


def _train(p: dict[str, Any], seed: int) -> CaseInputs:
    text = p["text"] if p["text"] is not None else _corpus(p["corpus"], p["length"],
                                                          random.Random(seed))
    return CaseInputs({"text": text, "vocab_size": p["vocab_size"]})


# --------------------------------------------------------------------------- softmax merge


def _state(s: Any, v: Any) -> tuple[Any, Any, Any]:
    """The exact (m, l, o) of scores s (..., n) and values v (..., n, D), in float64."""
    m = s.amax(dim=-1)
    e = (s - m.unsqueeze(-1)).exp()
    return m, e.sum(dim=-1), (e.unsqueeze(-1) * v).sum(dim=-2)


def _merge_states(p: dict[str, Any], seed: int) -> CaseInputs:
    torch = _torch()
    g = _gen(seed)
    rows, d, n = tuple(p["rows"]), p["d"], p["block"]
    dtype = _dtype(p["dtype"])
    offset = p["v_offset"] * (1 + torch.arange(d, dtype=torch.float64) / d)
    s1 = _randn(rows + (n,), g) * p["scale"] + 1.0
    s2 = _randn(rows + (n,), g) * p["scale"] + 1.0 + p["gap"]
    v1 = _randn(rows + (n, d), g) + offset
    v2 = _randn(rows + (n, d), g) + offset
    states = [list(_state(s1, v1)), list(_state(s2, v2))]
    empty_kind = p["empty"]
    masks: list[Any] = [torch.zeros(rows, dtype=torch.bool), torch.zeros(rows, dtype=torch.bool)]
    if empty_kind in ("first", "both"):
        masks[0][...] = True
    if empty_kind in ("second", "both"):
        masks[1][...] = True
    if empty_kind == "mixed":
        flat0, flat1 = masks[0].view(-1), masks[1].view(-1)
        for i in range(flat0.numel()):
            flat0[i], flat1[i] = (i % 4 == 1 or i % 4 == 3), (i % 4 == 2 or i % 4 == 3)
    for state, empty in zip(states, masks, strict=False):
        state[0] = torch.where(empty, torch.tensor(-math.inf, dtype=torch.float64), state[0])
        state[1] = torch.where(empty, torch.zeros((), dtype=torch.float64), state[1])
        state[2] = torch.where(empty.unsqueeze(-1), torch.zeros((), dtype=torch.float64),
                               state[2])
    (m1, l1, o1), (m2, l2, o2) = states
    values = {"m1": m1, "l1": l1, "o1": o1, "m2": m2, "l2": l2, "o2": o2}
    return CaseInputs({k: t.to(dtype) for k, t in values.items()})


def _blockwise(p: dict[str, Any], seed: int) -> CaseInputs:
    torch = _torch()
    g = _gen(seed)
    batch, sq, sk, d = tuple(p["batch"]), p["sq"], p["sk"], p["d"]
    dtype = _dtype(p["dtype"])
    q = _randn(batch + (sq, d), g) * p["scale"]
    k = _randn(batch + (sk, d), g) * p["scale"]
    v = _randn(batch + (sk, d), g) + p["v_offset"] * (1 + torch.arange(d, dtype=torch.float64) / d)
    return CaseInputs({"q": q.to(dtype), "k": k.to(dtype), "v": v.to(dtype),
                       "block_size": p["block_size"]})


# --------------------------------------------------------------------------- CLIP


def _clip(p: dict[str, Any], seed: int) -> CaseInputs:
    torch = _torch()
    g = _gen(seed)
    n, d = p["n"], p["d"]
    dtype = _dtype(p["dtype"])
    base = _randn((n, d), g) + 0.3  # a shared direction, as real embeddings have
    image = base + 0.1 * _randn((n, d), g)
    text = base + p["noise"] * _randn((n, d), g)
    # Rows of very different norms: a loss that skips the L2 normalisation is far off.
    spread = max(p["norm_spread"], 1.0)
    image = image * (1 + (spread - 1) * torch.rand((n, 1), generator=g, dtype=torch.float64))
    text = text * (1 + (spread - 1) * torch.rand((n, 1), generator=g, dtype=torch.float64))
    scale_dtype = dtype if p["scale_dtype"] == "same" or dtype == torch.float64 else torch.float32
    logit_scale = torch.tensor(float(p["logit_scale"]), dtype=scale_dtype)
    return CaseInputs({"image_emb": image.to(dtype), "text_emb": text.to(dtype),
                       "logit_scale": logit_scale},
                      grad=("image_emb", "text_emb", "logit_scale"))


_BUILDERS: dict[tuple[str, str], Callable[[dict[str, Any], int], CaseInputs]] = {
    ("attention", "attention"): _attention,
    ("rmsnorm", "rms_norm"): _rmsnorm,
    ("bpe_merge", "merge"): _merge,
    ("bpe_merge", "train"): _train,
    ("softmax_merge", "merge_states"): _merge_states,
    ("softmax_merge", "blockwise_attention"): _blockwise,
    ("clip_loss", "clip_loss"): _clip,
}
