"""Drill: tiled matrix multiply, Triton track (see the statement in the app).

Grade with:  quizapp grade matmul   (or: quizapp drill watch matmul)
Without a GPU the grader runs this under TRITON_INTERPRET=1 by itself.
The launcher below is complete; write the kernel's body.
"""

import torch
import triton
import triton.language as tl

BLOCK_M = 32
BLOCK_N = 32
BLOCK_K = 32


@triton.jit
def matmul_kernel(a_ptr, b_ptr, c_ptr, M, N, K,
                  stride_am, stride_ak, stride_bk, stride_bn, stride_cm, stride_cn,
                  BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr):
    """Compute the BLOCK_M × BLOCK_N tile (program_id(0), program_id(1)) of C = A · B."""
    pid_m = tl.program_id(0)
    pid_n = tl.program_id(1)
    # TODO: rows / cols of this tile and ks = tl.arange(0, BLOCK_K);
    #   pointers to the first K block of a and b, through the strides;
    #   acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32);
    #   loop over K blocks: masked loads (other=0.0), acc = tl.dot(a, b, acc), advance pointers;
    #   store acc cast to C's dtype, masked on rows < M and cols < N.


def matmul(a, b):
    """C = a · b for a (M, K) and b (K, N), accumulated in float32, in a's dtype."""
    M, K = a.shape
    N = b.shape[1]
    # Zeros, so that a tile the kernel never writes shows up as zeros, not as garbage.
    c = torch.zeros((M, N), dtype=a.dtype, device=a.device)
    grid = (triton.cdiv(M, BLOCK_M), triton.cdiv(N, BLOCK_N))
    matmul_kernel[grid](a, b, c, M, N, K,
                        a.stride(0), a.stride(1), b.stride(0), b.stride(1),
                        c.stride(0), c.stride(1),
                        BLOCK_M=BLOCK_M, BLOCK_N=BLOCK_N, BLOCK_K=BLOCK_K)
    return c
