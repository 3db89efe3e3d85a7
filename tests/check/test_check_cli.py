"""``envsdk check``: exit codes, the text and JSON reports, config from --config and key=value."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

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
    assert main(["check", "squared", "size=abc", "--quick"]) == 1  # a string reaches the env, which rejects it
    out = capsys.readouterr().out
    assert "FAIL  members" in out and "expected size to be an int, found str 'abc'" in out


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
