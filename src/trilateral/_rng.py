"""One way to resolve the ``rng`` argument everywhere (docs/ARCHITECTURE.md,
"Reproducibility").

A function taking ``rng`` resolves it once (:func:`seed_sequence`, or :func:`resolve_rng`
when it draws from one generator); independent streams come from the root's
:meth:`~numpy.random.SeedSequence.spawn` mechanism — :func:`spawn` for ``n`` replicates,
:func:`cell_rng` for a stream keyed by what it is for (a dyad, an arena, a period), so the
numbers do not depend on which other cells are in the run or on thread scheduling.
"""

from __future__ import annotations

import numpy as np

RNGLike = int | np.random.SeedSequence | np.random.Generator | None

__all__ = ["RNGLike", "cell_rng", "resolve_rng", "seed_sequence", "spawn"]


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


def cell_rng(root: np.random.SeedSequence, *key: int) -> np.random.Generator:
    """The child stream of ``root`` keyed by ``key`` (non-negative integers).

    The spawn mechanism of :meth:`numpy.random.SeedSequence.spawn` — a child is the root's
    entropy with ``spawn_key + key`` — with the key chosen by the caller instead of a
    counter, so a cell draws the same numbers whatever else is computed.

    Examples
    --------
    >>> root = np.random.SeedSequence(0)
    >>> a = cell_rng(root, 1, 2).random()
    >>> a == cell_rng(np.random.SeedSequence(0), 1, 2).random() != cell_rng(root, 2, 1).random()
    True
    """
    return np.random.default_rng(
        np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, *key))
    )
