"""Smoke test of examples/ppo.py: a tiny budget, then every output is written and well formed."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
Image = pytest.importorskip("PIL.Image")
pytest.importorskip("matplotlib")

SCRIPT = Path(__file__).resolve().parents[1] / "examples" / "ppo.py"


@pytest.mark.parametrize("env", ["cartpole", "tictactoe"])
def test_ppo_writes_checkpoint_curve_gif_and_summary(tmp_path, env):
    out, summary = tmp_path / "run", tmp_path / "summary.json"
    subprocess.run([sys.executable, str(SCRIPT), "--env", env, "--total-timesteps", "2048", "--num-envs", "4",
                    "--num-steps", "64", "--gif-steps", "10", "--progress", "false", "--output-dir", str(out),
                    "--summary", str(summary)], check=True, capture_output=True, timeout=120)

    checkpoint = torch.load(out / "agent.pt", map_location="cpu", weights_only=False)
    assert checkpoint["env"] == env and checkpoint["state_dict"]
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        from ppo import load_agent
    finally:
        sys.path.remove(str(SCRIPT.parent))
    agent, _ = load_agent(out / "agent.pt")
    x = torch.zeros(1, checkpoint["obs_size"])
    if checkpoint["legal_mask"]:
        x[0, -1] = 1.0  # only the last action legal: the masked policy must pick it
        assert int(agent.distribution(x).probs.argmax()) == checkpoint["num_actions"] - 1
    else:
        assert agent.distribution(x).probs.shape == (1, checkpoint["num_actions"])

    lines = (out / "curve.csv").read_text().splitlines()
    assert lines[0].startswith("steps,seconds,mean_return,") and len(lines) == 1 + 2048 // (4 * 64)
    with Image.open(out / "curve.png") as png:
        assert png.format == "PNG" and png.size[0] > 100
    with Image.open(out / "policy.gif") as gif:
        assert gif.format == "GIF" and gif.n_frames >= 2  # pillow merges identical consecutive frames

    data = json.loads(summary.read_text())
    assert set(data) >= {"env", "steps", "seconds", "sps", "mean_return"}
    assert data["env"] == env and data["steps"] == 2048 and data["sps"] > 0


def test_ppo_max_seconds_stops_the_run(tmp_path):
    summary = tmp_path / "summary.json"
    subprocess.run([sys.executable, str(SCRIPT), "--env", "cartpole", "--max-seconds", "1", "--num-envs", "4",
                    "--num-steps", "16", "--gif-steps", "0", "--progress", "false", "--output-dir", str(tmp_path),
                    "--summary", str(summary)], check=True, capture_output=True, timeout=120)
    data = json.loads(summary.read_text())
    assert 1.0 <= data["seconds"] < 10 and data["steps"] < 1_000_000  # far short of cartpole's budget


def test_onehot_checkpoint_acts_the_same_in_the_cli(tmp_path):
    # squared feeds its cell codes one-hot; envsdk play rebuilds the actor without the example,
    # so both encoders must agree, action for action.
    import numpy as np

    from envsdk.cli import _policy

    subprocess.run([sys.executable, str(SCRIPT), "--env", "squared", "--total-timesteps", "1024", "--num-envs", "4",
                    "--num-steps", "64", "--gif-steps", "0", "--progress", "false", "--output-dir", str(tmp_path)],
                   check=True, capture_output=True, timeout=120)
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        from ppo import load_agent
    finally:
        sys.path.remove(str(SCRIPT.parent))
    agent, checkpoint = load_agent(tmp_path / "agent.pt")
    assert checkpoint["onehot"] == 3 and agent.actor[0].in_features == 3 * checkpoint["obs_size"]
    obs = np.random.default_rng(0).integers(0, 3, (64, checkpoint["obs_size"]), dtype=np.uint8)
    act, _ = _policy(str(tmp_path / "agent.pt"))
    with torch.no_grad():
        expected = agent.distribution(torch.as_tensor(obs, dtype=torch.float32)).probs.argmax(1).numpy()
    np.testing.assert_array_equal(act(obs), expected)


def _envsdk(*argv: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "envsdk", *argv], input=stdin, capture_output=True, text=True,
                          check=True, timeout=60)


def test_play_reads_moves_from_stdin():
    # The agent moves first; the random opponent replies. Cells 0..8 row-major; an occupied cell
    # is an illegal move, a loss, so whatever the opponent does the game ends within these moves.
    out = _envsdk("play", "tictactoe", "first=agent", "--seed", "0", stdin="x\n4\n0\n1\n2\n3\n5\n6\n7\n8\n").stdout
    assert "expected an action number 0..8, found 'x'" in out
    assert "episode 1 over:" in out


@pytest.fixture(scope="module")
def tictactoe_checkpoint(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("run")
    subprocess.run([sys.executable, str(SCRIPT), "--env", "tictactoe", "--total-timesteps", "512", "--num-envs", "4",
                    "--num-steps", "32", "--gif-steps", "0", "--progress", "false", "--output-dir", str(out)],
                   check=True, capture_output=True, timeout=120)
    return out / "agent.pt"


def test_play_watches_a_trained_policy(tictactoe_checkpoint):
    text = _envsdk("play", "tictactoe", "--checkpoint", str(tictactoe_checkpoint), "--episodes", "3", "--seed",
                   "1").stdout
    assert text.count("policy plays") >= 3 and "episode 3 over:" in text


def test_play_versus_a_trained_policy(tictactoe_checkpoint):
    # first=opponent: the policy (row 1) opens, then you; cells in order, so one is soon occupied
    # (an illegal move ends the game) unless the game ends first.
    text = _envsdk("play", "tictactoe", "first=opponent", "--checkpoint", str(tictactoe_checkpoint), "--versus",
                   "--seed", "0", stdin="".join(f"{c}\n" for c in range(9))).stdout
    assert text.startswith("the policy plays") and "you to move (0..8):" in text
    assert "episode 1 over:" in text and ("won" in text or "draw" in text or "illegal move by you" in text)


def test_play_two_people_take_turns():
    # opponent=none without a checkpoint: rows take turns on stdin; X (player 1) takes the top row
    text = _envsdk("play", "tictactoe", "opponent=none", "first=agent", "--seed", "0", stdin="0\n3\n1\n4\n2\n").stdout
    assert text.count("player 1 to move") == 3 and text.count("player 2 to move") == 2
    assert "episode 1 over: player 1 won" in text


def test_play_versus_needs_a_checkpoint():
    result = subprocess.run([sys.executable, "-m", "envsdk", "play", "tictactoe", "--versus"], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2 and "--versus: expected --checkpoint PATH" in result.stderr
