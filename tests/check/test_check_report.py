"""The Report API, ``only=``, and the envsdk.testing helpers built on the checker."""

import json

import pytest
import zoo

import envsdk
from envsdk.checks import CHECK_NAMES, CheckResult, Report
from envsdk.errors import ConfigError, UnknownEnvError
from envsdk.testing import assert_conforms, assert_deterministic, assert_passes_check


def test_report_format_has_one_line_per_check_then_details():
    report = envsdk.check(zoo.MixesFlags, num_envs=4, steps=200, quick=True)
    text = report.format()
    lines = text.splitlines()
    assert lines[0] == "envsdk check zoo:MixesFlags  num_envs=4 seed=0 steps=200  (quick)"
    for name in CHECK_NAMES:
        assert sum(line.split()[1:2] == [name] for line in lines[2:2 + len(CHECK_NAMES)]) == 1
    assert "  FAIL  autoreset" in text and "  skip  fuzz" in text and "skipped in quick mode" in text
    assert "Details:\n  FAIL autoreset: terminals and truncations: expected" in text
    assert "    Fix: set truncated = (time limit reached) and not terminal" in text
    assert lines[-1].startswith("FAILED: ") and "1 failed" in lines[-1]
    assert str(report) == text


def test_report_json_round_trips():
    report = envsdk.check(zoo.Good, num_envs=2, steps=50, quick=True)
    data = json.loads(report.to_json())
    assert data["ok"] is True and data["counts"]["fail"] == 0
    assert [r["name"] for r in data["results"]] == list(CHECK_NAMES)
    assert data == report.to_dict() | {"seconds": data["seconds"]}


def test_ok_ignores_warnings_and_skips():
    report = Report("x", {}, [CheckResult("a", "warn"), CheckResult("b", "skip"), CheckResult("c", "pass")])
    assert report.ok and [r.name for r in report.warnings] == ["a"]
    report.results.append(CheckResult("d", "fail"))
    assert not report.ok and [r.name for r in report.failures] == ["d"]
    with pytest.raises(KeyError, match="expected a check named 'nope'"):
        report["nope"]


def test_only_runs_the_named_checks_and_what_they_need():
    report = envsdk.check(zoo.Good, num_envs=2, only=["episode_stats"])
    assert [r.name for r in report.results] == [
        "members", "signatures", "spaces", "buffers", "rollout", "autoreset", "masks", "episode_stats"]
    with pytest.raises(ConfigError, match="expected check names among"):
        envsdk.check(zoo.Good, only=["no_such_check"])


def test_bad_settings_and_targets_raise():
    with pytest.raises(ConfigError, match="expected num_envs to be an int >= 1, found 0"):
        envsdk.check(zoo.Good, num_envs=0)
    with pytest.raises(UnknownEnvError):
        envsdk.check("no-such-env")


def test_num_envs_in_config_is_the_num_envs_setting():
    report = envsdk.check(zoo.Good, quick=True, num_envs=3, max_steps=5)
    assert report.settings["num_envs"] == 3 and report.settings["config"] == {"max_steps": 5}
    assert envsdk.check(zoo.Good, quick=True, **{"num_envs": 3}).settings["num_envs"] == 3


def test_assert_passes_check_raises_with_the_report():
    assert assert_passes_check(zoo.Good, num_envs=2, quick=True).ok
    with pytest.raises(AssertionError, match=r"(?s)envsdk check failed:.*FAIL  determinism"):
        assert_passes_check(zoo.IgnoresSeed, num_envs=2, quick=True)


def test_older_helpers_run_the_named_checks():
    assert_conforms(zoo.Good, num_envs=3)
    with pytest.raises(AssertionError, match="autoreset"):
        assert_conforms(zoo.MixesFlags, num_envs=3)
    with pytest.raises(AssertionError, match="determinism"):
        assert_deterministic(zoo.IgnoresSeed)


def test_the_checks_package_holds_the_report_the_order_and_the_one_recorder():
    import envsdk.checks
    import envsdk.testing

    assert envsdk.check is envsdk.checks.check and envsdk.checks.Report is Report
    assert tuple(c.name for c in envsdk.checks.CHECKS) == CHECK_NAMES  # one explicit list is the order
    assert envsdk.testing.rollout is envsdk.checks.rollout and envsdk.testing.Rollout is envsdk.checks.Rollout
