"""envsdk errors carry their parts as fields (owner, field, expected, found, fix); the text is built from them."""

import pickle
import sys

import numpy as np
import pytest

from envsdk import spaces
from envsdk.buffers import allocate
from envsdk.checks.report import from_error
from envsdk.errors import (
    BuffersError,
    ConfigError,
    EnvsdkError,
    MissingExtraError,
    SpaceError,
    WorkerError,
    field_message,
    install_hint,
    require,
)


def test_of_builds_the_message_from_the_fields_and_keeps_them():
    e = ConfigError.of("Breakout", "width", "an int in [8, 4096]", 3, "pass width=8 or more.")
    assert str(e) == "Breakout.width: expected an int in [8, 4096], found 3. Fix: pass width=8 or more."
    assert str(e) == field_message("Breakout", "width", "an int in [8, 4096]", 3, "pass width=8 or more.")
    assert (e.owner, e.field, e.expected, e.found, e.fix) == ("Breakout", "width", "an int in [8, 4096]", 3,
                                                              "pass width=8 or more.")
    assert isinstance(e, ValueError) and isinstance(e, EnvsdkError)
    assert str(SpaceError.of("single_action_space", None, "a Box", "Dict()", "flatten it.")) == (
        "single_action_space: expected a Box, found Dict(). Fix: flatten it.")


def test_an_error_raised_with_a_message_alone_has_no_fields():
    e = WorkerError("worker 1 died")
    assert str(e) == "worker 1 died"
    assert (e.owner, e.field, e.expected, e.found, e.fix) == (None, None, None, None, None)


def test_fields_survive_pickling():
    # Worker processes send errors to the driver pickled.
    e = pickle.loads(pickle.dumps(BuffersError.of("env.buffers", "rewards", "dtype float32", "dtype float64", "x")))
    assert type(e) is BuffersError and (e.owner, e.field, e.found) == ("env.buffers", "rewards", "dtype float64")
    assert str(e) == "env.buffers.rewards: expected dtype float32, found dtype float64. Fix: x"


def test_validation_errors_carry_their_fields():
    b = allocate(spaces.Box(0, 1, (3,)), spaces.Discrete(2), 4)
    with pytest.raises(BuffersError) as caught:
        b.validate(spaces.Box(0, 1, (3,), dtype=np.float64), spaces.Discrete(2), 4, owner="Env.buffers")
    e = caught.value
    assert (e.owner, e.field, e.expected, e.found) == ("Env.buffers", "observations", "dtype float64", "dtype float32")
    assert str(e).endswith(f"Fix: {e.fix}")
    with pytest.raises(SpaceError) as caught:
        spaces.observation_spec(spaces.Discrete(3))
    assert (caught.value.owner, caught.value.field, caught.value.expected) == ("single_observation_space", None,
                                                                               "a Box")


def test_the_checker_reads_the_fields_not_the_text():
    # A found value that itself contains " Fix: " would split the text at the wrong place.
    e = BuffersError.of("env.buffers", "observations", "dtype float32", "dtype float64 (see Fix: notes)", "allocate")
    outcome = from_error(e)
    assert outcome.message == "env.buffers.observations: expected dtype float32, found dtype float64 (see Fix: notes)."
    assert outcome.fix == "allocate"
    plain = from_error(ConfigError("something went wrong. Fix: nothing"))
    assert (plain.message, plain.fix) == ("something went wrong. Fix: nothing", "")


def test_require_imports_or_names_the_extra_that_installs_it(monkeypatch):
    import json

    assert require("json", "test", "somewhere") is json
    monkeypatch.setitem(sys.modules, "ray", None)  # makes `import ray` raise ImportError
    with pytest.raises(MissingExtraError) as caught:
        require("ray", "ray", "envsdk.backends.Ray")
    e = caught.value
    assert isinstance(e, ImportError) and (e.owner, e.expected) == ("envsdk.backends.Ray", "the optional package 'ray'")
    assert e.fix == install_hint("ray") + "." and str(e).endswith(f"Fix: {e.fix}")
    assert e.found.startswith("ModuleNotFoundError: ")


def test_positive_int_has_one_home_in_config():
    from envsdk.backends import _cycle, serial
    from envsdk.config import positive_int
    from envsdk.emulation import gymnasium, pettingzoo

    users = (_cycle, serial, gymnasium, pettingzoo)
    assert all(module.positive_int is positive_int for module in users)
    assert positive_int("Serial", "num_envs", np.int64(3)) == 3
    for bad in (0, -1, True, 2.0, "3"):
        with pytest.raises(ConfigError, match=f"Serial: expected num_envs to be a positive int, found {bad!r}"):
            positive_int("Serial", "num_envs", bad)
