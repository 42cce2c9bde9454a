"""`quizapp export anki FILE.apkg [--topic T]… [--lang en|zh|both]`: the questions as an Anki
package. genanki is imported only when the command runs (it is not needed to parse)."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `export` command group."""
    export = sub.add_parser("export", help="export the questions to other tools (Anki)")
    export.set_defaults(func=lambda args: export.print_help() or 2)
    esub = export.add_subparsers(title="export commands", metavar="COMMAND",
                                 parser_class=type(export))
    anki = esub.add_parser(
        "anki", help="write the questions as an Anki package (.apkg); importing a later "
                     "export updates the notes instead of duplicating them")
    anki.add_argument("file", type=Path, metavar="FILE.apkg")
    anki.add_argument("--topic", action="append", default=[], metavar="T",
                      help="only this topic (id, code, or a domain's code or name; repeatable)")
    anki.add_argument("--lang", choices=("en", "zh", "both"), default="both",
                      help="the language of the cards (default: both, English first)")
    anki.set_defaults(func=anki_cmd)


def anki_cmd(args: argparse.Namespace) -> int:
    """Write the Anki package and say what is in it."""
    from quizapp.core.anki import export_anki, select_questions
    from quizapp.core.bank import load_bank, load_taxonomy

    taxonomy = load_taxonomy()
    questions = select_questions(load_bank(), taxonomy, args.topic)
    result = export_anki(args.file, questions, taxonomy, args.lang)
    print(f"exported {result.notes} note(s) ({result.cloze_notes} cloze) in "
          f"{len(result.decks)} deck(s) to {result.path}")
    return 0
