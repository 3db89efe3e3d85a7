"""Pytest-free assertions for env authors' own test suites.

Each function builds envs from a ``factory`` (a class or callable taking keyword config and
``buffers=``) and raises ``AssertionError`` with a message naming the property, what was
expected and what was found. ``assert_conforms`` runs them all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from envsdk import spaces
from envsdk.backends.serial import Serial
from envsdk.protocol import Env


@dataclass
class Rollout:
    """A recorded trajectory: arrays stacked over steps, copies of the buffers after each step."""

    observations: np.ndarray  # [steps + 1, n, *obs_shape]; row 0 is the reset observation
    actions: np.ndarray       # [steps, n, *act_shape]
    rewards: np.ndarray       # [steps, n]
    terminals: np.ndarray     # [steps, n]
    truncations: np.ndarray   # [steps, n]
    masks: np.ndarray         # [steps + 1, n]
    infos: list = field(default_factory=list)  # per step: that step's infos list

    def equal(self, other: Rollout) -> bool:
        """True when every array is bit-identical (NaNs at the same places compare equal)."""
        names = ("observations", "actions", "rewards", "terminals", "truncations", "masks")
        return all(_bit_equal(getattr(self, k), getattr(other, k)) for k in names)


def _bit_equal(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


def rollout(env: Env, steps: int, seed: int = 0, action_seed: int = 0) -> Rollout:
    """Reset ``env`` with ``seed``, step it ``steps`` times with seeded random valid actions."""
    b = env.buffers
    rng = np.random.default_rng(action_seed)
    obs, _ = env.reset(seed=seed)
    rec = {k: [] for k in ("observations", "actions", "rewards", "terminals", "truncations", "masks")}
    rec["observations"].append(obs.copy())
    rec["masks"].append(b.masks.copy())
    infos = []
    for _ in range(steps):
        actions = spaces.sample(env.single_action_space, env.num_agents, rng=rng)
        b.actions[...] = actions
        obs, rew, term, trunc, info = env.step(b.actions)
        rec["actions"].append(b.actions.copy())
        for k, v in (("observations", obs), ("rewards", rew), ("terminals", term), ("truncations", trunc)):
            rec[k].append(v.copy())
        rec["masks"].append(b.masks.copy())
        infos.append(info)
    return Rollout(**{k: np.stack(v) for k, v in rec.items()}, infos=infos)


def assert_protocol(env) -> None:
    """The object has every ``Env`` member, and its buffers fit its spaces and ``num_agents``."""
    assert isinstance(env, Env), (
        f"protocol: expected an object with the envsdk.Env members, found {type(env).__name__} missing "
        f"{[m for m in ('single_observation_space', 'single_action_space', 'num_agents', 'buffers', 'reset', 'step', 'close') if not hasattr(env, m)]}"  # noqa: E501
    )
    env.buffers.validate(env.single_observation_space, env.single_action_space, env.num_agents,
                         owner=f"{type(env).__name__}.buffers")


def assert_writes_in_place(env, steps: int = 8) -> None:
    """Returned arrays are the buffers; the buffers object and its arrays are never replaced."""
    b = env.buffers
    arrays = {k: getattr(b, k) for k in ("observations", "rewards", "terminals", "truncations", "actions")}
    obs, _ = env.reset(seed=0)
    assert obs is b.observations, "reset: expected to return buffers.observations itself, found another array"
    rng = np.random.default_rng(0)
    for _ in range(steps):
        b.actions[...] = spaces.sample(env.single_action_space, env.num_agents, rng=rng)
        out = env.step(b.actions)
        for name, got in zip(("observations", "rewards", "terminals", "truncations"), out[:4], strict=True):
            assert got is getattr(b, name), f"step: expected to return buffers.{name} itself, found another array"
        assert isinstance(out[4], list), f"step: expected infos to be a list, found {type(out[4]).__name__}"
    assert env.buffers is b, "buffers: expected env.buffers never to be replaced, found a new Buffers object"
    for name, arr in arrays.items():
        assert getattr(env.buffers, name) is arr, (
            f"buffers.{name}: expected the same array throughout, found it rebound"
        )


def assert_external_buffers(factory, **config) -> None:
    """An env handed buffers writes into exactly that memory."""
    probe = factory(**config)
    from envsdk.buffers import allocate

    external = allocate(probe.single_observation_space, probe.single_action_space, probe.num_agents)
    probe.close()
    env = factory(**config, buffers=external)
    try:
        obs, _ = env.reset(seed=0)
        assert np.shares_memory(obs, external.observations), (
            "buffers=: expected reset to write into the buffers it was given, found other memory"
        )
        out = env.step(external.actions)
        for name, got in zip(("observations", "rewards", "terminals", "truncations"), out[:4], strict=True):
            assert got is getattr(external, name) or np.shares_memory(got, getattr(external, name)), (
                f"buffers=: expected step to return the given buffers.{name}, found other memory"
            )
    finally:
        env.close()


def assert_deterministic(factory, steps: int = 200, **config) -> None:
    """Same seed: bit-identical rollouts; different seeds: different observations."""
    runs = []
    for seed in (7, 7, 8):
        env = factory(**config)
        try:
            runs.append(rollout(env, steps, seed=seed))
        finally:
            env.close()
    assert runs[0].equal(runs[1]), (
        "determinism: expected the same seed to give bit-identical rollouts, found a difference"
    )
    assert not _bit_equal(runs[0].observations, runs[2].observations), (
        "determinism: expected seeds 7 and 8 to give different observations, found them identical"
    )


def assert_vectorization_invariant(factory, num_envs: int = 4, steps: int = 200, **config) -> None:
    """One object with ``num_envs`` sub-envs behaves exactly like ``num_envs`` objects of one."""
    whole = Serial(factory, num_envs=num_envs, **config)
    split = Serial(factory, num_envs=num_envs, envs_per_object=1, **config)
    try:
        a, b = rollout(whole, steps, seed=3), rollout(split, steps, seed=3)
    finally:
        whole.close()
        split.close()
    assert a.equal(b), (
        f"vectorization: expected 1 object of {num_envs} sub-envs to match {num_envs} objects of 1, found a "
        "difference (shared or global state?)"
    )


def assert_autoreset(factory, steps: int = 500, **config) -> None:
    """Episodes end and restart without ``reset``; flags are exclusive; infos agree with rewards.

    Checks that at least one episode ends within ``steps``, no row is both terminal and
    truncated, and each step's infos report ``episode_count`` equal to the rows that ended, with
    mean ``episode_return``/``episode_length`` equal to those recomputed from rewards and flags.
    """
    env = factory(**config)
    try:
        r = rollout(env, steps, seed=11)
    finally:
        env.close()
    done = r.terminals | r.truncations
    assert done.any(), f"autoreset: expected an episode to end within {steps} random steps, found none"
    both = r.terminals & r.truncations
    assert not both.any(), f"autoreset: expected terminal and truncation never both set, found both at {np.argwhere(both)[:3].tolist()}"  # noqa: E501
    n = r.rewards.shape[1]
    ret, length = np.zeros(n, np.float64), np.zeros(n, np.int64)
    for t in range(steps):
        live = r.masks[t + 1] if r.masks.shape[0] > t + 1 else np.ones(n, bool)
        ret += np.where(live, r.rewards[t], 0.0)
        length += 1
        ended = np.flatnonzero(done[t])
        reported = sum(i.get("episode_count", 0) for i in r.infos[t])
        assert reported == ended.size, (
            f"episode stats: expected episode_count {ended.size} at step {t} (rows that ended), found {reported}"
        )
        if ended.size:
            infos = [i for i in r.infos[t] if "episode_count" in i]
            got_ret = sum(i["episode_return"] * i["episode_count"] for i in infos) / ended.size
            got_len = sum(i["episode_length"] * i["episode_count"] for i in infos) / ended.size
            assert np.isclose(got_ret, ret[ended].mean(), rtol=1e-4, atol=1e-4), (
                f"episode stats: expected mean episode_return {ret[ended].mean()} at step {t}, found {got_ret}"
            )
            assert np.isclose(got_len, length[ended].mean()), (
                f"episode stats: expected mean episode_length {length[ended].mean()} at step {t}, found {got_len}"
            )
            ret[ended], length[ended] = 0.0, 0


def assert_conforms(factory, *, num_envs: int | None = 4, steps: int = 300, **config) -> None:
    """Run every assertion above on ``factory`` (``num_envs`` is passed when not None)."""
    if num_envs is not None:
        config = {"num_envs": num_envs, **config}
    env = factory(**config)
    try:
        assert_protocol(env)
        assert_writes_in_place(env)
    finally:
        env.close()
        env.close()  # close is idempotent
    assert_external_buffers(factory, **config)
    assert_deterministic(factory, steps=steps, **config)
    assert_autoreset(factory, steps=steps, **config)
    if num_envs is not None:
        rest = {k: v for k, v in config.items() if k != "num_envs"}
        assert_vectorization_invariant(factory, num_envs=num_envs, steps=steps, **rest)
