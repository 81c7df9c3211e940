"""Seeds for batch experiments, all derived from one master seed with numpy's SeedSequence.

Replication ``r`` of an experiment with master seed ``m`` runs with the seed drawn from
``SeedSequence(m, spawn_key=(r,))`` — exactly the ``r``-th child of ``SeedSequence(m).spawn(n)``.
The seed depends only on ``m`` and ``r``: it does not depend on the design point, on the number
of replications, on the order in which runs execute or on the machine that runs them. So

* serial, parallel and cluster execution give identical results, and
* every design point sees the same random numbers in replication ``r`` (common random numbers),
  which makes the paired comparison in :mod:`zorgnetwerk_sim.runner.compare` sharp.
"""

from __future__ import annotations

import numpy as np

#: Entropy tag that keeps the stream used to draw a Latin hypercube apart from the replications.
_DESIGN_TAG = 0x4C48_5344  # "LHSD"

MAX_SEED = 2**63 - 1  # the scenario schema's upper bound for ``seed``


def replication_sequence(master_seed: int, replication: int) -> np.random.SeedSequence:
    """The SeedSequence of one replication (the ``replication``-th spawned child of the master)."""
    if replication < 0:
        raise ValueError(f"replication must be ≥ 0 (got {replication})")
    return np.random.SeedSequence(int(master_seed), spawn_key=(int(replication),))


def replication_seed(master_seed: int, replication: int) -> int:
    """The model seed of replication ``replication``: a 63-bit integer (fits ``Scenario.seed``)."""
    state = replication_sequence(master_seed, replication).generate_state(1, dtype=np.uint64)[0]
    return int(state) & MAX_SEED


def design_rng(master_seed: int) -> np.random.Generator:
    """The generator that draws sampled designs (Latin hypercube); independent of the run seeds."""
    return np.random.default_rng(np.random.SeedSequence([_DESIGN_TAG, int(master_seed)]))
