"""Emulation: Gymnasium and PettingZoo envs as envsdk envs, checked against the real libraries."""

import sys

import numpy as np
import pytest

gymnasium = pytest.importorskip("gymnasium")
pytest.importorskip("pettingzoo")

from emulation_envs import DictObsEnv, MixedSpaces, dict_dwindle, dwindle  # noqa: E402

import envsdk  # noqa: E402
from envsdk.backends import Multiprocessing, Serial  # noqa: E402
from envsdk.emulation import (  # noqa: E402
    GymnasiumEnv,
    PettingZooEnv,
    Unflatten,
    from_gymnasium,
    from_pettingzoo,
)
from envsdk.errors import MissingExtraError, SpaceError, StateError  # noqa: E402


def random_actions(n: int, steps: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 2, size=(steps, n)).astype(np.int32)


def gymnasium_by_hand(env_id: str, seed: int, actions: np.ndarray, **kwargs):
    """Gymnasium's own env driven as DESIGN §1 says: copy i reset with seed + i, reset() with no
    seed after each episode, the next episode's first observation in place of the last one.

    Also returns ``finals``: ``{(step, copy): the observation that copy's step returned}`` for each
    episode that ended (what envsdk's final_observations must hold)."""
    n = actions.shape[1]
    envs = [gymnasium.make(env_id, **kwargs) for _ in range(n)]
    obs = [np.stack([env.reset(seed=seed + i)[0] for i, env in enumerate(envs)])]
    rewards, terminals, truncations, finals = [], [], [], {}
    for t, acts in enumerate(actions):
        row = []
        rewards.append([]), terminals.append([]), truncations.append([])
        for i, (env, a) in enumerate(zip(envs, acts, strict=True)):
            o, r, term, trunc, _ = env.step(int(a))
            if term or trunc:
                finals[t, i] = o
                o, _ = env.reset()
            row.append(o)
            rewards[-1].append(r), terminals[-1].append(term), truncations[-1].append(trunc and not term)
        obs.append(np.stack(row))
    for env in envs:
        env.close()
    return (np.stack(obs), np.asarray(rewards, np.float32), np.asarray(terminals), np.asarray(truncations), finals)


def record(env, actions: np.ndarray, seed: int):
    obs = [env.reset(seed=seed)[0].copy()]
    rewards, terminals, truncations, infos = [], [], [], []
    for a in actions:
        o, r, term, trunc, info = env.step(a)
        obs.append(o.copy()), rewards.append(r.copy()), terminals.append(term.copy()), truncations.append(trunc.copy())
        infos.append(info)
    return np.stack(obs), np.stack(rewards), np.stack(terminals), np.stack(truncations), infos


# --- Gymnasium ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("seed", "kwargs"), [(0, {}), (7, {}), (123, {"max_episode_steps": 25})])
def test_cartpole_trajectories_equal_gymnasium(seed, kwargs):
    actions = random_actions(3, 300, seed)
    env = from_gymnasium("CartPole-v1", num_envs=3, **kwargs)
    got = record(env, actions, seed)
    env.close()
    want = gymnasium_by_hand("CartPole-v1", seed, actions, **kwargs)
    for name, x, y in zip(("observations", "rewards", "terminals", "truncations"), got[:4], want[:4], strict=True):
        assert x.dtype == y.dtype and x.tobytes() == y.tobytes(), name
    assert got[2].sum() > 10  # autoresets happened
    if kwargs:
        assert got[3].sum() > 0 and not (got[2] & got[3]).any()


def test_cartpole_spaces_and_episode_stats():
    env = from_gymnasium("CartPole-v1", num_envs=4)
    assert isinstance(env, envsdk.Env)
    assert env.single_observation_space.shape == (4,) and env.single_observation_space.dtype == np.float32
    assert env.single_action_space == envsdk.spaces.Discrete(2)
    assert env.max_steps == 500 and env.unflatten is None
    obs, rewards, terminals, truncations, infos = record(env, random_actions(4, 200, 1), seed=1)
    done = terminals | truncations
    reported = [i for step in infos for i in step]
    assert sum(i["episode_count"] for i in reported) == done.sum()
    assert all(len(step) == (1 if d.any() else 0) for step, d in zip(infos, done, strict=True))
    # CartPole pays 1 per step, so each episode's return is its length.
    assert all(i["episode_return"] == i["episode_length"] for i in reported)
    env.close()
    env.close()


def test_state_errors():
    env = from_gymnasium("CartPole-v1")
    with pytest.raises(StateError, match="reset"):
        env.step(np.zeros(1, np.int32))
    env.close()
    with pytest.raises(StateError, match="closed"):
        env.reset(seed=0)


def test_unsupported_action_space():
    class MultiBinaryActions(gymnasium.Env):
        observation_space = gymnasium.spaces.Box(0, 1, (2,))
        action_space = gymnasium.spaces.MultiBinary(3)

    with pytest.raises(SpaceError, match="ActionWrapper"):
        from_gymnasium(MultiBinaryActions)


def test_backends_match_the_env_alone():
    actions = random_actions(4, 100, 3)
    alone = from_gymnasium("CartPole-v1", num_envs=4)
    want = record(alone, actions, seed=3)
    alone.close()
    for backend in (Serial(GymnasiumEnv, num_envs=4, envs_per_object=1, env="CartPole-v1"),
                    envsdk.make(GymnasiumEnv, num_envs=4, env="CartPole-v1", backend="multiprocessing",
                                num_workers=2, start_method="fork")):
        got = record(backend, actions, seed=3)
        backend.close()
        for x, y in zip(got[:4], want[:4], strict=True):
            assert x.tobytes() == y.tobytes()
        counts = [sum(i["episode_count"] for i in step) for step in got[4]]
        assert counts == [sum(i["episode_count"] for i in step) for step in want[4]]


def test_cartpole_passes_check():
    report = envsdk.check(GymnasiumEnv, env="CartPole-v1", num_envs=4, steps=300)
    assert report.ok, str(report)


# --- flattening ---------------------------------------------------------------------------------


def test_dict_observations_flatten_like_gymnasium_and_unflatten_to_views():
    space = DictObsEnv.observation_space
    env = from_gymnasium(DictObsEnv, num_envs=3)
    reference = [DictObsEnv() for _ in range(3)]
    obs, _ = env.reset(seed=5)
    for i, ref in enumerate(reference):
        ref.reset(seed=5 + i)
    flat_size = gymnasium.spaces.flatdim(space)
    assert env.single_observation_space.shape == (flat_size,)
    assert env.single_observation_space.dtype == np.float32
    for t in range(20):
        for i, ref in enumerate(reference):
            want = gymnasium.spaces.flatten(space, ref.last)
            assert np.array_equal(obs[i], want.astype(np.float32)), (t, i)
            assert env.single_observation_space.contains(obs[i])
        views = env.unflatten(obs)
        for leaf in (views["pos"], views["kind"], views["flags"], *views["nested"]):
            assert np.shares_memory(leaf, env.buffers.observations)
        for i, ref in enumerate(reference):
            back = gymnasium.spaces.unflatten(space, obs[i].astype(np.float64))
            assert np.array_equal(views["pos"][i], back["pos"].astype(np.float32))
            assert views["pos"].shape == (3, 2, 3)
            assert views["kind"][i].argmax() + 1 == back["kind"] == ref.last["kind"]
            assert np.array_equal(views["flags"][i], back["flags"])
            assert np.array_equal(views["nested"][0][i], back["nested"][0])
            md = views["nested"][1][i]
            assert [md[:2].argmax(), md[2:].argmax()] == list(back["nested"][1])
        a = np.ones(3, np.int32)
        obs = env.step(a)[0]
        for ref in reference:
            _, _, term, trunc, _ = ref.step(1)
            if term or trunc:
                ref.reset()
    # A view sees later writes into the buffer: it is the buffer, not a copy.
    pos = next(leaf for leaf in env.unflatten.leaves if leaf.path == ("pos",))
    env.buffers.observations[1, pos.offset] = 0.5
    assert views["pos"][1, 0, 0] == 0.5
    env.close()


def test_unflatten_keeps_leading_dims():
    unflatten = Unflatten(DictObsEnv.observation_space)
    rollout = np.zeros((5, 3, unflatten.size), np.float32)
    views = unflatten(rollout)
    assert views["pos"].shape == (5, 3, 2, 3) and np.shares_memory(views["pos"], rollout)
    with pytest.raises(ValueError, match="shape"):
        unflatten(np.zeros((2, unflatten.size + 1), np.float32))


def test_dict_env_passes_check():
    report = envsdk.check(GymnasiumEnv, env="emulation_envs:DictObsEnv", num_envs=2, steps=200, quick=True)
    assert report.ok, str(report)


# --- PettingZoo ---------------------------------------------------------------------------------


def test_masks_for_absent_agents():
    # Dwindle: a0 terminates at step 1, a1 is truncated at step 2, a2 terminates at step 3, and
    # the env (with no agents left) resets in that same step. Two copies: rows 0-2 and 3-5.
    env = from_pettingzoo(dwindle, num_envs=2)
    assert env.num_agents == 6 and env.possible_agents == ["a0", "a1", "a2"]
    obs, _ = env.reset(seed=0)
    assert env.buffers.masks.all()
    actions = np.array([1, 0, 0, 0, 0, 0], np.int32)
    # step 1: a0 done (its final step is live); its observation row is zero (no next episode yet)
    obs, rew, term, trunc, infos = env.step(actions)
    assert env.buffers.masks.tolist() == [True] * 6
    assert rew.tolist() == [2, 1, 1, 1, 1, 1]
    assert term.tolist() == [True, False, False] * 2 and not trunc.any()
    assert obs[:3].tolist() == [[0, 0], [1, 1], [2, 1]]
    assert infos == [{"episode_return": 1.5, "episode_length": 1.0, "episode_count": 2}]
    # step 2: a0 absent (mask False, reward 0, no flags; its action ignored), a1 truncated
    obs, rew, term, trunc, infos = env.step(actions)
    assert env.buffers.masks.tolist() == [False, True, True] * 2
    assert rew.tolist() == [0, 1, 1, 0, 1, 1]
    assert not term.any() and trunc.tolist() == [False, True, False] * 2
    assert infos == [{"episode_return": 2.0, "episode_length": 2.0, "episode_count": 2}]
    # step 3: a2 terminates, no agents left: autoreset; every row shows the new episode
    obs, rew, term, trunc, infos = env.step(actions)
    assert env.buffers.masks.all()
    assert rew.tolist() == [0, 0, 1, 0, 0, 1]
    assert term.tolist() == [False, False, True] * 2 and not trunc.any()
    assert obs[:3].tolist() == [[0, 0], [1, 0], [2, 0]]
    assert infos == [{"episode_return": 3.0, "episode_length": 3.0, "episode_count": 2}]
    env.close()


def test_pettingzoo_backends_match_the_env_alone():
    actions = random_actions(12, 20, 4)
    alone = from_pettingzoo(dwindle, num_envs=4)
    want = record(alone, actions, seed=4)
    masks = alone.buffers.masks.copy()
    alone.close()
    mp = Multiprocessing(PettingZooEnv, num_envs=4, num_workers=2, start_method="fork", env=dwindle)
    got = record(mp, actions, seed=4)
    assert np.array_equal(mp.buffers.masks, masks)
    mp.close()
    for x, y in zip(got[:4], want[:4], strict=True):
        assert x.tobytes() == y.tobytes()


@pytest.mark.filterwarnings("ignore:The old environment creation API:DeprecationWarning")
def test_rps_passes_check():
    report = envsdk.check(PettingZooEnv, env="pettingzoo.classic.rps_v2:parallel_env", num_envs=2, steps=100,
                          quick=True)
    assert report.ok, str(report)


def test_varying_population_passes_check():
    # Agents leave at different times; an episode's length counts the steps its row was live.
    report = envsdk.check(PettingZooEnv, env=dwindle, num_envs=2, steps=100, quick=True)
    assert report.ok, report.format()


def test_agents_must_share_spaces():
    with pytest.raises(SpaceError, match="pad"):
        from_pettingzoo(MixedSpaces)


def test_aec_env_is_refused():
    from pettingzoo.classic import rps_v2

    with pytest.raises(envsdk.EnvsdkError, match="aec_to_parallel"):
        from_pettingzoo(rps_v2.env)


# --- final observations -------------------------------------------------------------------------
# Before each step final_observations is filled with NaN (no env here observes NaN): a row that
# ended must hold the wrapped env's own last observation, every other row must still be NaN.


def test_final_observations_are_gymnasiums_last_observations():
    """CartPole-v1 cut at 25 steps (terminals and truncations): each ended row's final observation
    is bit-equal to what Gymnasium's own env returned on that step, replayed by hand with the same
    seeds and actions."""
    seed, actions = 11, random_actions(3, 200, 11)
    *_, finals = gymnasium_by_hand("CartPole-v1", seed, actions, max_episode_steps=25)
    env = envsdk.make(GymnasiumEnv, num_envs=3, env="CartPole-v1", env_kwargs={"max_episode_steps": 25},
                      final_observations=True)
    final = env.buffers.final_observations
    assert final.shape == env.buffers.observations.shape and final.dtype == env.buffers.observations.dtype
    env.reset(seed=seed)
    kinds = set()
    for t, a in enumerate(actions):
        final[...] = np.nan
        _, _, term, trunc, _ = env.step(a)
        ended = term | trunc
        assert np.flatnonzero(ended).tolist() == sorted(i for step, i in finals if step == t)
        for i in np.flatnonzero(ended):
            assert final[i].tobytes() == finals[t, i].tobytes(), (t, i)
            kinds.add("terminal" if term[i] else "truncation")
        assert np.isnan(final[~ended]).all()
    assert kinds == {"terminal", "truncation"}
    env.close()
    assert from_gymnasium("CartPole-v1").buffers.final_observations is None  # not asked for: none


class LastStep(gymnasium.Wrapper):
    """Keeps the observation its env's ``step`` returned last: the one an ended episode ended on."""

    def step(self, action):
        out = self.env.step(action)
        self.stepped = out[0]
        return out


def test_dict_final_observations_are_the_wrapped_envs_own_flattened():
    space = DictObsEnv.observation_space
    env = Serial(GymnasiumEnv, num_envs=3, env=lambda: LastStep(DictObsEnv()), final_observations=True)
    copies = env.envs[0].envs  # the Gymnasium envs inside the one GymnasiumEnv
    final = env.buffers.final_observations
    env.reset(seed=2)
    ended_rows = 0
    for a in random_actions(3, 100, 2):
        final[...] = np.nan
        _, _, term, trunc, _ = env.step(a)
        ended = term | trunc
        for i in np.flatnonzero(ended):
            want = gymnasium.spaces.flatten(space, copies[i].stepped).astype(np.float32)
            assert final[i].tobytes() == want.tobytes()
            assert env.envs[0].unflatten(final)["kind"][i].argmax() + 1 == copies[i].stepped["kind"]
        assert np.isnan(final[~ended]).all()
        ended_rows += ended.sum()
    assert ended_rows > 10
    env.close()


@pytest.mark.parametrize(("factory", "last"), [
    # Dwindle: rows [index, steps taken]; a0 ends at step 1, a1 at step 2, a2 at step 3 (then reset).
    (dwindle, [[0, 1], [1, 2], [2, 3]]),
    # The same as a Dict {"agent": Discrete(3), "t": Box}: flat [one-hot agent, t].
    (dict_dwindle, [[1, 0, 0, 1], [0, 1, 0, 2], [0, 0, 1, 3]]),
])
def test_pettingzoo_final_observations_hold_each_agents_last_observation(factory, last):
    env = Serial(PettingZooEnv, num_envs=2, env=factory, final_observations=True)
    final = env.buffers.final_observations
    env.reset(seed=0)
    for step in range(3):
        final[...] = np.nan
        obs, _, term, trunc, _ = env.step(np.zeros(6, np.int32))
        ended = [step, step + 3]  # agent `step` of each copy, and only it
        assert np.flatnonzero(term | trunc).tolist() == ended
        assert final[ended].tolist() == [last[step]] * 2
        assert np.isnan(np.delete(final, ended, axis=0)).all()
    assert obs[2].tolist() == ([2, 0] if factory is dwindle else [0, 0, 1, 0])  # the next episode's first
    env.close()


@pytest.mark.parametrize(("factory", "config", "rows"), [
    (GymnasiumEnv, {"env": "CartPole-v1", "env_kwargs": {"max_episode_steps": 20}}, 4),
    (PettingZooEnv, {"env": dwindle}, 12),
])
def test_final_observations_cross_processes(factory, config, rows):
    """Multiprocessing carries the emulators' final observations bit for bit (Serial's are the reference)."""
    actions = random_actions(rows, 60, 6)
    got = []
    for backend in ({"backend": "serial"}, {"backend": "multiprocessing", "num_workers": 2, "start_method": "fork"}):
        env = envsdk.make(factory, num_envs=4, final_observations=True, **backend, **config)
        env.reset(seed=6)
        steps = []
        for a in actions:
            env.buffers.final_observations[...] = np.nan
            env.step(a)
            steps.append(env.buffers.final_observations.copy())
        env.close()
        got.append(np.stack(steps))
    assert got[0].tobytes() == got[1].tobytes() and (~np.isnan(got[0])).any()


# --- optional extras ----------------------------------------------------------------------------


@pytest.mark.parametrize(("module", "build", "packages"), [
    ("gymnasium", lambda: from_gymnasium("CartPole-v1"), "'gymnasium>=1.0'"),
    ("pettingzoo", lambda: from_pettingzoo(dwindle), "'pettingzoo>=1.24' 'pygame>=2.5'"),
])
def test_missing_extra_says_which_pip_install(monkeypatch, module, build, packages):
    # envsdk is not on the package index: the hint names the packages, then the checkout form.
    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(ImportError) as e:
        build()
    assert isinstance(e.value, MissingExtraError)
    assert str(e.value).endswith(f"Fix: pip install {packages} (or, from an envsdk checkout, pip install "
                                 f"'.[{module}]').")
