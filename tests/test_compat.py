"""envsdk.compat against the real Gymnasium, Stable-Baselines3, PettingZoo and torch.

Each adapter is compared with the native env it wraps (same seeds, same actions), then run by
the library's own code: Gymnasium's vector wrappers, SB3's PPO, PettingZoo's parallel_api_test.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from envsdk.envs.cartpole import CartPole

import envsdk
from envsdk.compat import to_gymnasium, to_pettingzoo, to_sb3, to_torch
from envsdk.errors import ActionError, ConfigError, MissingExtraError, ProtocolError, install_hint

gym = pytest.importorskip("gymnasium")  # every adapter speaks Gymnasium spaces
ROOT = Path(__file__).resolve().parents[1]


def cartpole(num_envs=8, **config):
    """envsdk's C cartpole with final observations, as to_gymnasium and to_sb3 want by default."""
    return envsdk.make("cartpole", num_envs=num_envs, final_observations=True, **config)


def random_actions(num_agents, steps, n=2, seed=0):
    return np.random.default_rng(seed).integers(0, n, size=(steps, num_agents), dtype=np.int32)


def episodes_by_hand(rewards, dones):
    """Per-row (return, length) of every episode that ended, from [T, n] rewards and done flags."""
    ended, ret, length = [], np.zeros(rewards.shape[1]), np.zeros(rewards.shape[1], int)
    for r, d in zip(rewards, dones, strict=True):
        ret += r
        length += 1
        ended += [(float(ret[i]), int(length[i])) for i in np.flatnonzero(d)]
        ret[d], length[d] = 0, 0
    return ended


# --- optional extras ------------------------------------------------------------------------------


def test_importing_compat_imports_no_optional_package():
    code = ("import sys, envsdk, envsdk.compat; "
            "print([m for m in ('gymnasium', 'stable_baselines3', 'pettingzoo', 'torch') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("adapter, module, fix", [
    (to_gymnasium, "gymnasium", "pip install 'gymnasium>=1.0' (or, from an envsdk checkout, pip install "
                                "'.[gymnasium]')"),
    (to_sb3, "stable_baselines3", "pip install 'stable-baselines3>=2.0' 'gymnasium>=1.0' 'torch==2.13.0' (or, "
                                  "from an envsdk checkout, pip install '.[sb3]')"),
    (to_pettingzoo, "pettingzoo", "pip install 'pettingzoo>=1.24' 'pygame>=2.5' (or, from an envsdk checkout, pip "
                                  "install '.[pettingzoo]')"),
    (to_torch, "torch", "pip install 'torch==2.13.0' (or, from an envsdk checkout, pip install '.[train]')"),
])
def test_a_missing_extra_names_the_pip_install_that_fixes_it(monkeypatch, adapter, module, fix):
    # envsdk is not on the package index: the hint asks for what the extra pins, then the checkout form.
    monkeypatch.setitem(sys.modules, module, None)  # makes `import module` raise ImportError
    # The adapter's module imports its library once; drop it, as in a process that never had the library.
    monkeypatch.delitem(sys.modules, f"envsdk.compat.{adapter.__name__.removeprefix('to_')}", raising=False)
    with pytest.raises(ImportError, match=re.escape(f"Fix: {fix}")) as caught:
        adapter(cartpole(2))
    assert isinstance(caught.value, MissingExtraError)


def test_install_hints_ask_for_what_the_extras_pin():
    """Each hint's requirements are its extra's in pyproject.toml (the installed metadata has not drifted)."""
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    for extra in ("gymnasium", "sb3", "pettingzoo", "ray", "train"):
        hint = install_hint(extra)
        assert "envsdk[" not in hint and hint.endswith(f"pip install '.[{extra}]')")
        assert re.findall(r"'([^'.][^']*)'", hint.split(" (or")[0]) == extras[extra], hint


def test_adapter_classes_are_importable_one_module_per_library():
    # isinstance works on what the adapters return; each class lives in its library's module.
    from envsdk.compat.gymnasium import GymnasiumVectorEnv
    from envsdk.compat.pettingzoo import PettingZooParallelEnv
    from envsdk.compat.sb3 import SB3VecEnv
    from envsdk.compat.torch import TorchEnv

    for adapter, cls in ((to_gymnasium, GymnasiumVectorEnv), (to_sb3, SB3VecEnv),
                         (to_pettingzoo, PettingZooParallelEnv), (to_torch, TorchEnv)):
        wrapped = adapter(cartpole(2))
        assert type(wrapped) is cls and cls.__module__ == f"envsdk.compat.{adapter.__name__.removeprefix('to_')}"
        wrapped.close()


def test_adapters_refuse_a_non_env():
    with pytest.raises(ProtocolError, match=r"missing .*buffers"):
        to_gymnasium(object())


# --- Gymnasium ------------------------------------------------------------------------------------


def test_gymnasium_is_a_vector_env_with_same_step_autoreset_and_gymnasium_spaces():
    from gymnasium.vector import AutoresetMode, VectorEnv

    envs = to_gymnasium(cartpole(8))
    assert isinstance(envs, VectorEnv) and envs.num_envs == 8
    assert envs.metadata["autoreset_mode"] is AutoresetMode.SAME_STEP
    assert envs.single_action_space == gym.spaces.Discrete(2)
    assert envs.action_space == gym.spaces.MultiDiscrete([2] * 8)
    assert isinstance(envs.single_observation_space, gym.spaces.Box)
    assert envs.single_observation_space.dtype == np.float32 and envs.observation_space.shape == (8, 4)
    snake = to_gymnasium(envsdk.make("snake", width=12, height=12, snakes=3, food=4), final_obs=False)
    assert snake.num_envs == 3  # one Gymnasium sub-env per agent row
    assert snake.single_observation_space == gym.spaces.Box(0, 6, (11, 11), np.int8)
    obs, _ = snake.reset(seed=0)
    assert obs in snake.observation_space
    envs.close()
    envs.close()  # twice is harmless
    snake.close()


def test_gymnasium_copy_false_returns_the_buffers_and_matches_the_native_env():
    native, envs = cartpole(8), to_gymnasium(cartpole(8), copy=False)
    obs, infos = envs.reset(seed=3)
    assert obs is envs.env.buffers.observations and infos == {}
    np.testing.assert_array_equal(obs, native.reset(seed=3)[0])
    for actions in random_actions(8, 60):
        got = envs.step(actions.astype(np.int64))  # Gymnasium's MultiDiscrete samples int64
        want = native.step(actions)
        for g, w in zip(got[:4], want[:4], strict=True):
            np.testing.assert_array_equal(g, w)
        assert (got[4] != {}) == (want[2] | want[3]).any()  # final_obs and final_info when rows ended
    b = envs.env.buffers
    assert all(x is y for x, y in zip(got[:4], (b.observations, b.rewards, b.terminals, b.truncations), strict=True))


def test_gymnasium_copies_by_default_as_gymnasium_does():
    envs = to_gymnasium(cartpole(4))
    assert envs.copy is True and gym.make_vec("CartPole-v1", 2, vectorization_mode="sync").copy is True
    first, _ = envs.reset(seed=0)
    kept = first.copy()
    obs, rewards, terminals, truncations, _ = envs.step(np.zeros(4, np.int64))
    b = envs.env.buffers
    for got, buffer in zip((first, obs, rewards, terminals, truncations),
                           (b.observations, b.observations, b.rewards, b.terminals, b.truncations), strict=True):
        assert not np.shares_memory(got, buffer)
    np.testing.assert_array_equal(first, kept)  # the reset result was not overwritten by the step


def test_gymnasium_in_place_edits_of_observations_leave_later_ones_intact():
    """User code normalizing the returned observations in place (obs *= 0.5, obs -= mean) must
    not reach the env: breakout rewrites only part of each row per step (the bricks stay), so an
    edit of its buffer would survive into every later observation."""
    n = 4
    native = envsdk.make("breakout", num_envs=n)
    envs = to_gymnasium(envsdk.make("breakout", num_envs=n), final_obs=False)
    obs, _ = envs.reset(seed=0)
    np.testing.assert_array_equal(obs, native.reset(seed=0)[0])
    for actions in random_actions(n, 300, n=4, seed=5):
        obs *= 0.5
        obs -= obs.mean(axis=0)
        obs, *_ = envs.step(actions)
        np.testing.assert_array_equal(obs, native.step(actions)[0])


def test_gymnasium_seeds_and_refuses_partial_resets():
    envs = to_gymnasium(cartpole(4))
    a = envs.reset(seed=[5, 6, 7, 8])[0]
    np.testing.assert_array_equal(a, envs.reset(seed=5)[0])
    with pytest.raises(ConfigError, match=r"seed=s"):
        envs.reset(seed=[5, 5, 5, 5])
    with pytest.raises(ConfigError, match="reset_mask"):
        envs.reset(options={"reset_mask": np.ones(4, bool)})


def envsdk_episodes(infos_per_step):
    """(count, mean return, mean length) of envsdk's own report on each step (None: no report)."""
    return [(i[0]["episode_count"], i[0]["episode_return"], i[0]["episode_length"]) if i else None
            for i in infos_per_step]


def wrapper_episodes(infos_per_step, key="episode"):
    """The same three figures from RecordEpisodeStatistics-layout infos (None: no episode ended)."""
    out = []
    for infos in infos_per_step:
        if key not in infos:
            out.append(None)
            continue
        mask = infos[f"_{key}"]
        out.append((int(mask.sum()), infos[key]["r"][mask].mean(), infos[key]["l"][mask].mean()))
    return out


def test_record_episode_statistics_wraps_the_default_adapter_and_sees_envsdk_episodes():
    """Gymnasium 1.x's standard pattern, on the adapter's defaults: the wrapper reports, step by
    step, the episodes envsdk's own statistics report (report_every=1: on the step they end)."""
    from gymnasium.wrappers.vector import RecordEpisodeStatistics

    n, steps = 8, 400
    native = cartpole(n, max_steps=40, report_every=1)
    envs = RecordEpisodeStatistics(to_gymnasium(cartpole(n, max_steps=40)), buffer_length=10_000)
    native.reset(seed=1)
    envs.reset(seed=1)
    ours, theirs, rewards, dones = [], [], [], []
    for actions in random_actions(n, steps, seed=1):
        _, r, te, tr, infos = envs.step(actions)
        rewards.append(r)
        dones.append(te | tr)
        theirs.append(infos)
        ours.append(native.step(actions)[4])
    mine, recorded = envsdk_episodes(ours), wrapper_episodes(theirs)
    assert [m is None for m in mine] == [r is None for r in recorded]
    for m, r in zip(mine, recorded, strict=True):
        if m is not None:
            assert m[0] == r[0] and m[1:] == pytest.approx(r[1:], rel=1e-12)
    by_hand = episodes_by_hand(np.array(rewards), np.array(dones))
    assert list(zip(envs.return_queue, envs.length_queue, strict=True)) == by_hand
    assert envs.episode_count == len(by_hand) > 50 and any(length == 40 for _, length in by_hand)  # truncations too


def test_gymnasium_stats_key_reports_what_the_wrapper_would():
    """stats_key="episode": the adapter's own per-row statistics, in RecordEpisodeStatistics'
    layout, with no wrapper; the same returns and lengths the wrapper computes."""
    from gymnasium.wrappers.vector import ClipReward, DictInfoToList, NormalizeReward, RecordEpisodeStatistics

    ours = to_gymnasium(cartpole(8, max_steps=30), stats_key="episode")
    theirs = RecordEpisodeStatistics(to_gymnasium(cartpole(8, max_steps=30)))
    ours.reset(seed=2)
    theirs.reset(seed=2)
    seen = 0
    for actions in random_actions(8, 200, seed=2):
        a, b = ours.step(actions)[4], theirs.step(actions)[4]
        assert a.keys() == b.keys()
        if "episode" in a:
            seen += 1
            assert set(a["episode"]) == {"r", "l", "t"} and np.all(a["episode"]["r"][~a["_episode"]] == 0)
            np.testing.assert_array_equal(a["_episode"], b["_episode"])
            np.testing.assert_array_equal(a["episode"]["r"], b["episode"]["r"])
            np.testing.assert_array_equal(a["episode"]["l"], b["episode"]["l"])
        else:
            assert a == {}
    assert seen > 5 and len(theirs.return_queue) > 10

    # Both at once need two keys: Gymnasium's wrapper refuses to overwrite one.
    clash = RecordEpisodeStatistics(to_gymnasium(cartpole(4, max_steps=2), stats_key="episode"))
    clash.reset(seed=0)
    clash.step(np.zeros(4, np.int64))
    with pytest.raises(ValueError, match="'episode' but this key already exists"):
        clash.step(np.zeros(4, np.int64))
    both = RecordEpisodeStatistics(to_gymnasium(cartpole(4), stats_key="episode"), stats_key="recorded")
    stacked = DictInfoToList(ClipReward(NormalizeReward(both), 0.0, 0.5))
    stacked.reset(seed=0)
    stacked.action_space.seed(0)
    finished = []
    for _ in range(200):
        obs, rewards, _, _, infos = stacked.step(stacked.action_space.sample())
        assert isinstance(infos, list) and len(infos) == 4 and np.all(rewards <= 0.5)
        finished += [(i["episode"]["r"], i["recorded"]["r"]) for i in infos if "episode" in i]
    assert finished and all(r == rec for r, rec in finished)
    stacked.close()


def test_gymnasium_refuses_same_step_envs_in_some_observation_wrappers_its_own_included():
    """Gymnasium 1.4's observation wrappers (every VectorObservationWrapper: NormalizeObservation,
    FlattenObservation, ...) accept only NEXT_STEP/DISABLED autoreset: a limit of Gymnasium that
    hits its own SAME_STEP vector envs too, not one of the adapter."""
    from gymnasium.vector import AutoresetMode
    from gymnasium.wrappers.vector import FlattenObservation, NormalizeObservation

    theirs = gym.make_vec("CartPole-v1", 2, vectorization_mode="sync",
                          vector_kwargs={"autoreset_mode": AutoresetMode.SAME_STEP})
    for envs in (theirs, to_gymnasium(cartpole(2))):
        for wrapper in (NormalizeObservation, FlattenObservation):
            with pytest.raises(ValueError, match="Expected autoreset_mode to be NEXT_STEP or DISABLED"):
                wrapper(envs)


def same_infos(mine, theirs, path="infos"):
    """Assert that two Gymnasium infos are the same: the same keys in the same order, arrays of the
    same dtype, shape and values (object arrays: None in the same places, equal arrays elsewhere);
    the ``"t"`` entries (elapsed seconds) only by dtype and shape."""
    assert type(mine) is type(theirs), path
    if isinstance(theirs, dict):
        assert list(mine) == list(theirs), path
        for key in theirs:
            same_infos(mine[key], theirs[key], f"{path}[{key!r}]")
    elif isinstance(theirs, np.ndarray):
        assert (mine.dtype, mine.shape) == (theirs.dtype, theirs.shape), path
        if theirs.dtype == object:
            for i, (m, t) in enumerate(zip(mine, theirs, strict=True)):
                assert (m is None) == (t is None), f"{path}[{i}]"
                if t is not None:
                    same_infos(m, t, f"{path}[{i}]")
        elif not path.endswith("['t']"):
            assert mine.tobytes() == theirs.tobytes(), path
    else:
        assert mine == theirs, path


def cleanrl_episodes(infos):
    """The returns CleanRL's ppo.py logs from one step's infos, with its own lines (cleanrl/ppo.py)."""
    logged = []
    if "final_info" in infos:
        for info in infos["final_info"]:
            if info and "episode" in info:
                logged.append(info["episode"]["r"])
    return logged


def emulated_cartpole(n, limit, **adapter):
    """to_gymnasium over Gymnasium's own CartPole-v1 run inside envsdk: the same episodes as Gymnasium's."""
    from envsdk.emulation import GymnasiumEnv

    env = envsdk.make(GymnasiumEnv, num_envs=n, env="CartPole-v1", env_kwargs={"max_episode_steps": limit},
                      final_observations=True)
    return to_gymnasium(env, **adapter)


def test_gymnasium_final_infos_equal_gymnasiums_own_same_step_vector_env():
    """to_gymnasium over the emulated CartPole-v1 against Gymnasium's SyncVectorEnv(SAME_STEP) over
    RecordEpisodeStatistics(CartPole-v1) (CleanRL's make_env), same seeds and actions: the same
    final_obs, _final_obs, final_info and _final_info, types and dtypes included, on every step."""
    from gymnasium.vector import AutoresetMode, SyncVectorEnv
    from gymnasium.wrappers import RecordEpisodeStatistics

    n, limit = 4, 20
    theirs = SyncVectorEnv([lambda: RecordEpisodeStatistics(gym.make("CartPole-v1", max_episode_steps=limit))] * n,
                           autoreset_mode=AutoresetMode.SAME_STEP)
    ours = emulated_cartpole(n, limit)
    np.testing.assert_array_equal(ours.reset(seed=7)[0], theirs.reset(seed=7)[0])
    ended = {"terminal": 0, "truncated": 0}
    for actions in random_actions(n, 200, seed=7).astype(np.int64):
        got, want = ours.step(actions), theirs.step(actions)
        for g, w in zip(got[:3], want[:3], strict=True):
            np.testing.assert_array_equal(g, w)
        np.testing.assert_array_equal(got[3], want[3] & ~want[2])  # envsdk: a terminal is never also truncated
        same_infos(got[4], want[4])
        ended["terminal"] += int(got[2].sum())
        ended["truncated"] += int(got[3].sum())
    assert min(ended.values()) >= 3
    # Why final_layout="0.29" exists: CleanRL's logging loop cannot read 1.x's final_info (a dict of
    # arrays: it iterates over the keys), on Gymnasium's own env as on the adapter's default.
    with pytest.raises(TypeError, match="string indices"):
        cleanrl_episodes(want[4] if "final_info" in want[4] else {"final_info": {"episode": {}}})
    ours.close(), theirs.close()


def test_gymnasium_final_layout_029_is_what_cleanrl_reads():
    """final_layout="0.29": Gymnasium 0.29.1's SyncVectorEnv over its RecordEpisodeStatistics (what
    CleanRL pins; checked against that release, not installed here): final_observation and
    final_info are object arrays, None where no episode ended; an ended row's info has "episode"
    with one-element r (float32), l (int32), t (float32). CleanRL's loop logs every episode."""
    n, limit = 4, 20
    ours, ref = emulated_cartpole(n, limit, final_layout="0.29"), emulated_cartpole(n, limit)
    ours.reset(seed=8), ref.reset(seed=8)
    rewards, dones, logged = [], [], []
    for actions in random_actions(n, 200, seed=8).astype(np.int64):
        _, r, te, tr, infos = ours.step(actions)
        want = ref.step(actions)[4]
        rewards.append(r)
        dones.append(te | tr)
        if not dones[-1].any():
            assert infos == {}
            continue
        assert list(infos) == ["final_observation", "_final_observation", "final_info", "_final_info"]
        for key in ("_final_observation", "_final_info"):
            np.testing.assert_array_equal(infos[key], dones[-1])
        same_infos(infos["final_observation"], want["final_obs"])
        assert infos["final_info"].dtype == object and infos["final_info"].shape == (n,)
        for i, info in enumerate(infos["final_info"]):
            if not dones[-1][i]:
                assert info is None
                continue
            episode = info["episode"]
            assert list(info) == ["episode"] and list(episode) == ["r", "l", "t"]
            assert [(v.dtype, v.shape) for v in episode.values()] == [(np.float32, (1,)), (np.int32, (1,)),
                                                                     (np.float32, (1,))]
            assert (episode["r"][0], episode["l"][0]) == (want["final_info"]["episode"]["r"][i],
                                                          want["final_info"]["episode"]["l"][i])
        logged += [float(r[0]) for r in cleanrl_episodes(infos)]
    by_hand = episodes_by_hand(np.array(rewards), np.array(dones))
    assert logged == [r for r, _ in by_hand] and len(logged) > 20


def test_gymnasium_final_obs_of_the_c_cartpole_are_its_final_observations():
    """On envsdk's own cartpole (whose episodes drift from Gymnasium's, see its docstring), each
    ended row's final_obs is the env's final observation, a copy, and never the next episode's first."""
    native, envs = cartpole(8, max_steps=25), to_gymnasium(cartpole(8, max_steps=25), copy=False)
    native.reset(seed=9), envs.reset(seed=9)
    seen = 0
    for actions in random_actions(8, 100, seed=9):
        obs, _, te, tr, infos = envs.step(actions)
        native.step(actions)
        done = te | tr
        if not done.any():
            continue
        np.testing.assert_array_equal(infos["_final_obs"], done)
        for i in range(8):
            if not done[i]:
                assert infos["final_obs"][i] is None
                continue
            final = infos["final_obs"][i]
            assert final.tobytes() == native.buffers.final_observations[i].tobytes()
            assert not np.shares_memory(final, envs.env.buffers.final_observations)
            assert not np.array_equal(final, obs[i])
            seen += 1
    assert seen > 20


def test_gymnasium_refuses_an_env_without_final_observations_and_says_how():
    plain = envsdk.make("cartpole", num_envs=2, max_steps=2)
    with pytest.raises(ConfigError, match=r"final_observations=True .* or pass final_obs=False"):
        to_gymnasium(plain)
    envs = to_gymnasium(plain, final_obs=False)
    envs.reset(seed=0)
    envs.step(np.zeros(2, np.int64))
    infos = envs.step(np.zeros(2, np.int64))[4]
    assert list(infos) == ["final_info", "_final_info"] and infos["_final_info"].all()
    with pytest.raises(ConfigError, match="final_layout"):
        to_gymnasium(cartpole(2), final_layout="0.26")
    with pytest.raises(ConfigError, match="final_obs"):
        to_gymnasium(cartpole(2), final_obs="yes")


# --- Stable-Baselines3 ----------------------------------------------------------------------------

def test_sb3_is_a_vec_env_whose_dones_are_terminals_or_truncations():
    pytest.importorskip("stable_baselines3")
    from stable_baselines3.common.vec_env import VecEnv

    native, venv = cartpole(8, max_steps=25), to_sb3(cartpole(8, max_steps=25))
    assert isinstance(venv, VecEnv) and venv.num_envs == 8 and venv.render_mode is None
    assert venv.action_space == gym.spaces.Discrete(2) and venv.observation_space.shape == (4,)
    venv.seed(4)
    obs = venv.reset()
    np.testing.assert_array_equal(obs, native.reset(seed=4)[0])
    kinds = set()
    for actions in random_actions(8, 100, seed=4):
        obs, rewards, dones, infos = venv.step(actions.astype(np.int64))
        n_obs, n_rew, n_term, n_trunc, _ = native.step(actions)
        np.testing.assert_array_equal(obs, n_obs)
        np.testing.assert_array_equal(rewards, n_rew)
        np.testing.assert_array_equal(dones, n_term | n_trunc)
        assert not np.shares_memory(obs, venv.env.buffers.observations)  # off-policy keeps last step's array
        assert isinstance(infos, list) and len(infos) == 8
        for i, info in enumerate(infos):
            if not dones[i]:
                assert info == {"TimeLimit.truncated": False}  # as DummyVecEnv gives every row
                continue
            kinds.add("truncated" if n_trunc[i] else "terminal")
            assert info["TimeLimit.truncated"] == bool(n_trunc[i])
            assert set(info["episode"]) == {"r", "l", "t"} and info["episode"]["l"] <= 25
            # The episode's true last observation: what the env wrote to final_observations.
            final = info["terminal_observation"]
            assert final.tobytes() == native.buffers.final_observations[i].tobytes()
            assert not np.shares_memory(final, venv.env.buffers.final_observations)
    assert kinds == {"truncated", "terminal"}


def test_sb3_infos_equal_dummy_vec_envs_over_the_same_gymnasium_episodes():
    """to_sb3 over the emulated CartPole-v1 against SB3's own DummyVecEnv over Monitor(CartPole-v1),
    same seeds and actions, so the same episodes: every row's info dict has the same keys and
    values (Monitor's elapsed time aside), and each terminal_observation is the same array."""
    pytest.importorskip("stable_baselines3")
    from stable_baselines3.common.monitor import Monitor
    from stable_baselines3.common.vec_env import DummyVecEnv

    from envsdk.emulation import GymnasiumEnv

    n, limit = 4, 20
    theirs = DummyVecEnv([lambda: Monitor(gym.make("CartPole-v1", max_episode_steps=limit))] * n)
    ours = to_sb3(envsdk.make(GymnasiumEnv, num_envs=n, env="CartPole-v1", env_kwargs={"max_episode_steps": limit},
                              final_observations=True))
    theirs.seed(5), ours.seed(5)
    np.testing.assert_array_equal(ours.reset(), theirs.reset())
    ended = {"terminal": 0, "truncated": 0}
    for actions in random_actions(n, 200, seed=5).astype(np.int64):
        got, want = ours.step(actions), theirs.step(actions)
        for g, w in zip(got[:3], want[:3], strict=True):
            np.testing.assert_array_equal(g, w)
        for mine, its in zip(got[3], want[3], strict=True):
            assert list(mine) == list(its)  # the same keys, in the same order
            assert mine["TimeLimit.truncated"] == its["TimeLimit.truncated"]
            if "terminal_observation" in its:
                assert mine["terminal_observation"].dtype == its["terminal_observation"].dtype
                assert mine["terminal_observation"].tobytes() == its["terminal_observation"].tobytes()
                assert (mine["episode"]["r"], mine["episode"]["l"]) == (its["episode"]["r"], its["episode"]["l"])
                ended["truncated" if its["TimeLimit.truncated"] else "terminal"] += 1
    assert min(ended.values()) >= 3
    ours.close(), theirs.close()


def test_sb3_terminal_observation_can_be_left_out_and_is_validated():
    pytest.importorskip("stable_baselines3")
    plain = envsdk.make("cartpole", num_envs=2, max_steps=3)  # built without final observations
    with pytest.raises(ConfigError, match=r"final_observations=True.*or pass terminal_observation=None"):
        to_sb3(plain)
    venv = to_sb3(plain, terminal_observation=None)
    venv.reset()
    for _ in range(3):
        _, _, dones, infos = venv.step(np.zeros(2, np.int64))
    assert dones.all() and all("terminal_observation" not in info and "episode" in info for info in infos)
    with pytest.raises(ConfigError, match="terminal_observation"):
        to_sb3(cartpole(2), terminal_observation="last")
    with pytest.raises(ConfigError, match=r"'previous' .* is gone"):
        to_sb3(cartpole(2), terminal_observation="previous")


def test_sb3_attribute_and_method_forwarding():
    pytest.importorskip("stable_baselines3")
    # A bare env object works as well as a backend (given buffers with final observations).
    probe = CartPole()
    buffers = envsdk.allocate(probe.single_observation_space, probe.single_action_space, 3, final_observations=True)
    probe.close()
    venv = to_sb3(CartPole(num_envs=3, buffers=buffers))
    assert venv.get_attr("max_steps") == [500, 500, 500] and venv.get_attr("num_agents", indices=[0]) == [3]
    venv.set_attr("label", "x")
    assert venv.get_attr("label", indices=2) == ["x"]
    venv.reset()
    frames = venv.env_method("render", "ansi", index=1, indices=[0, 1])
    assert len(frames) == 2 and "theta=" in frames[0]
    assert venv.env_is_wrapped(gym.Wrapper) == [False, False, False]
    assert venv.has_attr("max_steps") and not venv.has_attr("missing")
    assert venv.seed(10) == [10, 11, 12]
    venv.close()


def test_sb3_ppo_trains_from_the_adapter():
    pytest.importorskip("stable_baselines3")
    from stable_baselines3 import PPO

    venv = to_sb3(cartpole(8))
    model = PPO("MlpPolicy", venv, n_steps=128, batch_size=256, n_epochs=2, seed=0, device="cpu")
    model.learn(total_timesteps=3072)
    assert model.num_timesteps == 3072
    assert len(model.ep_info_buffer) > 20  # the adapter's Monitor-style "episode" infos reach SB3
    action, _ = model.predict(venv.reset(), deterministic=True)
    assert action.shape == (8,)
    venv.close()


# --- PettingZoo -----------------------------------------------------------------------------------

def test_pettingzoo_parallel_api_test_passes_on_snake():
    pytest.importorskip("pettingzoo")
    from pettingzoo import ParallelEnv
    from pettingzoo.test import parallel_api_test

    env = to_pettingzoo(envsdk.make("snake"))
    assert isinstance(env, ParallelEnv) and len(env.possible_agents) == 256
    parallel_api_test(env, num_cycles=1000)
    small = to_pettingzoo(envsdk.make("snake", num_envs=2, width=16, height=16, snakes=3, food=6, max_steps=50))
    parallel_api_test(small, num_cycles=1000)
    parallel_api_test(to_pettingzoo(cartpole(4, max_steps=20)), num_cycles=100)


def test_pettingzoo_agents_leave_when_their_episode_ends_and_match_the_native_rows():
    pytest.importorskip("pettingzoo")
    config = dict(width=10, height=10, snakes=4, food=5, max_steps=30)
    native, env = envsdk.make("snake", **config), to_pettingzoo(envsdk.make("snake", **config))
    obs, infos = env.reset(seed=7)
    np.testing.assert_array_equal(np.stack([obs[a] for a in env.agents]), native.reset(seed=7)[0])
    idle = np.zeros(4, np.int32)
    rng = np.random.default_rng(7)
    gone = set()
    while env.agents:
        actions = {a: int(rng.integers(4)) for a in env.agents}
        row_actions = idle.copy()
        for a, act in actions.items():
            row_actions[int(a.split("_")[1])] = act
        n_obs, n_rew, n_term, n_trunc, _ = native.step(row_actions)
        live_before = list(env.agents)
        obs, rew, term, trunc, infos = env.step(actions)
        assert set(obs) == set(rew) == set(term) == set(trunc) == set(infos) == set(live_before)
        for a in live_before:
            i = int(a.split("_")[1])
            np.testing.assert_array_equal(obs[a], n_obs[i])
            assert (rew[a], term[a], trunc[a]) == (n_rew[i], n_term[i], n_trunc[i])
            if term[a] or trunc[a]:
                gone.add(a)
                assert a not in env.agents and set(infos[a]) == {"episode_return", "episode_length"}
        assert not gone & set(env.agents)
    assert gone == set(env.possible_agents)


# --- torch ----------------------------------------------------------------------------------------

def test_torch_cpu_tensors_are_the_buffers():
    torch = pytest.importorskip("torch")
    env = to_torch(cartpole(4))
    b = env.buffers
    obs, infos = env.reset(seed=0)
    for tensor, array in zip((obs, env.rewards, env.terminals, env.truncations, env.masks),
                             (b.observations, b.rewards, b.terminals, b.truncations, b.masks), strict=True):
        assert tensor.data_ptr() == array.ctypes.data and tuple(tensor.shape) == array.shape
    native = cartpole(4)
    native.reset(seed=0)
    for actions in random_actions(4, 50):
        got = env.step(torch.from_numpy(actions).long())  # int64 tensor: cast into the int32 buffer
        want = native.step(actions)
        assert got[0] is obs  # the same tensor every step, like the buffers
        for g, w in zip(got[:4], want[:4], strict=True):
            np.testing.assert_array_equal(g.numpy(), w)
    env.step(torch.from_numpy(b.actions))  # the buffer itself: no copy
    env.step(np.ones(4, np.int32))
    with pytest.raises(ActionError, match=r"expected shape \(4,\)"):
        env.step(torch.zeros(3, dtype=torch.int64))
    with pytest.raises(ActionError, match=r"expected values within int32 .* found 4294967297"):
        env.step(torch.tensor([0, 2**32 + 1, 0, 1]))  # would wrap to the valid action 1
    with pytest.raises(ActionError, match=r"expected dtype int32 .*found dtype float32"):
        env.step(torch.ones(4))  # a float tensor is no Discrete action, as for numpy
    env.close()


def test_torch_cuda_copies_match_the_buffers():
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("needs a CUDA device")
    env = to_torch(cartpole(64), device="cuda")
    obs, _ = env.reset(seed=0)
    assert obs.device.type == "cuda"
    native = cartpole(64)
    native.reset(seed=0)
    for actions in random_actions(64, 50):
        got = env.step(torch.from_numpy(actions).cuda())
        want = native.step(actions)
        for g, w in zip(got[:4], want[:4], strict=True):
            np.testing.assert_array_equal(g.cpu().numpy(), w)
    env.close()


# --- examples -------------------------------------------------------------------------------------


def run_example(script, *args):
    return subprocess.run(
        [sys.executable, str(ROOT / "examples" / script), *args], capture_output=True, text=True, timeout=180,
        env={**os.environ, "OMP_NUM_THREADS": "1"},  # torch's threads only fight each other on a small CI box
    )


def test_sb3_example_runs_with_a_tiny_budget():
    pytest.importorskip("stable_baselines3")
    out = run_example("sb3_ppo.py", "--total-timesteps", "2048", "--num-envs", "4")
    assert out.returncode == 0, out.stderr
    assert "2048" in out.stdout


def test_cleanrl_example_logs_episodes_from_final_info_as_cleanrl_reads_it():
    """CleanRL's PPO on to_gymnasium(..., final_layout="0.29"), its episode logging as CleanRL wrote it
    (``for info in infos["final_info"]``): it prints CleanRL's lines, one per finished episode with
    the return as 0.29's one-element array, and one SPS line per iteration, and keeps CleanRL's flags."""
    pytest.importorskip("torch")
    out = run_example("cleanrl_ppo_gymnasium.py", "--total-timesteps", "2048", "--num-envs", "4",
                      "--no-anneal-lr", "--clip-vloss", "--target-kl", "0.5", "--no-cuda")
    assert out.returncode == 0, out.stderr
    episodes = re.findall(r"^global_step=(\d+), episodic_return=\[([\d.]+)\]$", out.stdout, re.M)
    assert len(episodes) > 40  # 2048 cartpole steps of a near-random policy: ~20 steps per episode
    assert all(1 <= float(r) <= 500 and int(step) <= 2048 for step, r in episodes)
    assert len(re.findall(r"^SPS: \d+$", out.stdout, re.M)) == 4  # 2048 // (4 envs x 128 steps)


def test_bench_adapters_runs_every_arm_on_a_tiny_budget():
    for module in ("stable_baselines3", "torch", "pettingzoo"):
        pytest.importorskip(module)
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_adapters.py"), "--env", "cartpole", "--num-envs", "2",
         "--rounds", "2", "--steps-per-round", "20", "--snake-rows", "8"],
        capture_output=True, text=True, timeout=180, check=True, env={**os.environ, "OMP_NUM_THREADS": "1"},
    ).stdout
    arms = [line.split("  ")[0] for line in out.splitlines() if " us/step " in line]
    assert arms == ["native envsdk", "to_gymnasium (default: copies)", "to_gymnasium(copy=False)",
                    "RecordEpisodeStatistics(to_gym..)", "to_sb3", "to_torch (cpu, int64 tensors)",
                    "native envsdk", "to_pettingzoo (dict API)"], out
