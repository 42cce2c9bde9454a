"""A correct bpe_merge solution in the "minbpe_style" style, written the way a candidate would
(graded by the generic drill tests: the tolerances are not tuned to the oracle alone)."""

def merge(ids, pair, new_id):
    out, i = [], 0
    while i < len(ids):
        if i < len(ids) - 1 and ids[i] == pair[0] and ids[i + 1] == pair[1]:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out
def train(text, vocab_size):
    ids = list(text.encode("utf-8"))
    merges = []
    for i in range(vocab_size - 256):
        if len(ids) < 2:
            break
        counts = {}
        for p in zip(ids, ids[1:]):
            counts[p] = counts.get(p, 0) + 1
        best = max(counts, key=counts.get)
        ids = merge(ids, best, 256 + i)
        merges.append(best)
    return merges
