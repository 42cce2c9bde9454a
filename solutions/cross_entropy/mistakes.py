"""Known-wrong variants of the ``cross_entropy`` drill, for the grader's "looks like …".

Each variant reproduces one classic bug and is otherwise the reference; they compute in
float64 so their output is the bug's exact signature, except ``no_max_subtraction``, whose
bug only shows in the precision a solution would use (float32: exp overflows past 88).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor


def _parts(logits: Tensor, targets: Tensor, ignore_index: int
           ) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """(float64 logits, valid rows, log-sum-exp per row, target logit per row)."""
    x = logits.to(torch.float64)
    valid = targets != ignore_index
    safe = torch.where(valid, targets, torch.zeros_like(targets))
    lse = torch.logsumexp(x, dim=-1)
    return x, valid, lse, x.gather(-1, safe.unsqueeze(-1)).squeeze(-1)


def _mean(per_row: Tensor, valid: Tensor, like: Tensor) -> Tensor:
    per_row = torch.where(valid, per_row, torch.zeros_like(per_row))
    return (per_row.sum() / valid.sum().clamp_min(1)).to(like.dtype)


def no_max_subtraction(logits: Tensor, targets: Tensor, ignore_index: int = -100,
                       label_smoothing: float = 0.0) -> Tensor:
    """log(Σ exp(x)) without the max shift, in float32: ±1e4 logits give inf/NaN."""
    x = logits.to(torch.promote_types(logits.dtype, torch.float32))
    valid = targets != ignore_index
    safe = torch.where(valid, targets, torch.zeros_like(targets))
    lse = torch.log(torch.exp(x).sum(dim=-1))
    nll = lse - x.gather(-1, safe.unsqueeze(-1)).squeeze(-1)
    per_row = (1 - label_smoothing) * nll + label_smoothing * (lse - x.mean(dim=-1))
    per_row = torch.where(valid, per_row, torch.zeros_like(per_row))
    return (per_row.sum() / valid.sum().clamp_min(1)).to(logits.dtype)


def mean_over_all_rows(logits: Tensor, targets: Tensor, ignore_index: int = -100,
                       label_smoothing: float = 0.0) -> Tensor:
    """Ignored rows are zeroed but still counted: divides by N instead of #valid."""
    x, valid, lse, xt = _parts(logits, targets, ignore_index)
    per_row = (1 - label_smoothing) * (lse - xt) + label_smoothing * (lse - x.mean(dim=-1))
    per_row = torch.where(valid, per_row, torch.zeros_like(per_row))
    return (per_row.sum() / max(targets.numel(), 1)).to(logits.dtype)


def smoothing_over_other_classes(logits: Tensor, targets: Tensor, ignore_index: int = -100,
                                 label_smoothing: float = 0.0) -> Tensor:
    """Target 1 − ε and ε/(V − 1) on each other class (not PyTorch's ε/V on all V)."""
    x, valid, lse, xt = _parts(logits, targets, ignore_index)
    v = x.shape[-1]
    others = (lse * v - x.sum(dim=-1) - (lse - xt)) / max(v - 1, 1)
    per_row = (1 - label_smoothing) * (lse - xt) + label_smoothing * others
    return _mean(per_row, valid, logits)


def smoothing_sum_not_mean(logits: Tensor, targets: Tensor, ignore_index: int = -100,
                           label_smoothing: float = 0.0) -> Tensor:
    """The smoothing term sums −log p over the V classes instead of averaging (ε, not ε/V)."""
    x, valid, lse, xt = _parts(logits, targets, ignore_index)
    smooth = lse * x.shape[-1] - x.sum(dim=-1)
    return _mean((1 - label_smoothing) * (lse - xt) + label_smoothing * smooth, valid, logits)


def ignores_only_minus_100(logits: Tensor, targets: Tensor, ignore_index: int = -100,
                           label_smoothing: float = 0.0) -> Tensor:
    """`targets != -100` hard-coded (and `targets.clamp(min=0)` as the gather index): rows
    with another ignore_index are trained on — as class 0 when it is negative."""
    x, valid, lse, xt = _parts(logits, targets.clamp(min=0).masked_fill(targets == -100, -100),
                               -100)
    per_row = (1 - label_smoothing) * (lse - xt) + label_smoothing * (lse - x.mean(dim=-1))
    return _mean(per_row, valid, logits)


def nan_when_all_ignored(logits: Tensor, targets: Tensor, ignore_index: int = -100,
                         label_smoothing: float = 0.0) -> Tensor:
    """Σ / #valid without a guard: 0/0 = NaN when every row is ignored (PyTorch's result)."""
    x, valid, lse, xt = _parts(logits, targets, ignore_index)
    per_row = (1 - label_smoothing) * (lse - xt) + label_smoothing * (lse - x.mean(dim=-1))
    per_row = torch.where(valid, per_row, torch.zeros_like(per_row))
    return (per_row.sum() / valid.sum().to(torch.float64)).to(logits.dtype)


def mean_over_classes_too(logits: Tensor, targets: Tensor, ignore_index: int = -100,
                          label_smoothing: float = 0.0) -> Tensor:
    """`-(one_hot * log_p).mean()`: averages over all N·V entries, so the loss is V× too small."""
    x, valid, lse, xt = _parts(logits, targets, ignore_index)
    per_row = (1 - label_smoothing) * (lse - xt) + label_smoothing * (lse - x.mean(dim=-1))
    per_row = torch.where(valid, per_row, torch.zeros_like(per_row))
    count = (valid.sum() * x.shape[-1]).clamp_min(1)
    return (per_row.sum() / count).to(logits.dtype)


def _text(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh": zh}


MISTAKES: list[dict[str, Any]] = [
    {
        "id": "no_max_subtraction",
        "title": _text("No max subtraction before exp", "exp 之前没有减去最大值"),
        "explanation": _text(
            "log(Σ exp(x)) is evaluated as written: exp overflows to inf once a logit passes "
            "≈ 88 in float32 (≈ 709 in float64, ≈ 11 in float16), so the loss becomes inf or "
            "NaN. log Σ exp(x) = m + log Σ exp(x − m) with m the row max keeps every exp ≤ 1.",
            "直接按定义计算 log(Σ exp(x))：float32 中 logit 超过约 88"
            "（float64 约 709，float16 约 11）exp 就溢出为 inf，loss 变成 inf 或 NaN。"
            "用 log Σ exp(x) = m + log Σ exp(x − m)（m 为行最大值）可以保证每个 exp ≤ 1。"),
        "cross_entropy": no_max_subtraction,
        "exposed_by": "logits ±1e4",
        "agrees_on": "float32 basic",
    },
    {
        "id": "mean_over_all_rows",
        "title": _text("Mean over all rows, ignored ones included",
                       "对所有行求平均（包括被忽略的行）"),
        "explanation": _text(
            "The ignored rows are zeroed but the sum is divided by N instead of the number of "
            "valid rows, so padding dilutes the loss (and its gradient) by #valid / N. "
            "PyTorch's mean divides by the number of non-ignored targets.",
            "被忽略的行虽然置了 0，但求和后除以的是 N 而不是有效行数，padding 越多 loss（和梯度）"
            "被稀释得越厉害（乘了 有效行数/N）。PyTorch 的 mean 除以的是未被忽略的目标个数。"),
        "cross_entropy": mean_over_all_rows,
        "exposed_by": "some rows ignored (default ignore_index)",
        "agrees_on": "float32 basic",
    },
    {
        "id": "smoothing_over_other_classes",
        "title": _text("Smoothing spread over the V − 1 other classes",
                       "平滑只分摊到其余 V − 1 个类"),
        "explanation": _text(
            "The smoothed target puts 1 − ε on the true class and ε/(V − 1) on each other one. "
            "That is a valid smoothing, but not PyTorch's (nor Szegedy et al.'s): there every "
            "class, the target included, gets ε/V and the target 1 − ε + ε/V.",
            "平滑后的目标在真实类上放 1 − ε，其余每类放 ε/(V − 1)。这也是一种平滑，"
            "但不是 PyTorch（也不是 Szegedy 等人）的定义：那里每个类（包括目标类）都得到 ε/V，"
            "目标类共 1 − ε + ε/V。"),
        "cross_entropy": smoothing_over_other_classes,
        "exposed_by": "label smoothing 0.1",
        "agrees_on": "float32 basic",
    },
    {
        "id": "smoothing_sum_not_mean",
        "title": _text("Smoothing term summed over classes", "平滑项对类别求和而不是平均"),
        "explanation": _text(
            "The uniform part of the target is ε/V per class, so its loss is ε·mean_j(−log p_j). "
            "Summing −log p_j over the V classes makes the smoothing term V times too strong.",
            "目标分布中均匀部分每个类是 ε/V，所以这一项的 loss 是 ε·mean_j(−log p_j)。"
            "对 V 个类求和会让平滑项放大 V 倍。"),
        "cross_entropy": smoothing_sum_not_mean,
        "exposed_by": "label smoothing 0.1",
        "agrees_on": "float32 basic",
    },
    {
        "id": "ignores_only_minus_100",
        "title": _text("ignore_index hard-coded as −100", "把 ignore_index 写死成 −100"),
        "explanation": _text(
            "The mask is `targets != -100` instead of `targets != ignore_index`: with another "
            "ignore_index the rows meant to be skipped are trained on (as class 0 when it is "
            "negative and clamped, or an index error).",
            "掩码写成了 `targets != -100` 而不是 `targets != ignore_index`："
            "换一个 ignore_index 时，本该跳过的行被当成了训练目标"
            "（负数时被 clamp 成类 0，或直接越界报错）。"),
        "cross_entropy": ignores_only_minus_100,
        "exposed_by": "ignore_index = 2 (a real class id)",
        "agrees_on": "some rows ignored (default ignore_index)",
    },
    {
        "id": "nan_when_all_ignored",
        "title": _text("NaN when every row is ignored", "所有行都被忽略时得到 NaN"),
        "explanation": _text(
            "Σ loss / #valid with #valid = 0 is 0/0 = NaN — PyTorch's own result, but one NaN "
            "batch (say, all padding after packing) poisons the weights. The contract asks for "
            "0: divide by max(#valid, 1).",
            "有效行数为 0 时 Σ loss / 有效行数 = 0/0 = NaN——PyTorch 本身就是这样，"
            "但一个全是 padding 的 batch 会让权重变成 NaN。"
            "本题要求返回 0：除以 max(有效行数, 1)。"),
        "cross_entropy": nan_when_all_ignored,
        "exposed_by": "every row ignored gives 0",
        "agrees_on": "float32 basic",
    },
    {
        "id": "mean_over_classes_too",
        "title": _text("Mean over N·V entries instead of N rows",
                       "对 N·V 个元素取平均，而不是对 N 行"),
        "explanation": _text(
            "`-(one_hot * log_p).mean()` averages over every entry of the N × V matrix, so the "
            "loss is V times too small. Sum over the classes first, then average over the rows.",
            "`-(one_hot * log_p).mean()` 对 N × V 矩阵的每个元素取平均，loss 小了 V 倍。"
            "应先对类别求和，再对行取平均。"),
        "cross_entropy": mean_over_classes_too,
        "exposed_by": "float32 basic",
    },
]
