"""Digests of input tensors (`quizapp.core.grading.digest`), which stand in for the inputs a
memory-budget case would otherwise send back: independent of strides, sensitive to every
bit of the values, to dtype and to shape."""

from __future__ import annotations

import pytest
import torch

from quizapp.core.grading import digest
from quizapp.core.grading.digest import tensor_digest


@pytest.mark.parametrize("view", ["contiguous", "transposed", "strided", "permuted", "row"])
def test_the_digest_depends_on_values_not_strides(view: str) -> None:
    x = torch.randn(30, 50, 7, generator=torch.Generator().manual_seed(0))
    t = {"contiguous": x, "transposed": x.transpose(0, 1), "strided": x[:, ::3],
         "permuted": x.permute(2, 0, 1), "row": x[3, :, 2]}[view]
    assert tensor_digest(t) == tensor_digest(t.contiguous())
    assert tensor_digest(t) == tensor_digest(t.clone())


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16, torch.int64,
                                   torch.bool])
def test_one_changed_element_changes_the_digest(dtype: torch.dtype) -> None:
    x = (torch.arange(600).reshape(20, 30) % 7).to(dtype)
    y = x.clone()
    y[11, 17] = 1 if dtype == torch.bool and not bool(x[11, 17]) else 0
    assert not torch.equal(x, y)
    assert tensor_digest(x) != tensor_digest(y)
    assert tensor_digest(x.T) != tensor_digest(y.T)


def test_the_smallest_float_change_is_seen() -> None:
    x = torch.full((1000,), 1.0)
    y = x.clone()
    y[500] = torch.nextafter(torch.tensor(1.0), torch.tensor(2.0))
    assert tensor_digest(x) != tensor_digest(y)


def test_dtype_and_shape_are_part_of_the_digest() -> None:
    x = torch.zeros(4, 6)
    assert tensor_digest(x) != tensor_digest(x.reshape(6, 4))
    assert tensor_digest(x) != tensor_digest(x.to(torch.int32))  # the same bytes
    assert tensor_digest(torch.zeros(0, 3)) != tensor_digest(torch.zeros(3, 0))


def test_scalars_and_empty_tensors() -> None:
    assert tensor_digest(torch.tensor(2.5)) == tensor_digest(torch.tensor([2.5])[0])
    assert tensor_digest(torch.tensor(2.5)) != tensor_digest(torch.tensor(2.0))
    assert tensor_digest(torch.zeros(0)) == tensor_digest(torch.zeros(0))


def test_rows_wider_than_a_chunk_are_hashed_piecewise(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(digest, "CHUNK_BYTES", 64)
    x = torch.randn(5, 40, 9, generator=torch.Generator().manual_seed(1))
    t = x.transpose(1, 2)  # rows of 360 values: wider than 64 bytes
    assert tensor_digest(t) == tensor_digest(t.contiguous())
    y = t.clone()
    y[4, 8, 39] += 1
    assert tensor_digest(t) != tensor_digest(y)
