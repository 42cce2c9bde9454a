"""LaTeX in content rendered for a terminal: readable Unicode, never swallowed by Markdown."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from quizapp.tui.mathtext import latex_to_unicode, render_markdown, render_plain


@pytest.mark.parametrize(("latex", "shown"), [
    (r"\frac{QK^\top}{\sqrt{d_k}}", "QKᵀ/√dₖ"),
    (r"\frac{a+b}{c}", "(a+b)/c"),
    (r"\frac{1}{2}", "½"),
    (r"\sqrt{x}", "√x"),
    (r"\sqrt{d + 1}", "√(d + 1)"),
    (r"\sqrt[3]{x}", "∛x"),
    (r"x^{2} + y^2", "x² + y²"),
    (r"W^{-1}", "W⁻¹"),
    (r"x_{t-1}", "xₜ₋₁"),
    (r"d_{model}", "d_model"),
    (r"\theta_i = 10000^{-2i/d}", "θᵢ = 10000^(-2i/d)"),
    (r"\sum_{i=1}^{n} x_i", "∑ᵢ₌₁ⁿ xᵢ"),
    (r"\alpha \cdot \beta \times \gamma \le \delta", "α · β × γ ≤ δ"),
    (r"O(n \log n)", "O(n log n)"),
    (r"-\sum_x p(x)\log p(x)", "-∑ₓ p(x) log p(x)"),
    (r"\mathrm{softmax}(x)_i", "softmax(x)ᵢ"),
    (r"\text{if } x > 0", "if x > 0"),
    (r"\hat{y}", "ŷ"),
    (r"\mathbb{E}[x]", "𝔼[x]"),
    (r"\|x\|_2", "‖x‖₂"),
    (r"\left(\frac{a+b}{c}\right)^2", "((a+b)/c)²"),
    (r"\mathrm{KL}(P \| Q)", "KL(P ‖ Q)"),
    (r"\infty \to \nabla", "∞ → ∇"),
])
def test_latex_to_unicode(latex: str, shown: str) -> None:
    assert latex_to_unicode(latex) == shown


@pytest.mark.parametrize("latex", [r"\begin{pmatrix} a \\ b \end{pmatrix}", r"\foo{x}",
                                   r"\frac{a}", "{unbalanced"])
def test_what_cannot_be_rendered_is_none(latex: str) -> None:
    assert latex_to_unicode(latex) is None


def _plain_text(md: str) -> str:
    """What Markdown shows: the text of every inline token (emphasis markers included)."""
    out = []
    for token in MarkdownIt("gfm-like").parse(md):
        for child in token.children or []:
            if child.type in ("text", "code_inline"):
                out.append(child.content)
            elif child.type in ("em_open", "strong_open"):
                out.append("<em>")
    return "".join(out)


def test_markdown_never_swallows_maths() -> None:
    md = r"Scores $\frac{q_i k_j}{\sqrt{d}}$ and $a*b*c$ and $x_1 + x_2$."
    rendered = render_markdown(md)
    shown = _plain_text(rendered)
    assert "<em>" not in shown  # no `_`/`*` taken as emphasis
    assert "(qᵢ kⱼ)/√d" in shown and "a*b*c" in shown and "x₁ + x₂" in shown
    assert "$" not in shown


def test_unrenderable_maths_becomes_code_never_noise() -> None:
    inline = render_markdown(r"A matrix $\begin{pmatrix}a\end{pmatrix}$ here.")
    assert r"`\begin{pmatrix}a\end{pmatrix}`" in inline
    block = render_markdown("Before\n\n$$\n\\begin{aligned} a &= b \\end{aligned}\n$$\n")
    assert "```latex" in block and "\\begin{aligned}" in block


def test_display_maths_is_its_own_paragraph() -> None:
    out = render_markdown("Entropy:\n$$\nH = -\\sum_x p(x)\\log p(x)\n$$\nDone.")
    paragraphs = [p.strip() for p in out.split("\n\n") if p.strip()]
    assert [_plain_text(p) for p in paragraphs] == ["Entropy:", "H = -∑ₓ p(x) log p(x)",
                                                    "Done."]


def test_money_code_and_fences_are_left_alone() -> None:
    text = "It costs $5 and $10. Run `echo $HOME $x$`.\n\n```bash\necho $PATH $y$\n```\n"
    assert render_markdown(text) == text


def test_chinese_text_around_maths() -> None:
    assert _plain_text(render_markdown("维度为$d_k$的向量")) == "维度为dₖ的向量"


def test_render_plain_for_labels() -> None:
    assert render_plain(r"Only divides by $\mathrm{RMS}(x)$") == "Only divides by RMS(x)"
    assert render_plain(r"keeps $\foo$") == r"keeps \foo"
    assert render_plain("no maths") == "no maths"
