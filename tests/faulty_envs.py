"""Envs that fail or strain a backend on purpose, importable by spawn/forkserver workers (tests/ is on sys.path)."""

import faulthandler
import os
import signal
import time

from vectorized_env import GridReach


class RaisesOnStep:
    """GridReach whose step raises at step ``fail_at`` in the sub-env block starting at ``fail_env``."""

    def __init__(self, *, num_envs=1, fail_at=3, fail_env=0, buffers=None):
        self.inner = GridReach(num_envs=num_envs, buffers=buffers)
        for name in ("single_observation_space", "single_action_space", "num_agents", "buffers", "close"):
            setattr(self, name, getattr(self.inner, name))
        self.fail_at, self.fail_env, self.t, self.first = fail_at, fail_env, 0, None

    def reset(self, seed=None):
        self.first = seed  # seed of this object's first sub-env tells which block it is
        return self.inner.reset(seed)

    def step(self, actions):
        self.t += 1
        if self.t == self.fail_at and self.first == self.fail_env:
            raise ValueError(f"boom in sub-env block {self.first} at step {self.t}")
        return self.inner.step(actions)


class DiesOnStep(RaisesOnStep):
    """Dies at step ``fail_at`` by ``how``: "exit" (os._exit), "kill" (SIGKILL), "segv" (SIGSEGV)."""

    def __init__(self, *, how="exit", **kwargs):
        super().__init__(**kwargs)
        self.how = how

    def step(self, actions):
        self.t += 1
        if self.t == self.fail_at and self.first == self.fail_env:
            if self.how == "exit":
                os._exit(3)
            faulthandler.disable()  # the crash is intended: no "Fatal Python error" dump in the log
            os.kill(os.getpid(), signal.SIGKILL if self.how == "kill" else signal.SIGSEGV)
        return self.inner.step(actions)


class RaisesOnInit:
    def __init__(self, *, num_envs=1, buffers=None):
        if buffers is not None:  # the parent's probe (buffers=None) succeeds; workers fail
            raise RuntimeError("cannot build in a worker")
        self.inner = GridReach(num_envs=num_envs)
        for name in ("single_observation_space", "single_action_space", "num_agents", "buffers", "reset",
                     "step", "close"):
            setattr(self, name, getattr(self.inner, name))


class RaisesAwayFromHome(RaisesOnInit):
    """Builds in the process ``home_pid`` (the caller's probe), raises in any other (a worker)."""

    def __init__(self, *, num_envs=1, home_pid=0, buffers=None):
        if os.getpid() != home_pid:
            raise RuntimeError("cannot build in a worker")
        super().__init__(num_envs=num_envs)


class LargeInfos(RaisesOnStep):
    """GridReach whose every step reports one info dict of ``size`` bytes of text."""

    def __init__(self, *, size=100, **kwargs):
        super().__init__(fail_at=-1, **kwargs)
        self.size = size

    def step(self, actions):
        self.t += 1
        obs, rew, term, trunc, _ = self.inner.step(actions)
        text = f"block {self.first} step {self.t} "
        return obs, rew, term, trunc, [{"step": self.t, "text": (text * (self.size // len(text) + 1))[:self.size]}]


class Misbehaves(RaisesOnStep):
    """GridReach that misbehaves at step ``at`` in the sub-env blocks ``faults`` names.

    ``faults`` maps the first sub-env of a block (the seed its object is reset with, under seed 0)
    to what it does: ``("sleep", seconds)`` (a step that takes that long), ``("stop",)`` (the
    process stops itself with SIGSTOP), ``("exit",)`` (os._exit), ``("lambda-infos",)`` (infos
    holding a function) or ``("worker-only-infos",)`` (infos whose value can be rebuilt only in
    the process that made it). Blocks not named step normally.
    """

    def __init__(self, *, at=2, faults=None, **kwargs):
        super().__init__(fail_at=-1, **kwargs)
        self.at, self.faults = at, faults or {}

    def step(self, actions):
        self.t += 1
        out = self.inner.step(actions)
        fault = self.faults.get(self.first) if self.t == self.at else None
        if fault is None:
            return out
        if fault[0] == "sleep":
            time.sleep(fault[1])
        elif fault[0] == "stop":
            os.kill(os.getpid(), signal.SIGSTOP)
        elif fault[0] == "exit":
            os._exit(3)
        elif fault[0] == "lambda-infos":
            return (*out[:4], [{"score": lambda: 1}])
        elif fault[0] == "worker-only-infos":
            return (*out[:4], [{"score": OnlyHere()}])
        return out


class OnlyHere:
    """A value that pickles anywhere but unpickles only in the process that pickled it."""

    def __init__(self):
        self.pid = os.getpid()

    def __reduce__(self):
        return _rebuild_here, (self.pid,)


def _rebuild_here(pid):
    if os.getpid() != pid:
        raise RuntimeError(f"OnlyHere: made in process {pid}, cannot be rebuilt in {os.getpid()}")
    return OnlyHere()


class SleepsOnInit(RaisesOnInit):
    """Builds at once in the process ``home_pid`` (the caller's probe), takes ``seconds`` in any other."""

    def __init__(self, *, num_envs=1, home_pid=0, seconds=60.0, buffers=None):
        if os.getpid() != home_pid:
            time.sleep(seconds)
        super().__init__(num_envs=num_envs)


class CountsProbes:
    """GridReach that counts, in ``CountsProbes.built_alone``, the objects built with buffers=None."""

    built_alone = 0

    def __init__(self, *, num_envs=1, buffers=None):
        if buffers is None:
            CountsProbes.built_alone += 1
        self.inner = GridReach(num_envs=num_envs, buffers=buffers)
        for name in ("single_observation_space", "single_action_space", "num_agents", "buffers", "reset",
                     "step", "close"):
            setattr(self, name, getattr(self.inner, name))
