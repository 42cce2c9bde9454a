"""How a question's sources are shown to the user (`content/sources.yaml`).

The bank names seed files by their file names and references in a terse author-year form;
neither means anything to a user who has not read our sources. This module turns a `Source`
into one readable line: each seed by its title and language, each reference with the paper's
title when it names only authors and year, internal aliases replaced. Errata ids are metadata
and never shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from quizapp.core import paths
from quizapp.core.bank import SEED_FILES, Source

_ARXIV = re.compile(r"arXiv:(\d{4}\.\d{4,5})")
_AUTHOR_YEAR = re.compile(r"^[^,]*\b(19|20)\d\d$")
#: Line numbers into a seed file ("(l.1121–1123)", "; l.308") mean nothing to the user.
_LINE_NUMBERS = re.compile(r"[ ;,]*\(l\.\s?\d+(?:[–-]\d+)?\)|[ ;,]*\bl\.\s?\d+(?:[–-]\d+)?")
_LANGUAGE_NAMES = {"zh": {"en": "in Chinese", "zh": "中文"},
                   "en": {"en": "in English", "zh": "英文"}}


@dataclass(frozen=True)
class SeedInfo:
    """A seed note as the user sees it."""

    title: str
    language: str
    about: str = ""


@dataclass(frozen=True)
class Sources:
    """The contents of `content/sources.yaml`."""

    seeds: dict[str, SeedInfo] = field(default_factory=dict)
    references: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)

    def seed_line(self, seed: str, section: str | None, lang: str) -> str:
        """'Popular interview note 《title》 (in Chinese), §section'."""
        info = self.seeds.get(seed)
        if info is None:  # never show a file name; the check below flags a missing entry
            head = "一份流行的面试笔记" if lang == "zh" else "a popular interview note"
        else:
            language = _LANGUAGE_NAMES.get(info.language, {}).get(lang, info.language)
            head = (f"流行的面试笔记《{info.title}》（{language}）" if lang == "zh"
                    else f"popular interview note 《{info.title}》 ({language})")
        section = _LINE_NUMBERS.sub("", section or "").strip()
        for name, other in self.seeds.items():  # a section may cite a second seed file
            section = section.replace(name, f"《{other.title}》")
        return f"{head} {section}" if section else head

    def citation(self, ref: str, lang: str = "en") -> str:
        """`ref` made readable: aliases replaced, a missing paper title inserted."""
        for prefix, shown in self.aliases.items():
            if ref.startswith(prefix):
                rest = ref[len(prefix):].strip()
                if not rest:
                    return shown
                return f"{shown} {rest}" if rest.startswith("(") else f"{shown}, {rest}"
        for seed in self.seeds:
            if ref.startswith(seed):  # a second seed section cited as a reference
                return self.seed_line(seed, ref[len(seed):].strip(), lang)
        match = _ARXIV.search(ref)
        if match is None:
            return ref
        title = self.references.get(match.group(1))
        before = ref[:match.start()].strip(" ,")
        if title is None or title.casefold() in ref.casefold():
            return ref
        if before and not _AUTHOR_YEAR.match(before):
            return ref  # the reference already names the work ("GQA, arXiv:…")
        lead = f"{before}, " if before else ""
        return f"{lead}{title}, {ref[match.start():]}"

    def describe(self, source: Source, lang: str = "en") -> str:
        """One line for the feedback's "Source:"; never a file name or an errata id."""
        parts = []
        if source.seed:
            line = self.seed_line(source.seed, source.section, lang)
            parts.append(line[0].upper() + line[1:] if lang != "zh" else line)
        parts.extend(self.citation(ref, lang) for ref in source.refs)
        return "; ".join(parts)

    def problems(self) -> list[str]:
        """What is missing or malformed (used by `quizapp content check`)."""
        out = [f"seed file {name} has no title" for name in sorted(SEED_FILES - set(self.seeds))]
        out += [f"seed {name}: language must be en or zh" for name, info in self.seeds.items()
                if info.language not in _LANGUAGE_NAMES]
        return out


def sources_file() -> Path:
    """The bundled `sources.yaml`."""
    return paths.content_dir() / "sources.yaml"


@lru_cache(maxsize=4)
def _load(path: Path, mtime_ns: int) -> Sources:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    seeds = {str(name): SeedInfo(title=str(item["title"]), language=str(item["language"]),
                                 about=str(item.get("about", "")))
             for name, item in (data.get("seeds") or {}).items()}
    return Sources(seeds=seeds,
                   references={str(k): str(v) for k, v in (data.get("references") or {}).items()},
                   aliases={str(k): str(v) for k, v in (data.get("aliases") or {}).items()})


def load_sources(path: Path | None = None) -> Sources:
    """`content/sources.yaml` (cached per file version); empty if the file is missing."""
    path = path or sources_file()
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        return Sources()
    return _load(path, mtime)
