"""Inputs of the gqa_decode drill's cases.

Parameters (declared in drill.yaml): `batch`, `hq`, `hkv`, `t` (new tokens), `d`, `s_max`
(cache length) and `start_pos` (`at_end: true` puts the step at S_max − T instead);
`scale` is the std of q and k (so |scores| grows with it), `v_offset` the per-feature mean
of v (an all-zero output or uniform weights fail). Cache positions [0, start_pos) hold
earlier keys and values; positions from start_pos on hold stale values from an earlier
request (offset by `stale`), which a solution must neither read nor leave changed past
start_pos + T. `layout: transposed` makes q, k, v non-contiguous ((B, T, H, D) stored).
"""

from __future__ import annotations

from typing import Any

from quizapp.core.drills.builders import (
    CaseInputs,
    dtype,
    feature_offset,
    generator,
    randn,
    transposed,
)


def gqa_decode(p: dict[str, Any], seed: int) -> CaseInputs:
    """q, k, v, the two caches and start_pos for one case."""
    g = generator(seed)
    b, hq, hkv, t, d, s_max = p["batch"], p["hq"], p["hkv"], p["t"], p["d"], p["s_max"]
    start = s_max - t if p["at_end"] else p["start_pos"]
    dt = dtype(p["dtype"])
    shift = feature_offset(d, p["v_offset"])
    q = randn((b, hq, t, d), g) * p["scale"] + 0.2
    k = randn((b, hkv, t, d), g) * p["scale"] + 0.2
    v = randn((b, hkv, t, d), g) + shift
    k_cache = randn((b, hkv, s_max, d), g) * p["scale"] + 0.2
    v_cache = randn((b, hkv, s_max, d), g) + shift
    # Stale entries from an earlier, longer request: attending to them changes the output.
    k_cache[:, :, start:] = randn((b, hkv, s_max - start, d), g) * p["scale"] + p["stale"]
    v_cache[:, :, start:] = randn((b, hkv, s_max - start, d), g) - p["stale"]
    if p["layout"] == "transposed":
        q, k, v = (transposed(x, 1, 2) for x in (q, k, v))
    values = {"q": q.to(dt), "k": k.to(dt), "v": v.to(dt), "k_cache": k_cache.to(dt),
              "v_cache": v_cache.to(dt), "start_pos": start}
    return CaseInputs(values)
