"""Unit tests of the grader's pure parts: comparisons and their messages, static source
checks, and timing statistics."""

from __future__ import annotations

import ast

import pytest
import torch

from quizapp.core.drills import Tolerance
from quizapp.core.grading import compare as cmp
from quizapp.core.grading.static import detect_track, find_forbidden
from quizapp.core.grading.timing import ratio_ci, summarize, verdict

TOL = {"float32": Tolerance(1e-5, 1e-5), "float16": Tolerance(1e-3, 1e-3),
       "float64": Tolerance(1e-10, 1e-10)}


def packed(value: object) -> dict:
    """What the child would send for `value`."""
    if isinstance(value, torch.Tensor):
        return {"kind": "tensor", "value": value, "device": "cpu", "requires_grad": False,
                "subclass": ""}
    if isinstance(value, list):
        return {"kind": "list", "items": [packed(v) for v in value]}
    if isinstance(value, tuple):
        return {"kind": "tuple", "items": [packed(v) for v in value]}
    if isinstance(value, int):
        return {"kind": "int", "value": value}
    return {"kind": "other", "type": type(value).__name__, "repr": "", "shape": ""}


def test_identical_tensors_pass_with_zero_error() -> None:
    x = torch.randn(3, 4)
    verdict = cmp.compare(packed(x.clone()), x, TOL)
    assert verdict.passed and verdict.max_abs_err == 0.0


def test_value_mismatch_counts_and_points_at_the_first() -> None:
    want = torch.zeros(2, 5)
    got = want.clone()
    got[1, 3] = 0.5
    got[1, 4] = 0.25
    verdict = cmp.compare(packed(got), want, TOL)
    assert verdict.status == "failed"
    assert verdict.message.startswith("2 of 10 values differ from the reference")
    assert "first at [1, 3]: got 0.5, expected 0" in verdict.message
    assert verdict.max_abs_err == 0.5


def test_inf_where_finite_is_named() -> None:
    want = torch.full((4, 256), 2.0, dtype=torch.float16)
    got = want.clone()
    got[0, 3:] = float("inf")
    verdict = cmp.compare(packed(got), want, TOL)
    assert verdict.message == ("253 of 1024 values are inf where the reference is finite "
                               "(first at [0, 3]: expected 2)")


def test_nan_where_finite_and_finite_where_minus_inf() -> None:
    want = torch.tensor([1.0, float("-inf"), 3.0])
    nan = cmp.compare(packed(torch.tensor([float("nan"), float("-inf"), 3.0])), want, TOL)
    assert "1 of 3 values are NaN where the reference is finite (first at [0]" in nan.message
    finite = cmp.compare(packed(torch.tensor([1.0, -1e30, 3.0])), want, TOL)
    assert "should be -inf but are not (first at [1]: got -1e+30)" in finite.message
    same = cmp.compare(packed(torch.tensor([1.0, float("-inf"), 3.0])), want, TOL)
    assert same.passed


def test_tolerance_is_absolute_plus_relative() -> None:
    want = torch.tensor([1000.0, 0.0])
    ok = cmp.compare(packed(torch.tensor([1000.009, 9e-6])), want, TOL)
    assert ok.passed
    bad = cmp.compare(packed(torch.tensor([1000.02, 0.0])), want, TOL)
    assert bad.status == "failed"


def test_close_values_are_printed_with_enough_digits() -> None:
    want = torch.tensor([1.4585799], dtype=torch.float64)
    got = torch.tensor([1.4585802], dtype=torch.float64)
    verdict = cmp.compare(packed(got), want, TOL)
    assert "got 1.4585802, expected 1.4585799" in verdict.message
    assert "float32-sized errors on a float64 case" in verdict.message


@pytest.mark.parametrize(("got", "needle"), [
    (torch.zeros(2, 3), "returned shape (2, 3), expected (2, 4)"),
    (torch.zeros(2, 4, dtype=torch.float64), "returned float64, expected float32"),
    ([[0.0] * 4] * 2, "returned a list where the output should be a torch.Tensor"),
])
def test_structure_errors(got: object, needle: str) -> None:
    verdict = cmp.compare(packed(got), torch.zeros(2, 4), TOL)
    assert verdict.status == "error" and needle in verdict.message


def test_zero_dim_and_device_and_subclass() -> None:
    scalar = cmp.compare(packed(torch.zeros(1)), torch.tensor(1.0), TOL)
    assert "expected () (a 0-dim tensor)" in scalar.message
    on_gpu = dict(packed(torch.zeros(2)), device="cuda:0")
    assert "on cuda:0 for inputs on cpu" in cmp.compare(on_gpu, torch.zeros(2), TOL).message
    sub = dict(packed(torch.zeros(2)), subclass="Sneaky")
    assert "Tensor subclass" in cmp.compare(sub, torch.zeros(2), TOL).message
    value = cmp.compare(packed(torch.tensor(2.5)), torch.tensor(1.25), TOL)
    assert value.message == "got 2.5, expected 1.25 (off by 1.25)"


def test_tuple_outputs_name_the_item() -> None:
    want = (torch.zeros(3), torch.ones(3), torch.zeros(3, 2))
    got = (torch.zeros(3), torch.full((3,), float("nan")), torch.zeros(3, 2))
    verdict = cmp.compare(packed(got), want, TOL, names=("m", "l", "o"))
    assert verdict.message.startswith("`l`: 3 of 3 `l` values are NaN")
    short = cmp.compare(packed(got[:2]), want, TOL, names=("m", "l", "o"))
    assert short.status == "error" and "returned 2 values, expected 3 (m, l, o)" in short.message


def test_exact_comparison_of_plain_data() -> None:
    assert cmp.compare_exact(packed([256, 3, 256]), [256, 3, 256]).passed
    diff = cmp.compare_exact(packed([256, 2, 3]), [256, 3])
    assert diff.message == "item 1 is 2, expected 3; the first 1 agree"
    pairs = cmp.compare_exact(packed([(1, 2), (256, 3)]), [(1, 2), (256, 4)])
    assert pairs.message == "item 1[1] is 3, expected 4; the first 1 agree"
    as_lists = cmp.compare_exact(packed([[1, 2]]), [(1, 2)])
    assert as_lists.status == "error" and as_lists.message == "item 0 is a list, expected a tuple"
    fewer = cmp.compare_exact(packed([(1, 2)]), [(1, 2), (3, 4)])
    assert fewer.message == "returned 1 items, expected 2 (first missing: (3, 4))"
    ints = cmp.compare_exact(packed(torch.tensor([1, 2, 3])), torch.tensor([1, 5, 3]))
    assert ints.status == "failed" and ints.message.startswith("differs at [1]: got 2")
    assert cmp.compare_exact(packed(3), 3).passed
    # A list where a tensor is compared is still a clear error, not a traceback.
    assert cmp.compare(packed([1]), 2, TOL).message == "returned a list, expected an int"


def test_unpack_and_foreign_values() -> None:
    value = packed([(1, 2), 3])
    assert cmp.unpack(value) == [(1, 2), 3]
    other = {"kind": "other", "type": "numpy.ndarray", "repr": "", "shape": "(2,)"}
    assert cmp.foreign({"kind": "list", "items": [other]}) == "a numpy.ndarray of shape (2,)"
    assert cmp.foreign(value) is None


def test_gradients_missing_or_wrong() -> None:
    want = {"x": torch.ones(3), "w": torch.zeros(3)}
    missing = cmp.compare_gradients({"x": None, "w": None}, want, TOL)
    assert "the gradient w.r.t. x is missing" in missing.message
    wrong = cmp.compare_gradients({"x": packed(torch.full((3,), 2.0)), "w": None}, want, TOL)
    assert wrong.message.startswith("gradient w.r.t. x: 3 of 3 dx values differ")
    assert cmp.compare_gradients({"x": packed(torch.ones(3)), "w": None}, want, TOL).passed


def test_working_precision_picks_the_tolerance() -> None:
    want = torch.tensor(1.0)  # a float32 scalar computed from float16 inputs
    got = packed(torch.tensor(1.0005))
    assert not cmp.compare(got, want, TOL).passed
    assert cmp.compare(got, want, TOL, dtype="float16").passed


def test_same_input() -> None:
    x = torch.tensor([1.0, float("nan")])
    assert cmp.same_input(x, x.clone())
    assert not cmp.same_input(x, torch.tensor([2.0, float("nan")]))
    assert cmp.same_input([1, 2], [1, 2]) and not cmp.same_input([1, 2], [2, 1])


FORBIDDEN = [("torch.nn.functional.scaled_dot_product_attention",
              frozenset({"scaled_dot_product_attention"})),
             ("torch.nn.functional.rms_norm", frozenset({"rms_norm", "RMSNorm"}))]


@pytest.mark.parametrize(("source", "found"), [
    ("import torch.nn.functional as F\nF.scaled_dot_product_attention(q, k, v)", True),
    ("from torch.nn.functional import scaled_dot_product_attention as sdpa", True),
    ("import torch\ntorch.ops.aten.scaled_dot_product_attention(q, k, v)", True),
    ("import torch\nf = getattr(torch.nn.functional, 'scaled_dot_product_attention')", True),
    ("import torch\nvars(torch.nn.functional)['rms_norm']", True),
    ("import importlib\nimportlib.import_module('torch.nn.functional').rms_norm", True),
    ("from torch import nn\nnn.RMSNorm(8)", True),
    ("def rms_norm(x, weight, eps=1e-6):\n    return x\n__all__ = ['rms_norm']", False),
    ("class M:\n    def f(self):\n        return self.rms_norm(1)", False),
    ("d = {}\nd.get('rms_norm')", False),
    ("# F.scaled_dot_product_attention would be cheating\nx = 1", False),
])
def test_static_forbidden_check(source: str, found: bool) -> None:
    assert (find_forbidden(ast.parse(source), FORBIDDEN) is not None) is found


def test_track_detection() -> None:
    assert detect_track("import triton\n@triton.jit\ndef k(x):\n    pass\n") == "triton"
    assert detect_track("from triton import jit\n@jit\ndef k(x):\n    pass\n") == "triton"
    assert detect_track("import triton\n@triton.autotune(configs=[], key=[])\n"
                        "@triton.jit\ndef k(x):\n    pass\n") == "triton"
    assert detect_track("import torch\ndef jit(f):\n    return f\n@jit\ndef k():\n"
                        "    pass\n") == "torch"
    assert detect_track("def broken(:") == "torch"


def test_ratio_ci_and_verdict() -> None:
    user = [1.0, 1.01, 0.99, 1.02, 0.98, 1.0, 1.01]
    ref = [2.0, 2.02, 1.98, 2.01, 1.99, 2.0, 2.03]
    ratio, (lo, hi) = ratio_ci(user, ref, paired=True)
    assert ratio == pytest.approx(0.5, rel=0.02) and lo <= ratio <= hi < 1
    assert verdict((lo, hi)) == "faster"
    assert verdict((1.1, 1.3)) == "slower" and verdict((0.9, 1.1)) == "inconclusive"
    timing = summarize({"device": "cpu", "threads": 1, "paired": True,
                        "samples": {"user": user, "reference": ref}},
                       size="n=4", baseline="reference.py")
    shape = timing.to_json()
    assert {"device", "user_ms", "reference_ms", "ratio", "ci95", "verdict", "label",
            "threads"} <= set(shape)
    assert shape["device"] == "cpu" and "CPU timing" in shape["label"]
    assert shape["user_ms"] == pytest.approx(1000.0, rel=0.02)


def test_lists_of_tensors_compare_with_tolerances() -> None:
    """An in-place list argument (an optimiser's params) is compared item by item with the
    per-dtype tolerance, not exactly; a wrong item is named by its index."""
    want = [torch.ones(2, 3), torch.zeros(()), torch.full((4,), 2.0)]
    close = [t + 1e-7 for t in want]
    assert cmp.compare(packed(close), want, TOL).passed
    bad = [want[0], want[1], torch.full((4,), 2.5)]
    verdict = cmp.compare(packed(bad), want, TOL, what="`params`")
    assert verdict.status == "failed" and verdict.message.startswith("tensor 2: 4 of 4")
    assert cmp.compare(packed(want[:2]), want, TOL).status == "error"


def test_same_input_looks_inside_lists() -> None:
    grads = [torch.ones(3), torch.zeros(2)]
    assert cmp.same_input(grads, [g.clone() for g in grads])
    assert not cmp.same_input(grads, [grads[0] * 0.5, grads[1]])
    assert not cmp.same_input(grads, grads[:1])
    assert cmp.same_input((0.9, 0.999), (0.9, 0.999))


def test_forbidden_api_scoped_to_entry_points() -> None:
    """An API forbidden only inside some entry points counts only within those functions."""
    source = (
        "import torch\n"
        "def layer_norm(x):\n"
        "    return torch.autograd.grad(x.sum(), x)\n"
        "def helper(x):\n"
        "    return torch.autograd.grad(x.sum(), x)\n"
        "def layer_norm_backward(dy, x):\n"
        "    return torch.autograd.grad(x.sum(), x, dy)\n")
    table = [("torch.autograd", frozenset({"autograd", "grad"}))]
    use = find_forbidden(ast.parse(source), table,
                         scope={"torch.autograd": ("layer_norm_backward",)})
    assert use is not None and use.line == 7
    assert find_forbidden(ast.parse(source.rsplit("def layer_norm_backward", 1)[0]), table,
                          scope={"torch.autograd": ("layer_norm_backward",)}) is None
    assert find_forbidden(ast.parse(source), table).line == 3  # unscoped: everywhere


def test_scoped_tripwire_trips_only_inside_its_entries() -> None:
    from quizapp.core.grading import tripwire

    calls: list[int] = []
    wire = tripwire._tripping("torch.autograd", lambda v: calls.append(v) or v, ("backward",))
    assert wire(1) == 1  # between calls (the harness's own gradient check)
    tripwire.ACTIVE_ENTRY[0] = "forward"
    try:
        assert wire(2) == 2
        tripwire.ACTIVE_ENTRY[0] = "backward"
        with pytest.raises(tripwire.BannedAPIError):
            wire(3)
    finally:
        tripwire.ACTIVE_ENTRY[0] = None
        tripwire.VIOLATIONS.clear()
    assert calls == [1, 2]
