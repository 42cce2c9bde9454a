"""Reference (oracle) for the ``beam_search`` drill: beam search with a length penalty.

Hugging Face's rule (``BeamSearchScorer.process`` / ``BeamHypotheses`` with
``early_stopping=True``), written out:

- the live set starts as the one beam [bos] with cumulative log-probability 0;
- each step scores every (live beam b, token v) as cum_b + log p(v | beam b) and ranks the
  candidates by that sum, descending; ties go to the lower beam index, then the lower token
  id (a stable sort of the flattened (beam, token) scores);
- walking the ranking: an eos candidate ranked within the first ``beam_size`` becomes a
  finished hypothesis scored cum / t ** length_penalty, t = generated length including eos
  (= the step number); an eos candidate ranked lower is dropped; a non-eos candidate joins
  the next live set until it holds ``beam_size`` beams;
- after a step that brought the finished count to ``beam_size`` or more, stop (early
  stopping) and drop the live beams, as HF's ``finalize`` does for a finished batch entry;
  otherwise, after ``max_new_tokens`` steps the live beams become hypotheses scored
  cum / max_new_tokens ** length_penalty;
- return the best ``beam_size`` hypotheses, best first, as (tokens without bos, score);
  equal scores keep the order in which the hypotheses were made (finished ones in step and
  rank order, then the live beams in beam order).

Candidates are ranked on the float64 sum of the model's outputs; the toy models of the drill
return values on a binary grid, so every sum is exact whatever the precision.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

Hypothesis = tuple[list[int], float]


def _score(cum: float, length: int, length_penalty: float) -> float:
    return cum / float(length) ** length_penalty


def beam_search(log_probs_fn: Callable[[torch.Tensor], torch.Tensor], bos: int, eos: int,
                beam_size: int, max_new_tokens: int, length_penalty: float = 1.0
                ) -> list[Hypothesis]:
    """The best ``beam_size`` hypotheses, best first, each (generated tokens, score)."""
    live: list[tuple[list[int], float]] = [([bos], 0.0)]
    finished: list[Hypothesis] = []
    for step in range(1, max_new_tokens + 1):
        prefixes = torch.tensor([tokens for tokens, _ in live], dtype=torch.long)
        scores = log_probs_fn(prefixes).detach().to("cpu", torch.float64).tolist()
        candidates = [(cum + score, b, v) for b, (_, cum) in enumerate(live)
                      for v, score in enumerate(scores[b])]
        candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
        next_live: list[tuple[list[int], float]] = []
        for rank, (total, b, v) in enumerate(candidates):
            if v == eos:
                if rank < beam_size:
                    finished.append((live[b][0][1:] + [v],
                                     _score(total, step, length_penalty)))
                continue
            next_live.append((live[b][0] + [v], total))
            if len(next_live) == beam_size:
                break
        live = next_live
        if len(finished) >= beam_size:
            break
    else:
        finished += [(tokens[1:], _score(cum, max_new_tokens, length_penalty))
                     for tokens, cum in live]
    best = sorted(range(len(finished)), key=lambda i: -finished[i][1])[:beam_size]
    return [finished[i] for i in best]


def check(entry: str, got: object, want: object, inputs: dict[str, object]) -> str | None:
    """Tokens compared exactly, scores to 1e-6 (relative and absolute); None when right."""
    del entry, inputs
    assert isinstance(want, list)
    if not isinstance(got, (list, tuple)):
        return f"returned {type(got).__name__}, expected a list of (tokens, score) tuples"
    if len(got) != len(want):
        noun = "hypothesis" if len(got) == 1 else "hypotheses"
        return f"returned {len(got)} {noun}, expected {len(want)}"
    for i, (item, (tokens, score)) in enumerate(zip(got, want, strict=True)):
        if not isinstance(item, (list, tuple)) or len(item) != 2:
            return f"hypothesis {i} is not a (tokens, score) pair"
        got_tokens, got_score = item
        if isinstance(got_tokens, torch.Tensor):
            got_tokens = got_tokens.tolist()
        if not isinstance(got_tokens, (list, tuple)) or \
                any(isinstance(t, bool) or not isinstance(t, int) for t in got_tokens):
            return f"hypothesis {i}: the tokens must be a list of ints"
        if isinstance(got_score, torch.Tensor) and got_score.numel() == 1:
            got_score = float(got_score)
        if isinstance(got_score, bool) or not isinstance(got_score, (int, float)):
            return f"hypothesis {i}: the score must be a float"
        if list(got_tokens) != tokens:
            return f"hypothesis {i} is {list(got_tokens)}, expected {tokens}"
        if not abs(got_score - score) <= 1e-6 + 1e-6 * abs(score):
            return f"hypothesis {i} {tokens}: score {got_score!r}, expected {score!r}"
    return None


# --------------------------------------------------------------------------- timing baseline


def beam_search_same_precision(log_probs_fn: Callable[[torch.Tensor], torch.Tensor], bos: int,
                               eos: int, beam_size: int, max_new_tokens: int,
                               length_penalty: float = 1.0) -> list[Hypothesis]:
    """The idiomatic tensor version (HF-style: stable sort of the flattened scores, walk the
    first 2·beam_size candidates), in the model's precision, for ``--bench``."""
    seqs = torch.tensor([[bos]], dtype=torch.long)
    cum = torch.zeros(1, dtype=torch.float64)
    finished: list[Hypothesis] = []
    done = False
    for step in range(1, max_new_tokens + 1):
        scores = log_probs_fn(seqs)
        total = (cum.to(scores.dtype)[:, None] + scores).reshape(-1)
        vocab = scores.shape[1]
        top = torch.sort(total, descending=True, stable=True)
        keep = min(2 * beam_size, total.shape[0])
        values, flat = top.values[:keep].tolist(), top.indices[:keep].tolist()
        rows: list[int] = []
        toks: list[int] = []
        sums: list[float] = []
        for rank, (s, f) in enumerate(zip(values, flat, strict=True)):
            b, v = divmod(f, vocab)
            if v == eos:
                if rank < beam_size:
                    finished.append((seqs[b, 1:].tolist() + [v], s / step ** length_penalty))
                continue
            rows.append(b)
            toks.append(v)
            sums.append(s)
            if len(rows) == beam_size:
                break
        seqs = torch.cat([seqs[rows], torch.tensor(toks)[:, None]], dim=1)
        cum = torch.tensor(sums, dtype=torch.float64)
        if len(finished) >= beam_size:
            done = True
            break
    if not done:
        finished += [(seqs[b, 1:].tolist(), float(cum[b]) / max_new_tokens ** length_penalty)
                     for b in range(seqs.shape[0])]
    finished.sort(key=lambda h: -h[1])
    return finished[:beam_size]


BENCH_BASELINES = {"beam_search": beam_search_same_precision}
