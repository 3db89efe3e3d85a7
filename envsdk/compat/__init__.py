"""Adapters out: use any envsdk env from existing training code.

    to_gymnasium(env)   -> gymnasium.vector.VectorEnv  (one Gymnasium sub-env per agent row)
    to_sb3(env)         -> stable_baselines3 VecEnv     (one SB3 sub-env per agent row)
    to_pettingzoo(env)  -> pettingzoo.ParallelEnv       (one PettingZoo agent per agent row)
    to_torch(env)       -> the env, returning torch tensors (views of the buffers on CPU; a
                           device env's own tensors, zero copy)

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
    NEXT episode's first observation. The ended episode's last observation is kept only in
    ``env.buffers.final_observations``, which an env has when it was built with
    ``final_observations=True`` (``envsdk.make(name, ..., final_observations=True)``, or the same
    keyword of a backend). ``to_gymnasium`` and ``to_sb3`` give it to their libraries (Gymnasium's
    ``infos["final_obs"]``, SB3's ``terminal_observation``), so a learner bootstraps a truncated
    episode from the state where it was cut. They refuse an env built without it, with the fix,
    unless told to leave the key out (``final_obs=False``, ``terminal_observation=None``): the
    adapters never invent an observation.

Device buffers (an env whose buffers are torch tensors, ``envsdk.allocate(..., device=...)``)
    ``to_torch`` returns the env's own tensors on its device (zero copy) and hands tensor
    actions to the env's ``step``, which copies them on the device: no host round trip.
    ``to_gymnasium``, ``to_sb3`` and ``to_pettingzoo`` give their libraries numpy arrays, so each
    step they read the results (and final observations) on the host: numpy views of CPU tensors,
    one copy from the device for CUDA tensors; their numpy actions are copied onto the device.
"""

from __future__ import annotations

from envsdk.compat._common import check_env
from envsdk.config import check_bool
from envsdk.errors import ConfigError

__all__ = ["to_gymnasium", "to_pettingzoo", "to_sb3", "to_torch"]


def to_gymnasium(env, *, copy: bool = True, stats_key: str | None = None, final_obs: bool = True,
                 final_layout: str = "1.x"):
    """A ``gymnasium.vector.VectorEnv`` over ``env``: one Gymnasium sub-env per agent row.

    - ``num_envs`` is ``env.num_agents``; spaces are Gymnasium spaces equal to the env's, batched
      with ``gymnasium.vector.utils.batch_space`` (Discrete actions batch to MultiDiscrete).
    - ``metadata["autoreset_mode"]`` is ``AutoresetMode.SAME_STEP``: the observation of a row that
      ended is the next episode's first.
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
    - On a step where rows ended, ``infos`` holds what Gymnasium's own ``SyncVectorEnv(...,
      autoreset_mode=AutoresetMode.SAME_STEP)`` gives when each sub-env is wrapped in
      ``gymnasium.wrappers.RecordEpisodeStatistics`` (CleanRL's ``make_env``); on other steps it
      is ``{}``. With the default ``final_layout="1.x"`` (Gymnasium 1.x):

      - ``infos["final_obs"]``: an object array, None except on ended rows, which hold a copy of
        the row's last observation (``env.buffers.final_observations``); ``infos["_final_obs"]``:
        the bool mask of ended rows.
      - ``infos["final_info"]``: the ended rows' final infos merged as Gymnasium merges them, a
        dict of arrays: ``{"episode": {"r": returns (float64), "l": lengths (int64), "t": seconds
        since the episode began (float64), "_r", "_l", "_t": masks}, "_episode": mask}``, 0 on
        rows that did not end; ``infos["_final_info"]``: the mask.

      ``final_layout="0.29"`` gives Gymnasium 0.29's layout instead, the one CleanRL's scripts
      read (``for info in infos["final_info"]: if info and "episode" in info: info["episode"]["r"]``):
      ``infos["final_observation"]`` and ``infos["_final_observation"]`` (as ``final_obs``), and
      ``infos["final_info"]``, an object array holding each ended row's info dict, None elsewhere,
      with its ``"episode"`` as 0.29's wrapper made it (one-element arrays ``r`` float32, ``l``
      int32, ``t`` float32), plus the ``infos["_final_info"]`` mask.
    - An env with device buffers (torch tensors on a GPU) is read to the host each step: results
      and final observations are copied to numpy (CPU tensors are viewed, not copied), and the
      numpy actions are copied onto the device. ``copy=False`` then returns those host arrays.
    - ``final_obs=True`` (the default) needs an env built with ``final_observations=True``
      (``to_gymnasium(envsdk.make(name, num_envs=N, final_observations=True))``) and refuses any
      other with a ``ConfigError`` saying so; ``final_obs=False`` leaves ``final_obs`` (or
      ``final_observation``) and its mask out and gives the rest.
    - Gymnasium's wrappers add their keys as on any vector env:
      ``gymnasium.wrappers.vector.RecordEpisodeStatistics(to_gymnasium(env))`` reports each ended
      row's return and length at the top level, the same episodes as envsdk's own statistics.
      ``stats_key="episode"`` asks the adapter itself for those statistics in that wrapper's
      layout, without the wrapper: on a step where rows ended, ``infos[stats_key] = {"r": returns,
      "l": lengths, "t": seconds}`` (0 where no episode ended) and ``infos["_" + stats_key]``
      marks the ended rows (the wrapper then needs another key). envsdk's aggregate infos (and env
      keys such as ``score``) are not forwarded: Gymnasium infos are per sub-env. Per-row episode
      statistics cost O(rows) numpy per step.
    """
    from envsdk.compat.gymnasium import GymnasiumVectorEnv  # imports Gymnasium: MissingExtraError if absent

    check_env(env, "to_gymnasium")
    final_obs = check_bool("to_gymnasium", "final_obs", final_obs)
    if final_layout not in _FINAL_LAYOUTS:
        raise ConfigError.of(
            "to_gymnasium", "final_layout", f"one of {_FINAL_LAYOUTS}", repr(final_layout),
            "'1.x' (Gymnasium 1.x's final_obs and final_info) or '0.29' (Gymnasium 0.29's final_observation "
            "and final_info, which CleanRL's scripts read)",
        )
    return GymnasiumVectorEnv(env, copy=copy, stats_key=stats_key, final_obs=final_obs, final_layout=final_layout)


_FINAL_LAYOUTS = ("1.x", "0.29")
_TERMINAL_CHOICES = ("final", None)


def to_sb3(env, *, terminal_observation: str | None = "final"):
    """A Stable-Baselines3 ``VecEnv`` over ``env``: one SB3 sub-env per agent row.

    - ``step_wait`` returns ``(observations, rewards, dones, infos)`` with ``dones = terminals |
      truncations``. ``observations`` is a fresh copy every step, as SB3's own ``DummyVecEnv``
      returns: off-policy algorithms keep the previous step's array as the transition's start.
    - ``infos`` is one dict per row, as ``DummyVecEnv`` over ``Monitor``-wrapped envs gives them:
      every row has ``"TimeLimit.truncated"`` (True when its episode was truncated this step); a row
      that ended also has ``"episode": {"r", "l", "t"}`` like ``Monitor``'s (``r`` rounded to 6
      places; ``t``: seconds since the adapter was built) and ``"terminal_observation"``, a copy of
      the episode's true last observation (``env.buffers.final_observations``). SB3's PPO and A2C
      add ``gamma * V(terminal_observation)`` to a truncated row's reward, and its off-policy
      algorithms store it as the transition's next observation.
    - ``terminal_observation="final"`` (the default) needs an env built with
      ``final_observations=True`` (``to_sb3(envsdk.make(name, num_envs=N, final_observations=True))``)
      and refuses any other with a ``ConfigError`` saying so; ``None`` leaves the key out (SB3 then
      treats a truncation like a termination: no bootstrap).
    - An env with device buffers (torch tensors on a GPU) is read to the host each step: results
      and final observations are copied to numpy (CPU tensors are viewed, then copied as above),
      and SB3's numpy actions are copied onto the device.
    - ``seed(s)`` (inherited) makes the next ``reset`` seed row ``i`` with ``s + i``.
    - ``get_attr``/``set_attr``/``env_method`` act on the one env object behind every row: each
      reads, writes or calls it ONCE and returns that result for every requested index.
      ``env_is_wrapped`` is False for every row (no Gymnasium wrappers are involved).
    """
    from envsdk.compat.sb3 import SB3VecEnv  # imports SB3: MissingExtraError if absent

    check_env(env, "to_sb3")
    if terminal_observation not in _TERMINAL_CHOICES:
        raise ConfigError.of(
            "to_sb3", "terminal_observation", f"one of {_TERMINAL_CHOICES}", repr(terminal_observation),
            "'final' (the episode's true last observation, from an env built with final_observations=True) or "
            "None (leave the key out)" + (
                "; 'previous' (the observation one step before the end) is gone: SB3 bootstrapped from the "
                "wrong state with it" if terminal_observation == "previous" else ""),
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
    An env with device buffers is read to the host each step (copies from a GPU); actions are
    gathered on the host and copied onto the device.
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
    - An env whose buffers are tensors (device buffers, ``envsdk.allocate(..., device=...)``):
      the tensors returned ARE its buffers (same memory, zero copy) on its device, and a tensor
      action is handed to the env's ``step``, which copies it on the device (no host round trip).
      ``device`` must be None or that device (``ConfigError`` otherwise).
    """
    from envsdk.compat.torch import TorchEnv  # imports torch: MissingExtraError if absent

    check_env(env, "to_torch")
    return TorchEnv(env, device)
