"""The value checks: what the outputs hold and mean. Finite, in-bounds observations; finite
rewards; clean flags; determinism and seed sensitivity; vectorization (one object of N sub-envs
equals N of one); the autoreset rule; masks; and the episode statistics in infos."""

from __future__ import annotations

from contextlib import suppress
from typing import NoReturn

import numpy as np

from envsdk import _arrays
from envsdk.buffers import Buffers, allocate
from envsdk.checks.contract import STALE_BOOL, _canary, _stale
from envsdk.checks.record import (
    STAT_KEYS,
    Context,
    Rollout,
    checked_reset,
    checked_step,
    fill,
    first_difference,
    first_index,
    host,
    raw,
    short,
    write,
)
from envsdk.checks.report import Skipped, fail, warn
from envsdk.errors import EnvsdkError


def observation_problem(space, obs: np.ndarray, live: np.ndarray) -> tuple[str, tuple, float] | None:
    """The first non-finite or out-of-bounds entry of live rows: (what, index, value), or None.

    ``obs`` is ``[..., n, *obs_shape]`` and ``live`` ``[..., n]``; the index is into ``[..., n, element]``.
    """
    flat = obs.reshape(*live.shape, -1)
    if flat.dtype.kind == "f":
        bad = ~np.isfinite(flat) & live[..., None]
        if bad.any():
            idx = first_index(bad)
            return "finite", idx, float(flat[idx])
    low = np.broadcast_to(np.asarray(space.low, np.float64), tuple(space.shape)).reshape(-1)
    high = np.broadcast_to(np.asarray(space.high, np.float64), tuple(space.shape)).reshape(-1)
    with np.errstate(invalid="ignore"):
        bad = ((flat < low) | (flat > high)) & live[..., None]
    if bad.any():
        idx = first_index(bad)
        return "bounds", idx, float(flat[idx])
    return None


def check_observation_values(ctx: Context) -> str:
    """Observations of live rows are finite and inside the observation space's bounds."""
    tr = ctx.trajectory()
    with ctx.env() as env:
        space = env.single_observation_space
    problem = observation_problem(space, tr.observations, tr.masks)
    if problem:
        what, (t, row, e), value = problem
        where = f"{value!r} at row {row}, element {e}, after {'reset' if t == 0 else f'step {t}'}"
        if what == "finite":
            fail("observations", "finite values", where,
                 "find where the sim divides by zero or overflows, and guard it (a NaN poisons training)")
        low = np.broadcast_to(np.asarray(space.low, np.float64), tuple(space.shape)).reshape(-1)[e]
        high = np.broadcast_to(np.asarray(space.high, np.float64), tuple(space.shape)).reshape(-1)[e]
        fail("observations", f"values within single_observation_space bounds [{low}, {high}] for element {e}",
             where, "clip the observation, or widen the Box bounds to what the sim produces")
    return f"{tr.steps + 1} observations of every live row finite and within {space!r}"


def check_reward_values(ctx: Context) -> str:
    """Rewards are finite float32."""
    tr = ctx.trajectory()
    bad = ~np.isfinite(tr.rewards)
    if bad.any():
        t, row = first_index(bad)
        fail("rewards", "finite values", f"{tr.rewards[t, row]!r} at row {row} after step {t + 1}",
             "find where the sim divides by zero or overflows, and guard it")
    return f"finite, in [{tr.rewards.min():g}, {tr.rewards.max():g}]"


def check_flag_values(ctx: Context) -> str:
    """Terminals, truncations and masks are bool arrays holding only 0 and 1 bytes."""
    tr = ctx.trajectory()
    for name in ("terminals", "truncations", "masks"):
        bytes_ = getattr(tr, name).view(np.uint8)
        if (bytes_ > 1).any():
            t, row = first_index(bytes_ > 1)
            fail(name, "bool values (bytes 0 or 1)", f"byte {bytes_[t, row]} at row {row}",
                 "store a 0/1 result (C: flags[i] = (lives == 0);), never another number, in a bool buffer")
    return "terminals, truncations and masks hold only True/False"


def check_determinism(ctx: Context) -> str:
    """The same seed and actions give bit-identical outputs: in a second env, and after a second reset."""
    first = ctx.trajectory()
    with ctx.env() as env:
        second = ctx.record(env, first.actions, ctx.seed)
        third = ctx.record(env, first.actions, ctx.seed)
    for label, other in (("a second env", second), ("the same env reset again", third)):
        diff = first_difference(first, other)
        if diff:
            fail("determinism", f"bit-identical outputs from reset(seed={ctx.seed}) and the same actions",
                 f"{label} differing first in {diff}",
                 "keep all randomness in per-sub-env RNG state seeded by reset (sub-env i gets seed + i); no "
                 "time, os.urandom, unseeded or global RNG, and no state carried over from before reset")
    return f"{first.steps} steps bit-identical in a second env and after a second reset"


def check_seed_sensitivity(ctx: Context) -> str:
    """Different seeds give different trajectories (a warning if they do not)."""
    first = ctx.trajectory()
    other_seed = ctx.seed + 1_000_003
    with ctx.env() as env:
        other = ctx.record(env, first.actions, other_seed)
    if first.observations.tobytes() == other.observations.tobytes():
        warn("seeding", "different trajectories for different seeds",
             f"identical observations over {first.steps} steps for seeds {ctx.seed} and {other_seed}",
             "seed every sub-env's RNG from reset's seed (sub-env i gets seed + i); ignore this if the env has "
             "no randomness")
    return f"seeds {ctx.seed} and {other_seed} give different observations"


def check_final_observations(ctx: Context) -> str:
    """Given buffers with ``final_observations``, each step writes every ended row's last observation
    there (finite, in bounds, deterministic), leaves every other row alone, and changes nothing else.

    Two envs run the same seed and actions, one after the other, each refilling
    ``final_observations`` with its own canary before every step (``_stale`` tells written from
    unwritten), over the rollout in which episodes end (``ctx.episodes``). On success, the
    vectorization and backends checks compare final observations too (``ctx.final_observations``).
    """
    ended_run = ctx.episodes()
    if not (ended_run.terminals | ended_run.truncations).any():
        raise Skipped(f"no episode ended within {ended_run.steps} steps of random actions: nothing to write")
    fix = ("when buffers.final_observations is not None, write into it, in step, the last observation of each row "
           "whose episode ends, before the same-step reset (C: declare `final_observations` and use "
           "ENVSDK_FINAL_ROW, or the one-sub-env style, which copies them)")
    with ctx.env() as env:
        spaces_n = env.single_observation_space, env.single_action_space, env.num_agents
    runs = [_final_run(ctx, which, spaces_n, ended_run.actions, fix) for which in (0, 1)]
    written = 0
    for t, ((rows, f0), (rows1, f1)) in enumerate(zip(*runs, strict=True)):
        if rows.size == 0:
            continue
        if rows.tobytes() != rows1.tobytes():
            fail("final_observations", "the same episodes ending from the same seed and actions",
                 f"two envs ending different rows at step {t + 1}", "keep all randomness in per-sub-env RNG state")
        stale = _stale(f0, f1).reshape(rows.size, -1).all(axis=1)
        if stale.any():
            fail("final_observations", "the last observation of every row whose episode ended",
                 f"row {rows[int(np.argmax(stale))]} not written at step {t + 1}, where its episode ended", fix)
        if f0.tobytes() != f1.tobytes():
            fail("final_observations", "the same final observations from the same seed and actions",
                 f"two envs differing at step {t + 1}", "derive the final observation from the episode's state "
                 "alone (it is the observation the row would have shown had it not been reset)")
        problem = observation_problem(spaces_n[0], f0, np.ones(rows.size, bool))
        if problem:
            what, (row, e), value = problem
            fail("final_observations", "finite values within single_observation_space bounds",
                 f"{value!r} at row {rows[row]}, element {e}, at step {t + 1}",
                 "write the observation itself, as observations would show it (clipped as they are)")
        written += rows.size
    ctx.final_observations = True
    replayed = _replay_wrapped(ctx, ended_run.actions, runs[0])
    return f"{written} ended rows' last observations written over {len(runs[0])} steps; other rows untouched{replayed}"


def _replay_wrapped(ctx: Context, actions: np.ndarray, run: list) -> str:
    """For an emulated Gymnasium env: each final observation equals the wrapped env's own last one.

    The copies of a fresh emulated env (its public ``envs``) are driven by hand, as the emulation
    promises copy ``i`` behaves: ``reset(seed=seed + i)``, ``step``, ``reset()`` after each episode.
    Returns a note for the report ("" for any other env).
    """
    with ctx.env() as env:
        if type(env).__module__ != "envsdk.emulation.gymnasium":
            return ""
        import gymnasium

        space, act_space = env.gymnasium_observation_space, env.gymnasium_action_space
        discrete = isinstance(act_space, gymnasium.spaces.Discrete)
        for i, copy in enumerate(env.envs):
            copy.reset(seed=ctx.seed + i)
            for t, (rows, finals) in enumerate(run):
                a = actions[t][i]
                obs, _, terminated, truncated, _ = copy.step(int(a) if discrete else np.asarray(a, act_space.dtype))
                if not (terminated or truncated):
                    continue
                at = np.flatnonzero(rows == i)
                want = np.asarray(gymnasium.spaces.flatten(space, obs)).astype(finals.dtype)
                if at.size == 0 or finals[at[0]].reshape(-1).tobytes() != want.tobytes():
                    fail("final_observations", "the wrapped Gymnasium env's own last observation (flattened)",
                         f"row {i} at step {t + 1}: {short(finals[at[0]]) if at.size else 'no episode end'} vs the "
                         f"wrapped env's {short(want)}", "write the observation the wrapped env's step returned, "
                         "before resetting it")
                copy.reset()
    return "; each equals the wrapped Gymnasium env's own last observation (replayed by hand)"


def _final_run(ctx: Context, which: int, spaces_n: tuple, actions: np.ndarray, fix: str) -> list:
    """One env on buffers with final_observations, refilled with canary ``which`` before each step:
    per step, the rows that ended and their final observations. Fails when another row is written,
    or when any other output differs from the main trajectory's."""
    main = ctx.trajectory()
    try:
        env = ctx.build(buffers=allocate(*spaces_n, final_observations=True, device=ctx.device()))
    except EnvsdkError as e:
        fail("final_observations", "an env that accepts buffers with final_observations", f"{type(e).__name__}: {e}",
             fix)
    b, out = env.buffers, []
    try:
        ctx.where = f"reset(seed={ctx.seed}) with final_observations"
        checked_reset(env, ctx.seed)
        dtype = _arrays.dtype_of(b.final_observations)
        n = b.num_agents
        row_size = int(np.prod(tuple(b.final_observations.shape[1:]), dtype=int))
        canary = np.full(row_size, _canary(dtype, which), dtype).view(np.uint8)
        for t in range(len(actions)):
            ctx.where = f"step {t + 1} after reset(seed={ctx.seed}) with final_observations"
            write(b.actions, actions[t])
            fill(b.final_observations, _canary(dtype, which))
            checked_step(env.step(b.actions), b, t + 1)
            final = host(b.final_observations)
            bytes_ = final.reshape(n, -1).view(np.uint8)  # compared as bytes: a NaN canary equals itself
            ended = host(b.terminals) | host(b.truncations)
            touched = np.flatnonzero((bytes_ != canary).any(axis=1) & ~ended)
            if touched.size:
                fail("final_observations", "rows whose episode did not end left as they were",
                     f"row {touched[0]} written at step {t + 1} ({touched.size} rows) without terminals or "
                     "truncations set", fix)
            if t < main.steps:
                for name, got, want in (("observations", b.observations, main.observations[t + 1]),
                                        ("rewards", b.rewards, main.rewards[t]),
                                        ("terminals", b.terminals, main.terminals[t]),
                                        ("truncations", b.truncations, main.truncations[t])):
                    if host(got).tobytes() != want.tobytes():
                        fail(f"final_observations leave {name} alone",
                             f"the same {name} as without final_observations", f"a difference after step {t + 1}",
                             "write final observations only into buffers.final_observations, and change nothing "
                             "else when it is present")
            rows = np.flatnonzero(ended)
            out.append((rows, final[rows]))  # fancy indexing copies
    finally:
        ctx.where = ""
        with suppress(Exception):
            env.close()
    return out


def check_vectorization(ctx: Context) -> str:
    """One object of N sub-envs behaves exactly like N objects of one sub-env each (no shared state)."""
    if not ctx.takes_num_envs:
        raise Skipped("the factory takes no num_envs: every object is one sub-env")
    n = ctx.num_envs
    if n < 2:
        raise Skipped(f"num_envs={n}: nothing to compare; use num_envs >= 2")
    first = ctx.trajectory()
    runs = []
    for per in (n, 1):
        env = ctx.serial(n, envs_per_object=per)
        try:
            runs.append(ctx.record(env, first.actions, ctx.seed))
        finally:
            env.close()
    diff = first_difference(*runs, infos="totals")
    if diff:
        fail_split("vectorization", f"1 object of {n} sub-envs to match {n} objects of 1 sub-env (same seeds "
                    "and actions)", diff, runs)
    return f"1 object of {n} sub-envs == {n} objects of 1 over {first.steps} steps"


def fail_split(prop: str, expected: str, diff: str, runs: list[Rollout]) -> NoReturn:
    """Fail a comparison of runs that split sub-envs differently, naming the likeliest cause.

    Such runs report the same episodes in differently split dicts, compared as totals (mean x
    ``episode_count``); a dict without ``episode_count`` counts as one episode, so the totals
    differ although the env is right, and the fix is the count, not the env's state.
    """
    uncounted = next((i for tr in runs for step in tr.infos for i in step
                      if "episode_count" not in i and any(k in i for k in STAT_KEYS)), None)
    if diff.startswith("infos") and uncounted is not None:
        fail(f"{prop} infos episode_count", f"{expected}, with every episode dict carrying episode_count",
             f"a difference in {diff}, and infos without episode_count ({short(uncounted)}), so the episodes "
             "each dict aggregates cannot be counted across splits",
             "report {'episode_return': mean, 'episode_length': mean, 'episode_count': k} for the k episodes "
             "that ended since the last report")
    fail(prop, expected, f"a difference in {diff}",
         "keep all state per sub-env: no module- or class-level variables, no process-global RNG (random, "
         "np.random, C rand()), nothing shared between rows")


def _episode_ends(tr: Rollout) -> list[tuple[int, int, int, str]]:
    """Every episode end as ``(step index, row, length, "terminal"/"truncation")``."""
    length = np.zeros(tr.rewards.shape[1], np.int64)
    ends = []
    for t in range(tr.steps):
        length += 1
        done = tr.terminals[t] | tr.truncations[t]
        for row in np.flatnonzero(done):
            ends.append((t, int(row), int(length[row]), "terminal" if tr.terminals[t, row] else "truncation"))
        length[done] = 0
    return ends


def check_autoreset(ctx: Context) -> str:
    """Episodes end and continue without reset; flags are fresh each step; terminal and truncation stay apart."""
    tr = ctx.episodes()
    done = tr.terminals | tr.truncations
    if not done.any():
        warn("autoreset", f"an episode to end within {tr.steps} steps of random actions", "none ended",
             "check with config for shorter episodes (e.g. max_steps=...) or more steps, so autoreset is exercised")
    both = tr.terminals & tr.truncations
    if both.any():
        t, row = first_index(both)
        fail("terminals and truncations", "at most one of them per row and step (terminal: the MDP ended; "
             "truncation: a time limit cut it short)", f"both set for row {row} at step {t + 1} "
             f"({int(both.sum())} times)", "set truncated = (time limit reached) and not terminal")
    repeated = tr.terminals[1:] & tr.terminals[:-1]
    if repeated.any():
        # One-step episodes repeat legitimately; replay with an unwritten-flag canary before each
        # step to tell them from a True left over from an earlier step.
        last = int(np.argwhere(repeated)[-1][0]) + 2

        def poison(b: Buffers) -> None:
            fill(raw(b.terminals), STALE_BOOL)

        with ctx.env() as env:
            replay = ctx.record(env, tr.actions[:last], ctx.seed, observations=False, before_step=poison)
        stale = replay.terminals.view(np.uint8) == STALE_BOOL
        if stale.any():
            t, row = first_index(stale)
            fail("terminals", "a flag set only on the step its row's episode ends",
                 f"rows terminal on consecutive steps {int(repeated.sum())} times; replayed, step {t + 1} leaves "
                 f"row {row}'s flag unwritten, so a True from an earlier step carries over",
                 "assign every row's flag on every step: terminals[:] = ended (not terminals[ended] = True)")
    ends = _episode_ends(tr)
    kinds = [e[3] for e in ends]
    if tr.max_steps is not None and "truncation" not in kinds:
        at_limit = [e for e in ends if e[2] == tr.max_steps]
        if len(at_limit) >= 2:
            fail("truncations", f"episodes cut by the time limit (max_steps={tr.max_steps}) reported in "
                 "truncations", f"{len(at_limit)} episodes of exactly {tr.max_steps} steps ended as terminal "
                 "and truncations never set", "report the time limit as truncated = t >= max_steps and not "
                 "terminal; terminals is for the MDP's own end (learners bootstrap differently)")
    return (f"{len(ends)} episodes ended ({kinds.count('terminal')} terminal, {kinds.count('truncation')} "
            "truncated) and continued without reset")


def check_masks(ctx: Context) -> str:
    """Masks mark live rows: some row is live; rows that are not live get no reward and no flags."""
    tr = ctx.trajectory()
    m = tr.masks
    none = ~m.any(axis=1)
    if none.any():
        t = int(np.argmax(none))
        fail("masks", "at least one live row", f"no live row after {'reset' if t == 0 else f'step {t}'}",
             "set masks[i] = True for every row that holds an agent this step (fixed populations: leave all True)")
    dead = ~m[1:]
    bad = dead & ((tr.rewards != 0) | tr.terminals | tr.truncations)
    if bad.any():
        t, row = first_index(bad)
        fail("masks", "rows that are not live (masks False) to get reward 0 and no terminal or truncation",
             f"row {row} after step {t + 1}: reward {tr.rewards[t, row]!r}, terminal {bool(tr.terminals[t, row])}, "
             f"truncation {bool(tr.truncations[t, row])}",
             "set masks[i] = False only for rows with no agent this step (padding, agents already gone) and zero "
             "their reward and flags; an agent's final (terminal) step is still live")
    if m.all():
        return "every row live throughout (fixed population)"
    return f"{(~m).mean():.0%} of row-steps not live; those get no reward or flags"


def check_episode_stats(ctx: Context) -> str:
    """The episode_return, episode_length and episode_count in infos agree with the rewards and flags."""
    tr = ctx.episodes()
    done = tr.terminals | tr.truncations
    if not done.any():
        raise Skipped(f"no episode ended within {tr.steps} steps (see autoreset)")
    n = tr.rewards.shape[1]
    fixed_population = bool(tr.masks.all())
    ret, length = np.zeros(n, np.float64), np.zeros(n, np.int64)
    pending: list[tuple[float, int]] = []  # episodes that ended since the last report
    reports = reported = 0
    fix = ("accumulate each row's reward every step, reset the sums when its episode starts, and report the "
           "episodes that ended since the last report as {'episode_return': mean, 'episode_length': mean, "
           "'episode_count': k}")
    for t in range(tr.steps):
        ret += np.where(tr.masks[t + 1], tr.rewards[t], 0.0)
        length += 1
        for row in np.flatnonzero(done[t]):
            pending.append((ret[row], length[row]))
        ret[done[t]], length[done[t]] = 0.0, 0
        stats = [i for i in tr.infos[t] if any(k in i for k in STAT_KEYS)]
        if not stats:
            continue
        for info in stats:
            missing = [k for k in STAT_KEYS if k not in info]
            if missing:
                fail("infos", f"episode statistics with {', '.join(STAT_KEYS)}",
                     f"a dict with {sorted(info)} after step {t + 1}", fix)
        count = sum(int(i["episode_count"]) for i in stats)
        if count != len(pending):
            fail("infos episode_count", f"{len(pending)} after step {t + 1} (episodes that ended since the last "
                 "report, counted from the flags)", f"{count}", fix)
        if count:
            exp_ret = float(np.mean([p[0] for p in pending]))
            exp_len = float(np.mean([p[1] for p in pending]))
            got_ret = sum(float(i["episode_return"]) * int(i["episode_count"]) for i in stats) / count
            got_len = sum(float(i["episode_length"]) * int(i["episode_count"]) for i in stats) / count
            if not np.isclose(got_ret, exp_ret, rtol=1e-4, atol=1e-4):
                fail("infos episode_return", f"mean {exp_ret:.6g} after step {t + 1} (rewards summed over "
                     f"{count} episodes)", f"{got_ret:.6g}", fix)
            # With a varying population the masks cannot tell when an absent agent came back (its
            # final step is live, and so is its row after a same-step reset), so lengths are only
            # checked when every row is live throughout.
            if fixed_population and not np.isclose(got_len, exp_len, rtol=1e-6, atol=1e-6):
                fail("infos episode_length", f"mean {exp_len:.6g} after step {t + 1} (steps of {count} "
                     "episodes)", f"{got_len:.6g}", fix)
        reports += 1
        reported += count
        pending.clear()
    if reported == 0:
        fail("infos", f"episode statistics ({', '.join(STAT_KEYS)}) for the {int(done.sum())} episodes that "
             "ended", "none in infos", fix)
    lengths = "" if fixed_population else " (episode_length not checked: the population varies)"
    return f"{reports} reports covering {reported} episodes agree with the rewards and flags{lengths}"

