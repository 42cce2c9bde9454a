"""Drill: beam search with a length penalty (statement: `quizapp drill show beam_search`).

Grade with:  quizapp grade beam_search
"""

import torch


def beam_search(log_probs_fn, bos, eos, beam_size, max_new_tokens, length_penalty=1.0):
    """Hugging Face's beam search (early stopping).

    log_probs_fn(prefixes: LongTensor (N, L)) -> (N, V) next-token log-probabilities.
    Return the best beam_size hypotheses, best first: [(tokens without bos, score), ...],
    score = cumulative log-prob / generated_length ** length_penalty (eos counted).
    """
    raise NotImplementedError("beam_search() is not written yet")


if __name__ == "__main__":
    table = torch.log_softmax(torch.randn(5, 5), -1)

    def toy(prefixes):
        return table[prefixes[:, -1]]

    print(beam_search(toy, bos=0, eos=1, beam_size=2, max_new_tokens=4))
