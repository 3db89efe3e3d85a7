"""envsdk serve without a browser: the session rules, every bundled env's controls, the server's error paths,
its session limits and the command line. The browser tests are tests/test_serve_browser.py."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import numpy as np
import pytest

aiohttp = pytest.importorskip("aiohttp", reason="envsdk serve needs aiohttp (the serve extra)")
from serve_helpers import Server, header, tiny_checkpoint  # noqa: E402
from tiny_env import TINY_SOURCE  # noqa: E402

from envsdk.cli import main  # noqa: E402
from envsdk.controls import controls_of  # noqa: E402
from envsdk.errors import MessageError  # noqa: E402
from envsdk.registry import ENVS, resolve  # noqa: E402
from envsdk.render import png  # noqa: E402
from envsdk.serve.session import Session, mode_config, modes, parse  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def session(name: str, mode: str = "play", policy=None, **pairs) -> Session:
    factory = resolve(name)
    controls = controls_of(factory)
    config = mode_config(mode, controls, pairs, policy.config if policy is not None else {})
    return Session(name, factory, config, controls, mode, policy, seed=0)


def picture(frame: bytes) -> np.ndarray:
    """Decode a frame message's PNG (envsdk.render.png's form: RGB, filter 0) back to pixels."""
    _, data = header(frame)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    length = struct.unpack(">I", data[33:37])[0]
    assert data[37:41] == b"IDAT"
    rows = np.frombuffer(zlib.decompress(data[41:41 + length]), np.uint8).reshape(height, 1 + 3 * width)
    assert (rows[:, 0] == 0).all()
    return rows[:, 1:].reshape(height, width, 3)


# ---- frames and messages -------------------------------------------------------------------------


def test_png_round_trips_a_frame_and_pillow_reads_it():
    frame = np.random.default_rng(0).integers(0, 256, (7, 5, 3), dtype=np.uint8)
    data = png(frame)
    assert np.array_equal(picture(struct.pack(">I", 2) + b"{}" + data), frame)
    image = pytest.importorskip("PIL.Image")
    import io

    assert np.array_equal(np.asarray(image.open(io.BytesIO(data)).convert("RGB")), frame)


@pytest.mark.parametrize("message, problem", [
    (b"\x00\x01", "found a binary message"),
    ("{", "found invalid JSON"),
    ("[1, 2]", "expected a JSON object, found list"),
    ('{"type": "jump"}', "message.type: expected one of key, action, pause, step, speed, new, found 'jump'"),
    ('{"type": "new", "extra": 1}', "found also 'extra'"),
    ('{"type": "action"}', "message 'action'.action: expected a int, found None"),
    ('{"type": "action", "action": true}', "expected a int, found True"),
    ('{"type": "action", "action": 1.5}', "expected a int, found 1.5"),
    ('{"type": "key", "key": "a", "down": 1}', "message 'key'.down: expected a bool, found 1"),
    ('{"type": "speed", "tick": -1}', "tick: expected seconds in [0, 10], found -1"),
    ('{"type": "speed", "tick": NaN}', "tick: expected seconds in [0, 10], found nan"),
    ('{"type": "speed", "tick": "fast"}', "tick: expected a float, found 'fast'"),
    ('{"type": "new", "seq": "1"}', "message 'new'.seq: expected a int"),
])
def test_malformed_messages_are_refused_with_what_is_wrong(message, problem):
    with pytest.raises(MessageError, match="Fix: ") as error:
        parse(message)
    assert problem in str(error.value)


def test_well_formed_messages_parse():
    assert parse('{"type": "key", "key": "left", "down": true, "seq": 3}')["seq"] == 3
    assert parse('{"type": "speed", "tick": 0}')["tick"] == 0
    assert parse('{"type": "action", "action": 4}')["action"] == 4


# ---- every bundled env, as the page plays it -------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ENVS))
def test_every_bundled_env_plays_in_the_browser_session(name):
    """The controls fit the frame (click grids inside it, keys naming actions), and a game runs:
    arcade games on the tick, board games by their first legal click."""
    s = session(name)
    try:
        c = s.controls
        first = picture(s.frame())
        height, width, _ = first.shape
        assert s.realtime == c.single_key and (c.single_key == bool(c.keys))
        assert all(0 <= a < s.n for a in c.keys.values())
        if not c.single_key:
            assert c.clicks, f"{name}: a board game needs click grids"
        cells = []
        for g in c.clicks:
            assert g.left >= 0 and g.top >= 0 and g.left + g.columns * g.width <= width
            assert g.top + g.rows * g.height <= height
            cells += range(g.first, g.first + g.rows * g.columns)
        assert len(cells) == len(set(cells)) and all(0 <= a < s.n for a in cells)
        if not c.single_key:  # every action a person may need is reachable by a click
            assert sorted(cells) == list(range(s.n))
        for _ in range(30):
            if s.over:
                break
            if s.realtime:
                s.apply({"type": "key", "key": next(iter(c.keys)), "down": True})
                s.advance()
            else:
                assert s.apply({"type": "action", "action": s.legal()[0]})
        frame = s.frame()
        assert header(frame)[0]["step"] == s.steps > 0
        assert picture(frame).shape == (height, width, 3)
    finally:
        s.close()


def test_a_board_game_refuses_illegal_and_out_of_turn_moves_without_ending():
    s = session("tictactoe", opponent="perfect", first="agent")
    assert s.apply({"type": "action", "action": 0}) and s.steps == 1
    assert header(s.frame())[1]  # the move's picture
    taken = next(a for a in range(9) if a not in s.legal())
    assert s.apply({"type": "action", "action": taken})
    h, data = header(s.frame())
    assert h["notice"] == f"cell {taken} is not a legal move now" and data == b""  # no new picture
    assert s.steps == 1 and not s.over and h["status"] == "your move"
    s.apply({"type": "action", "action": 99})
    assert header(s.frame())[0]["notice"] == "action 99 is not a legal move now" and s.steps == 1
    s.close()


def test_two_people_take_turns_and_the_winner_is_named():
    s = session("tictactoe", "two", first="agent")
    assert header(s.frame())[0]["status"] == "player 1 to move"
    for cell, status in zip((0, 3, 1, 4), ("player 2 to move", "player 1 to move") * 2, strict=True):
        s.apply({"type": "action", "action": cell})
        assert header(s.frame())[0]["status"] == status
    s.apply({"type": "action", "action": 2})
    assert s.over and header(s.frame())[0]["status"].startswith("game over: player 1 won.")
    # the final position is drawn (the env itself already restarted): three blue marks on the top row
    s.apply({"type": "new"})
    assert not s.over and s.episode == 2 and s.steps == 0
    s.close()


def test_arcade_ticks_take_a_tap_between_ticks_then_the_idle_action():
    s = session("breakout")
    assert s.paused and not s.ticking() and "press a key to start" in s.status()
    s.apply({"type": "key", "key": "left", "down": True, "seq": 1})
    s.apply({"type": "key", "key": "left", "down": False, "seq": 2})  # released before the tick
    assert s.ticking() and not s.paused
    s.advance()
    assert s.env.buffers.actions[0] == 2 and s.ack == 2  # LEFT, and the frame follows both messages
    s.advance()
    assert s.env.buffers.actions[0] == 0  # no key held: NOOP
    s.apply({"type": "key", "key": "d", "down": True})
    s.advance()
    s.advance()
    assert s.env.buffers.actions[0] == 3  # held: RIGHT on every tick
    s.apply({"type": "pause", "paused": True})
    steps = s.steps
    assert not s.ticking() and "paused" in s.status()
    s.apply({"type": "step"})
    assert s.steps == steps + 1 and s.paused
    s.apply({"type": "speed", "tick": 0.2})
    assert s.tick == 0.2
    s.close()


def test_snake_keeps_the_last_key_and_plays_among_bots():
    s = session("snake", snakes=3)
    assert s.kinds == ["person", "bot", "bot"]
    s.apply({"type": "key", "key": "up", "down": True})
    s.apply({"type": "key", "key": "up", "down": False})
    s.advance()
    s.advance()
    assert s.env.buffers.actions[0] == 0  # idle=None: the last key (up) goes on
    s.close()


def test_watching_holds_the_final_position_then_plays_on(tmp_path):
    import envsdk.policy as policies

    policy = policies.load(tiny_checkpoint(tmp_path / "agent.pt", "tictactoe", 18, 9, legal_mask=9))
    s = session("tictactoe", "watch", policy)
    assert s.ticking() and s.status() == "the policy to move" and s.legal() is None
    while not s.over:
        s.advance()
    assert s.status().startswith("game over: the policy ") and s.ticking()
    for _ in range(4):
        s.advance()
    assert not s.over and s.episode == 2
    s.close()
    arcade = session("breakout", "watch", policies.load(tiny_checkpoint(tmp_path / "b.pt", "breakout", 115, 4)))
    assert arcade.ticking() and not arcade.realtime and arcade.hello(["play", "watch"])["keys"] == {}
    arcade.advance()
    assert arcade.status() == "score 0 · step 1" and arcade.legal() is None
    arcade.close()
    v = session("tictactoe", "versus", policy, first="agent")
    assert v.kinds == ["person", "policy"] and not v.ticking() and v.status() == "your move"
    v.apply({"type": "action", "action": 4})
    assert v.ticking() and v.legal() is None and v.status() == "the policy to move"
    v.apply({"type": "action", "action": 0})
    assert header(v.frame())[0]["notice"] == "not your move" and v.steps == 1
    v.advance()
    assert v.steps == 2 and v.status() == "your move" and not v.ticking()
    v.close()


def test_modes_follow_the_controls_and_the_checkpoint():
    assert modes(controls_of(resolve("tictactoe")), False) == ["play", "two"]
    assert modes(controls_of(resolve("tictactoe")), True) == ["play", "two", "watch", "versus"]
    assert modes(controls_of(resolve("breakout")), True) == ["play", "watch"]
    snake = controls_of(resolve("snake"))
    assert mode_config("play", snake, {"snakes": 2}, {}) == {**snake.config, "snakes": 2}
    assert mode_config("versus", controls_of(resolve("connect4")), {"first": "opponent"}, {"depth": 2}) == {
        "depth": 2, "first": "opponent", "opponent": "none"}


# ---- the server ------------------------------------------------------------------------------------


def get(url: str) -> tuple[int, str]:
    async def fetch():
        async with aiohttp.ClientSession() as client, client.get(url) as response:
            return response.status, await response.text()
    return asyncio.run(fetch())


async def connect(client, url: str):
    ws = await client.ws_connect(url)
    hello = json.loads((await ws.receive(timeout=10)).data)
    first = await ws.receive(timeout=10)
    return ws, hello, first


@pytest.fixture
def tiny_entry_point(tmp_path, monkeypatch):
    """A third-party package that registers 'tinyplay' under the envsdk.envs entry point, on sys.path."""
    (tmp_path / "tinyplay").mkdir()
    (tmp_path / "tinyplay" / "__init__.py").write_text(TINY_SOURCE)
    info = tmp_path / "tinyplay-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: tinyplay\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[envsdk.envs]\ntinyplay = tinyplay:Tiny\n")
    monkeypatch.syspath_prepend(str(tmp_path))


def test_index_lists_every_env_and_an_entry_point_env_plays_with_buttons(tiny_entry_point):
    with Server() as server:
        status, page = get(server.url + "/")
        assert status == 200
        for name in [*ENVS, "tinyplay"]:
            assert f'href="/play/{name}?mode=play"' in page
        assert "(entry point)" in page and 'href="/play/tictactoe?mode=two"' in page and "mode=watch" not in page
        status, page = get(server.url + "/play/tinyplay")
        assert status == 200 and '<canvas id="screen"' in page and '<div id="status">' in page

        async def play():
            async with aiohttp.ClientSession() as client:
                ws, hello, first = await connect(client, server.url + "/ws/tinyplay")
                assert hello["actions"] == ["action 0", "action 1"] and hello["clicks"] == [] and not hello["keys"]
                h, data = header(first.data)
                assert h["legal"] == [0, 1] and h["step"] == 0 and data == b""  # no render: no picture
                await ws.send_str(json.dumps({"type": "action", "action": 1}))
                h, _ = header((await ws.receive(timeout=10)).data)
                assert h["step"] == 1 and h["status"] == "score 1 · your move"
                await ws.close()
        asyncio.run(play())


def test_unknown_envs_modes_and_files_are_404():
    with Server() as server:
        for path, words in [("/play/nope", "no env 'nope' here"), ("/ws/nope", "no env 'nope'"),
                            ("/play/tictactoe?mode=watch", "no mode 'watch' here"),
                            ("/play/breakout?mode=two", "expected one of play"),
                            ("/static/secret.py", "no static file"), ("/static/..%2Fapp.py", "")]:
            status, text = get(server.url + path)
            assert status == 404 and words in text, (path, text)
        assert get(server.url + "/static/play.js")[0] == 200


def test_a_websocket_from_another_sites_page_is_refused():
    with Server() as server:
        async def run():
            async with aiohttp.ClientSession() as client:
                with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                    await client.ws_connect(server.url + "/ws/tictactoe", origin="http://evil.example")
                assert refused.value.status == 403
                ws, hello, _ = await connect(client, server.url + "/ws/tictactoe")  # the page's own origin: fine
                await ws.close()
                ws = await client.ws_connect(server.url + "/ws/tictactoe", origin=server.url)
                assert json.loads((await ws.receive(timeout=10)).data)["type"] == "hello"
                await ws.close()
        asyncio.run(run())


def test_playing_the_policy_it_answers_a_tick_after_your_move(tmp_path):
    import envsdk.policy as policies

    policy = policies.load(tiny_checkpoint(tmp_path / "agent.pt", "tictactoe", 18, 9, legal_mask=9))
    with Server(env="tictactoe", pairs={"first": "agent"}, policy=policy) as server:
        async def run():
            async with aiohttp.ClientSession() as client:
                ws, hello, first = await connect(client, server.url + "/ws/tictactoe?mode=versus")
                assert hello["mode"] == "versus" and hello["ticking"] and "the policy" in hello["sides"][1]
                assert header(first.data)[0]["status"] == "your move"
                await ws.send_str(json.dumps({"type": "speed", "tick": 0.1}))
                await ws.receive(timeout=10)
                await ws.send_str(json.dumps({"type": "action", "action": 4}))
                mine = header((await ws.receive(timeout=10)).data)[0]
                assert mine["step"] == 1 and mine["legal"] is None and mine["status"] == "the policy to move"
                sent = time.monotonic()
                reply = header((await ws.receive(timeout=10)).data)[0]
                assert reply["step"] == 2 and 4 not in reply["legal"] and reply["status"] == "your move"
                assert 0.05 < time.monotonic() - sent < 5  # one tick later, not at once
                await ws.close()
        asyncio.run(run())


def test_malformed_and_oversized_messages_close_that_socket_and_the_server_goes_on():
    with Server(max_message=256) as server:
        async def run():
            async with aiohttp.ClientSession() as client:
                other, _, first = await connect(client, server.url + "/ws/tictactoe")
                for bad, code, words in [("not json", 1003, "found invalid JSON"),
                                         ('{"type": "fly"}', 1003, "expected one of key, action"),
                                         (b"binary", 1003, "found a binary message"),
                                         (json.dumps({"type": "new", "pad": "x" * 300}), 1009, None)]:
                    ws, _, _ = await connect(client, server.url + "/ws/tictactoe")
                    await (ws.send_bytes(bad) if isinstance(bad, bytes) else ws.send_str(bad))
                    message = await ws.receive(timeout=10)
                    if words is not None:
                        assert message.type is aiohttp.WSMsgType.TEXT
                        error = json.loads(message.data)
                        assert error["type"] == "error" and words in error["message"] and "Fix: " in error["message"]
                        message = await ws.receive(timeout=10)
                    assert message.type is aiohttp.WSMsgType.CLOSE and message.data == code, message
                # the other tab plays on (a legal cell: seeded afresh, the opponent may have moved first)
                move = header(first.data)[0]["legal"][0]
                await other.send_str(json.dumps({"type": "action", "action": move}))
                assert header((await other.receive(timeout=10)).data)[0]["step"] == 1
                await other.close()
        asyncio.run(run())
        assert get(server.url + "/")[0] == 200
        wait_for(lambda: server.sockets() == 0)


def wait_for(predicate, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.02)


def test_sessions_are_bounded_each_tab_has_its_own_env_and_closing_frees_it(monkeypatch):
    closed = []
    close = Session.close
    monkeypatch.setattr(Session, "close", lambda self: (closed.append(self), close(self)))
    with Server(max_sessions=2) as server:
        async def run():
            async with aiohttp.ClientSession() as client:
                a, _, a_first = await connect(client, server.url + "/ws/tictactoe")
                b, _, _ = await connect(client, server.url + "/ws/connect4")
                assert server.sockets() == 2
                c = await client.ws_connect(server.url + "/ws/tictactoe")
                error = json.loads((await c.receive(timeout=10)).data)
                assert "expected at most 2 open tabs" in error["message"]
                assert (await c.receive(timeout=10)).data == 1013  # try again later
                state = header(a_first.data)[0]
                for _ in range(2):  # two moves in a's game, then one in b's: each tab its own env
                    await a.send_str(json.dumps({"type": "action", "action": state["legal"][0]}))
                    state = header((await a.receive(timeout=10)).data)[0]
                await b.send_str(json.dumps({"type": "action", "action": 0}))
                assert state["step"] == 2 and header((await b.receive(timeout=10)).data)[0]["step"] == 1
                await a.close()
                wait_for(lambda: server.sockets() == 1)
                d, _, first = await connect(client, server.url + "/ws/tictactoe")
                assert header(first.data)[0]["step"] == 0  # a fresh env, not a's
                await b.close()
                await d.close()
        asyncio.run(run())
        wait_for(lambda: server.sockets() == 0)
    assert len(closed) == 3 and len({id(s.env) for s in closed}) == 3


def test_an_idle_tab_is_closed_and_its_env_freed():
    with Server(idle_timeout=0.4) as server:
        async def run():
            async with aiohttp.ClientSession() as client:
                ws, _, _ = await connect(client, server.url + "/ws/breakout")
                started = time.monotonic()
                error = json.loads((await ws.receive(timeout=10)).data)
                assert "closed after 0.4 s without input" in error["message"]
                assert (await ws.receive(timeout=10)).data == 1001
                assert 0.3 < time.monotonic() - started < 5
        asyncio.run(run())
        wait_for(lambda: server.sockets() == 0)


# ---- the command line --------------------------------------------------------------------------


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_serve_binds_127_0_0_1_by_default_and_stops_on_ctrl_c_or_sigterm(stop):
    from envsdk.cli import build_parser

    assert build_parser().parse_args(["serve"]).host == "127.0.0.1"
    process = subprocess.Popen([sys.executable, "-m", "envsdk", "serve", "tictactoe", "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT / "tests")
    try:
        line = process.stdout.readline()
        assert line.startswith("envsdk serve: open http://127.0.0.1:") and "/play/tictactoe" in line, line
        base = line.split("(every env: ")[1].split("/)")[0]
        assert get(base + "/")[0] == 200
        process.send_signal(stop)
        out, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0 and "envsdk serve: stopped" in out, err


@pytest.mark.parametrize("argv, words", [
    (["nope"], "env 'nope': expected a registered name"),
    (["tictactoe", "colour=red"], "TicTacToe"),
    (["first=agent"], "expected ENV before key=value config, found 'first=agent'"),
    (["snake", "snakes=2", "width=1", "height=1"], "snakes"),
])
def test_serve_refuses_a_bad_command_line_in_one_line(capsys, argv, words):
    assert main(["serve", *argv, "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("envsdk serve: ") and words in err and len(err.strip().splitlines()) == 1, err


def test_serve_refuses_a_checkpoint_of_another_env_and_a_port_in_use(capsys, tmp_path):
    checkpoint = tiny_checkpoint(tmp_path / "agent.pt", "connect4", 49, 7, legal_mask=7)
    assert main(["serve", "tictactoe", "--checkpoint", str(checkpoint)]) == 2
    assert "expected a policy trained on 'tictactoe', found one trained on 'connect4'" in capsys.readouterr().err
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        assert main(["serve", "--port", str(taken.getsockname()[1])]) == 2
    assert "--port: expected a free port on 127.0.0.1" in capsys.readouterr().err


def test_serve_without_aiohttp_names_the_extra(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "aiohttp", None)
    assert main(["serve", "tictactoe"]) == 2
    err = capsys.readouterr().err
    assert "envsdk serve: expected the optional package 'aiohttp'" in err and "pip install 'aiohttp>=3.9'" in err


def test_the_play_page_ships_as_package_data():
    """pyproject's package-data covers every file the server reads (a non-editable install gets them;
    tests/test_quickstart.py's slow test checks that install)."""
    from fnmatch import fnmatch

    tomllib = pytest.importorskip("tomllib")
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "envsdk.serve" in data["packages"]
    patterns = data["package-data"]["envsdk.serve"]
    files = [p.relative_to(ROOT / "envsdk" / "serve").as_posix() for p in (ROOT / "envsdk/serve/static").iterdir()]
    assert {"static/play.html", "static/play.js", "static/play.css"} <= set(files)
    assert all(any(fnmatch(f, p) for p in patterns) for f in files), (files, patterns)


def test_readme_section_has_the_command_a_small_screenshot_and_commands_that_parse():
    import re
    import shlex

    from envsdk.cli import build_parser

    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Play in a browser: `envsdk serve`", 1)[1].split("\n## ", 1)[0]
    first, more = re.findall(r"```bash\n(.*?)```", section, re.S)
    assert first.split("#")[0].strip() == "python -m pip install '.[serve]' && envsdk serve"
    assert "](docs/serve.png)" in section
    shot = ROOT / "docs" / "serve.png"
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size < 100_000
    for line in more.strip().splitlines():
        argv = shlex.split(line.split("#")[0])
        assert argv[:2] == ["envsdk", "serve"]
        args, rest = build_parser().parse_known_args(argv[1:])
        assert args.command == "serve" and all("=" in r for r in rest), line
