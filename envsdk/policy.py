"""Policy checkpoints: the one file format that ``envsdk play --checkpoint`` loads and ``examples/ppo.py`` writes.

A checkpoint is a file written by ``torch.save`` (torch's zip format) of ONE dict that holds plain
data only: tensors, str, int, float, bool, None, lists and dicts. ``load`` reads it with
``torch.load(weights_only=True)``, so a file that asks to import or call anything is refused
instead of run (a pickle can run any code when it is loaded; this format never needs to).

The dict's keys (version ``"envsdk-policy/1"``):

- ``format``: ``"envsdk-policy/1"``.
- ``env``: str, the registered env name the policy was trained on (``envsdk play`` refuses another).
- ``config``: dict, the env config it was trained with (JSON values); ``envsdk play`` builds the env
  with it, under the ``KEY=VALUE`` pairs given on its command line.
- ``observation_size``: int, the entries of one agent's observation, flattened
  (``prod(single_observation_space.shape)``).
- ``num_actions``: int, ``single_action_space.n`` (a Discrete action space).
- ``legal_mask``: int, 0 or ``num_actions``: the observation's last ``legal_mask`` entries are the
  legal-action mask (an entry > 0 marks a legal action); illegal actions are never chosen.
- ``onehot``, ``onehot_low``: ints. ``onehot`` 0 feeds the flattened observation to the network as
  float32; ``onehot`` k > 0 first encodes each entry one-hot over the codes
  ``onehot_low .. onehot_low + k - 1`` (values outside are clamped), so the network's input has
  ``observation_size * k`` entries, entry by entry.
- ``policy``: a list of linear layers, each ``{"weight": float tensor [out, in], "bias": float
  tensor [out]}``, applied in order with ``tanh`` between them (not after the last). The first
  layer's ``in`` is the input size above; each next ``in`` is the previous ``out``; the last
  ``out`` is ``num_actions``: the logits.
- ``value`` (optional): the critic, a list of layers of the same form whose last ``out`` is 1.
  envsdk does not read it; a trainer resumes from it.
- ``metadata`` (optional): a dict of plain data (``examples/ppo.py`` stores its arguments). envsdk
  does not read it.

The policy's action for an observation is the argmax of its logits over the legal actions
(``Policy.act``). The format describes the network itself, so envsdk depends on no trainer's code:
a file in any other form (such as the actor state dict ``examples/ppo.py`` wrote before this
format) is refused with a ``CheckpointError``.

``save`` writes the format (it validates first); ``load`` reads and validates it, and every
problem is a ``CheckpointError`` naming the file, what was expected and what was found. Both need
torch (``pip install torch==2.13.0``); importing this module does not.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from envsdk.errors import CheckpointError

FORMAT = "envsdk-policy/1"
"""The value of a checkpoint's ``format`` key."""

_FIX_FILE = "pass an agent.pt written by examples/ppo.py (runs/<run>/agent.pt) or by envsdk.policy.save"


def _torch(path: object):
    """torch, or a one-line ``CheckpointError`` saying how to install it."""
    try:
        import torch
    except ImportError:
        raise CheckpointError(
            f"checkpoint {str(path)!r}: expected torch to read it, found torch not installed. "
            "Fix: python -m pip install torch==2.13.0 (or pip install -e '.[train]')."
        ) from None
    return torch


@dataclass(frozen=True)
class Policy:
    """A loaded checkpoint: the greedy policy it holds, and what it was trained on.

    ``layers`` and ``value_layers`` are ``(weight, bias)`` float32 torch tensors in the order they
    apply (``value_layers`` is empty when the checkpoint has no critic). The other fields are the
    format's keys (see the module docstring).
    """

    path: str
    env: str
    config: dict[str, Any]
    observation_size: int
    num_actions: int
    legal_mask: int
    onehot: int
    onehot_low: int
    layers: tuple
    value_layers: tuple
    metadata: dict[str, Any]

    def logits(self, observations) -> Any:
        """Logits ``[n, num_actions]`` (torch, float32) for observations ``[n, ...]``; illegal actions are -inf.

        Raises ``CheckpointError`` when an observation does not have ``observation_size`` entries
        (the env or its config is not the one the policy was trained on).
        """
        torch = _torch(self.path)
        obs = np.asarray(observations)
        x = torch.as_tensor(obs.reshape(len(obs), -1), dtype=torch.float32)
        if x.shape[1] != self.observation_size:
            raise CheckpointError.of(
                f"checkpoint {self.path!r}", "observation_size", f"observations of {self.observation_size} entries",
                f"{x.shape[1]}", f"play it on the env config it was trained with ({self.env}, {self.config})")
        with torch.no_grad():
            h = x
            if self.onehot:
                codes = (x.long() - self.onehot_low).clamp(0, self.onehot - 1)
                h = torch.nn.functional.one_hot(codes, self.onehot).flatten(1).float()
            for k, (weight, bias) in enumerate(self.layers):
                h = torch.nn.functional.linear(h, weight, bias)
                if k < len(self.layers) - 1:
                    h = torch.tanh(h)
            if self.legal_mask:
                h = torch.where(x[:, -self.legal_mask:] > 0, h, -torch.inf)
        return h

    def act(self, observations) -> np.ndarray:
        """The greedy actions ``[n]`` (int64) for observations ``[n, ...]``: each row's best legal action."""
        return self.logits(observations).argmax(dim=1).numpy().astype(np.int64)


def load(path: str | Path) -> Policy:
    """Read and validate the checkpoint at ``path`` (plain data only: ``torch.load(weights_only=True)``).

    Raises ``CheckpointError`` (naming the file) when there is no file, when torch refuses it
    (content that would import or run code) or cannot read it, when a key is missing or has the
    wrong type or shape, or when torch is not installed.
    """
    shown, file = str(path), Path(path)
    if not file.is_file():
        found = "a directory" if file.is_dir() else "no file"
        raise CheckpointError(f"checkpoint {shown!r}: expected a checkpoint file, found {found} there. "
                              f"Fix: {_FIX_FILE}.")
    torch = _torch(shown)
    expected = "expected a torch.save file of plain data (tensors, numbers, strings, lists, dicts)"
    try:
        with warnings.catch_warnings():  # torch warns about pickle protocols of raw pickles: the error says it all
            warnings.simplefilter("ignore")
            data = torch.load(file, map_location="cpu", weights_only=True)
    except Exception as e:  # torch raises many types; its plain-data loader names a refused global
        refused = re.search(r"Unsupported global: [^.\n]*", str(e))
        found = (f"content that imports or calls code ({refused.group(0).strip()}), which envsdk never runs"
                 if refused else f"a file torch's plain-data loader cannot read ({type(e).__name__}: "
                                 f"{_first_line(e)})")
        raise CheckpointError(f"checkpoint {shown!r}: {expected}, found {found}. Fix: {_FIX_FILE}.") from None
    return _validate(data, shown)


def save(path: str | Path, *, env: str, config: Mapping[str, Any], policy: Sequence, legal_mask: int = 0,
         onehot: int = 0, onehot_low: int = 0, value: Sequence | None = None,
         metadata: Mapping[str, Any] | None = None) -> Policy:
    """Write a checkpoint of the format to ``path`` and return it as loaded.

    ``policy`` and ``value`` are sequences of layers, each a ``(weight, bias)`` pair of torch
    tensors or a ``{"weight": ..., "bias": ...}`` dict; ``observation_size`` and ``num_actions``
    follow from the first and last policy layers. Raises ``CheckpointError`` if the result would
    not load (the same checks as ``load``), and writes nothing then.
    """
    torch = _torch(path)

    def as_layers(seq: Sequence) -> list[dict]:
        pairs = [(layer["weight"], layer["bias"]) if isinstance(layer, Mapping) else layer for layer in seq]
        return [{"weight": w.detach().cpu().float().clone(), "bias": b.detach().cpu().float().clone()}
                for w, b in pairs]

    layers = as_layers(policy)
    inputs = int(layers[0]["weight"].shape[-1]) if layers else 0
    data: dict[str, Any] = {
        "format": FORMAT, "env": env, "config": dict(config),
        "observation_size": inputs // onehot if onehot else inputs,
        "num_actions": int(layers[-1]["weight"].shape[0]) if layers else 0,
        "legal_mask": legal_mask, "onehot": onehot, "onehot_low": onehot_low, "policy": layers,
    }
    if value is not None:
        data["value"] = as_layers(value)
    if metadata is not None:
        data["metadata"] = dict(metadata)
    checked = _validate(data, str(path))
    torch.save(data, path)
    return checked


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else "no message"


def _validate(data: object, shown: str) -> Policy:
    """The ``Policy`` in ``data`` (a loaded checkpoint), or a ``CheckpointError`` naming the first problem."""
    owner = f"checkpoint {shown!r}"

    def fail(field: str, expected: str, found: object) -> CheckpointError:
        return CheckpointError.of(owner, field, expected, found, _FIX_FILE)

    if not isinstance(data, dict):
        raise fail("format", f"a dict with format {FORMAT!r}", type(data).__name__)
    if "format" not in data and "state_dict" in data:  # an examples/ppo.py state dict from before the format
        raise fail("format", f"{FORMAT!r} (a network envsdk reads as data)",
                   "a trainer's state_dict (examples/ppo.py's format before envsdk-policy/1, which envsdk no longer "
                   "reads: it named that example's layers)")
    if data.get("format") != FORMAT:
        raise fail("format", repr(FORMAT), repr(data.get("format")))

    def integer(key: str, low: int) -> int:
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise fail(key, f"an int >= {low}", repr(value))
        return value

    env = data.get("env")
    if not isinstance(env, str) or not env:
        raise fail("env", "the registered env name (a str)", repr(env))
    config = data.get("config")
    if not isinstance(config, dict):
        raise fail("config", "a dict (the env config)", type(config).__name__)
    observation_size, num_actions = integer("observation_size", 1), integer("num_actions", 1)
    legal_mask, onehot = integer("legal_mask", 0), integer("onehot", 0)
    onehot_low = data.get("onehot_low")
    if isinstance(onehot_low, bool) or not isinstance(onehot_low, int):
        raise fail("onehot_low", "an int", repr(onehot_low))
    if legal_mask not in (0, num_actions) or legal_mask > observation_size:
        raise fail("legal_mask", f"0 or num_actions ({num_actions}), at most observation_size ({observation_size})",
                   legal_mask)
    inputs = observation_size * onehot if onehot else observation_size

    def chain(key: str, outputs: int) -> tuple:
        layers = data.get(key)
        if not isinstance(layers, list) or not layers:
            raise fail(key, "a non-empty list of {'weight', 'bias'} layers", type(layers).__name__)
        out, size = [], inputs
        for k, layer in enumerate(layers):
            weight = layer.get("weight") if isinstance(layer, dict) else None
            bias = layer.get("bias") if isinstance(layer, dict) else None
            for name, tensor, ndim in (("weight", weight, 2), ("bias", bias, 1)):
                if not hasattr(tensor, "is_floating_point"):
                    raise fail(f"{key}[{k}].{name}", f"a {ndim}-d float tensor", type(tensor).__name__)
                if tensor.ndim != ndim or not tensor.is_floating_point():
                    found = f"a {tensor.ndim}-d {tensor.dtype} tensor"
                    raise fail(f"{key}[{k}].{name}", f"a {ndim}-d float tensor", found)
            if weight.shape[1] != size or bias.shape[0] != weight.shape[0]:
                raise fail(f"{key}[{k}]", f"weight [out, {size}] and bias [out]",
                           f"weight {list(weight.shape)} and bias {list(bias.shape)}")
            size = weight.shape[0]
            out.append((weight.float(), bias.float()))
        if size != outputs:
            raise fail(f"{key}[{len(layers) - 1}].weight", f"{outputs} outputs", size)
        return tuple(out)

    layers = chain("policy", num_actions)
    value_layers = chain("value", 1) if data.get("value") is not None else ()
    metadata = data.get("metadata", {})
    if not isinstance(metadata, dict):
        raise fail("metadata", "a dict", type(metadata).__name__)
    return Policy(path=shown, env=env, config=config, observation_size=observation_size, num_actions=num_actions,
                  legal_mask=legal_mask, onehot=onehot, onehot_low=onehot_low, layers=layers,
                  value_layers=value_layers, metadata=metadata)
