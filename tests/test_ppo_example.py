"""Smoke test of examples/ppo.py: a tiny budget, then every output is written and well formed."""

import importlib.util
import json
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest

import envsdk.policy

torch = pytest.importorskip("torch")
Image = pytest.importorskip("PIL.Image")

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "examples" / "ppo.py"


def load_agent(path: Path):
    """examples/ppo.py's ``load_agent`` (conftest.py puts examples/ on sys.path)."""
    import ppo

    return ppo.load_agent(path)


@pytest.mark.parametrize("env, gif", [("cartpole", ["--gif-steps", "10"]), ("tictactoe", [])])
def test_ppo_writes_checkpoint_curve_gif_and_summary(tmp_path, env, gif):
    out, summary = tmp_path / "run", tmp_path / "summary.json"
    subprocess.run([sys.executable, str(SCRIPT), "--env", env, "--total-timesteps", "2048", "--num-envs", "4",
                    "--num-steps", "64", *gif, "--progress", "false", "--output-dir", str(out),
                    "--summary", str(summary)], check=True, capture_output=True, timeout=120)

    # the checkpoint is envsdk's policy format: plain data, the library loads it without the example
    data = torch.load(out / "agent.pt", map_location="cpu", weights_only=True)
    assert data["format"] == "envsdk-policy/1" and data["env"] == env
    assert len(data["policy"]) == 3 and len(data["value"]) == 3 and data["metadata"]["args"]["seed"] == 1
    checkpoint = envsdk.policy.load(out / "agent.pt")
    agent, _ = load_agent(out / "agent.pt")
    x = torch.zeros(1, checkpoint.observation_size)
    if checkpoint.legal_mask:
        x[0, -1] = 1.0  # only the last action legal: the masked policy must pick it
        assert int(agent.distribution(x).probs.argmax()) == checkpoint.num_actions - 1
        assert checkpoint.act(x.numpy()).tolist() == [checkpoint.num_actions - 1]
    else:
        assert agent.distribution(x).probs.shape == (1, checkpoint.num_actions)

    lines = (out / "curve.csv").read_text().splitlines()
    assert lines[0].startswith("steps,seconds,mean_return,") and len(lines) == 1 + 2048 // (4 * 64)
    with Image.open(out / "curve.png") as png:
        assert png.format == "PNG" and png.size[0] > 100
    with Image.open(out / "policy.gif") as image:
        assert image.format == "GIF" and image.n_frames >= 2  # pillow merges identical consecutive frames
        assert min(image.size) >= 256
    if env == "tictactoe":
        check_tictactoe_gif(out / "policy.gif")

    data = json.loads(summary.read_text())
    assert set(data) >= {"env", "steps", "seconds", "sps", "mean_return"}
    assert data["env"] == env and data["steps"] == 2048 and data["sps"] > 0


@pytest.mark.parametrize("device", ["cpu", pytest.param("cuda", marks=[pytest.mark.cuda, pytest.mark.skipif(
    not torch.cuda.is_available(), reason="no CUDA device")])])
def test_ppo_trains_a_torch_env_on_its_device_as_the_numpy_cartpole(tmp_path, device):
    # cartpole_torch's rollout stays on the device (its buffers are tensors there). On the CPU its env is
    # bit-equal to the C cartpole and the policy sees the same numbers, so the learning curve is cartpole's.
    def run(env, *flags):
        out = tmp_path / f"{env}{device}"
        subprocess.run([sys.executable, str(SCRIPT), "--env", env, "--total-timesteps", "2048", "--num-envs", "4",
                        "--num-steps", "64", "--gif-steps", "5", "--progress", "false", "--output-dir", str(out),
                        "--summary", str(out / "summary.json"), *flags], check=True, capture_output=True, timeout=120)
        assert envsdk.policy.load(out / "agent.pt").env == env
        with Image.open(out / "policy.gif") as image:
            assert image.n_frames >= 2
        rows = [line.split(",") for line in (out / "curve.csv").read_text().splitlines()[1:]]
        return json.loads((out / "summary.json").read_text()), [(r[0], r[2], r[3]) for r in rows]  # not seconds

    summary, curve = run("cartpole_torch", "--device", device)
    assert summary["env"] == "cartpole_torch" and summary["steps"] == 2048 and summary["mean_return"] > 0
    if device == "cpu":
        assert curve == run("cartpole")[1]


def check_tictactoe_gif(path: Path) -> None:
    """The tictactoe GIF is readable: 288 pixels (3 x its 96), 0.6 s a move, and each game's final
    position (the env itself has already restarted) held 2.4 s before the next game's first frame."""
    frames, seconds = [], []
    with Image.open(path) as gif:
        assert gif.size == (288, 288)
        for k in range(gif.n_frames):
            gif.seek(k)
            frames.append(np.asarray(gif.convert("RGB")))
            seconds.append(gif.info["duration"] / 1000)
    # 0.6 s a frame (pillow merges identical consecutive frames, adding their durations)
    assert all(round(1000 * s) % 600 == 0 for s in seconds)

    def cells(frame: np.ndarray) -> np.ndarray:  # per cell (96 x 96 pixels): 0 empty, 1 a blue mark, 2 a red one
        pixels = frame.reshape(3, 96, 3, 96, 3).transpose(0, 2, 1, 3, 4).reshape(9, -1, 3).astype(int)
        blue = (np.abs(pixels - [80, 200, 255]).sum(-1) < 30).any(axis=1)
        red = (np.abs(pixels - [255, 90, 90]).sum(-1) < 30).any(axis=1)
        return np.where(blue, 1, np.where(red, 2, 0))

    finals = [k for k, s in enumerate(seconds) if s >= 2.4 and 0 < k < len(frames) - 1]
    assert len(finals) >= 3  # 30 steps (ENV_DEFAULTS' gif_steps) of games of at most 5
    for k in finals:
        before, final, after = cells(frames[k - 1]), cells(frames[k]), cells(frames[k + 1])
        # the last move on the board it was played on, then the next game's start (not that board continued)
        assert (final[before > 0] == before[before > 0]).all() and (final > 0).sum() > (before > 0).sum()
        assert not (after[final > 0] == final[final > 0]).all()


def test_every_flag_has_a_help_text(capsys):
    import ppo

    docs = ppo.field_docs()
    assert set(docs) == {f.name for f in fields(ppo.Args)} and all(docs.values())
    with pytest.raises(SystemExit):
        ppo.parse_args(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    for name, doc in docs.items():
        assert f"--{name.replace('_', '-')}" in text and " ".join(doc.split())[:40] in text, name


def test_ppo_max_seconds_stops_the_run(tmp_path):
    summary = tmp_path / "summary.json"
    subprocess.run([sys.executable, str(SCRIPT), "--env", "cartpole", "--max-seconds", "1", "--num-envs", "4",
                    "--num-steps", "16", "--gif-steps", "0", "--progress", "false", "--output-dir", str(tmp_path),
                    "--summary", str(summary)], check=True, capture_output=True, timeout=120)
    data = json.loads(summary.read_text())
    assert 1.0 <= data["seconds"] < 10 and data["steps"] < 1_000_000  # far short of cartpole's budget


def test_onehot_checkpoint_acts_the_same_in_the_library(tmp_path):
    # squared feeds its cell codes one-hot; envsdk play acts from the checkpoint without the
    # example, so both encoders must agree, action for action.
    subprocess.run([sys.executable, str(SCRIPT), "--env", "squared", "--total-timesteps", "1024", "--num-envs", "4",
                    "--num-steps", "64", "--gif-steps", "0", "--progress", "false", "--output-dir", str(tmp_path)],
                   check=True, capture_output=True, timeout=120)
    agent, checkpoint = load_agent(tmp_path / "agent.pt")
    assert checkpoint.onehot == 3 and agent.actor[0].in_features == 3 * checkpoint.observation_size
    obs = np.random.default_rng(0).integers(0, 3, (64, checkpoint.observation_size), dtype=np.uint8)
    with torch.no_grad():
        expected = agent.distribution(torch.as_tensor(obs, dtype=torch.float32)).probs.argmax(1).numpy()
    np.testing.assert_array_equal(envsdk.policy.load(tmp_path / "agent.pt").act(obs), expected)


def _envsdk(*argv: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "envsdk", *argv], input=stdin, capture_output=True, text=True,
                          check=True, timeout=60)


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
    assert text.count("the policy plays cell") >= 3 and "episode 3 over:" in text
    assert text.count("final position:") == 3


def test_init_checkpoint_starts_from_the_saved_agent(tictactoe_checkpoint, tmp_path):
    # --learning-rate 0: nothing moves, so the run saves exactly the weights it started from
    subprocess.run([sys.executable, str(SCRIPT), "--env", "tictactoe", "--num-envs", "4", "--num-steps", "16",
                    "--total-timesteps", "64", "--learning-rate", "0", "--gif-steps", "0", "--progress", "false",
                    "--init-checkpoint", str(tictactoe_checkpoint), "--output-dir", str(tmp_path)],
                   check=True, capture_output=True, timeout=120)
    a, b = envsdk.policy.load(tictactoe_checkpoint), envsdk.policy.load(tmp_path / "agent.pt")
    for x, y in zip(a.layers + a.value_layers, b.layers + b.value_layers, strict=True):
        assert torch.equal(x[0], y[0]) and torch.equal(x[1], y[1])


def test_play_versus_a_trained_policy(tictactoe_checkpoint):
    # first=opponent: the policy (row 1) opens, then you; cells in order, so one is soon occupied
    # (an illegal move, played when entered twice, ends the game) unless the game ends first.
    text = _envsdk("play", "tictactoe", "first=opponent", "--checkpoint", str(tictactoe_checkpoint), "--versus",
                   "--seed", "0", stdin="".join(f"{c}\n{c}\n" for c in range(9))).stdout
    start = text.index("episode 1\n")
    assert text.index("the policy plays cell", start) < text.index("you to move:", start)
    assert "episode 1 over:" in text and ("won" in text or "a draw" in text or "you lost by an illegal move" in text)


@pytest.mark.parametrize(("flag", "threads"), [([], 1), (["--torch-threads", "2"], 2)])
def test_torch_runs_on_one_thread_unless_asked_and_never_imports_dynamo(tmp_path, flag, threads):
    # torch's default (a thread per core) collapses PPO beside any busy process (README, "Train with PPO");
    # torch.optim would import torch._dynamo (1.7 s of CPU on a 2-core VM, a fifth of a cartpole run).
    code = ("import sys, torch; sys.path.insert(0, sys.argv[1]); import ppo; ppo.main(sys.argv[2:]); "
            "print('threads', torch.get_num_threads(), 'dynamo', 'torch._dynamo' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(SCRIPT.parent), "--env", "cartpole", "--total-timesteps",
                          "64", "--num-envs", "4", "--num-steps", "16", "--gif-steps", "0", "--progress", "false",
                          "--output-dir", str(tmp_path), *flag], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-4:] == ["threads", str(threads), "dynamo", "False"]


def test_adam_makes_the_updates_of_torch_optim_adam():
    import ppo

    torch.manual_seed(0)
    mine, theirs = ppo.Agent(4, 2, 16, 0), ppo.Agent(4, 2, 16, 0)
    theirs.load_state_dict(mine.state_dict())
    start = mine.actor[0].weight.detach().clone()
    optimizers = ppo.Adam(mine.parameters(), lr=3e-3, eps=1e-5), torch.optim.Adam(theirs.parameters(), lr=3e-3,
                                                                                     eps=1e-5, foreach=True)
    for step in range(30):
        x, actions = torch.randn(64, 4), torch.randint(0, 2, (64,))
        for agent, optimizer in zip((mine, theirs), optimizers, strict=True):
            optimizer.zero_grad()
            logprob, entropy, value = agent.get_action_and_value(x, actions)
            (logprob.mean() + entropy.mean() + (value ** 2).mean()).backward()
            optimizer.step()
        if step == 10:  # annealing changes the rate between steps
            optimizers[0].lr = optimizers[1].param_groups[0]["lr"] = 1e-3
    for p, q in zip(mine.parameters(), theirs.parameters(), strict=True):
        assert torch.equal(p, q)
    assert not torch.equal(mine.actor[0].weight, start)  # the weights did move


def test_truncated_rows_bootstrap_from_their_final_observation_and_terminal_rows_do_not():
    # cartpole with max_steps 12: row 0 alternates its pushes and stands until the time limit cuts
    # it after step 11 (truncated); row 1 always pushes right and falls after step 9 (terminal).
    import ppo

    envs = envsdk.make("cartpole", num_envs=2, max_steps=12, final_observations=True)
    torch.manual_seed(0)
    agent = ppo.Agent(4, 2, 16, 0)
    with torch.no_grad():
        agent.critic[-1].weight.mul_(100.0)  # values far apart from state to state, so the test tells them apart
    steps, gamma = 12, 0.9
    rewards, dones, values = torch.zeros(steps, 2), torch.zeros(steps, 2), torch.zeros(steps, 2)
    ended = {}  # row -> (step, truncated, final observation, the next episode's first observation)
    obs, _ = envs.reset(seed=0)
    for t in range(steps):
        with torch.no_grad():
            values[t] = agent.get_value(torch.as_tensor(obs)).flatten()
        obs, reward, terminals, truncations, _ = envs.step(np.array([t % 2, 1], np.int32))
        rewards[t] = torch.as_tensor(reward)
        dones[t] = torch.as_tensor(terminals | truncations, dtype=torch.float32)
        ppo.bootstrap_truncated(agent, rewards[t], truncations, envs.buffers.final_observations, gamma, "cpu")
        for row in np.flatnonzero(terminals | truncations):
            ended.setdefault(int(row), (t, bool(truncations[row]), envs.buffers.final_observations[row].copy(),
                                        obs[row].copy()))
    with torch.no_grad():
        next_value = agent.get_value(torch.as_tensor(obs)).flatten()
        advantages = ppo.gae(rewards.numpy(), values.numpy(), dones.numpy(), next_value.numpy(), gamma, 0.95)
        returns = advantages + values.numpy()

        def value(observation: np.ndarray) -> float:
            return agent.get_value(torch.as_tensor(observation[None])).item()

    t_cut, truncated, final, first = ended[0]
    assert (t_cut, truncated) == (11, True) and not np.array_equal(final, first)
    # the cut step's target: its reward plus gamma * V(the state it was cut in), not V(the next episode's start)
    assert returns[t_cut, 0] == pytest.approx(1.0 + gamma * value(final), abs=1e-6)
    assert abs(value(final) - value(first)) > 0.01
    t_fall, truncated, _, _ = ended[1]
    assert (t_fall, truncated) == (9, False)
    assert returns[t_fall, 1] == pytest.approx(1.0, abs=1e-6)  # terminal: its reward alone
    assert rewards[:, 1].tolist() == [1.0] * steps and rewards[t_cut, 0] != 1.0
    envs.close()


def _perfect_player():
    """``act(observations) -> actions``: csrc/tictactoe_table.py's best move (the lowest such cell) per row."""
    spec = importlib.util.spec_from_file_location("tictactoe_table", ROOT / "csrc" / "tictactoe_table.py")
    table = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(table)

    def act(observations: np.ndarray) -> np.ndarray:
        cells = 1 << np.arange(9)
        mine, theirs = (observations[:, :9] == 1) @ cells, (observations[:, :9] == -1) @ cells
        best = [table.best_moves(int(m), int(t)) for m, t in zip(mine, theirs, strict=True)]
        return np.array([(b & -b).bit_length() - 1 for b in best], np.int32)

    return act


@pytest.mark.parametrize("perfect", [True, False])
def test_tictactoe_trains_until_its_greedy_policy_loses_no_game_to_perfect_play(monkeypatch, tmp_path, perfect):
    # The stop rule: after every rollout the greedy policy plays 1,000 games moving first and 1,000
    # second against the perfect opponent and against the random one; when it loses none, it plays a
    # second fresh set, and the run ends once it loses none of those either. Here the games are played
    # by the perfect player instead of the policy (it never loses: the run ends after one rollout and
    # two sets), or by the policy in training (3 s of 8-env rollouts are too few: it loses, one set per
    # rollout, and the run goes on to its cap).
    import ppo

    played = []

    def play(envs, act, seed):
        played.append((envs.num_agents, seed))
        return ppo_play(envs, _perfect_player() if perfect else act, seed)

    ppo_play = ppo.play_first_episodes
    monkeypatch.setattr(ppo, "play_first_episodes", play)
    summary = ppo.main(["--env", "tictactoe", "--num-envs", "8", "--num-steps", "4", "--max-seconds", "3",
                        "--gif-steps", "0", "--progress", "false", "--output-dir", str(tmp_path)])
    evaluation = summary["evaluation"]
    assert [e["config"] for e in evaluation] == [{"opponent": opponent, "first": first} for opponent in
                                                 ("perfect", "random") for first in ("agent", "opponent")]
    assert all(e["games"] == 1000 and e["win"] + e["draw"] + e["loss"] == pytest.approx(1.0) for e in evaluation)
    iterations, sets = summary["steps"] // 32, len(played) // 4
    assert {n for n, _ in played} == {1000} and len({seed for _, seed in played}) == sets  # fresh games each set
    if perfect:
        assert (iterations, sets) == (1, 2) and summary["target"]["reached"] and all(e["loss"] == 0 for e in evaluation)
        assert all(e["win"] == 0 and e["draw"] == 1 for e in evaluation[:2])  # perfect against perfect: draws only
        assert all(e["win"] > 0.5 for e in evaluation[2:])  # and it beats the random player
    else:
        assert sets == iterations > 1 and not summary["target"]["reached"] and max(e["loss"] for e in evaluation) > 0
