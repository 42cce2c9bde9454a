"""A correct `beam_search` solution written the way a candidate would: beams as tensors,
a stable sort of the flattened (beam, token) scores, HF's candidate walk."""

import torch


def beam_search(log_probs_fn, bos, eos, beam_size, max_new_tokens, length_penalty=1.0):
    seqs = torch.full((1, 1), bos, dtype=torch.long)
    sums = torch.zeros(1, dtype=torch.float64)
    done = []  # (score, order, tokens)
    for t in range(1, max_new_tokens + 1):
        logp = log_probs_fn(seqs).double()
        vocab = logp.shape[-1]
        flat = (sums[:, None] + logp).flatten()
        order = torch.sort(flat, descending=True, stable=True).indices
        new_seqs, new_sums = [], []
        for rank, idx in enumerate(order.tolist()):
            beam, tok = divmod(idx, vocab)
            if tok == eos:
                if rank < beam_size:
                    toks = seqs[beam, 1:].tolist() + [eos]
                    done.append((flat[idx].item() / t ** length_penalty, len(done), toks))
                continue
            new_seqs.append(torch.cat([seqs[beam], torch.tensor([tok])]))
            new_sums.append(flat[idx])
            if len(new_seqs) == beam_size:
                break
        seqs = torch.stack(new_seqs)
        sums = torch.stack(new_sums)
        if len(done) >= beam_size:
            break
    else:
        for b in range(seqs.shape[0]):
            done.append((sums[b].item() / max_new_tokens ** length_penalty, len(done),
                         seqs[b, 1:].tolist()))
    done.sort(key=lambda h: (-h[0], h[1]))
    return [(toks, score) for score, _, toks in done[:beam_size]]
