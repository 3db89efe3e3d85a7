"""Adapters out: use any envsdk env from existing training code.

    to_gymnasium(env)   -> gymnasium.vector.VectorEnv  (one Gymnasium sub-env per agent row)
    to_sb3(env)         -> stable_baselines3 VecEnv     (one SB3 sub-env per agent row)
    to_pettingzoo(env)  -> pettingzoo.ParallelEnv       (one PettingZoo agent per agent row)
    to_torch(env)       -> the env, returning torch tensors (views of the buffers on CPU)

``env`` is anything satisfying ``envsdk.Env`` (an env object or a backend such as
``envsdk.make(...)``). The adapters own it: closing the adapter closes the env.

Gymnasium, Stable-Baselines3, PettingZoo and torch are optional: each is imported only when its
adapter is built, and a missing one raises ``envsdk.errors.MissingExtraError`` (an ``ImportError``)
that names the ``pip install`` that fixes it. Importing this package imports none of them. The
adapter classes live one module per library, importable for ``isinstance`` (importing one imports
its library): ``envsdk.compat.gymnasium.GymnasiumVectorEnv``, ``envsdk.compat.sb3.SB3VecEnv``,
``envsdk.compat.pettingzoo.PettingZooParallelEnv``, ``envsdk.compat.torch.TorchEnv``.

The final observation, for every adapter
    envsdk resets an ended episode inside the same ``step`` (protocol.py): the row then holds the
    NEXT episode's first observation, and the last observation of the ended episode is gone. The
    adapters never invent one:

    - Gymnasium: ``metadata["autoreset_mode"]`` is ``AutoresetMode.SAME_STEP`` (which is what
      envsdk does), but ``infos`` carry no ``"final_obs"``/``"final_info"``; Gymnasium's wrappers
      treat those keys as optional. Scripts that bootstrap truncated episodes from
      ``final_obs`` cannot do so (CleanRL's PPO does not).
    - SB3: ``terminal_observation`` is, by default, the observation the episode's LAST ACTION
      was chosen from (one step before the end), taken from the copy SB3 needs anyway (see
      ``to_sb3``). PPO/A2C then bootstrap a truncated episode with ``V(s_{T-1})`` instead of
      ``V(s_T)``; ``terminal_observation=None`` leaves the key out (no bootstrap at all).
"""

from __future__ import annotations

from envsdk.compat._common import check_env
from envsdk.errors import ConfigError

__all__ = ["to_gymnasium", "to_pettingzoo", "to_sb3", "to_torch"]


def to_gymnasium(env, *, copy: bool = True, stats_key: str | None = None):
    """A ``gymnasium.vector.VectorEnv`` over ``env``: one Gymnasium sub-env per agent row.

    - ``num_envs`` is ``env.num_agents``; spaces are Gymnasium spaces equal to the env's, batched
      with ``gymnasium.vector.utils.batch_space`` (Discrete actions batch to MultiDiscrete).
    - ``metadata["autoreset_mode"]`` is ``AutoresetMode.SAME_STEP``: the observation of a row that
      ended is the next episode's first. No ``"final_obs"`` is given (envsdk does not keep it; see
      the module docstring).
    - ``reset(seed=s)`` seeds row ``i`` with ``s + i`` (Gymnasium's rule and envsdk's); a list of
      seeds must be ``[s, s+1, ...]``. ``options`` (``reset_mask`` partial resets) are not
      supported.
    - ``copy=True`` (the default, as Gymnasium's vector envs): ``reset`` and ``step`` return fresh
      arrays, so code may keep them or edit them in place (``obs -= mean``) without touching the
      next step's. ``copy=False`` is the zero-copy path: they return the env's buffers themselves
      (observations, float32 rewards, bool flags), overwritten by the next step and, since an env
      may rewrite only part of a row per step (breakout's bricks), corrupted for every later step
      by an in-place edit. Gymnasium's ``copy=False`` still copies rewards and flags; this one
      copies nothing.
    - ``infos`` is ``{}`` by default, so Gymnasium's wrappers add their keys as on any vector env:
      ``gymnasium.wrappers.vector.RecordEpisodeStatistics(to_gymnasium(env))`` reports each ended
      row's return and length, the same episodes as envsdk's own statistics. ``stats_key="episode"``
      asks the adapter itself for those statistics in that wrapper's layout, without the
      wrapper: on a step where rows ended, ``infos[stats_key] = {"r": returns, "l": lengths, "t":
      seconds}`` (0 where no episode ended) and ``infos["_" + stats_key]`` marks the ended rows,
      computed from rewards and flags (numpy, O(rows) per step; the wrapper then needs another
      key). envsdk's aggregate infos (and env keys such as ``score``) are not forwarded:
      Gymnasium infos are per sub-env.
    """
    from envsdk.compat.gymnasium import GymnasiumVectorEnv  # imports Gymnasium: MissingExtraError if absent

    check_env(env, "to_gymnasium")
    return GymnasiumVectorEnv(env, copy=copy, stats_key=stats_key)


_TERMINAL_CHOICES = ("previous", None)


def to_sb3(env, *, terminal_observation: str | None = "previous"):
    """A Stable-Baselines3 ``VecEnv`` over ``env``: one SB3 sub-env per agent row.

    - ``step_wait`` returns ``(observations, rewards, dones, infos)`` with ``dones = terminals |
      truncations``. ``observations`` is a fresh copy every step, as SB3's own ``DummyVecEnv``
      returns: off-policy algorithms keep the previous step's array as the transition's start.
    - ``infos`` is one dict per row. A row that ended carries ``"TimeLimit.truncated"`` (its
      truncation flag), ``"episode": {"r", "l", "t"}`` like SB3's ``Monitor`` (``t``: seconds since
      the adapter was built) and ``"terminal_observation"``: with the default ``"previous"``, the
      observation the ended episode's last action was chosen from (the true last one is not kept
      by envsdk: see the module docstring); with ``None`` the key is left out.
    - ``seed(s)`` (inherited) makes the next ``reset`` seed row ``i`` with ``s + i``.
    - ``get_attr``/``set_attr``/``env_method`` act on the one env object behind every row: each
      reads, writes or calls it ONCE and returns that result for every requested index.
      ``env_is_wrapped`` is False for every row (no Gymnasium wrappers are involved).
    """
    from envsdk.compat.sb3 import SB3VecEnv  # imports SB3: MissingExtraError if absent

    check_env(env, "to_sb3")
    if terminal_observation not in _TERMINAL_CHOICES:
        raise ConfigError(
            f"to_sb3.terminal_observation: expected one of {_TERMINAL_CHOICES}, found {terminal_observation!r}. "
            "Fix: 'previous' (the observation before the last step) or None (leave the key out)."
        )
    return SB3VecEnv(env, terminal_observation=terminal_observation)


def to_pettingzoo(env, *, idle_action=None):
    """A ``pettingzoo.ParallelEnv`` over ``env``: agent ``"agent_{i}"`` is agent row ``i``.

    Every row of every sub-env is an agent (rows of different sub-envs are in separate games).
    PettingZoo's episode is not envsdk's: a PettingZoo agent that terminates or truncates leaves
    ``agents`` until the next ``reset()``, while envsdk has already restarted its row. Until then
    that row is stepped with ``idle_action`` (default: all zeros) and its results are dropped;
    in shared-world envs (snake) the restarted row stays in the world. A row whose ``masks`` entry
    is False is not an agent; one that goes from live to masked is reported truncated, and a
    masked row that becomes live joins ``agents`` (unless it already finished). The PettingZoo
    episode ends when ``agents`` is empty.

    Observations are rows of one copy per step (the buffers are overwritten by the next step).
    ``infos[agent]`` holds ``episode_return``/``episode_length`` for an agent that just finished.
    ``reset(seed=s)`` seeds sub-env ``i`` with ``s + i``; reset ``options`` are accepted and ignored.
    """
    from envsdk.compat.pettingzoo import PettingZooParallelEnv  # imports PettingZoo: MissingExtraError if absent

    check_env(env, "to_pettingzoo")
    return PettingZooParallelEnv(env, idle_action=idle_action)


def to_torch(env, device=None):
    """``env`` returning torch tensors: ``TorchEnv`` (same members as the env, tensors out).

    - ``device=None`` or CPU: the tensors are ``torch.from_numpy`` views of the buffers, built
      once (zero copy: same memory, overwritten by every step, like the buffers themselves).
    - A CUDA device: each step copies the buffers into pinned host staging tensors, then into
      device tensors with ``non_blocking=True`` on the current stream (one host memcpy and one
      asynchronous host-to-device copy per array); the device tensors are reused every step.
    - ``step(actions)`` takes a tensor (any device; copied into the actions buffer with a dtype
      cast), a numpy array, or the actions buffer itself (no copy).
    """
    from envsdk.compat.torch import TorchEnv  # imports torch: MissingExtraError if absent

    check_env(env, "to_torch")
    return TorchEnv(env, device)
