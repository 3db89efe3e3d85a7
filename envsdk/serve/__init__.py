"""``envsdk serve``: play every registered env in a browser, against its opponent, a trained policy or a friend.

``envsdk serve [ENV] [key=value ...] [--checkpoint FILE] [--host 127.0.0.1] [--port 8000]`` starts a
local web server (aiohttp, the optional extra ``serve``). Its index lists every registered env;
``/play/ENV`` plays one, stepping the real env on the server and drawing its ``rgb_array`` frames on
the page. How each env is played comes from its module's ``CONTROLS`` (``envsdk/controls.py``);
the rules of a tab's game are ``envsdk/serve/session.py``, the server ``envsdk/serve/app.py``, the
page ``envsdk/serve/static/``.

The checkpoint is loaded once, when the server starts (plain data only, ``envsdk.policy``); the
browser never names a file.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from typing import Any, TextIO

from envsdk.errors import ConfigError, require


def serve(env: str | None = None, pairs: dict[str, Any] | None = None, *, checkpoint: str | None = None,
          host: str = "127.0.0.1", port: int = 8000, max_sessions: int = 8, idle_timeout: float = 300.0,
          seed: int | None = None, stdout: TextIO | None = None) -> int:
    """Serve until Ctrl-C or SIGTERM (then return 0). ``env`` (a registered name or ``module:Factory``) is listed
    first and played with ``pairs``; with ``checkpoint`` and no ``env``, the checkpoint's env.

    Before serving, every mode of ``env`` is built once, so a bad config, a checkpoint that does
    not fit or a port in use raise (``ConfigError``, ``CheckpointError``, ``UnknownEnvError``,
    ``MissingExtraError`` without aiohttp) instead of failing in a browser later.
    """
    require("aiohttp", "serve", "envsdk serve")
    from envsdk.controls import controls_of, generic
    from envsdk.policy import load
    from envsdk.registry import resolve
    from envsdk.serve.app import Settings, start
    from envsdk.serve.session import Session, mode_config, modes

    stdout = stdout or sys.stdout
    pairs = dict(pairs or {})
    policy = load(checkpoint) if checkpoint else None
    if policy is not None and env is None:
        env = policy.env
    if policy is not None and policy.env != env:
        raise ConfigError.of("envsdk serve", "--checkpoint", f"a policy trained on {env!r}",
                             f"one trained on {policy.env!r}", f"serve {policy.env} (or leave ENV out)")
    if pairs and env is None:
        raise ConfigError.of("envsdk serve", None, "ENV before key=value config", f"config {pairs} and no ENV",
                             "name the env first, e.g. envsdk serve tictactoe opponent=perfect")
    for name in [env] if env is not None else []:  # every mode of the named env, built once
        factory = resolve(name)
        controls = controls_of(factory)
        for mode in modes(controls or generic(0), policy is not None):
            config = mode_config(mode, controls or generic(0), pairs, policy.config if policy is not None else {})
            Session(name, factory, config, controls, mode, policy).close()
    settings = Settings(env=env, pairs=pairs, policy=policy, max_sessions=max_sessions, idle_timeout=idle_timeout,
                        seed=seed)

    async def run() -> None:
        try:
            runner, url = await start(settings, host, port)
        except OSError as e:
            raise ConfigError.of("envsdk serve", "--port", f"a free port on {host}", f"{e.strerror or e}",
                                 "pass another --port, or --port 0 for any free one") from None
        where = f"{url}/play/{env} (every env: {url}/)" if env else f"{url}/"
        print(f"envsdk serve: open {where}; Ctrl-C stops", file=stdout, flush=True)
        stop = asyncio.Event()
        with contextlib.suppress(NotImplementedError):  # no signal handlers on Windows' loop: Ctrl-C only
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)  # `kill`, service managers
        try:
            await stop.wait()
        finally:
            await runner.cleanup()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())
    print("envsdk serve: stopped", file=stdout, flush=True)
    return 0
