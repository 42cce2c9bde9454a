"""Grading rules of the layernorm drill that its contract adds: autograd is forbidden inside
layer_norm_backward (statically and at run time) while layer_norm stays differentiable."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

FORWARD = '''
import torch


def layer_norm(x, weight, bias, eps=1e-5):
    xf = x.to(torch.promote_types(x.dtype, torch.float32))
    mu = xf.mean(-1, keepdim=True)
    var = (xf - mu).pow(2).mean(-1, keepdim=True)
    return ((xf - mu) * torch.rsqrt(var + eps) * weight + bias).to(x.dtype)
'''

BACKWARDS = {
    "autograd.grad": '''
def layer_norm_backward(grad_out, x, weight, eps=1e-5):
    with torch.enable_grad():
        leaves = [x.detach().requires_grad_(), weight.detach().requires_grad_(),
                  torch.zeros_like(weight, requires_grad=True)]
        y = layer_norm(*leaves, eps)
        return torch.autograd.grad(y, leaves, grad_out)
''',
    ".backward()": '''
def layer_norm_backward(grad_out, x, weight, eps=1e-5):
    with torch.enable_grad():
        leaves = [x.detach().requires_grad_(), weight.detach().requires_grad_(),
                  torch.zeros_like(weight, requires_grad=True)]
        layer_norm(*leaves, eps).backward(grad_out)
        return tuple(t.grad for t in leaves)
''',
    "helper": '''
def _vjp(y, leaves, g):
    return torch.autograd.grad(y, leaves, g)


def layer_norm_backward(grad_out, x, weight, eps=1e-5):
    with torch.enable_grad():
        leaves = [x.detach().requires_grad_(), weight.detach().requires_grad_(),
                  torch.zeros_like(weight, requires_grad=True)]
        return _vjp(layer_norm(*leaves, eps), leaves, grad_out)
''',
}


def _grade(path: Path):  # noqa: ANN202 - a GradeResult
    from quizapp.core.grading import grade_solution

    return grade_solution("layernorm", path, track="torch", record=False)


@pytest.mark.parametrize("how", sorted(BACKWARDS))
def test_autograd_inside_the_backward_is_banned(tmp_path: Path, how: str) -> None:
    path = tmp_path / "solution.py"
    path.write_text(textwrap.dedent(FORWARD + BACKWARDS[how]), encoding="utf-8")
    result = _grade(path)
    assert result.status == "banned", result.message
    assert "torch.autograd" in result.message
    if how == "helper":  # outside the entry point: only the run-time tripwire sees it
        assert result.message.startswith("case '")


def test_the_forward_is_still_differentiated_by_the_harness(tmp_path: Path) -> None:
    """The same file with a hand-written backward passes: the harness's own autograd call
    on layer_norm (the gradient check) is not what the rule forbids."""
    backward = '''
def layer_norm_backward(grad_out, x, weight, eps=1e-5):
    wide = torch.promote_types(x.dtype, torch.float32)
    xf, dy = x.to(wide), grad_out.to(wide)
    mu = xf.mean(-1, keepdim=True)
    rstd = torch.rsqrt((xf - mu).pow(2).mean(-1, keepdim=True) + eps)
    xh = (xf - mu) * rstd
    g = dy * weight.to(wide)
    dx = rstd * (g - g.mean(-1, keepdim=True) - xh * (g * xh).mean(-1, keepdim=True))
    dims = tuple(range(x.dim() - 1))
    dw = (dy * xh).sum(dims) if dims else dy * xh
    db = dy.sum(dims) if dims else dy.clone()
    return dx.to(x.dtype), dw.to(weight.dtype), db.to(weight.dtype)
'''
    path = tmp_path / "solution.py"
    path.write_text(textwrap.dedent(FORWARD + backward), encoding="utf-8")
    result = _grade(path)
    assert result.status == "passed", result.message
