"""envsdk play: every bundled env in each of its modes, driven through stdin, and checkpoints loaded as plain data.

Sessions run in-process through ``envsdk.cli.main`` with stdin replaced by a string (not a
terminal: one move per line, no colour); Ctrl-C, a missing torch and cbreak mode run in
subprocesses (cbreak mode on a pseudo-terminal).
"""

import importlib.util
import io
import os
import pickle
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from envsdk.envs import connect4, tictactoe, tripletriad

import envsdk.policy as policies
from envsdk.cli import main
from envsdk.errors import CheckpointError

ROOT = Path(__file__).resolve().parents[1]
try:
    import torch
except ImportError:
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="needs torch")


def play(monkeypatch, capsys, *argv: str, stdin: str = "") -> tuple[int, str, str]:
    """``envsdk play ARGV`` with ``stdin`` as its input: (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(["play", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def board_after(out: str, label: str, lines: int) -> list[str]:
    """The ``lines`` lines printed after the line ``label``."""
    text = out.splitlines()
    at = text.index(label)
    return text[at + 1:at + 1 + lines]


def random_checkpoint(path: Path, env: str, observation_size: int, num_actions: int, legal_mask: int = 0,
                      config: dict | None = None) -> Path:
    """A policy checkpoint of random weights (envsdk.policy.save), to watch or play against."""
    g = torch.Generator().manual_seed(0)
    layers = [(torch.randn(16, observation_size, generator=g), torch.randn(16, generator=g)),
              (torch.randn(num_actions, 16, generator=g), torch.randn(num_actions, generator=g))]
    policies.save(path, env=env, config=config or {}, policy=layers, legal_mask=legal_mask)
    return path


# ---- board games against the built-in opponent, two people, a watched policy, versus -------------


def test_tictactoe_against_the_opponent_shows_sides_legend_final_position_and_outcome(monkeypatch, capsys):
    # The perfect opponent answers 0 with 4 and 1 with 2; the agent's 3 leaves the diagonal 2-4-6,
    # which the opponent completes in the same step: the env has already restarted, the final
    # position still shows it.
    code, out, _ = play(monkeypatch, capsys, "tictactoe", "opponent=perfect", "first=agent", "--seed", "0",
                        stdin="0\n1\n3\n")
    assert code == 0 and "\x1b[" not in out  # no colour when stdout is not a terminal
    assert "you: blue marks (X when moving first, else O)" in out
    assert "the built-in opponent: red marks" in out
    assert "to move: type a cell number and press Enter: 0 1 2 are the top row" in out
    assert out.count("you to move:") == 3
    assert board_after(out, "final position:", 5) == [" X │ X │ O", "───┼───┼───", " X │ O │ ·", "───┼───┼───",
                                                       " O │ · │ ·"]
    assert "episode 1 over: you lost (3 steps)" in out


def test_an_illegal_move_is_warned_about_then_played_when_entered_again(monkeypatch, capsys):
    code, out, _ = play(monkeypatch, capsys, "tictactoe", "opponent=perfect", "first=agent", "--seed", "0",
                        stdin="0\n0\nx\n0\n")
    assert code == 0
    assert ("cell 0 is not a legal move now: an illegal move ends the game as a loss for the one who made it. "
            "Enter it again to play it anyway, or choose another move.") in out
    assert "expected an action number 0..8, found 'x'; try again" in out
    # the illegal move changes nothing: the final position is the one it was played on
    assert board_after(out, "final position:", 3) == [" X │ · │ ·", "───┼───┼───", " · │ O │ ·"]
    assert "episode 1 over: you lost by an illegal move (cell 0) (2 steps)" in out


def test_two_people_take_turns_and_the_final_position_shows_the_winning_line(monkeypatch, capsys):
    code, out, _ = play(monkeypatch, capsys, "tictactoe", "opponent=none", "first=agent", "--seed", "0",
                        stdin="0\n3\n1\n4\n2\n")
    assert code == 0
    assert "player 1: blue marks" in out and "player 2: red marks" in out and "built-in opponent" not in out
    assert out.count("player 1 to move:") == 3 and out.count("player 2 to move:") == 2
    assert board_after(out, "final position:", 3) == [" X │ X │ X", "───┼───┼───", " O │ O │ ·"]
    assert "episode 1 over: player 1 won (5 steps)" in out


def test_connect4_two_people_a_full_column_is_warned_about(monkeypatch, capsys):
    moves = "3\n4\n3\n4\n3\n4\n3\n"  # player 1 stacks four in column 3
    code, out, _ = play(monkeypatch, capsys, "connect4", "opponent=none", "--seed", "0", stdin=moves)
    assert code == 0 and "player 1: X (red)" in out and "player 2: O (yellow)" in out
    assert board_after(out, "final position:", 6)[2:] == ["|· · · X · · ·|", "|· · · X O · ·|", "|· · · X O · ·|",
                                                          "|· · · X O · ·|"]
    assert "episode 1 over: player 1 won (7 steps)" in out
    # column 0 filled by both players in turn, then a seventh stone: warned
    code, out, _ = play(monkeypatch, capsys, "connect4", "opponent=none", "--seed", "0", stdin="0\n" * 7)
    assert "column 0 is not a legal move now" in out and "episode 1 over" not in out


def test_tripletriad_plays_to_the_end_and_its_final_cards_match_the_envs_score(monkeypatch, capsys):
    # The first legal action each step, replayed from the same seed: the env reports the agent's
    # final card count (score), which the drawn final position must show.
    env = tripletriad.TripleTriad(opponent="random", first="agent", report_every=1)
    obs, _ = env.reset(seed=4)
    moves = []
    while True:
        moves.append(int(np.flatnonzero(obs[0, tripletriad.OBS_MASK:])[0]))
        obs, rewards, terminals, truncations, infos = env.step(np.array(moves[-1:], np.int32))
        if terminals[0] or truncations[0]:
            break
    env.close()
    assert moves[:4] == [0, 5, 1, 6] and rewards[0] == 0 and infos[0]["score"] == 5
    code, out, _ = play(monkeypatch, capsys, "tripletriad", "first=agent", "--seed", "4",
                        stdin="".join(f"{m}\n" for m in moves))
    assert code == 0 and "you: A: the hand at the bottom" in out and "0-4 picks a card of your hand" in out
    final = out[out.index("final position:"):]
    assert "cards owned: agent 5, opponent 5" in final
    assert f"episode 1 over: a draw ({len(moves)} steps)" in out


def test_tripletriad_says_when_an_illegal_action_only_costs_a_penalty(monkeypatch, capsys):
    code, out, _ = play(monkeypatch, capsys, "tripletriad", "first=agent", "--seed", "4", stdin="5\n5\n")
    assert "place at 5 is not a legal move now: an illegal action changes nothing and costs a small penalty" in out
    assert "you made an illegal move (place at 5): an illegal action changes nothing" in out


@needs_torch
def test_watching_a_policy_draws_the_board_after_every_move(monkeypatch, capsys, tmp_path):
    checkpoint = random_checkpoint(tmp_path / "agent.pt", "tictactoe", 18, 9, legal_mask=9,
                                   config={"opponent": "random"})
    code, out, _ = play(monkeypatch, capsys, "tictactoe", "--checkpoint", str(checkpoint), "--episodes", "3",
                        "--seed", "1")
    assert code == 0 and "the policy: blue marks" in out and "to move:" not in out  # nobody types
    lines = out.splitlines()
    moves = [i for i, line in enumerate(lines) if line.startswith("the policy plays cell ")]
    assert len(moves) >= 3 and out.count("episode 3 over: the policy ") == 1
    for i in moves:  # each move is followed by the board it led to (the final one when it ended the game)
        assert lines[i + 1] == "final position:" or "│" in lines[i + 1]


@needs_torch
def test_playing_against_a_policy(monkeypatch, capsys, tmp_path):
    checkpoint = random_checkpoint(tmp_path / "agent.pt", "connect4", 49, 7, legal_mask=7)
    code, out, _ = play(monkeypatch, capsys, "connect4", "first=opponent", "--checkpoint", str(checkpoint),
                        "--versus", "--seed", "0", stdin="".join(f"{c % 7}\n" for c in range(42)))
    assert code == 0 and "you: X (red)" in out and "the policy: O (yellow)" in out
    first = out.index("episode 1\n")
    assert out.index("the policy plays column", first) < out.index("you to move:", first)
    assert re.search(r"episode 1 over: (you won|the policy won|a draw|you lost by an illegal move)", out)


# ---- arcade games: keys, no win/loss words, the last position -----------------------------------


@pytest.mark.parametrize("env, config, keys, outcome", [
    ("cartpole", [], "d\n" * 60, r"return \d+ \(\d+ steps\)"),
    ("squared", ["size=5", "max_steps=4"], "w\nup\nspace\nenter\n", r"return 0, cut off at the step limit \(4 steps\)"),
    ("breakout", ["lives=1", "max_steps=6"], "space\na\nleft\nd\nright\ns\n", r"return \d+, cut off at the step limit"),
    ("snake", ["snakes=1", "width=6", "height=4", "food=1"], "w\n" * 10, r"return -?\d+ \(\d+ steps\)"),
    ("pong", ["max_score=1"], "s\n" * 200, r"the policy won|you won|you lost"),
])
def test_arcade_games_take_keys_one_per_line(monkeypatch, capsys, env, config, keys, outcome):
    code, out, _ = play(monkeypatch, capsys, env, *config, "--seed", "0", stdin=keys)
    assert code == 0
    assert "; one per line: a key, a key name (left, space, enter) or an action number. Ctrl-C quits." in out
    assert "last position before the end:" in out
    assert re.search(rf"episode 1 over: {outcome}", out), out[-500:]
    if env != "pong":  # only pong has a winner
        assert not re.search(r"\b(won|lost|draw)\b", out)


def test_an_env_without_controls_or_a_text_picture_takes_action_numbers(monkeypatch, capsys):
    # examples/custom_env.py's Corridor: no CONTROLS, no num_envs, no render; conftest.py puts
    # examples/ on sys.path.
    code, out, _ = play(monkeypatch, capsys, "custom_env:Corridor", "slip=0", "length=3", "--seed", "0",
                        stdin="2\n1\n1\n1\n")
    assert code == 0 and "to move: an action number 0-1. Ctrl-C quits." in out
    assert "expected an action number 0..1, found '2'; try again" in out
    assert "observations: [[" in out and re.search(r"episode 1 over: return 1 \(\d steps?\)", out)


def test_snake_with_many_snakes_suggests_one(monkeypatch, capsys):
    code, out, err = play(monkeypatch, capsys, "snake")
    assert code == 2 and out == ""
    assert err.strip() == ("envsdk play: snake: expected 1 agent row per sub-env (or 2, a board game's two-player "
                           "mode), found 256. Fix: add snakes=1 width=24 height=12 food=4, e.g. envsdk play snake "
                           "snakes=1 width=24 height=12 food=4.")
    code, out, _ = play(monkeypatch, capsys, "snake", "snakes=1", "width=24", "height=12", "food=4", stdin="w\n")
    assert code == 0 and "you: the snake (@ its head" in out


# ---- what ends a session: input, errors, Ctrl-C --------------------------------------------------


def test_versus_needs_a_checkpoint(monkeypatch, capsys):
    code, _, err = play(monkeypatch, capsys, "tictactoe", "--versus")
    assert code == 2 and "--versus: expected --checkpoint PATH" in err


@needs_torch
def test_versus_needs_an_env_with_a_two_player_mode(monkeypatch, capsys, tmp_path):
    checkpoint = random_checkpoint(tmp_path / "agent.pt", "breakout", 115, 4)
    code, _, err = play(monkeypatch, capsys, "breakout", "--checkpoint", str(checkpoint), "--versus")
    assert code == 2 and err.strip() == ("envsdk play: --versus: expected an env with a two-player mode (tictactoe, "
                                         "connect4), found 'breakout' without one. Fix: drop --versus to watch the "
                                         "policy play.")


def test_a_missing_checkpoint_is_one_line_naming_the_fix(monkeypatch, capsys, tmp_path):
    missing = tmp_path / "nope.pt"
    code, out, err = play(monkeypatch, capsys, "tictactoe", "--checkpoint", str(missing))
    assert code == 2 and out == ""
    assert err == (f"envsdk play: checkpoint {str(missing)!r}: expected a checkpoint file, found no file there. "
                   "Fix: pass an agent.pt written by examples/ppo.py (runs/<run>/agent.pt) or by "
                   "envsdk.policy.save.\n")


@needs_torch
def test_a_checkpoint_for_another_env_or_shape_is_refused(monkeypatch, capsys, tmp_path):
    checkpoint = random_checkpoint(tmp_path / "agent.pt", "tictactoe", 18, 9, legal_mask=9)
    code, _, err = play(monkeypatch, capsys, "connect4", "--checkpoint", str(checkpoint))
    assert code == 2 and "expected a policy trained on 'connect4', found one trained on 'tictactoe'" in err
    wrong = random_checkpoint(tmp_path / "wrong.pt", "connect4", 18, 9, legal_mask=9)
    code, _, err = play(monkeypatch, capsys, "connect4", "--checkpoint", str(wrong))
    assert code == 2 and "expected a policy for observations of 49 entries and 7 actions, found one for 18 and 9" in err


def _run(*argv: str, code: str = "", **kwargs) -> subprocess.Popen:
    """``envsdk ARGV`` in a subprocess, after the statement ``code`` (e.g. one that hides torch)."""
    script = f"import sys\n{code}\nfrom envsdk.cli import main\nsys.exit(main({list(argv)!r}))"
    return subprocess.Popen([sys.executable, "-c", script], text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, **kwargs)


def test_missing_torch_is_one_line_naming_the_fix(tmp_path):
    checkpoint = tmp_path / "agent.pt"
    checkpoint.write_bytes(b"a checkpoint")  # read only once torch is there
    proc = _run("play", "tictactoe", "--checkpoint", str(checkpoint), code="sys.modules['torch'] = None")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and out == ""
    assert err == (f"envsdk play: checkpoint {str(checkpoint)!r}: expected torch to read it, found torch not "
                   "installed. Fix: python -m pip install torch==2.13.0 (or pip install -e '.[train]').\n")


def _read_until(stream, text: str, seconds: float = 30.0) -> str:
    """What ``stream`` (a pipe) delivers until it contains ``text``."""
    seen, deadline = "", time.monotonic() + seconds
    while text not in seen and time.monotonic() < deadline:
        if select.select([stream], [], [], 0.1)[0]:
            chunk = os.read(stream.fileno(), 4096).decode()
            if not chunk:
                break
            seen += chunk
    assert text in seen, seen
    return seen


def test_ctrl_c_exits_cleanly():
    proc = _run("play", "tictactoe", "--seed", "0", stdin=subprocess.PIPE)
    _read_until(proc.stdout, "you to move:")
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and "Traceback" not in err and err == "envsdk play: interrupted\n"


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
@pytest.mark.parametrize("ending", ["episode over", "ctrl-c"])
def test_single_keys_in_a_terminal_without_enter_and_the_terminal_is_restored(ending):
    import termios

    leader, follower = os.openpty()
    try:
        before = termios.tcgetattr(follower)
        proc = _run("play", "breakout", "lives=1", "max_steps=3", "--seed", "0", stdin=follower)
        _read_until(proc.stdout, "no Enter needed")
        if ending == "ctrl-c":
            os.write(leader, b"a")  # one key, no newline: one step
            _read_until(proc.stdout, "you to move:")
            proc.send_signal(signal.SIGINT)
        else:
            os.write(leader, b"a\x1b[Cd")  # left, the right arrow, right: three steps, the step limit
        out, err = proc.communicate(timeout=30)
        if ending == "ctrl-c":
            assert proc.returncode == 130 and "Traceback" not in err
        else:
            assert proc.returncode == 0 and "episode 1 over: return 0, cut off at the step limit (3 steps)" in out
        assert termios.tcgetattr(follower) == before  # echo and line editing are back
    finally:
        os.close(leader)
        os.close(follower)


# ---- final positions against the env's own outcomes ---------------------------------------------


def _random_games(env, legal: int, games: int, seed: int):
    """(rows before the final step, actions, rewards, infos) of ``games`` games of mostly legal random moves."""
    rng = np.random.default_rng(seed)
    obs, _ = env.reset(seed=seed)
    while games:
        before = obs.copy()
        mover = 1 if len(before) == 2 and not before[0, -legal:].any() else 0
        actions = np.zeros(len(before), np.int32)
        moves = np.flatnonzero(before[mover, -legal:] > 0)
        actions[mover] = rng.choice(moves) if rng.random() > 0.03 else rng.integers(legal)
        obs, rewards, terminals, truncations, infos = env.step(actions)
        if terminals[0] or truncations[0]:
            games -= 1
            yield before, actions, rewards, infos


def _cells(picture: str) -> list[str]:
    return [c for line in picture.splitlines() if "│" in line for c in re.sub(r"\x1b\[[0-9;]*m", "", line).split("│")]


@pytest.mark.parametrize("opponent", ["random", "perfect", "none"])
def test_tictactoe_final_positions_agree_with_the_rewards(opponent):
    env = tictactoe.TicTacToe(opponent=opponent, first="random", epsilon=0.3 if opponent == "perfect" else 0.0)
    shown = 0
    for before, actions, rewards, _ in _random_games(env, 9, 400, seed=7):
        picture = tictactoe.CONTROLS.final(before, actions, rewards, "ansi")
        if "then the opponent made three in a row at cell" in picture:  # its choice among several: not kept
            assert opponent != "none" and rewards[0] < 0
            continue
        cells = [c.strip() for c in _cells(picture)]
        lines = {sym for sym in "XO" for line in tictactoe._LINES if all(cells[i] == sym for i in line)}
        mover = 1 if len(before) == 2 and not before[0, 9:].any() else 0
        if not (0 <= actions[mover] < 9 and before[mover, 9 + actions[mover]]):  # illegal: unchanged
            assert sum(c != "·" for c in cells) == np.count_nonzero(before[0, :9])
        elif rewards.max() > 0 or rewards.min() < 0:
            assert len(lines) == 1
        else:
            assert "·" not in cells and not lines
        shown += 1
    assert shown > 300


@pytest.mark.parametrize("opponent", ["greedy", "none"])
def test_connect4_final_positions_agree_with_the_rewards(opponent):
    env = connect4.Connect4(opponent=opponent, first="random")
    shown = 0
    for before, actions, rewards, _ in _random_games(env, 7, 200, seed=3):
        picture = re.sub(r"\x1b\[[0-9;]*m", "", connect4.CONTROLS.final(before, actions, rewards, "ansi"))
        if "then the opponent made four in a row" in picture:
            assert opponent != "none" and rewards[0] < 0
            continue
        board = np.array([[{"·": 0, "X": 1, "O": -1}[c] for c in line[1:-1].split()]
                          for line in picture.splitlines()[:6]])
        mover = 1 if len(before) == 2 and not before[0, 42:].any() else 0
        if not (0 <= actions[mover] < 7 and before[mover, 42 + actions[mover]]):
            assert np.count_nonzero(board) == np.count_nonzero(before[0, :42])
        elif rewards.max() > 0 or rewards.min() < 0:
            winner = 1 if rewards[0] > 0 else -1
            assert connect4._four(board == winner) and not connect4._four(board == -winner)
        else:
            assert board.all() and not connect4._four(board == 1) and not connect4._four(board == -1)
        shown += 1
    assert shown > 150


@pytest.mark.parametrize("opponent", ["random", "greedy"])
def test_tripletriad_final_positions_agree_with_the_envs_score(opponent):
    env = tripletriad.TripleTriad(opponent=opponent, first="random", report_every=1)
    for before, actions, _, infos in _random_games(env, 14, 300, seed=5):
        picture = tripletriad.CONTROLS.final(before, actions, None, "ansi")
        owned = int(re.search(r"cards owned: agent (\d+)", picture).group(1))
        assert owned == infos[0]["score"]


def test_final_positions_draw_frames_too():
    env = tictactoe.TicTacToe(opponent="none", first="agent")
    before, actions, rewards, _ = next(_random_games(env, 9, 1, seed=0))
    frame = tictactoe.CONTROLS.final(before, actions, rewards, "rgb_array")
    assert frame.shape == (96, 96, 3) and frame.dtype == np.uint8


# ---- checkpoints: plain data only ---------------------------------------------------------------


class _Marker:
    """Unpickled, it would create the file ``path``: a stand-in for any code a crafted file runs."""

    def __init__(self, path: Path):
        self.path = path

    def __reduce__(self):
        return (exec, (f"open({str(self.path)!r}, 'w').close()",))


@pytest.fixture(params=["torch-zip", "raw-pickle"])
def crafted(request, tmp_path) -> tuple[Path, Path, str]:
    """A checkpoint file that runs code when unpickled, the marker file that code creates, and its kind."""
    marker = tmp_path / "marker"
    path = tmp_path / "agent.pt"
    payload = {"format": policies.FORMAT, "env": "tictactoe", "config": {}, "x": _Marker(marker)}
    if request.param == "torch-zip":
        torch.save(payload, path)
    else:
        path.write_bytes(pickle.dumps(payload))
    # The file is really dangerous: the old way of loading it (weights_only=False) runs its code
    # (here, harmlessly: it creates the marker; a raw pickle then fails torch's magic-number check).
    try:
        torch.load(path, weights_only=False)
    except RuntimeError:
        assert request.param == "raw-pickle"
    assert marker.exists()
    marker.unlink()
    return path, marker, request.param


@needs_torch
def test_a_crafted_checkpoint_is_refused_without_running_it(crafted, monkeypatch, capsys, tmp_path):
    # Every place that loads a checkpoint: the library, envsdk play, examples/ppo.py (load_agent and
    # --init-checkpoint) and bench/train_demos.py.
    import ppo

    spec = importlib.util.spec_from_file_location("train_demos", ROOT / "bench" / "train_demos.py")
    train_demos = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(train_demos)
    path, marker, kind = crafted
    expected = f"checkpoint {str(path)!r}: expected a torch.save file of plain data (tensors, numbers, strings, "
    loaders = {
        "envsdk.policy.load": lambda: policies.load(path),
        "ppo.load_agent": lambda: ppo.load_agent(path),
        "ppo.py --init-checkpoint": lambda: ppo.main(["--env", "tictactoe", "--init-checkpoint", str(path),
                                                      "--output-dir", str(tmp_path / "run"), "--num-envs", "1"]),
        "train_demos.play_games": lambda: train_demos.play_games(path, 1),
    }
    for name, load in loaders.items():
        with pytest.raises(CheckpointError) as error:
            load()
        assert str(error.value).startswith(expected), name
        if kind == "torch-zip":  # a raw pickle of protocol 4 is refused at its first opcode, FRAME
            assert "found content that imports or calls code (Unsupported global: GLOBAL exec" in str(error.value)
    code, out, err = play(monkeypatch, capsys, "tictactoe", "--checkpoint", str(path))
    assert code == 2 and err.startswith(f"envsdk play: {expected}")
    assert err.count("\n") == 1
    assert not marker.exists()


@needs_torch
def test_checkpoint_keys_and_shapes_are_checked(tmp_path):
    good = random_checkpoint(tmp_path / "good.pt", "tictactoe", 18, 9, legal_mask=9)
    data = torch.load(good, weights_only=True)
    cases = {
        "env": ({**data, "env": 3}, "env: expected the registered env name (a str), found 3"),
        "layers": ({**data, "policy": [data["policy"][1]]}, "policy[0]: expected weight [out, 18] and bias [out], "
                                                            "found weight [9, 16] and bias [9]"),
        "outputs": ({**data, "num_actions": 4, "legal_mask": 0}, "policy[1].weight: expected 4 outputs, found 9"),
        "mask": ({**data, "legal_mask": 3}, "legal_mask: expected 0 or num_actions (9)"),
        "format": ({**data, "format": "other/2"}, "format: expected 'envsdk-policy/1', found 'other/2'"),
        "dtype": ({**data, "policy": [{**data["policy"][0], "bias": torch.zeros(16, dtype=torch.long)},
                                      data["policy"][1]]}, "policy[0].bias: expected a 1-d float tensor, found"),
    }
    for name, (content, message) in cases.items():
        path = tmp_path / f"{name}.pt"
        torch.save(content, path)
        with pytest.raises(CheckpointError, match=re.escape(f"checkpoint {str(path)!r}.{message}")):
            policies.load(path)
    with pytest.raises(CheckpointError, match="found a file torch's plain-data loader cannot read"):
        (tmp_path / "junk.pt").write_text("not a checkpoint")
        policies.load(tmp_path / "junk.pt")


@needs_torch
def test_a_trainers_state_dict_is_refused_for_what_it_is(tmp_path):
    # envsdk reads a network described as data; the actor state dict examples/ppo.py wrote before
    # the format named that example's layers, so the library no longer reads it.
    state = {"actor.0.weight": torch.zeros(8, 18), "actor.0.bias": torch.zeros(8)}
    torch.save({"state_dict": state, "env": "tictactoe", "obs_size": 18}, tmp_path / "old.pt")
    with pytest.raises(CheckpointError) as e:
        policies.load(tmp_path / "old.pt")
    message = str(e.value)
    assert message.startswith(f"checkpoint {str(tmp_path / 'old.pt')!r}.format: expected 'envsdk-policy/1'")
    assert "found a trainer's state_dict" in message and "Fix: " in message


@needs_torch
def test_a_torch_env_plays_on_numpy_buffers_and_its_tensor_default_is_refused_with_the_fix(monkeypatch, capsys):
    code, _, err = play(monkeypatch, capsys, "drive_torch")
    assert code != 0 and "found torch tensors on cpu" in err
    assert "envsdk play drive_torch agents=1 device=null" in err  # a fix the command line reads back
    code, out, _ = play(monkeypatch, capsys, "drive_torch", "agents=1", "device=null", stdin="w\nw\nd\n")
    assert code == 0 and out.count("you to move:") >= 3
    code, out, _ = play(monkeypatch, capsys, "cartpole_torch", "device=null", stdin="d\na\n")
    assert code == 0 and "theta=" in out
