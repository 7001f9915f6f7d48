"""Proof of work for registration: pure functions, standard library only.

A solution to a challenge string at difficulty d is a decimal nonce such that
SHA-256(challenge + nonce) starts with at least d zero bits. Finding one takes
2**d hashes on average; checking it takes one. static/js/registration-challenge.js
is the browser's side of the same contract.
"""

import hashlib

MAX_NONCE_LENGTH = 16


def leading_zero_bits(digest: bytes) -> int:
    """How many zero bits the digest starts with."""
    bits = 0
    for byte in digest:
        if byte == 0:
            bits += 8
            continue
        return bits + 8 - byte.bit_length()
    return bits


def is_solution(challenge: str, nonce: str, difficulty: int) -> bool:
    """Whether the nonce solves the challenge at this difficulty."""
    if not nonce or len(nonce) > MAX_NONCE_LENGTH or not nonce.isdigit():
        return False
    if not nonce.isascii():
        return False
    digest = hashlib.sha256((challenge + nonce).encode()).digest()
    return leading_zero_bits(digest) >= difficulty


def solve(challenge: str, difficulty: int) -> str:
    """The smallest nonce that solves the challenge (what the browser computes)."""
    nonce = 0
    while not is_solution(challenge, str(nonce), difficulty):
        nonce += 1
    return str(nonce)


def difficulty_for(
    *, base: int, recent: int, free: int, per_bit: int, maximum: int
) -> int:
    """The difficulty for an address that solved `recent` challenges in the window.

    The first `free` registrations cost the base; then every `per_bit` more add one
    bit (twice the work), never above `maximum` (nor below the base).
    """
    if recent < free or per_bit <= 0:
        return base
    extra = (recent - free) // per_bit + 1
    return max(base, min(maximum, base + extra))
