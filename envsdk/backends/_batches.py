"""The batches of a backend whose workers each own a contiguous block of agent rows.

The worker backends' shared body (``_cycle.py``) holds one: worker ``w`` owns rows ``[w*r,
(w+1)*r)`` of the backend's buffers. A batch of contiguous workers is a view of those buffers;
any other batch is gathered into a staging copy, and the actions sent back for it are scattered
to the workers' rows.
"""

from __future__ import annotations

import numpy as np

from envsdk.buffers import Buffers, allocate, copy_actions
from envsdk.protocol import Batch, Infos


class WorkerBatches:
    """Batches over ``buffers`` for workers of ``rows`` agent rows each."""

    def __init__(self, buffers: Buffers, rows: int, agents_per_env: int, workers_per_batch: int,
                 single_observation_space, single_action_space):
        self.buffers = buffers
        self.rows = rows
        self.agent_ids = np.arange(buffers.num_agents)
        self.env_ids = self.agent_ids // agents_per_env
        self._spaces = (single_observation_space, single_action_space)
        self._batch_rows = workers_per_batch * rows
        self._staging: Buffers | None = None  # made on the first non-contiguous batch
        self._actions: np.ndarray | None = None  # where the last batch's actions are written

    def batch(self, workers: list[int], infos: Infos) -> Batch:
        """The rows of ``workers`` (sorted): views when contiguous, else a gathered copy."""
        b, r = self.buffers, self.rows
        lo, hi = workers[0] * r, (workers[-1] + 1) * r
        if hi - lo == len(workers) * r:  # contiguous workers: views, no copy
            view = b.rows(lo, hi)
            self._actions = view.actions
            return Batch(view.observations, view.rewards, view.terminals, view.truncations, view.masks,
                         infos, self.agent_ids[lo:hi], self.env_ids[lo:hi], view.final_observations)
        if self._staging is None:
            self._staging = allocate(*self._spaces, self._batch_rows,
                                     final_observations=b.final_observations is not None)
        s = self._staging
        ids = np.concatenate([self.agent_ids[w * r:(w + 1) * r] for w in workers])
        for name in s.field_names:
            if name != "actions":
                np.take(getattr(b, name), ids, axis=0, out=getattr(s, name))
        self._actions = s.actions
        return Batch(s.observations, s.rewards, s.terminals, s.truncations, s.masks, infos, ids, self.env_ids[ids],
                     s.final_observations)

    def write_actions(self, workers: list[int], actions, owner: str) -> None:
        """Put the actions for the last batch (of ``workers``) into the workers' rows."""
        dst = self._actions
        if actions is not dst:
            copy_actions(dst, actions, owner)
        if self._staging is not None and dst is self._staging.actions:
            r = self.rows  # a gathered batch: scatter its actions back to each worker's rows
            for j, w in enumerate(workers):
                self.buffers.actions[w * r:(w + 1) * r] = dst[j * r:(j + 1) * r]
