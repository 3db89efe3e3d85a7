"""``envsdk check``: exit codes, the text and JSON reports, config from --config and key=value."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import zoo

import envsdk
from envsdk.cli import main
from envsdk.registry import ENVS

HERE = Path(__file__).resolve().parent


def envsdk_command() -> list[str]:
    """The installed console script when it sits next to this Python, else ``python -m envsdk``."""
    script = Path(sys.executable).with_name("envsdk")
    return [str(script)] if script.exists() else [sys.executable, "-m", "envsdk"]


@pytest.mark.parametrize("name", sorted(ENVS))
def test_cli_checks_every_bundled_env(name):
    # CI runs the checker on every bundled env through this test (quick mode).
    out = subprocess.run([*envsdk_command(), "check", name, "--quick"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"envsdk check {name}" in out.stdout and "OK: " in out.stdout


def test_json_report_parses(capsys):
    assert main(["check", "cartpole", "--quick", "--json", "--num-envs", "2", "--seed", "3", "--steps", "50"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True and report["target"] == "cartpole"
    assert report["settings"] == {"num_envs": 2, "seed": 3, "steps": 50, "quick": True, "config": {}}
    statuses = {r["name"]: r["status"] for r in report["results"]}
    assert statuses["determinism"] == "pass" and statuses["backends"] == "skip"
    assert set(report["results"][0]) == {"name", "status", "message", "fix", "details", "seconds"}


def test_key_value_config_parses_json_values_else_strings(capsys, monkeypatch):
    monkeypatch.chdir(HERE)  # module:Factory targets import from the current directory
    code = main(["check", "zoo:Good", "max_steps=7", "--config", '{"max_steps": 3}', "--quick", "--json"])
    assert code == 0
    assert json.loads(capsys.readouterr().out)["settings"]["config"] == {"max_steps": 7}  # key=value wins


@pytest.mark.parametrize("pairs, error", [
    (["size=abc"], "envsdk check: Squared: expected size to be an int, found str 'abc'. Fix: pass an int in [2, 255]."),
    (["size=1"], "envsdk check: Squared: expected size in [2, 255], found 1. Fix: pass a value in that range."),
    (["sizee=5"], "envsdk check: Squared: expected config keys among num_envs, size, max_steps, report_every, "
                  "found unknown 'sizee'. Fix: use one of the valid keys."),
])
def test_config_error_is_the_users_input_one_line_exit_2_no_checks(pairs, error, capsys):
    assert main(["check", "squared", *pairs]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == error + "\n"  # one line, and no check ran


def test_unknown_key_of_a_factory_without_kwargs_is_a_config_error(capsys, monkeypatch):
    monkeypatch.chdir(HERE)
    assert main(["check", "zoo:Good", "max_step=3", "--quick"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "expected config keys among num_envs, max_steps, found unknown 'max_step'" in err


@pytest.mark.parametrize("args, settings", [
    (["num_envs=4"], {"num_envs": 4, "seed": 0, "steps": 200}),
    (["seed=3", "steps=50"], {"num_envs": 8, "seed": 3, "steps": 50}),
    (["--num-envs", "2", "num_envs=2", "max_steps=5"], {"num_envs": 2, "seed": 0, "steps": 200}),
])
def test_check_settings_as_key_value(args, settings, capsys):
    assert main(["check", "cartpole", "--quick", "--json", *args]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {k: report["settings"][k] for k in settings} == settings
    assert report["settings"]["config"] == ({"max_steps": 5} if "max_steps=5" in args else {})


def test_conflicting_setting_is_a_usage_error(capsys):
    assert main(["check", "cartpole", "--num-envs", "4", "num_envs=5"]) == 2
    assert capsys.readouterr().err == ("envsdk check: num_envs: expected one value, found --num-envs 4 and "
                                       "num_envs=5. Fix: give one.\n")


def test_key_value_pairs_may_follow_options(capsys, monkeypatch):
    monkeypatch.chdir(HERE)
    assert main(["check", "zoo:Good", "--quick", "max_steps=7", "--json", "--seed", "2", "num_envs=4"]) == 0
    settings = json.loads(capsys.readouterr().out)["settings"]
    assert settings["config"] == {"max_steps": 7} and settings["num_envs"] == 4 and settings["seed"] == 2
    with pytest.raises(SystemExit) as exit_:
        main(["check", "zoo:Good", "--quick", "--bogus"])
    assert exit_.value.code == 2
    assert capsys.readouterr().err == "envsdk: unrecognized arguments: --bogus. Fix: see envsdk --help.\n"


def test_missing_episode_count_is_named_as_the_cause(monkeypatch):
    report = envsdk.check(zoo.UncountedStats, num_envs=4, only=["vectorization", "backends"])
    for name in ("vectorization", "backends"):
        result = report[name]
        assert result.status == "fail", report.format()
        assert "infos episode_count" in result.message and "without episode_count" in result.message, result.message
        assert "'episode_count': k" in result.fix and "global" not in result.fix


def test_a_module_in_the_working_directory_never_shadows_an_installed_one(tmp_path):
    # envsdk check puts the working directory LAST on sys.path, only for module:Factory targets:
    # a stray hypothesis.py there is never imported (the fuzz check imports hypothesis).
    marker = tmp_path / "ran"
    (tmp_path / "hypothesis.py").write_text(f"open({str(marker)!r}, 'w').close()\nraise SystemExit(3)\n")
    (tmp_path / "mygame.py").write_text((HERE / "zoo.py").read_text())
    for target in ("mygame:Good", "cartpole"):
        out = subprocess.run([*envsdk_command(), "check", target, "--num-envs", "2", "--steps", "50"], cwd=tmp_path,
                             capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stdout + out.stderr
        assert "pass  fuzz" in out.stdout and "pass  backends" in out.stdout, out.stdout
        assert not marker.exists()


def test_failing_env_exits_1_with_the_fix(capsys, monkeypatch):
    monkeypatch.chdir(HERE)
    assert main(["check", "zoo:WrongStats", "--quick", "--num-envs", "4"]) == 1
    out = capsys.readouterr().out
    assert "FAIL  episode_stats" in out and "Fix: " in out and out.rstrip().splitlines()[-1].startswith("FAILED")


@pytest.mark.parametrize("args, text", [
    (["check", "no-such-env"], "expected a registered name, found none by that name"),
    (["check", "breakout", "max_steps"], "expected config as key=value, found 'max_steps'"),
    (["check", "breakout", "--config", "{oops"], "--config: expected a JSON object, found invalid JSON"),
    (["check", "breakout", "--config", "[1]"], "--config: expected a JSON object, found list"),
    (["check", "breakout", "--steps", "0"], "expected steps to be an int >= 1, found 0"),
    (["check", "no_such_module:Env"], "No module named 'no_such_module'"),
])
def test_usage_errors_exit_2(args, text, capsys):
    assert main(args) == 2
    assert text in capsys.readouterr().err
