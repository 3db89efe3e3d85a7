"""Emulation: existing Gymnasium and PettingZoo envs run as envsdk envs (DESIGN §7).

``from_gymnasium(env, num_envs=N)`` wraps N copies of a Gymnasium ``Env``; ``from_pettingzoo(env,
num_envs=N)`` wraps N copies of a PettingZoo ``ParallelEnv`` into fixed agent rows. Both return a
plain object satisfying ``envsdk.Env``; a Python loop runs over the copies, so they are as fast as
the wrapped env and no faster. The classes behind them (``GymnasiumEnv``, ``PettingZooEnv``) take
keyword config and ``buffers=``, so backends build them like any env::

    envsdk.make(GymnasiumEnv, num_envs=8, env="CartPole-v1", backend="multiprocessing")
    Serial(PettingZooEnv, num_envs=4, env="pettingzoo.classic.rps_v2:parallel_env")

``env`` is a registered Gymnasium id, a callable returning the env, or ``"module:callable"``. For
spawned workers it must be picklable: an id string, a ``"module:callable"`` string or a
module-level function or class (not a lambda).

Seeding (DESIGN §1): ``reset(seed=s)`` resets copy ``i`` with ``seed=(s + i) % 2**64``. An episode that ends
inside ``step`` is reset there with ``reset()`` and no seed, so the copy's own RNG continues: copy
``i`` follows exactly the trajectory the Gymnasium env gives when driven by hand with
``reset(seed=s + i)``, ``step`` and ``reset()`` after each episode.

Observations: a ``Box`` observation space is kept as is (shape and dtype). Any other space (Dict,
Tuple, Discrete, MultiDiscrete, MultiBinary, nested) is flattened into one float32 ``Box`` in the
order ``gymnasium.spaces.flatten`` uses (Dict in its own key order, which Gymnasium sorts; Tuple
in order): Box parts raveled and cast to float32, Discrete and MultiDiscrete one-hot, MultiBinary
as 0.0/1.0. The flat row equals ``gymnasium.spaces.flatten(space, obs)`` cast to float32.
``env.unflatten(observations)`` (or ``Unflatten(space)`` in a policy that has no env) returns the
nested dict/tuple of parts as numpy (or torch) views of the batch: slices and reshapes, no copies.

Final observations (``envsdk.make(GymnasiumEnv, ..., final_observations=True)``, or buffers from
``envsdk.allocate(..., final_observations=True)``): the row of an episode that ended in ``step``
gets the wrapped env's own last observation (what its ``step`` returned, flattened as above) in
``buffers.final_observations``, written before the same-step reset; other rows are left as they
are. Without that buffer nothing is copied.

Gymnasium's per-step ``info`` dicts are dropped (reading them would cost Python work every step);
episode statistics are computed from the rewards instead (see the classes).
"""

from envsdk.emulation._flatten import Leaf, Unflatten
from envsdk.emulation.gymnasium import GymnasiumEnv, from_gymnasium
from envsdk.emulation.pettingzoo import PettingZooEnv, from_pettingzoo

__all__ = ["GymnasiumEnv", "Leaf", "PettingZooEnv", "Unflatten", "from_gymnasium", "from_pettingzoo"]
