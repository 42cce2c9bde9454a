"""Card keys and the stable integer id fsrs wants.

A card is stored under a string key that names what it reviews, so that editing a question
keeps its history: `q:<question id>`, `d:<drill id>`, and `m:<drill id>:<mistake id>` for a
known mistake the user made in a drill (see `review.mistakes`).
"""

from __future__ import annotations

import hashlib

QUESTION_PREFIX = "q:"
DRILL_PREFIX = "d:"
MISTAKE_PREFIX = "m:"

#: Card kinds by key prefix.
KINDS: dict[str, str] = {"question": QUESTION_PREFIX, "drill": DRILL_PREFIX,
                         "mistake": MISTAKE_PREFIX}


def card_key(kind: str, item_id: str) -> str:
    """The store key of the card of a question (`kind="question"`), a drill, or a mistake
    (`item_id` is then `<drill id>:<mistake id>`)."""
    prefix = KINDS.get(kind)
    if prefix is None:
        raise ValueError(f"unknown card kind {kind!r}")
    return prefix + item_id


def split_card_key(key: str) -> tuple[str, str]:
    """(kind, item id) of a card key."""
    for kind, prefix in KINDS.items():
        if key.startswith(prefix) and len(key) > len(prefix):
            return kind, key[len(prefix):]
    raise ValueError(f"not a card key: {key!r}")


def mistake_key(drill_id: str, mistake_id: str) -> str:
    """The key of the card of mistake `mistake_id` of drill `drill_id`."""
    return f"{MISTAKE_PREFIX}{drill_id}:{mistake_id}"


def split_mistake(item_id: str) -> tuple[str, str]:
    """(drill id, mistake id) of a mistake card's item id (`<drill>:<mistake>`)."""
    drill_id, sep, mistake_id = item_id.partition(":")
    if not sep or not drill_id or not mistake_id:
        raise ValueError(f"not a mistake card id: {item_id!r}")
    return drill_id, mistake_id


def fsrs_id(key: str) -> int:
    """The stable integer id fsrs wants, from a card key (48 bits of blake2b)."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=6).digest(), "big")
