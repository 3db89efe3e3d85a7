"""Device buffers: torch tensors behind the same protocol (allocate(device=), validate, copy_actions,
Serial/make, the worker backends' refusal, the checker, the adapters).

Runs on CPU torch; the CUDA parts skip when no GPU is present. The torch envs are in
tests/torch_envs.py (importable by the CLI and by spawned workers).
"""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from torch_envs import DeclaresNoDevice, GlobalNoise, ReturnsCopies, SkipsLastReward, TorchWalk  # noqa: E402

import envsdk  # noqa: E402
from envsdk import Buffers, allocate, spaces  # noqa: E402
from envsdk.backends import Serial  # noqa: E402
from envsdk.buffers import FIELDS, Layout, copy_actions  # noqa: E402
from envsdk.errors import ActionError, BuffersError, ConfigError, ProtocolError  # noqa: E402
from envsdk.testing import assert_deterministic, assert_protocol, assert_writes_in_place  # noqa: E402

HERE = Path(__file__).resolve().parent
cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
OBS = spaces.Box(0, 255, shape=(3, 2), dtype=np.uint8)
ACT = spaces.MultiDiscrete([3, 4])
N = 5


def _base(t) -> int:
    """The address of the storage a tensor views."""
    return t.untyped_storage().data_ptr()


class HostWalk:
    """A numpy env (no device member): Serial must not hand it tensors."""

    def __init__(self, *, num_envs=1, buffers=None):
        self.single_observation_space, self.single_action_space = spaces.Box(0, 1, shape=(1,)), spaces.Discrete(2)
        self.num_agents = num_envs
        self.buffers = buffers if buffers is not None else allocate(
            self.single_observation_space, self.single_action_space, num_envs)

    def reset(self, seed=None):
        return self.buffers.observations, []

    def step(self, actions):
        b = self.buffers
        return b.observations, b.rewards, b.terminals, b.truncations, []

    def close(self):
        pass


# --- allocate and Layout -----------------------------------------------------------------------


def test_numpy_path_never_imports_torch():
    code = ("import sys, envsdk; from envsdk import spaces; from envsdk.buffers import copy_actions\n"
            "b = envsdk.allocate(spaces.Box(0, 1, shape=(2,)), spaces.Discrete(2), 3)\n"
            "b.validate(spaces.Box(0, 1, shape=(2,)), spaces.Discrete(2), 3); copy_actions(b.actions, [1, 0, 1])\n"
            "assert b.device is None and 'torch' not in sys.modules, sorted(m for m in sys.modules if 'torch' in m)")
    subprocess.run([sys.executable, "-c", code], check=True, cwd="/")


@pytest.mark.parametrize("final", [False, True])
def test_allocate_on_cpu_gives_tensors_of_the_numpy_dtypes_in_one_block(final):
    b = allocate(OBS, ACT, N, final_observations=final, device="cpu")
    ref = allocate(OBS, ACT, N, final_observations=final)
    assert b.device == torch.device("cpu") and ref.device is None
    assert b.field_names == ref.field_names
    block = _base(b.observations)
    for f in b.field_names:
        t, a = getattr(b, f), getattr(ref, f)
        assert isinstance(t, torch.Tensor) and t.is_contiguous() and not t.requires_grad
        assert t.numpy().dtype == a.dtype and tuple(t.shape) == a.shape, f
        assert _base(t) == block, f"{f} is not a view of the one block"
        assert (t.data_ptr() - block) % 64 == 0, f"{f} does not start on a cache line"
        assert t.numpy().tobytes() == a.tobytes(), f"{f}: tensors start as numpy's (zeros, masks True)"
    assert b.masks.all() and b.masks.dtype == torch.bool and b.actions.dtype == torch.int32
    b.validate(OBS, ACT, N)


def test_rows_of_tensor_buffers_are_views():
    b = allocate(OBS, ACT, N, final_observations=True, device=torch.device("cpu"))
    r = b.rows(1, 3)
    assert r.device == b.device and r.num_agents == 2 and r.field_names == b.field_names
    for f in b.field_names:
        whole, part = getattr(b, f), getattr(r, f)
        assert part.is_contiguous() and part.data_ptr() == whole[1].data_ptr()
    r.rewards[...] = 7
    assert b.rewards.tolist() == [0, 7, 7, 0, 0]
    r.validate(OBS, ACT, 2)


def test_layout_is_plain_data_and_views_only_its_kind_of_block():
    layout = Layout.of(OBS, ACT, N, device="cpu")
    assert layout.device == "cpu" and pickle.loads(pickle.dumps(layout)) == layout
    assert Layout.of(OBS, ACT, N).device is None
    with pytest.raises(BuffersError, match=r"Layout.view: expected a 1-D contiguous torch.uint8 tensor"):
        layout.view(np.zeros(layout.nbytes, np.uint8))
    with pytest.raises(BuffersError, match=r"expected a 1-D contiguous torch.uint8 tensor, found a 1-D torch.float32"):
        layout.view(torch.zeros(layout.nbytes))
    with pytest.raises(BuffersError, match=r"expected a block of at least"):
        layout.view(torch.zeros(8, dtype=torch.uint8))
    with pytest.raises(BuffersError, match=r"this layout is numpy's"):
        Layout.of(OBS, ACT, N).view(torch.zeros(layout.nbytes, dtype=torch.uint8))
    with pytest.raises(BuffersError, match=r"expected a block on cpu, found one on meta"):
        layout.view(torch.empty(layout.nbytes, dtype=torch.uint8, device="meta"))


@pytest.mark.parametrize(("device", "error", "pattern"), [
    ("gpu", ConfigError, r"allocate.device: expected a torch device string such as 'cpu'"),
    (3, ConfigError, r"allocate.device: expected None \(numpy\), a device string"),
])
def test_allocate_refuses_bad_devices(device, error, pattern):
    with pytest.raises(error, match=pattern):
        allocate(OBS, ACT, N, device=device)


@pytest.mark.skipif(torch.cuda.is_available(), reason="a GPU is present")
def test_allocate_on_cuda_without_a_gpu_names_the_fix():
    with pytest.raises(ConfigError, match=r"expected a device torch can reach, found cuda .*Fix: pass device='cpu'"):
        allocate(OBS, ACT, N, device="cuda")


def test_allocate_refuses_a_dtype_torch_cannot_hold():
    with pytest.raises(BuffersError, match=r"observations: expected a dtype torch can hold .*found dtype >f4"):
        allocate(spaces.Box(0, 1, shape=(2,), dtype=">f4"), ACT, N, device="cpu")


# --- validate ------------------------------------------------------------------------------------


def _mixed(field: str, value) -> Buffers:
    b = allocate(OBS, ACT, N, device="cpu")
    return Buffers(**{f: value if f == field else getattr(b, f) for f in FIELDS})


def test_validate_refuses_a_mix_of_numpy_and_tensors_naming_the_field():
    host = allocate(OBS, ACT, N)
    with pytest.raises(BuffersError, match=r"buffers.rewards: expected a torch.Tensor on cpu, as buffers.observations "
                                           r"is, found numpy.ndarray. Fix: allocate every field together"):
        _mixed("rewards", host.rewards).validate(OBS, ACT, N)
    tensors = allocate(OBS, ACT, N, device="cpu")
    mixed = Buffers(**{f: tensors.masks if f == "masks" else getattr(host, f) for f in FIELDS})
    with pytest.raises(BuffersError, match=r"buffers.masks: expected a numpy.ndarray, as buffers.observations is, "
                                           r"found torch.Tensor on cpu"):
        mixed.validate(OBS, ACT, N)


def test_validate_refuses_tensors_on_two_devices():
    with pytest.raises(BuffersError, match=r"buffers.terminals: expected a tensor on cpu, where buffers.observations "
                                           r"lives, found a tensor on meta"):
        _mixed("terminals", torch.empty(N, dtype=torch.bool, device="meta")).validate(OBS, ACT, N)


@pytest.mark.parametrize(("value", "pattern"), [
    (torch.zeros(N, dtype=torch.float64), r"buffers.rewards: expected dtype torch.float32 \(numpy float32\), "
                                          r"found dtype torch.float64"),
    (torch.zeros(N + 1), r"buffers.rewards: expected shape \(5,\), found shape \(6,\)"),
    (torch.zeros(2 * N)[::2], r"buffers.rewards: expected a dense C-contiguous tensor, found strides \(2,\)"),
    (torch.zeros(N, requires_grad=True), r"buffers.rewards: expected a tensor that does not require grad"),
])
def test_validate_checks_tensor_fields_like_arrays(value, pattern):
    with pytest.raises(BuffersError, match=pattern):
        _mixed("rewards", value).validate(OBS, ACT, N)


def test_validate_refuses_overlapping_tensors():
    b = allocate(OBS, ACT, N, device="cpu")
    shared = Buffers(**{f: b.terminals if f == "truncations" else getattr(b, f) for f in FIELDS})
    with pytest.raises(BuffersError, match=r"buffers.truncations: expected memory of its own, found it overlaps "
                                           r"buffers.terminals"):
        shared.validate(OBS, ACT, N)


def test_tensor_fields_are_never_rebound():
    b = allocate(OBS, ACT, N, device="cpu")
    b.rewards += 1  # in place: the same tensor
    with pytest.raises(BuffersError, match=r"Buffers.rewards: expected the array it was built with .*another array"):
        b.rewards = torch.zeros(N)


# --- copy_actions ---------------------------------------------------------------------------------


def test_copy_actions_into_a_tensor_takes_tensors_arrays_and_lists():
    dst = allocate(OBS, ACT, N, device="cpu").actions
    ptr = dst.data_ptr()
    copy_actions(dst, torch.full((N, 2), 2, dtype=torch.int64))
    assert dst.data_ptr() == ptr and dst.tolist() == [[2, 2]] * N
    copy_actions(dst, np.ones((N, 2), np.int16))
    assert dst.tolist() == [[1, 1]] * N
    copy_actions(dst, [[0, 3]] * N)
    assert dst.tolist() == [[0, 3]] * N
    copy_actions(dst, dst)  # the buffer itself: nothing to do


@pytest.mark.parametrize("actions", [
    np.ones((N, 2), np.float32),          # float into int
    np.ones((N - 1, 2), np.int32),        # wrong shape
    np.full((N, 2), 2**33, np.int64),     # would wrap in int32
])
def test_copy_actions_refuses_tensors_with_numpys_messages(actions):
    host, device = allocate(OBS, ACT, N).actions, allocate(OBS, ACT, N, device="cpu").actions
    with pytest.raises(ActionError) as want:
        copy_actions(host, actions)
    for given in (actions, torch.from_numpy(actions)):
        with pytest.raises(ActionError) as got:
            copy_actions(device, given)
        assert str(got.value) == str(want.value)


def test_copy_actions_into_numpy_takes_a_tensor():
    dst = allocate(OBS, ACT, N).actions
    copy_actions(dst, torch.full((N, 2), 1))
    assert dst.tolist() == [[1, 1]] * N


# --- Serial and make ------------------------------------------------------------------------------


def _no_host_round_trip(monkeypatch):
    """Make any tensor -> numpy conversion raise, to prove a path never takes one."""
    def refuse(*args, **kwargs):
        raise AssertionError("a host round trip (Tensor.numpy / __array__)")

    monkeypatch.setattr(torch.Tensor, "numpy", refuse)
    monkeypatch.setattr(torch.Tensor, "__array__", refuse)


def test_serial_hands_each_object_rows_of_one_tensor_block(monkeypatch):
    env = Serial(TorchWalk, num_envs=4, envs_per_object=2, device="cpu", final_observations=True)
    try:
        assert env.device == torch.device("cpu") and env.buffers.device == env.device
        block = _base(env.buffers.observations)
        for j, sub in enumerate(env.envs):
            assert sub.device == env.device
            assert sub.buffers.observations.data_ptr() == env.buffers.observations[2 * j].data_ptr()
            assert _base(sub.buffers.rewards) == block
        alone = TorchWalk(num_envs=4)
        actions = torch.tensor([0, 1, 2, 1])
        env.reset(seed=3)
        alone.reset(seed=3)
        _no_host_round_trip(monkeypatch)
        for _ in range(40):
            obs, rew, term, trunc, _ = env.step(actions)
            alone.step(actions)
            assert obs is env.buffers.observations and torch.equal(obs, alone.buffers.observations)
            ref = alone.buffers
            assert torch.equal(rew, ref.rewards) and torch.equal(term | trunc, ref.terminals | ref.truncations)
        assert env.buffers.actions.tolist() == [0, 1, 2, 1]
    finally:
        env.close()


def test_serial_async_batches_are_the_tensor_buffers():
    env = Serial(TorchWalk, num_envs=4, envs_per_object=2, device="cpu")
    try:
        env.async_reset(seed=0)
        batch = env.recv()
        assert batch.observations is env.buffers.observations and isinstance(batch.agent_ids, np.ndarray)
        env.send(torch.ones(4, dtype=torch.int32))
        batch = env.recv()
        assert batch.rewards is env.buffers.rewards and env.buffers.actions.tolist() == [1, 1, 1, 1]
    finally:
        env.close()


def test_make_passes_device_to_serial_and_one_object_keeps_its_own_buffers():
    env = envsdk.make(TorchWalk, num_envs=3, device="cpu")
    try:
        assert env.device == torch.device("cpu") and env.buffers is env.envs[0].buffers
        obs, _ = env.reset(seed=0)
        assert isinstance(obs, torch.Tensor) and obs.shape == (3, 2)
    finally:
        env.close()


def test_serial_refuses_device_for_a_host_env_and_a_device_other_than_the_buffers():
    with pytest.raises(ConfigError, match=r"Serial.device: expected device=None: .*HostWalk declares no device"):
        Serial(HostWalk, num_envs=2, device="cpu")
    buffers = allocate(TorchWalk().single_observation_space, TorchWalk().single_action_space, 2, device="cpu")
    with pytest.raises(ConfigError, match=r"Serial.device: expected the device of the buffers passed, cpu"):
        Serial(TorchWalk, num_envs=2, buffers=buffers, device="meta")


def test_an_env_declaring_another_device_than_its_buffers_is_refused():
    class Elsewhere(TorchWalk):
        def __init__(self, **config):
            super().__init__(**config)
            self.device = torch.device("meta")

    with pytest.raises(ProtocolError, match=r"Elsewhere\(buffers=...\).device: expected the device of the buffers"):
        Serial(Elsewhere, num_envs=2, envs_per_object=1, device="cpu")


@pytest.mark.parametrize(("device", "fix"), [
    ("cuda", r"run the env in-process on its device: Serial\(factory, num_envs, device=...\)"),
    ("cpu", r"run a CPU tensor env in-process: Serial\(factory, num_envs, device='cpu'\)"),
])
def test_multiprocessing_refuses_devices_naming_the_fix(device, fix):
    with pytest.raises(ConfigError, match=rf"Multiprocessing.device: expected None: numpy buffers in host memory.*"
                                          rf"found device='{device}'. Fix: {fix}"):
        envsdk.make(HostWalk, num_envs=2, backend="multiprocessing", num_workers=1, device=device)


def test_worker_backends_refuse_an_env_that_allocates_tensors():
    with pytest.raises(ConfigError, match=r"Multiprocessing.device: .*found TorchWalk allocating torch tensors on cpu"):
        envsdk.make(TorchWalk, num_envs=2, backend="multiprocessing", num_workers=1)


def test_ray_refuses_devices_before_starting_ray():
    pytest.importorskip("ray")
    from envsdk.backends.ray import Ray

    with pytest.raises(ConfigError, match=r"Ray.device: expected None.*found device='cuda'. Fix: run the env "
                                          r"in-process on its device"):
        Ray(HostWalk, num_envs=2, num_workers=1, device="cuda")
    with pytest.raises(ConfigError, match=r"Ray.device: .*found TorchWalk allocating torch tensors on cpu"):
        Ray(TorchWalk, num_envs=2, num_workers=1)


# --- the checker and envsdk.testing ---------------------------------------------------------------


def test_every_check_passes_on_a_torch_env():
    report = envsdk.check(TorchWalk, steps=100)
    assert report.ok and all(r.status == "pass" for r in report.results), report.format()
    notes = {r.name: r.message for r in report.results}
    assert "torch tensors on cpu" in notes["buffers"]
    assert notes["backends"].startswith("Serial(device=cpu) == the env alone")
    # A device in the env's config gives way to Serial's in the checks that build one (no clash).
    quick = envsdk.check(TorchWalk, steps=50, quick=True, device="cpu", only=["vectorization"])
    assert quick.ok, quick.format()


@pytest.mark.parametrize(("factory", "name", "pattern"), [
    (ReturnsCopies, "writes_in_place", r"step return value observations: expected buffers.observations itself"),
    (SkipsLastReward, "write_coverage", r"step writes rewards: .*found row 7 not written by step 1"),
    (SkipsLastReward, "external_buffers", r"row 7 of the given rewards untouched by step 1"),
    (DeclaresNoDevice, "buffers", r"DeclaresNoDevice.device: expected the device its tensor buffers live on \(cpu\)"),
    (GlobalNoise, "determinism", r"determinism: expected bit-identical outputs"),
])
def test_faulty_torch_envs_fail_the_right_check(factory, name, pattern):
    report = envsdk.check(factory, steps=50, only=[name])
    result = next(r for r in report.results if r.name == name)
    assert result.status == "fail" and __import__("re").search(pattern, result.message), report.format()


def test_cli_checks_a_torch_env():
    out = subprocess.run([sys.executable, "-m", "envsdk", "check", "torch_envs:TorchWalk", "--quick"], cwd=HERE,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "0 failed" in out.stdout, out.stdout + out.stderr


def test_testing_helpers_take_a_torch_env():
    env = TorchWalk(num_envs=3)
    assert_protocol(env)
    assert_writes_in_place(env)
    assert_deterministic(TorchWalk, steps=50)


# --- adapters -------------------------------------------------------------------------------------


def test_to_torch_returns_the_env_tensors_with_zero_copy(monkeypatch):
    from envsdk.compat import to_torch

    env = to_torch(envsdk.make(TorchWalk, num_envs=4, device="cpu"))
    b = env.buffers
    obs, _ = env.reset(seed=0)
    assert env.device == torch.device("cpu") and obs is b.observations
    _no_host_round_trip(monkeypatch)
    out = env.step(torch.tensor([2, 2, 0, 0]))
    assert [t.data_ptr() for t in out[:4]] == [getattr(b, f).data_ptr() for f in
                                                ("observations", "rewards", "terminals", "truncations")]
    assert env.masks is b.masks and b.actions.tolist() == [2, 2, 0, 0]
    env.step(b.actions)
    env.close()
    with pytest.raises(ConfigError, match=r"to_torch.device: expected None or cpu .*Fix: pass device=None"):
        to_torch(envsdk.make(TorchWalk, num_envs=2, device="cpu"), device="meta")


def test_to_gymnasium_and_to_sb3_copy_device_results_to_host_numpy():
    pytest.importorskip("gymnasium")
    from envsdk.compat import to_gymnasium

    venv = to_gymnasium(envsdk.make(TorchWalk, num_envs=4, device="cpu", final_observations=True))
    obs, _ = venv.reset(seed=0)
    b = venv.env.buffers
    assert isinstance(obs, np.ndarray) and obs.tobytes() == b.observations.numpy().tobytes()
    ended = 0
    for _ in range(30):
        obs, rew, term, trunc, infos = venv.step(np.ones(4, np.int64))
        assert all(isinstance(x, np.ndarray) for x in (obs, rew, term, trunc))
        assert not np.shares_memory(obs, b.observations.numpy()) and rew.tobytes() == b.rewards.numpy().tobytes()
        if infos:
            rows = np.flatnonzero(infos["_final_obs"])
            ended += len(rows)
            for i in rows:
                assert infos["final_obs"][i].tobytes() == b.final_observations[i].numpy().tobytes()
    assert ended
    venv.close()

    pytest.importorskip("stable_baselines3")
    from envsdk.compat import to_sb3

    vec = to_sb3(envsdk.make(TorchWalk, num_envs=4, device="cpu", final_observations=True))
    obs = vec.reset()
    assert isinstance(obs, np.ndarray)
    for _ in range(30):
        obs, rew, dones, infos = vec.step(np.ones(4, np.int64))
        assert isinstance(obs, np.ndarray) and isinstance(dones, np.ndarray) and dones.dtype == bool
        for i in np.flatnonzero(dones):
            assert isinstance(infos[i]["terminal_observation"], np.ndarray)
    vec.close()


def test_to_pettingzoo_reads_a_torch_env_on_the_host():
    pytest.importorskip("pettingzoo")
    from envsdk.compat import to_pettingzoo

    par = to_pettingzoo(envsdk.make(TorchWalk, num_envs=3, device="cpu"))
    obs, _ = par.reset(seed=0)
    assert sorted(obs) == ["agent_0", "agent_1", "agent_2"] and isinstance(obs["agent_0"], np.ndarray)
    obs, rew, term, trunc, infos = par.step({a: 2 for a in par.agents})
    assert par.env.buffers.actions.tolist() == [2, 2, 2] and isinstance(rew["agent_0"], float)
    par.close()


# --- CUDA (skipped without a GPU) ---------------------------------------------------------------


@cuda
def test_cuda_buffers_validate_copy_and_refuse_a_mix():
    b = allocate(OBS, ACT, N, final_observations=True, device="cuda")
    assert b.device == torch.device("cuda", torch.cuda.current_device()) and b.masks.all()
    assert all(getattr(b, f).is_cuda for f in b.field_names) and len({_base(getattr(b, f)) for f in FIELDS}) == 1
    copy_actions(b.actions, np.full((N, 2), 2, np.int64))
    copy_actions(b.actions, torch.ones(N, 2, dtype=torch.int64))  # a CPU tensor, copied across
    copy_actions(b.actions, torch.zeros(N, 2, dtype=torch.int32, device="cuda"))
    assert b.actions.sum().item() == 0
    with pytest.raises(BuffersError, match=r"buffers.rewards: expected a tensor on cuda"):
        Buffers(**{f: torch.zeros(N) if f == "rewards" else getattr(b, f) for f in FIELDS}).validate(OBS, ACT, N)


@cuda
def test_cuda_torch_env_passes_the_quick_checks_and_to_torch_is_zero_copy(monkeypatch):
    report = envsdk.check(TorchWalk, steps=100, quick=True, device="cuda")
    assert report.ok, report.format()
    from envsdk.compat import to_torch

    env = to_torch(envsdk.make(TorchWalk, num_envs=8, device="cuda", final_observations=True))
    obs, _ = env.reset(seed=0)
    assert obs.is_cuda and obs.data_ptr() == env.buffers.observations.data_ptr()
    _no_host_round_trip(monkeypatch)
    for _ in range(20):
        env.step(torch.ones(8, dtype=torch.int64, device="cuda"))
    env.close()
