"""One way to resolve the ``rng`` argument everywhere (STYLE.md, "Randomness")."""

from __future__ import annotations

import numpy as np

RNGLike = int | np.random.SeedSequence | np.random.Generator | None

__all__ = ["RNGLike", "resolve_rng", "seed_sequence", "spawn"]


def seed_sequence(rng: RNGLike) -> np.random.SeedSequence:
    """Return a SeedSequence for ``rng`` (fresh OS entropy when None)."""
    if isinstance(rng, np.random.SeedSequence):
        return rng
    if isinstance(rng, np.random.Generator):
        seq = rng.bit_generator.seed_seq
        if isinstance(seq, np.random.SeedSequence):
            return seq
        return np.random.SeedSequence(int(rng.integers(0, 2**63 - 1)))
    return np.random.SeedSequence(rng)


def resolve_rng(rng: RNGLike) -> np.random.Generator:
    """Return a Generator; a Generator passed in is used as is."""
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(seed_sequence(rng))


def spawn(rng: RNGLike, n: int) -> list[np.random.Generator]:
    """``n`` independent child generators, one per replicate, independent of scheduling."""
    return [np.random.default_rng(s) for s in seed_sequence(rng).spawn(n)]
