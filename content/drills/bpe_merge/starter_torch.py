"""Drill: byte-level BPE merge and train (see `quizapp drill list`, or the statement in the app).

Grade with:  quizapp grade bpe_merge        (or: quizapp drill watch bpe_merge)
"""


def merge(ids, pair, new_id):
    """A new list with every non-overlapping occurrence of `pair` (left to right) replaced by
    `new_id`. Do not modify `ids`."""
    raise NotImplementedError("merge() is not written yet")


def train(text, vocab_size):
    """vocab_size - 256 byte-level BPE merges on text.encode("utf-8"); merge i creates id
    256 + i; most frequent adjacent pair first, ties to the earliest first occurrence.
    Return the merged pairs in order, as tuples."""
    raise NotImplementedError("train() is not written yet")


if __name__ == "__main__":
    print(merge([1, 1, 1], (1, 1), 256))  # [256, 1]
    print(train("low lower lowest", 260))
