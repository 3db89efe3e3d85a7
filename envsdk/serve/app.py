"""``envsdk serve``'s web server, on aiohttp: the index, the play page and one WebSocket per tab.

Routes: ``/`` lists every registered env (bundled and entry points) with a link per mode;
``/play/ENV?mode=MODE`` is the play page (the static files in ``static/``); ``/ws/ENV?mode=MODE``
is the page's WebSocket, where each connection gets its own ``Session`` (its own env), freed
when the socket closes. Unknown envs and modes are 404; a WebSocket opened by another site's page
(its ``Origin`` header names another host) is 403.

The WebSocket: the server sends a ``hello`` (JSON text), then a frame (binary, ``Session.frame``)
after every step and every change of state; the page sends JSON text messages
(``session.parse``). A message that is not valid closes that socket with code 1003 after an
``error`` message; one over ``max_message`` bytes closes it with 1009 (aiohttp's limit). A tab
that sends nothing for ``idle_timeout`` seconds is closed with 1001, and past ``max_sessions``
open sockets a new one gets an ``error`` and code 1013 (try again later). The server goes on
serving in every case.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import sys
from dataclasses import dataclass, field
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from aiohttp import WSCloseCode, WSMsgType, web

from envsdk.controls import controls_of, generic
from envsdk.errors import MessageError
from envsdk.registry import ENVS, registered, resolve
from envsdk.serve.session import MODES, Session, mode_config, modes, parse

log = logging.getLogger("envsdk.serve")


@dataclass
class Settings:
    """What a server is started with; fixed while it runs (the browser never names a file)."""

    env: str | None = None
    """The env named on the command line (first on the index), or None."""
    pairs: dict[str, Any] = field(default_factory=dict)
    """Its ``key=value`` config; the other envs play their default (playable) config."""
    policy: Any = None
    """The loaded checkpoint (``envsdk.policy.Policy``), or None; it plays ``policy.env`` only."""
    max_sessions: int = 8
    """Open WebSockets (tabs) at most; one more is refused."""
    idle_timeout: float = 300.0
    """Seconds a tab may send nothing before its socket is closed and its env freed."""
    max_message: int = 1024
    """Bytes a page's message may have; a longer one closes its socket."""
    seed: int | None = None
    """Seed of every session's env (None: fresh ones)."""

    def envs(self) -> dict[str, str]:
        """Every env the server plays: the registered ones, and a ``module:Factory`` named on the command line."""
        found = registered()
        if self.env is not None and self.env not in found:
            found[self.env] = self.env
        return found


_SETTINGS: web.AppKey[Settings] = web.AppKey("settings", Settings)
SOCKETS: web.AppKey[set] = web.AppKey("sockets", set)
"""The app's open WebSockets (one per tab with a session)."""


def build_app(settings: Settings) -> web.Application:
    """The aiohttp application serving ``settings``'s envs."""
    app = web.Application()
    app[_SETTINGS], app[SOCKETS] = settings, set()
    static = resources.files("envsdk.serve").joinpath("static")
    app.router.add_get("/", _index)
    app.router.add_get("/play/{env}", _play)
    app.router.add_get("/ws/{env}", _websocket)
    app.router.add_get("/static/{file}", _static(static))
    app.on_shutdown.append(_close_sockets)
    return app


def _static(folder):
    """The handler of ``/static/FILE``: the package's files by name (no paths), else 404."""
    types = {".js": "text/javascript", ".css": "text/css", ".html": "text/html"}

    async def handler(request: web.Request) -> web.Response:
        name = request.match_info["file"]
        suffix = name[name.rfind("."):]
        item = folder.joinpath(name)
        if "/" in name or suffix not in types or not item.is_file():
            raise web.HTTPNotFound(text=f"no static file {name!r}")
        return web.Response(body=item.read_bytes(), content_type=types[suffix], charset="utf-8")

    return handler


def _lookup(request: web.Request):
    """``(settings, name, factory, controls, mode)`` of a play or WebSocket request, or 404 saying why."""
    settings, name = request.app[_SETTINGS], request.match_info["env"]
    envs = settings.envs()
    if name not in envs:
        raise web.HTTPNotFound(text=f"no env {name!r} here: expected one of {', '.join(sorted(envs))} (see /)")
    try:
        factory = resolve(envs[name])
    except Exception as e:  # e.g. a torch-native env without torch: the index lists it with the same reason
        raise web.HTTPNotFound(text=f"{name} cannot be loaded: {type(e).__name__}: {e}") from None
    policy = settings.policy if settings.policy is not None and settings.policy.env == name else None
    controls = controls_of(factory)  # None: Session plays it with generic controls
    mode = request.query.get("mode", "play")
    offered = modes(controls or generic(0), policy is not None)
    if mode not in offered:
        raise web.HTTPNotFound(text=f"{name}: no mode {mode!r} here: expected one of {', '.join(offered)} "
                                    "(watch and versus need envsdk serve --checkpoint with a policy for this env)")
    return settings, name, factory, controls, mode, policy, offered


async def _index(request: web.Request) -> web.Response:
    settings = request.app[_SETTINGS]
    envs = settings.envs()
    names = sorted(envs, key=lambda n: (n != settings.env, n))
    items = []
    for name in names:
        origin = "bundled" if name in ENVS else "entry point" if ":" not in name else "from the command line"
        try:
            factory = resolve(envs[name])
            controls = controls_of(factory) or generic(0)
            has_policy = settings.policy is not None and settings.policy.env == name
            links = " ".join(f'<a href="/play/{html.escape(name)}?mode={m}">{html.escape(MODES[m])}</a>'
                             for m in modes(controls, has_policy))
            module = sys.modules.get(getattr(factory, "__module__", "") or "")
            doc = ((getattr(module, "__doc__", None) or factory.__doc__ or "").strip().splitlines() or [""])[0]
        except Exception as e:  # an entry point that does not import: listed, with why
            links, doc = "", f"cannot be loaded: {type(e).__name__}: {e}"
        items.append(f'<li class="env" id="env-{html.escape(name)}"><b>{html.escape(name)}</b> '
                     f'<span class="links">{links}</span> <small>({origin}) {html.escape(doc)}</small></li>')
    page = (_page_head("envsdk serve") + '<h1>envsdk serve</h1><p>Pick a game. Board games: click the board. '
            'Arcade games: keys.</p><ul id="envs">' + "".join(items) + "</ul></body></html>")
    return web.Response(text=page, content_type="text/html")


def _page_head(title: str) -> str:
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            '<link rel="stylesheet" href="/static/play.css"></head><body>')


async def _play(request: web.Request) -> web.Response:
    _lookup(request)
    page = resources.files("envsdk.serve").joinpath("static", "play.html").read_text()
    return web.Response(text=page, content_type="text/html")


async def _websocket(request: web.Request) -> web.WebSocketResponse:
    settings, name, factory, controls, mode, policy, offered = _lookup(request)
    origin = request.headers.get("Origin")
    if origin is not None and urlsplit(origin).netloc != request.host:
        # Browsers send the page's origin: another site's page may not open games (or use up the tabs) here.
        raise web.HTTPForbidden(text=f"WebSocket from origin {origin!r}: expected this server's own pages "
                                     f"(http://{request.host})")
    ws = web.WebSocketResponse(max_msg_size=settings.max_message)
    await ws.prepare(request)
    sockets = request.app[SOCKETS]
    if len(sockets) >= settings.max_sessions:
        await _refuse(ws, f"envsdk serve: expected at most {settings.max_sessions} open tabs, found that many "
                          "already. Fix: close another tab (or start the server with a larger --max-sessions).",
                      WSCloseCode.TRY_AGAIN_LATER)
        return ws
    sockets.add(ws)
    try:
        pairs = settings.pairs if name == settings.env else {}
        config = mode_config(mode, controls or generic(0), pairs, policy.config if policy is not None else {})
        try:
            session = Session(name, factory, config, controls, mode, policy, seed=settings.seed)
        except Exception as e:  # the env's own constructor may raise anything: that tab is told, the server goes on
            await _refuse(ws, f"envsdk serve: {name} cannot start: {type(e).__name__}: {e}",
                          WSCloseCode.INTERNAL_ERROR)
            return ws
        try:
            await ws.send_str(json.dumps(session.hello(offered)))
            await ws.send_bytes(session.frame())
            await _run(ws, session, settings.idle_timeout)
        finally:
            session.close()
    finally:
        sockets.discard(ws)
    return ws


async def _refuse(ws: web.WebSocketResponse, message: str, code: int) -> None:
    """Tell the page why, then close its socket with ``code``."""
    log.info("closing a socket (%s): %s", code, message)
    if not ws.closed:
        await ws.send_str(json.dumps({"type": "error", "message": message}))
        await ws.close(code=code, message=message[:120].encode())


async def _run(ws: web.WebSocketResponse, session: Session, idle_timeout: float) -> None:
    """The tab's loop: take messages as they come and step on the tick, until the socket closes."""
    loop = asyncio.get_running_loop()
    last_input = last_step = loop.time()
    receive = asyncio.ensure_future(ws.receive())
    try:
        while True:
            now = loop.time()
            if now - last_input >= idle_timeout:
                await _refuse(ws, f"envsdk serve: closed after {idle_timeout:g} s without input; reload the page "
                                  "to play again", WSCloseCode.GOING_AWAY)
                return
            wait = last_input + idle_timeout - now
            if session.ticking():
                wait = min(wait, max(last_step + session.tick - now, 0.0))
            done, _ = await asyncio.wait({receive}, timeout=wait)
            if receive in done:
                message = receive.result()
                if message.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
                    return
                receive = asyncio.ensure_future(ws.receive())
                try:
                    parsed = parse(message.data if message.type is WSMsgType.TEXT else b"")
                except MessageError as e:
                    await _refuse(ws, str(e), WSCloseCode.UNSUPPORTED_DATA)
                    return
                last_input = now = loop.time()
                ticking, steps = session.ticking(), session.steps
                if session.apply(parsed):
                    await ws.send_bytes(session.frame())
                if session.steps != steps:  # a move (or a new game): the next automatic one a tick later
                    last_step = now
                elif not ticking and session.ticking():  # the clock starts (a first key, resume): step now
                    last_step = now - session.tick
            elif session.ticking():
                due = last_step + session.tick
                session.advance()
                await ws.send_bytes(session.frame())
                now = loop.time()
                last_step = due if now - due < session.tick else now  # keep the beat unless far behind
    finally:
        receive.cancel()


async def _close_sockets(app: web.Application) -> None:
    """On shutdown: close every open tab's socket, so the server stops at once."""
    for ws in list(app[SOCKETS]):
        await ws.close(code=WSCloseCode.GOING_AWAY, message=b"server stopped")


async def start(settings: Settings, host: str = "127.0.0.1", port: int = 8000) -> tuple[web.AppRunner, str]:
    """Start serving on ``host:port`` (0: any free port); returns the runner (``await runner.cleanup()``
    stops it) and the base URL."""
    runner = web.AppRunner(build_app(settings), access_log=None, shutdown_timeout=5.0)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = runner.addresses[0]
    shown = f"[{bound[0]}]" if ":" in bound[0] else bound[0]
    return runner, f"http://{shown}:{bound[1]}"
