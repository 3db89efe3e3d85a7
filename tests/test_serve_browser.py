"""envsdk serve in a real browser: headless Chromium (Debian's chromium + chromedriver) plays on the page.

A person's input goes through the browser's own event pipeline (selenium's actions: real clicks at
pixel positions on the canvas, real key presses), and every check reads what the page shows
(``#status``, ``#notice``, the canvas) or the page's own counters (``window.envsdk``: frames
drawn, key-to-frame latencies measured on the page). Skipped when Chromium, chromedriver,
selenium or aiohttp is missing; CI installs them all (.ci/run).

``ENVSDK_SERVE_SCREENSHOT=PATH`` saves the breakout page's screenshot there (docs/serve.png).
"""

from __future__ import annotations

import os
import shutil
import statistics
import time

import pytest

pytest.importorskip("selenium", reason="the browser tests need selenium (the test extra)")
from serve_helpers import Server, tiny_checkpoint

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                                reason="needs Debian's chromium and chromedriver: apt-get install chromium "
                                       "chromium-driver (.ci/run does)")


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=900,700", "--disable-extensions"):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(30)
    yield driver
    driver.quit()


def wait(predicate, timeout: float = 10.0, what: str = "the page"):
    """Poll ``predicate`` until it returns something truthy (returned), or fail after ``timeout`` s."""
    end = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > end:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


def page(browser, url: str) -> None:
    """Open ``url`` and wait for the first frame."""
    browser.get(url)
    wait(lambda: browser.execute_script("return window.envsdk && window.envsdk.frames > 0"), what="a first frame")


def state(browser, expression: str):
    return browser.execute_script(f"return window.envsdk.{expression}")


def text(browser, element: str) -> str:
    return browser.execute_script(f"return document.getElementById({element!r}).textContent")


def click_action(browser, action: int) -> None:
    """Click the centre of ``action``'s cell of the env's click grid, as a person would, on the canvas."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    grid = next(g for g in state(browser, "hello.clicks")
                if g["first"] <= action < g["first"] + g["rows"] * g["columns"])
    row, column = divmod(action - grid["first"], grid["columns"])
    x = grid["left"] + (column + 0.5) * grid["width"]  # frame pixels
    y = grid["top"] + (row + 0.5) * grid["height"]
    canvas = browser.find_element(By.ID, "screen")
    box = browser.execute_script("const r = arguments[0].getBoundingClientRect(); "
                                 "return [r.width, r.height, arguments[0].width, arguments[0].height]", canvas)
    scale_x, scale_y = box[0] / box[2], box[1] / box[3]
    # selenium's offsets are from the element's centre
    ActionChains(browser).move_to_element_with_offset(canvas, int(x * scale_x - box[0] / 2),
                                                      int(y * scale_y - box[1] / 2)).click().perform()


def play_by_clicks(browser, illegal_first: bool = False) -> list[int]:
    """Click the first legal move until the game is over (an illegal click first, if asked); the moves."""
    moves = []
    while not state(browser, "last.over"):
        legal, step = state(browser, "last.legal"), state(browser, "last.step")
        if illegal_first and moves:
            taken = next(a for a in range(len(state(browser, "hello.actions"))) if a not in legal)
            click_action(browser, taken)
            wait(lambda: "is not a legal move now" in text(browser, "notice"), what="the refusal")
            assert state(browser, "last.step") == step and not state(browser, "last.over")  # nothing happened
            illegal_first = False
        click_action(browser, legal[0])
        moves.append(legal[0])
        wait(lambda s=step: state(browser, "last.step") != s, what="the move's frame")
    return moves


def test_tictactoe_full_game_by_clicks_with_an_illegal_click_refused(browser):
    with Server(env="tictactoe", pairs={"opponent": "perfect", "first": "agent"}) as server:
        page(browser, f"{server.url}/play/tictactoe")
        assert "click an empty cell" in text(browser, "legend") and text(browser, "status") == "your move"
        moves = play_by_clicks(browser, illegal_first=True)
        status = text(browser, "status")
        # the perfect opponent never loses; moving first against it is a loss or a draw
        assert status.startswith("game over: ") and ("you lost" in status or "draw" in status), status
        assert 3 <= len(moves) <= 5
        # a click on the finished board starts the next game
        step = state(browser, "last.episode")
        click_action(browser, 4)
        wait(lambda: state(browser, "last.episode") == step + 1 and not state(browser, "last.over"),
             what="the next game")
        assert text(browser, "status") == "your move"


def test_two_people_at_one_page_take_turns(browser):
    with Server(env="tictactoe", pairs={"first": "agent"}) as server:
        page(browser, f"{server.url}/play/tictactoe?mode=two")
        assert "player 1: blue marks" in text(browser, "legend")
        for cell, status in zip((0, 3, 1, 4, 2), ["player 2 to move", "player 1 to move"] * 2 + [None], strict=True):
            step = state(browser, "last.step")
            click_action(browser, cell)
            wait(lambda s=step: state(browser, "last.step") != s, what="the move")
            if status:
                assert text(browser, "status") == status
        assert text(browser, "status").startswith("game over: player 1 won")


def test_connect4_game_by_clicks(browser):
    with Server(env="connect4") as server:
        page(browser, f"{server.url}/play/connect4")
        assert "click a column" in text(browser, "legend")
        moves = play_by_clicks(browser)
        status = text(browser, "status")
        assert status.startswith("game over: ") and any(w in status for w in ("you won", "you lost", "draw"))
        assert len(moves) >= 4  # four stones at least to end a game


def test_breakout_by_keys_frames_change_score_updates_and_latency(browser):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    with Server(env="breakout") as server:
        page(browser, f"{server.url}/play/breakout")
        assert "press a key to start" in text(browser, "status")
        first = browser.execute_script("return document.getElementById('screen').toDataURL()")
        ActionChains(browser).send_keys(Keys.SPACE).perform()  # serve: the game starts
        wait(lambda: state(browser, "last.step") > 3, what="ticks")
        # the served ball climbs to the bricks: the score text updates
        wait(lambda: not text(browser, "status").startswith("score 0 "), timeout=10, what="a broken brick")
        assert browser.execute_script("return document.getElementById('screen').toDataURL()") != first
        x_before = state(browser, "last.step")
        latencies = []
        for k in range(16):  # short taps, left and right, at a person's pace
            key = Keys.ARROW_LEFT if k % 2 else Keys.ARROW_RIGHT
            ActionChains(browser).key_down(key).pause(0.06).key_up(key).perform()
            time.sleep(0.05)
        wait(lambda: len(state(browser, "latencies")) >= 16, what="the taps' frames")
        latencies = state(browser, "latencies")[-16:]
        assert state(browser, "last.step") > x_before
        median = statistics.median(latencies)
        print(f"\nbreakout key-to-frame latency, ms: median {median:.1f}, min {min(latencies):.1f}, "
              f"max {max(latencies):.1f} over {len(latencies)} key presses (tick 50 ms)")
        assert median <= 150, latencies  # the target is <= 50 ms; the bound leaves room for a busy CI machine
        if os.environ.get("ENVSDK_SERVE_SCREENSHOT"):
            browser.save_screenshot(os.environ["ENVSDK_SERVE_SCREENSHOT"])
        # the frames per second one session sustains with no tick at all
        browser.execute_script("window.envsdk.send({type: 'speed', tick: 0})")
        time.sleep(0.3)
        frames, step, start = state(browser, "frames"), state(browser, "last.step"), time.monotonic()
        time.sleep(2.0)
        seconds = time.monotonic() - start
        drawn, stepped = (state(browser, "frames") - frames) / seconds, (state(browser, "last.step") - step) / seconds
        print(f"breakout, one session at tick 0: the server stepped and sent {stepped:.0f} frames/s, "
              f"the page drew {drawn:.0f} frames/s")
        assert drawn > 20


def test_watching_a_policy_play_with_pause_and_step(browser, tmp_path):
    checkpoint = tiny_checkpoint(tmp_path / "agent.pt", "tictactoe", 18, 9, legal_mask=9)
    import envsdk.policy as policies

    with Server(env="tictactoe", policy=policies.load(checkpoint)) as server:
        page(browser, f"{server.url}/play/tictactoe?mode=watch")
        assert text(browser, "status") == "the policy to move"
        browser.find_element("id", "faster").click()
        browser.find_element("id", "faster").click()  # 0.6 s -> 0.15 s a move
        wait(lambda: "game over: the policy " in text(browser, "status"), what="the policy's game to end")
        assert any(w in text(browser, "status") for w in ("won", "lost", "draw"))
        wait(lambda: not state(browser, "last.over"), what="the next game")
        browser.find_element("id", "pause").click()
        wait(lambda: state(browser, "last.paused"), what="the pause")
        step = state(browser, "last.step")
        time.sleep(0.5)
        assert state(browser, "last.step") == step  # paused: nothing moves
        browser.find_element("id", "step").click()
        wait(lambda: state(browser, "last.step") == step + 1 or state(browser, "last.over"), what="one step")
        time.sleep(0.4)
        assert state(browser, "last.step") in (step + 1, step)  # one step, then paused again
