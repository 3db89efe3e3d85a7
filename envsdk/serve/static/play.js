// envsdk serve's play page: draws the server's frames on #screen, sends keys and clicks back.
// The server steps the env (envsdk/serve/session.py); this page only maps input to messages, using
// the env's controls as the hello message gives them (keys, click grids, action names): nothing
// here knows any env. window.envsdk exposes the state (frames drawn, input-to-frame latencies in
// ms) for tests and the curious.
"use strict";

const KEY_NAMES = {" ": "space", "Enter": "enter", "ArrowUp": "up", "ArrowDown": "down",
                   "ArrowLeft": "left", "ArrowRight": "right"};
const KEY_SHOWN = {space: "space", enter: "Enter", up: "↑", down: "↓", left: "←", right: "→"};
const $ = (id) => document.getElementById(id);
const canvas = $("screen");
const context = canvas.getContext("2d");
const name = decodeURIComponent(location.pathname.slice("/play/".length));
const state = {hello: null, last: null, frames: 0, latencies: [], sent: {}, seq: 0, closed: null, error: null};
window.envsdk = state;

const scheme = location.protocol === "https:" ? "wss" : "ws";
const socket = new WebSocket(`${scheme}://${location.host}/ws/${encodeURIComponent(name)}${location.search}`);
socket.binaryType = "arraybuffer";

function send(message) {
  if (socket.readyState !== WebSocket.OPEN) return 0;
  message.seq = ++state.seq;
  socket.send(JSON.stringify(message));
  return message.seq;
}
state.send = send;

socket.onmessage = (event) => {
  if (typeof event.data !== "string") return receiveFrame(event.data);
  const message = JSON.parse(event.data);
  if (message.type === "hello") setUp(message);
  else if (message.type === "error") { state.error = message.message; $("notice").textContent = message.message; }
};

socket.onclose = (event) => {
  state.closed = {code: event.code, reason: event.reason};
  $("status").textContent = `disconnected (code ${event.code}${event.reason ? ": " + event.reason : ""})`;
};

// ---- frames: [4-byte header length][header JSON][PNG, when the picture changed] ------------------

let pending = null, drawing = false;

function receiveFrame(buffer) {
  pending = buffer;  // a frame that arrives while one is drawn replaces any older one waiting
  if (!drawing) drawNext();
}

async function drawNext() {
  drawing = true;
  while (pending !== null) {
    const buffer = pending;
    pending = null;
    const length = new DataView(buffer).getUint32(0);
    const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, length)));
    if (buffer.byteLength > 4 + length) {
      const picture = await createImageBitmap(new Blob([buffer.slice(4 + length)], {type: "image/png"}));
      if (canvas.width !== picture.width || canvas.height !== picture.height) resize(picture.width, picture.height);
      context.drawImage(picture, 0, 0);
      picture.close();
      const now = performance.now();
      state.frames += 1;
      for (const seq of Object.keys(state.sent)) {  // each key press this frame is the first to show
        if (Number(seq) <= header.ack) { state.latencies.push(now - state.sent[seq]); delete state.sent[seq]; }
      }
    }
    show(header);
  }
  drawing = false;
}

function resize(width, height) {
  canvas.width = width;
  canvas.height = height;
  const scale = Math.max(1, Math.floor(480 / Math.max(width, height)));
  canvas.style.width = `${width * scale}px`;
  canvas.style.height = `${height * scale}px`;
}

function show(header) {
  state.last = header;
  $("status").textContent = header.status;
  if (header.notice) $("notice").textContent = header.notice;
  $("pause").textContent = header.paused ? "Resume" : "Pause";
  $("speed").textContent = `tick ${Math.round(header.tick * 1000)} ms`;
}

// ---- the page, from the hello message ------------------------------------------------------------

function setUp(hello) {
  state.hello = hello;
  document.title = `${hello.env}: envsdk serve`;
  $("title").textContent = hello.env;
  for (const [mode, label] of Object.entries(hello.modes)) {
    const link = document.createElement("a");
    link.href = `/play/${encodeURIComponent(hello.env)}?mode=${mode}`;
    link.textContent = label;
    if (mode === hello.mode) link.className = "current";
    $("modes").append(link);
  }
  for (const id of ["pause", "step", "slower", "faster", "speed"]) $(id).hidden = !hello.ticking;
  const items = [...hello.sides];
  for (const grid of hello.clicks) items.push(`click ${grid.label}`);
  const byAction = {};
  for (const [key, action] of Object.entries(hello.keys)) (byAction[action] ||= []).push(key);
  for (const [action, keys] of Object.entries(byAction)) {
    items.push(`${keys.map((k) => `<kbd>${escape(KEY_SHOWN[k] || k)}</kbd>`).join(" ")}: ${escape(hello.actions[action])}`);
  }
  if (hello.realtime) items.push("the game waits for your first key; Pause, Step, Slower and Faster change its pace");
  const noInput = !hello.realtime && hello.clicks.length === 0 && hello.mode !== "watch";
  if (noInput) {  // an env without click grids: one button per action
    items.push("press a button below to play that action");
    hello.actions.forEach((label, action) => {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = label;
      button.onclick = () => move(action);
      $("actions").append(button);
    });
  }
  $("legend-items").innerHTML = items.map((item) => `<li>${item.startsWith("<kbd>") ? item : escape(item)}</li>`)
    .join("");
  canvas.focus();
}

function escape(text) {
  return String(text).replace(/[&<>"]/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})[c]);
}

// ---- input ---------------------------------------------------------------------------------------

function keyName(event) {
  if (event.key in KEY_NAMES) return KEY_NAMES[event.key];
  return event.key.length === 1 ? event.key.toLowerCase() : null;
}

document.addEventListener("keydown", (event) => {
  const key = keyName(event);
  if (!state.hello || key === null || !(key in state.hello.keys)) return;
  event.preventDefault();
  if (event.repeat) return;  // held keys: the server keeps stepping with the key held
  const seq = send({type: "key", key: key, down: true});
  if (seq) state.sent[seq] = event.timeStamp;
});

document.addEventListener("keyup", (event) => {
  const key = keyName(event);
  if (state.hello && key !== null && key in state.hello.keys) send({type: "key", key: key, down: false});
});

function actionAt(x, y) {
  for (const grid of state.hello.clicks) {
    const column = Math.floor((x - grid.left) / grid.width), row = Math.floor((y - grid.top) / grid.height);
    if (column >= 0 && column < grid.columns && row >= 0 && row < grid.rows) {
      return grid.first + row * grid.columns + column;
    }
  }
  return null;
}

function move(action) {
  const last = state.last;
  $("notice").textContent = "";
  if (last.over) { send({type: "new"}); return; }
  if (last.legal === null) { $("notice").textContent = "not your move"; return; }
  if (!last.legal.includes(action)) {  // refused here: an illegal click never reaches the game
    $("notice").textContent = `${state.hello.actions[action] ?? "action " + action} is not a legal move now`;
    return;
  }
  send({type: "action", action: action});
}

canvas.addEventListener("click", (event) => {
  if (!state.hello || !state.last || state.hello.realtime) return;
  const box = canvas.getBoundingClientRect();
  const x = (event.clientX - box.left) * canvas.width / box.width;
  const y = (event.clientY - box.top) * canvas.height / box.height;
  if (state.last.over) { move(-1); return; }
  const action = actionAt(x, y);
  if (action !== null) move(action);
});

$("buttons").addEventListener("click", () => canvas.focus());  // keys go on to the game, not to a button
$("new").onclick = () => { $("notice").textContent = ""; send({type: "new"}); };
$("pause").onclick = () => send({type: "pause", paused: !state.last.paused});
$("step").onclick = () => send({type: "step"});
$("slower").onclick = () => send({type: "speed", tick: Math.min(state.last.tick * 2 || 0.01, 10)});
$("faster").onclick = () => send({type: "speed", tick: state.last.tick / 2});
