"""``TorchEnv``: an envsdk env returning torch tensors (built by ``envsdk.compat.to_torch``).

Importing this module imports torch (``MissingExtraError`` with the fix when it is absent).
"""

from __future__ import annotations

from envsdk import _arrays
from envsdk.errors import ConfigError, require

torch = require("torch", "train", "envsdk.compat.to_torch", package="torch")


class TorchEnv:
    """An envsdk env whose ``reset``/``step`` return torch tensors (``envsdk.compat.to_torch`` documents it)."""

    def __init__(self, env, device=None):
        self.env = env
        self.single_observation_space = env.single_observation_space
        self.single_action_space = env.single_action_space
        self.num_agents = env.num_agents
        self.buffers = b = env.buffers
        on = getattr(b, "device", None)
        if on is not None:  # device buffers: they are the tensors already
            self._init_device(b, on, device)
            return
        self.device = torch.device("cpu") if device is None else torch.device(device)
        host = tuple(torch.from_numpy(a) for a in (b.observations, b.rewards, b.terminals, b.truncations, b.masks))
        self._actions = torch.from_numpy(b.actions)
        if self.device.type == "cpu":
            self._host, self._staging, self._out = host, None, host
            self._copied = None
        else:
            self._host = host
            self._staging = tuple(torch.empty_like(t).pin_memory() for t in host)
            self._out = tuple(torch.empty(t.shape, dtype=t.dtype, device=self.device) for t in host)
            self._copied = None  # CUDA event: the last async copy out of the staging tensors
        self.observations, self.rewards, self.terminals, self.truncations, self.masks = self._out

    def _init_device(self, b, on, device) -> None:
        """Over an env whose buffers are tensors on ``on``: return them themselves (zero copy)."""
        if device is not None and not _arrays.same_device(_arrays.resolve_device(device, "to_torch"), on):
            raise ConfigError.of(
                "envsdk.compat.to_torch", "device", f"None or {on} (where the env's tensor buffers live)",
                repr(device), f"pass device=None: the env's own tensors on {on} are returned with no copy (move "
                "them yourself with .to(...) if another device needs them)",
            )
        self.device = on
        self._host = self._staging = self._copied = None
        self._actions = b.actions
        self._out = (b.observations, b.rewards, b.terminals, b.truncations, b.masks)
        self.observations, self.rewards, self.terminals, self.truncations, self.masks = self._out

    def _publish(self) -> None:
        """Move the host buffers to ``self.device`` (nothing to do on CPU: the tensors are views)."""
        if self._staging is None:
            return
        if self._copied is not None:  # the previous async copy must be done reading the staging tensors
            self._copied.synchronize()
        for src, stage, dst in zip(self._host, self._staging, self._out, strict=True):
            stage.copy_(src)
            dst.copy_(stage, non_blocking=True)
        self._copied = torch.cuda.Event()
        self._copied.record()

    def reset(self, seed: int | None = None):
        _, infos = self.env.reset(seed=seed)
        self._publish()
        return self.observations, infos

    def step(self, actions):
        if isinstance(actions, torch.Tensor):
            if actions.data_ptr() == self._actions.data_ptr() and actions.shape == self._actions.shape:
                actions = self.buffers.actions  # the buffer itself: no copy
            elif self._host is not None:  # numpy buffers: the env's step copies it in with numpy's checks
                actions = actions.detach().cpu().numpy()
            # device buffers: the env's step copies the tensor on its device (envsdk.buffers.copy_actions)
        _, _, _, _, infos = self.env.step(actions)
        self._publish()
        return self.observations, self.rewards, self.terminals, self.truncations, infos

    def close(self) -> None:
        self.env.close()

    def __repr__(self) -> str:
        return f"TorchEnv({self.env!r}, device={self.device})"
