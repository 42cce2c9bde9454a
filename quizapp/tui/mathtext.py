"""Maths for a terminal: `$…$` LaTeX in content Markdown rendered as readable Unicode.

Question and drill texts are Markdown and may hold LaTeX between `$…$` (inline) or `$$…$$`
(display). Textual's Markdown has no maths support: it shows the source literally and may take
`_`/`*` inside it as emphasis. `render_markdown` therefore rewrites each maths span before the
Markdown parser sees it:

- what `latex_to_unicode` can render (fractions, roots, super/subscripts, Greek, operators,
  `\\mathrm`/`\\text`, accents, big operators, …) becomes Unicode with every Markdown
  punctuation character backslash-escaped, so the parser shows it exactly;
- anything else (environments, unknown commands) becomes inline code (a code block for display
  maths), so the user still reads the source instead of losing it.

Code spans and fenced code blocks are left untouched, and a `$` that reads like money
(`costs $5 and $10`) is not maths. This module is pure Python: no Textual, unit-tested.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["latex_to_unicode", "render_markdown", "render_plain"]

# --------------------------------------------------------------------------- symbol tables

_GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "omicron": "ο", "pi": "π", "varpi": "ϖ",
    "rho": "ρ", "varrho": "ϱ", "sigma": "σ", "varsigma": "ς", "tau": "τ", "upsilon": "υ",
    "phi": "φ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π",
    "Sigma": "Σ", "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
}

_SYMBOLS = {
    "cdot": "·", "times": "×", "div": "÷", "pm": "±", "mp": "∓", "ast": "∗", "star": "⋆",
    "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠", "approx": "≈",
    "sim": "∼", "simeq": "≃", "cong": "≅", "equiv": "≡", "propto": "∝", "ll": "≪", "gg": "≫",
    "in": "∈", "notin": "∉", "ni": "∋", "subset": "⊂", "subseteq": "⊆", "supset": "⊃",
    "supseteq": "⊇", "cup": "∪", "cap": "∩", "setminus": "∖", "emptyset": "∅",
    "varnothing": "∅", "infty": "∞", "partial": "∂", "nabla": "∇", "forall": "∀",
    "exists": "∃", "neg": "¬", "lnot": "¬", "land": "∧", "wedge": "∧", "lor": "∨", "vee": "∨",
    "to": "→", "rightarrow": "→", "leftarrow": "←", "gets": "←", "leftrightarrow": "↔",
    "Rightarrow": "⇒", "Leftarrow": "⇐", "Leftrightarrow": "⇔", "implies": "⇒", "iff": "⇔",
    "mapsto": "↦", "uparrow": "↑", "downarrow": "↓", "odot": "⊙", "otimes": "⊗",
    "oplus": "⊕", "circ": "∘", "bullet": "•", "top": "⊤", "perp": "⊥", "bot": "⊥",
    "ldots": "…", "dots": "…", "cdots": "⋯", "vdots": "⋮", "ddots": "⋱", "prime": "′",
    "langle": "⟨", "rangle": "⟩", "lfloor": "⌊", "rfloor": "⌋", "lceil": "⌈", "rceil": "⌉",
    "lVert": "‖", "rVert": "‖", "Vert": "‖", "|": "‖", "lvert": "|", "rvert": "|",
    "vert": "|", "mid": "|", "angle": "∠", "degree": "°", "ell": "ℓ", "hbar": "ℏ",
    "sum": "∑", "prod": "∏", "int": "∫", "oint": "∮", "coprod": "∐", "bigcup": "⋃",
    "bigcap": "⋂", "sqrt": "√", "aleph": "ℵ", "Re": "ℜ", "Im": "ℑ", "checkmark": "✓",
    "{": "{", "}": "}", "%": "%", "_": "_", "#": "#", "&": "&", "$": "$",
}

#: Operator names that LaTeX sets upright; rendered as their name.
_FUNCTIONS = {
    "log", "ln", "lg", "exp", "sin", "cos", "tan", "sinh", "cosh", "tanh", "arcsin",
    "arccos", "arctan", "max", "min", "sup", "inf", "arg", "argmax", "argmin", "lim",
    "det", "dim", "ker", "deg", "gcd", "Pr", "mod", "bmod", "softmax", "diag", "tr", "rank",
    "sgn", "var", "Var", "Cov", "KL", "E",
}

#: Spacing commands and size modifiers: rendered as a space or nothing.
_SPACES = {",": " ", ";": " ", ":": " ", "!": "", " ": " ", "quad": "  ", "qquad": "   ",
           "thinspace": " ", "enspace": " ", "medspace": " ", "thickspace": " "}
_SIZERS = {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr",
           "biggl", "biggr", "Biggl", "Biggr", "middle", "displaystyle", "textstyle",
           "scriptstyle", "limits", "nolimits"}

#: Commands whose argument is shown as is (fonts and text).
_TEXT_COMMANDS = {"mathrm", "text", "textrm", "textit", "textbf", "texttt", "mathit",
                  "mathbf", "mathsf", "mathtt", "boldsymbol", "bm", "operatorname",
                  "mathcal", "mathscr", "mathfrak", "textsf", "emph", "mbox"}

_BLACKBOARD = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ", "E": "𝔼", "P": "ℙ",
               "1": "𝟙"}

#: Combining accents applied to a single character.
_ACCENTS = {"hat": "\u0302", "widehat": "\u0302", "bar": "\u0304", "overline": "\u0305",
            "tilde": "\u0303", "widetilde": "\u0303", "vec": "\u20d7", "dot": "\u0307",
            "ddot": "\u0308", "check": "\u030c", "breve": "\u0306", "acute": "\u0301",
            "grave": "\u0300", "underline": "\u0332"}

_SUPERSCRIPT = dict(zip(
    "0123456789+-−=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVWαβγδεθιφχ′'*",
    "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵅᵝᵞᵟᵋᶿᶥᵠᵡ′′*",
    strict=True,
))
# A superscript '*' is the plain asterisk in most fonts: readable and unambiguous (x*).
_SUBSCRIPT = dict(zip(
    "0123456789+-−=()aehijklmnoprstuvxβγρφχ",
    "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ",
    strict=True,
))

_VULGAR = {("1", "2"): "½", ("1", "3"): "⅓", ("2", "3"): "⅔", ("1", "4"): "¼", ("3", "4"): "¾",
           ("1", "5"): "⅕", ("1", "6"): "⅙", ("1", "8"): "⅛"}

#: Characters that make a rendered piece "compound" (it needs brackets in a fraction).
_OPERATOR_CHARS = set("+-−=<>≤≥≠≈·×÷±∓/ ,∈→←⇒⇔∪∩⊙⊗⊕∘|")


class _Unrenderable(Exception):
    """The snippet uses something this renderer does not know."""


# --------------------------------------------------------------------------- LaTeX → Unicode


@dataclass
class _Token:
    kind: str  # "cmd" | "char" | "open" | "close" | "sup" | "sub" | "space"
    text: str


_TOKEN = re.compile(r"\\([A-Za-z]+)|\\(.)|(\{)|(\})|(\^)|(_)|(\s+)|(.)", re.S)


def _tokenize(src: str) -> list[_Token]:
    tokens: list[_Token] = []
    for m in _TOKEN.finditer(src):
        word, symbol, opening, closing, sup, sub, space, char = m.groups()
        if word is not None:
            tokens.append(_Token("cmd", word))
        elif symbol is not None:
            tokens.append(_Token("cmd", symbol))
        elif opening:
            tokens.append(_Token("open", "{"))
        elif closing:
            tokens.append(_Token("close", "}"))
        elif sup:
            tokens.append(_Token("sup", "^"))
        elif sub:
            tokens.append(_Token("sub", "_"))
        elif space:
            tokens.append(_Token("space", " "))
        else:
            tokens.append(_Token("char", char))
    return tokens


class _Parser:
    """Recursive descent over the token list; each method returns rendered text."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise _Unrenderable("unexpected end")
        self.pos += 1
        return token

    def sequence(self, until_close: bool = False) -> str:
        pieces: list[str] = []
        function_before = False
        while (token := self.peek()) is not None:
            if token.kind == "close":
                if not until_close:
                    raise _Unrenderable("unbalanced }")
                break
            if token.kind in ("sup", "sub"):
                # Scripts after a size modifier (`\sum\limits_i`) belong to the piece before;
                # at the very start they have no base at all.
                pieces.append(self.scripts(pieces.pop() if pieces else ""))
                continue
            if token.kind == "cmd" and token.text in _SIZERS:
                self.pos += 1
                continue
            piece, is_function = self.atom()
            piece = self.scripts(piece)
            # `\log x` renders "log x", `p(x)\log p` "p(x) log p": operator names stand apart.
            if function_before and piece[:1].isalnum():
                pieces.append(" ")
            if is_function and pieces and (pieces[-1][-1:].isalnum() or pieces[-1][-1:] == ")"):
                pieces.append(" ")
            pieces.append(piece)
            function_before = is_function
        return "".join(pieces)

    def atom(self) -> tuple[str, bool]:
        """One base element; the flag says it is an operator name (wants a space after)."""
        token = self.take()
        if token.kind == "open":
            inner = self.sequence(until_close=True)
            self.expect_close()
            return inner, False
        if token.kind == "space":
            return " ", False
        if token.kind == "char":
            return token.text, False
        if token.kind == "cmd":
            return self.command(token.text)
        raise _Unrenderable(f"unexpected {token.text}")

    def expect_close(self) -> None:
        token = self.take()
        if token.kind != "close":
            raise _Unrenderable("missing }")

    def argument(self) -> str:
        """A command's argument: a braced group or a single token."""
        while (token := self.peek()) is not None and token.kind == "space":
            self.pos += 1
        token = self.peek()
        if token is None:
            raise _Unrenderable("missing argument")
        if token.kind == "open":
            self.pos += 1
            inner = self.sequence(until_close=True)
            self.expect_close()
            return inner
        piece, _ = self.atom()
        return piece

    def raw_argument(self) -> str:
        """A braced argument's source text, unparsed (for `\\text{…}`)."""
        token = self.take()
        if token.kind != "open":
            return token.text
        depth, parts = 1, []
        while True:
            token = self.take()
            if token.kind == "open":
                depth += 1
            elif token.kind == "close":
                depth -= 1
                if depth == 0:
                    break
            parts.append(token.text if token.kind != "cmd" else _text_command(token.text))
        return "".join(parts)

    def command(self, name: str) -> tuple[str, bool]:
        if name in _GREEK:
            return _GREEK[name], False
        if name in _SYMBOLS:
            if name == "sqrt":
                return self.sqrt(), False
            return _SYMBOLS[name], name in ("sum", "prod", "int")
        if name in _FUNCTIONS:
            return name, True
        if name in _SPACES:
            return _SPACES[name], False
        if name in _SIZERS:
            return "", False
        if name in ("frac", "dfrac", "tfrac", "cfrac"):
            top, bottom = self.argument(), self.argument()
            vulgar = _VULGAR.get((top.strip(), bottom.strip()))
            return vulgar or f"{_wrap(top)}/{_wrap(bottom)}", False
        if name == "binom":
            n, k = self.argument(), self.argument()
            return f"C({n}, {k})", False
        if name in ("text", "textrm", "mbox", "textit", "textbf", "texttt", "textsf", "emph"):
            return self.raw_argument(), False
        if name in _TEXT_COMMANDS:
            return self.argument(), name == "operatorname"
        if name == "mathbb":
            inner = self.argument()
            return "".join(_BLACKBOARD.get(ch, ch) for ch in inner), False
        if name in _ACCENTS:
            inner = self.argument()
            mark = _ACCENTS[name]
            if len(inner) == 1:
                return inner + mark, False
            if name in ("overline", "underline", "bar"):
                return "".join(ch + mark for ch in inner), False
            return f"{name}({inner})", False
        raise _Unrenderable(f"\\{name}")

    def sqrt(self) -> str:
        degree = None
        token = self.peek()
        if token is not None and token.kind == "char" and token.text == "[":
            self.pos += 1
            parts = []
            while (token := self.take()).text != "]":
                parts.append(token.text)
            degree = "".join(parts).strip()
        inner = self.argument()
        root = {None: "√", "2": "√", "3": "∛", "4": "∜"}.get(degree)
        if root is None:
            return f"{_wrap(inner)}^(1/{degree})"
        return root + (inner if _is_atomic(inner) else f"({inner})")

    def scripts(self, base: str) -> str:
        """Apply any `^…`/`_…` that follow `base` (in either order)."""
        sub = sup = None
        while (token := self.peek()) is not None and token.kind in ("sup", "sub"):
            self.pos += 1
            nxt = self.peek()
            if token.kind == "sup" and nxt is not None and nxt.kind == "cmd" \
                    and nxt.text in ("top", "intercal"):
                self.pos += 1
                arg = "T"
            else:
                arg = self.argument()
            if token.kind == "sup":
                sup = arg if sup is None else sup + arg
            else:
                sub = arg if sub is None else sub + arg
        if sub is not None:
            base += _script(sub, _SUBSCRIPT, "_")
        if sup is not None:
            base += _script(sup, _SUPERSCRIPT, "^")
        return base


def _text_command(name: str) -> str:
    """A command met inside `\\text{…}`: render the few that make sense there."""
    if name in _SPACES:
        return _SPACES[name]
    if name in _SYMBOLS:
        return _SYMBOLS[name]
    raise _Unrenderable(f"\\{name} in text")


def _script(text: str, table: dict[str, str], marker: str) -> str:
    text = text.strip()
    compact = text.replace(" ", "")
    if compact and all(ch in table for ch in compact):
        return "".join(table[ch] for ch in compact)
    if len(compact) == 1 or re.fullmatch(r"[A-Za-z0-9]+", compact):
        return f"{marker}{compact}"
    return f"{marker}({text})"


def _is_atomic(text: str) -> bool:
    """A piece that reads unambiguously next to `/` or `√`: no spaces or operators."""
    return bool(text) and not any(ch in _OPERATOR_CHARS for ch in text)


def _wrap(text: str) -> str:
    text = text.strip()
    return text if _is_atomic(text) else f"({text})"


def latex_to_unicode(src: str) -> str | None:
    """Render one LaTeX maths snippet as Unicode text, or None if it uses anything unknown.

    `\\frac{a}{b}` → `a/b` (brackets where needed), `\\sqrt{x}` → `√x`, `x^{2}` → `x²`,
    `x_{t-1}` → `xₜ₋₁` (falling back to `^(…)`/`_…` where Unicode has no such script),
    Greek letters, operators, `\\mathrm`/`\\text`, accents, `\\sum_{i=1}^{n}` → `∑ᵢ₌₁ⁿ`.
    """
    if "\\begin" in src or "\\end" in src:
        return None
    try:
        parser = _Parser(_tokenize(src))
        out = parser.sequence()
    except _Unrenderable:
        return None
    # Precomposed where Unicode has it (ŷ rather than y + ◌̂): terminals draw those better.
    out = unicodedata.normalize("NFC", re.sub(r" {2,}", " ", out).strip())
    return out or None


# --------------------------------------------------------------------------- Markdown pass

_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})[^\n]*\n.*?(?:^[ \t]*\1[ \t]*$|\Z)", re.S | re.M)
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)
_DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.S)
# Inline maths: no space just inside the dollars, and no digit right after the closing one,
# so "costs $5 and $10" stays text (the usual pandoc rule).
_INLINE = re.compile(r"(?<![\\$])\$(?![\s$])((?:\\\$|[^$\n])+?)(?<![\s\\])\$(?![\d$])")
_MD_PUNCT = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~$&\"'^=:;,?/@%])")


def _md_escape(text: str) -> str:
    """Escape every ASCII punctuation character so Markdown shows `text` exactly."""
    return _MD_PUNCT.sub(r"\\\1", text)


def _code_span(src: str) -> str:
    fence = "`" * (max((len(m) for m in re.findall(r"`+", src)), default=0) + 1)
    pad = " " if src.startswith("`") or src.endswith("`") else ""
    return f"{fence}{pad}{src}{pad}{fence}"


def _split_code(md: str) -> Iterator[tuple[bool, str]]:
    """Yield (is_code, text) pieces: fenced blocks and code spans are code."""
    pos = 0
    for fence in _FENCE.finditer(md):
        yield from _split_spans(md[pos:fence.start()])
        yield True, fence.group(0)
        pos = fence.end()
    yield from _split_spans(md[pos:])


def _split_spans(text: str) -> Iterator[tuple[bool, str]]:
    pos = 0
    for span in _CODE_SPAN.finditer(text):
        # A `$` before the span may open maths that contains backticks; too rare to handle.
        yield False, text[pos:span.start()]
        yield True, span.group(0)
        pos = span.end()
    yield False, text[pos:]


def _inline(match: re.Match[str]) -> str:
    src = match.group(1)
    rendered = latex_to_unicode(src)
    return _md_escape(rendered) if rendered is not None else _code_span(src)


def _display(match: re.Match[str]) -> str:
    src = match.group(1).strip()
    rendered = latex_to_unicode(src)
    if rendered is None:
        return f"\n\n```latex\n{src}\n```\n\n"
    return f"\n\n{_md_escape(rendered)}\n\n"


def render_markdown(md: str) -> str:
    """`md` with every `$…$`/`$$…$$` rewritten for Textual's Markdown (see module doc)."""
    if "$" not in md:
        return md
    out = []
    for is_code, piece in _split_code(md):
        if is_code or "$" not in piece:
            out.append(piece)
            continue
        piece = _DISPLAY.sub(_display, piece)
        out.append(_INLINE.sub(_inline, piece))
    return "".join(out)


def render_plain(text: str) -> str:
    """`text` with its maths rendered as Unicode (unrenderable maths kept as source), for
    places that show plain text rather than Markdown (option labels, table cells)."""
    if "$" not in text:
        return text

    def inline(match: re.Match[str]) -> str:
        rendered = latex_to_unicode(match.group(1))
        return rendered if rendered is not None else match.group(1)

    text = _DISPLAY.sub(lambda m: latex_to_unicode(m.group(1).strip()) or m.group(1), text)
    return _INLINE.sub(inline, text)
