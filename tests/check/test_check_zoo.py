"""Each broken env in the zoo is caught by the right check, with the right message, and only by it."""

import sys

import pytest
import zoo

import envsdk
from envsdk.checks import CHECK_NAMES

QUICK = dict(num_envs=4, steps=200, quick=True)

# defect -> (the checks that must fail, and nothing else; the check whose message is asserted; text in it)
CASES = {
    zoo.RebindsBuffers: ({"writes_in_place", "external_buffers"}, "writes_in_place",
                         "buffers: expected env.buffers to stay the Buffers it was built with, found a different "
                         "object after reset"),
    zoo.AstypeCopy: ({"external_buffers"}, "external_buffers",
                     "buffers.observations: expected the array passed as buffers= (the same memory), found a copy"),
    zoo.ReturnsCopies: ({"writes_in_place"}, "writes_in_place",
                        "step return value observations: expected buffers.observations itself"),
    zoo.StaleTerminal: ({"write_coverage", "autoreset"}, "autoreset",
                        "terminals: expected a flag set only on the step its row's episode ends"),
    zoo.NeverTruncates: ({"autoreset"}, "autoreset",
                         "truncations: expected episodes cut by the time limit (max_steps=20) reported in truncations"),
    zoo.MixesFlags: ({"autoreset"}, "autoreset", "terminals and truncations: expected at most one of them"),
    zoo.NaNObservation: ({"observation_values"}, "observation_values",
                         "observations: expected finite values, found nan"),
    zoo.OutOfBounds: ({"observation_values"}, "observation_values",
                      "observations: expected values within single_observation_space bounds [0.0, 1.0]"),
    zoo.GlobalRNG: ({"vectorization"}, "vectorization",
                    "vectorization: expected 1 object of 4 sub-envs to match 4 objects of 1 sub-env"),
    zoo.IgnoresSeed: ({"determinism"}, "determinism", "determinism: expected bit-identical outputs from reset(seed=0)"),
    zoo.WrongStats: ({"episode_stats"}, "episode_stats", "infos episode_length: expected mean"),
    zoo.InconsistentMasks: ({"masks"}, "masks",
                            "masks: expected rows that are not live (masks False) to get reward 0 and no terminal"),
    zoo.WrongBufferDtype: ({"buffers"}, "buffers", "WrongBufferDtype.buffers.rewards: expected dtype float32, "
                                                   "found dtype float64"),
    zoo.MissingMember: ({"members"}, "members", "found MissingMember without close"),
    zoo.NoBuffersParam: ({"constructor"}, "constructor",
                         "constructor buffers=: expected a `buffers=None` keyword parameter"),
    zoo.NoFinalObservations: ({"final_observations"}, "final_observations",
                              "final_observations: expected the last observation of every row whose episode ended"),
    zoo.FinalOnEveryRow: ({"final_observations"}, "final_observations",
                          "final_observations: expected rows whose episode did not end left as they were"),
    zoo.CloseNotIdempotent: ({"close"}, "close", "close(): expected a second close() to do nothing"),
    zoo.RaisesInStep: ({"rollout"}, "rollout",
                       "rollout: expected the env to run without raising, found ValueError: boom on step 50 during "
                       "step 50 after reset(seed=0)"),
}


@pytest.mark.parametrize("factory", list(CASES), ids=lambda f: f.__name__)
def test_defect_is_caught_by_the_right_check(factory):
    failing, name, text = CASES[factory]
    report = envsdk.check(factory, **QUICK)
    assert {r.name for r in report.failures} == failing, report.format()
    result = report[name]
    assert text in result.message, result.message
    assert result.fix, "every failure says how to fix it"
    assert not report.ok


# The slow checks, run alone (with what they need).
SLOW_CASES = {
    zoo.LeaksPerStep: ("memory", "memory per step: expected no Python heap growth while stepping", "zoo.py"),
    zoo.LeaksOnClose: ("create_close_cycles",
                       "create/close cycles: open file descriptors: expected no growth over repeated create", ""),
    zoo.NaNObservation: ("fuzz", "observations: expected finite values inside the observation space's bounds",
                         "failing example: {'seed'"),
}


@pytest.mark.parametrize("factory", list(SLOW_CASES), ids=lambda f: f.__name__)
def test_slow_defect_is_caught(factory):
    name, text, details = SLOW_CASES[factory]
    report = envsdk.check(factory, num_envs=4, only=[name])
    assert [r.name for r in report.failures] == [name], report.format()
    assert text in report[name].message
    assert details in report[name].details


def test_good_env_passes_every_check():
    report = envsdk.check(zoo.Good, num_envs=4)
    assert report.ok and not report.warnings, report.format()
    assert [r.name for r in report.results] == list(CHECK_NAMES)
    assert all(r.status == "pass" for r in report.results)


def test_factory_function_passes():
    assert envsdk.check(zoo.make_good, **QUICK).ok


def test_crash_is_reported_with_the_env_traceback_and_the_checker_goes_on():
    report = envsdk.check(zoo.RaisesInStep, **QUICK)
    rollout = report["rollout"]
    assert rollout.details.startswith("Traceback")
    assert "zoo.py" in rollout.details and 'raise ValueError("boom on step 50")' in rollout.details
    assert "envsdk/checks/" not in rollout.details  # the env's frames, not the checker's
    assert [r.name for r in report.results] == list(CHECK_NAMES)  # every check still reported
    assert report["determinism"].status == "skip"
    assert report["determinism"].message == "needs rollout, which failed"
    assert report["close"].status == "pass"  # checks that do not step still run


def test_close_failure_skips_the_cycles_that_need_it():
    report = envsdk.check(zoo.CloseNotIdempotent, num_envs=2, only=["create_close_cycles"])
    assert report["create_close_cycles"].status == "skip"
    assert "needs close, which failed" in report["create_close_cycles"].message


def test_warnings_are_kept_apart_from_failures():
    report = envsdk.check(zoo.PositionalConfig, **QUICK)
    assert report.ok and [r.name for r in report.warnings] == ["constructor"]
    assert "keyword-only" in report["constructor"].message
    report = envsdk.check(zoo.NoRandomness, **QUICK)
    assert report.ok and [r.name for r in report.warnings] == ["seed_sensitivity"]
    assert "identical observations over 200 steps for seeds 0 and" in report["seed_sensitivity"].message


def test_unimportable_factory_is_a_backends_warning_not_a_crash():
    def local(**config):
        return zoo.Good(**config)

    report = envsdk.check(local, only=["backends"])
    assert report.ok
    result = report["backends"]
    assert result.status == "warn" and "lambda or a local definition" in result.message
    assert "importable module" in result.fix


def test_fuzz_without_hypothesis_falls_back_to_numpy(monkeypatch):
    monkeypatch.setitem(sys.modules, "hypothesis", None)  # import hypothesis now raises ImportError
    report = envsdk.check(zoo.Good, num_envs=2, only=["fuzz"])
    assert report.ok and "hypothesis is not installed" in report["fuzz"].message
    report = envsdk.check(zoo.NaNObservation, num_envs=2, only=["fuzz"])
    assert report["fuzz"].status == "fail" and "found nan" in report["fuzz"].message
