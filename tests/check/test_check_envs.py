"""Every bundled env and every example env passes the full check at its default config."""

import pytest
from custom_env import Corridor
from python_cartpole import PyCartPole
from vectorized_env import GridReach

import envsdk
from envsdk.registry import ENVS
from envsdk.testing import assert_passes_check


@pytest.mark.parametrize("name", sorted(ENVS))
def test_bundled_env_passes(name):
    report = assert_passes_check(name)
    assert not report.warnings, report.format()
    assert all(r.status == "pass" for r in report.results), report.format()
    # How long the full run takes (target: under 10 s) is measured by bench/bench_check.py, not here.


@pytest.mark.parametrize("factory", [Corridor, GridReach, PyCartPole], ids=lambda f: f.__name__)
def test_example_env_passes(factory):
    report = assert_passes_check(factory)
    assert not report.warnings, report.format()
    skipped = {r.name for r in report.results if r.status == "skip"}
    assert skipped <= {"vectorization"}  # one-sub-env factories have nothing to vectorize
    assert (factory is GridReach) == ("vectorization" not in skipped)


def test_one_sub_env_factories_get_no_num_envs():
    report = envsdk.check(Corridor, quick=True)
    assert report.settings["num_envs"] is None
    assert "the factory takes no num_envs" in report["vectorization"].message


def test_config_reaches_the_env():
    report = envsdk.check("squared", quick=True, size=5, max_steps=7)
    assert report.ok and report.settings["config"] == {"size": 5, "max_steps": 7}
    assert "shape=(25,)" in report["spaces"].message


def test_an_emulated_envs_final_observations_are_replayed_against_the_wrapped_env(monkeypatch):
    pytest.importorskip("gymnasium")
    from envsdk.emulation import GymnasiumEnv

    report = envsdk.check(GymnasiumEnv, env="CartPole-v1", num_envs=4, quick=True)
    assert report.ok and "equals the wrapped Gymnasium env's own last observation" in \
        report["final_observations"].message
    step = GymnasiumEnv.step

    def after_reset(self, actions):  # the field's old bug: the next episode's first observation
        out = step(self, actions)
        ended = self.buffers.terminals | self.buffers.truncations
        if self.buffers.final_observations is not None:
            self.buffers.final_observations[ended] = self.buffers.observations[ended]
        return out

    monkeypatch.setattr(GymnasiumEnv, "step", after_reset)
    report = envsdk.check(GymnasiumEnv, env="CartPole-v1", num_envs=4, quick=True)
    assert {r.name for r in report.failures} == {"final_observations"}, report.format()
    assert "expected the wrapped Gymnasium env's own last observation" in report["final_observations"].message
