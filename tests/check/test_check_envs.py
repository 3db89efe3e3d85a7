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
    assert report.seconds < 10


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
