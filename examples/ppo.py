"""PPO on any registered envsdk env, through the native envsdk API (no adapters), CleanRL-shaped.

    pip install -e '.[train]' torch==2.13.0      # torch; pillow and tqdm are optional
    python examples/ppo.py --env cartpole          # train to the env's target, then stop
    python examples/ppo.py --env tictactoe --total-timesteps 200000 --summary summary.json
    python examples/ppo.py --env cartpole_torch --device cuda   # a torch-native env: the rollout stays on the GPU

The loop is CleanRL's ``ppo.py`` written against the envsdk protocol: ``envsdk.make`` builds
``num_envs`` sub-envs under a backend; ``reset``/``step`` return the backend's buffers (copied
into the rollout storage here); one policy row is one agent row, so a multi-agent env simply has
more rows (``num_agents``). Rows whose ``masks`` entry is False (dead or padded agents) are
left out of the loss. Episode statistics come from ``infos`` (one aggregate dict per report).

``--device`` places the policy, and the buffers of a torch-native env (one whose constructor takes
``device=``, e.g. ``cartpole_torch``): then the env's buffers are tensors on that device, and the
rollout never leaves it (actions sampled there are written into ``buffers.actions``, observations,
rewards and flags are read as tensors, the rollout storage and GAE live there too); the only host
reads are the env's periodic episode reports. A numpy env (the C sims) keeps its host buffers and
its numpy rollout whatever the device: the policy's inputs and outputs cross to it each step.

Per-env defaults live in ``ENV_DEFAULTS`` below (any field of ``Args`` left unset on the command
line takes the env's value). The board games end their observation with a legal-action mask
(``legal_mask``: the last n entries, 1 where the action is legal); the policy sets the logits of
illegal actions to a very low value, so it never samples them. Without ``--total-timesteps`` the
run stops once the env's ``target`` is reached (an info key's mean over the env's window of
recent episodes, e.g. the win rate over the last 1,000 games), or after the env's step budget.

Outputs in ``--output-dir``: ``agent.pt`` (a checkpoint in the format of ``envsdk/policy.py``:
the actor's and the critic's layers, the observation encoding, the env and its config; plain data,
so ``envsdk play --checkpoint`` and ``load_agent`` read it without running code from the file),
``curve.png`` (mean return, and the target's key, against steps and wall seconds; needs pillow)
and ``curve.csv`` (its numbers), ``policy.gif`` (the greedy policy on one sub-env, from
``env.render("rgb_array")`` at the env's watching pace, each episode's final position held before
the next starts; needs pillow). With ``--summary PATH``, a JSON file: env, steps, seconds, sps,
mean_return (last 100 episodes).
"""

from __future__ import annotations

import argparse
import ast
import gc
import inspect
import itertools
import json
import random
import sys
import time
from collections import deque
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
from torch.distributions.categorical import Categorical

import envsdk
import envsdk.policy
from envsdk.config import config_keys
from envsdk.controls import controls_of
from envsdk.registry import resolve

# Per-env defaults. legal_mask: the observation's last n entries are the legal-action mask
# (tictactoe 9 cells, connect4 7 columns, tripletriad 14 actions); 0 = no mask. onehot (optional):
# the observation holds onehot codes from the space's low bound up, fed to the MLP one-hot
# (squared: an MLP cannot tell agent 1 from target 2 on one input per cell without a great deal
# more training; with one-hot it reaches its target in under 30 s).
# target: (info key, threshold, window): the key's mean over the last `window` episodes that ends a run without
# --total-timesteps; total_timesteps is then the budget cap. evaluate (optional, instead of target): every
# `every` rollouts the greedy policy plays the first episode of `games` sub-envs of each of `configs` (fresh
# seeds each time; a loss: the episode's last reward < 0); when it loses none, it plays again on fresh games,
# up to `rounds` sets, and the run ends once it loses none in all of them.
# config goes to the env constructor. gif_steps (optional): the steps in policy.gif (board games: a few games
# at a pace a person can follow).
ENV_DEFAULTS: dict[str, dict] = {
    # cartpole: tuned for the wall time to its target (bench/train_demos.py cartpole; README, "Train with PPO").
    # Rewards scaled by 0.1 (values up to 10, not 100) and no value clipping (it holds a value of 100 back
    # by 0.2 an epoch) each nearly halved the steps to the target; one 512-step minibatch, 6 epochs: few
    # gradient steps, as each costs about 2 ms of overhead on a 2-core VM, whatever its size.
    "cartpole": dict(num_envs=16, num_steps=32, learning_rate=4e-3, ent_coef=0.0, hidden=32, gamma=0.99,
                     num_minibatches=1, update_epochs=6, clip_vloss=False, reward_scale=0.1, total_timesteps=1_000_000,
                     legal_mask=0, target=("episode_return", 475.0, 100), config={}),
    # tictactoe: against the perfect opponent that plays at random a fifth of the time (it punishes every
    # blunder, and its mistakes teach the agent to win), from random openings (exploring starts:
    # without them PPO settles on lines its own policy never leaves, and misses blocks after them).
    # Target: the greedy policy loses none of 1,000 games moving first and 1,000 moving second against
    # the (plain) perfect opponent, nor against the random one (whose blunders lead where perfect play
    # never goes: stopped at perfect play alone, policies lost 0.2-5% of their games to it moving
    # second), twice in a row on fresh games, checked after every rollout.
    # Tuned for the wall time to it (bench/train_demos.py tictactoe): epsilon 0.2 rather than 0.5, a 64-wide
    # MLP (32 wide, one seed in 8 stalled at an 8% loss rate) on one 4096-step minibatch, learning rate 3e-3.
    "tictactoe": dict(num_envs=256, num_steps=16, learning_rate=3e-3, ent_coef=0.01, hidden=64, gamma=0.99,
                      num_minibatches=1, update_epochs=4, total_timesteps=2_000_000, legal_mask=9, target=None,
                      config={"opponent": "perfect", "epsilon": 0.2, "opening": 2, "first": "random"},
                      evaluate=dict(games=1000, every=1, rounds=2,
                                    configs=({"opponent": "perfect", "first": "agent"},
                                             {"opponent": "perfect", "first": "opponent"},
                                             {"opponent": "random", "first": "agent"},
                                             {"opponent": "random", "first": "opponent"})),
                      gif_steps=30),
    "connect4": dict(num_envs=128, num_steps=32, learning_rate=5e-4, ent_coef=0.01, hidden=256, gamma=0.99,
                     num_minibatches=4, update_epochs=4, total_timesteps=20_000_000, legal_mask=7,
                     target=("win", 0.93, 1000), config={"opponent": "greedy", "first": "random"}, gif_steps=60),
    # tripletriad: the target is what the one-ply greedy player (most captures now) wins against the
    # random opponent, 0.71 over 8,000 games (bench/train_demos.py). Exact play wins 0.98
    # (bench/tripletriad_optimal.py); this MLP plateaus near one-ply strength in every setting tried.
    "tripletriad": dict(num_envs=128, num_steps=32, learning_rate=5e-4, ent_coef=0.01, hidden=256, gamma=0.99,
                        num_minibatches=4, update_epochs=4, total_timesteps=10_000_000, legal_mask=14,
                        target=("win", 0.72, 1000), config={"opponent": "random", "first": "random"},
                        gif_steps=60),
    # breakout: 256 sub-envs of 32 steps (the same 8192-step batch as 64 x 128) see more of the
    # game per update; measured (bench/train_demos.py): score 63 after 600 s, against 16.1 with 64 x 128.
    # Target: 100 of the 108 bricks. 108 itself would need every one of 100 episodes to clear the
    # wall; a full run (seed 1) reached 100 at 34.7M steps and 107.7 at the 50M budget.
    "breakout": dict(num_envs=256, num_steps=32, learning_rate=5e-4, ent_coef=0.01, hidden=256, gamma=0.99,
                     num_minibatches=4, update_epochs=4, total_timesteps=50_000_000, legal_mask=0,
                     target=("score", 100.0, 100), config={}),
    "pong": dict(num_envs=64, num_steps=128, learning_rate=5e-4, ent_coef=0.01, hidden=128, gamma=0.99,
                 num_minibatches=4, update_epochs=4, total_timesteps=20_000_000, legal_mask=0,
                 target=("win", 0.9, 1000), config={}),
    "squared": dict(num_envs=64, num_steps=32, learning_rate=1e-3, ent_coef=0.01, hidden=128, gamma=0.99,
                    num_minibatches=4, update_epochs=4, total_timesteps=5_000_000, legal_mask=0, onehot=3,
                    target=("episode_return", 0.9, 1000), config={}),
    # multi-agent: every snake is an agent row (num_agents = num_envs * snakes)
    "snake": dict(num_envs=8, num_steps=64, learning_rate=5e-4, ent_coef=0.01, hidden=128, gamma=0.99,
                  num_minibatches=4, update_epochs=4, total_timesteps=20_000_000, legal_mask=0, onehot=7,
                  target=("score", 20.0, 100), config={"width": 24, "height": 24, "snakes": 8, "food": 16,
                                                  "max_steps": 1000}),
}
# cartpole_torch: cartpole's rules on torch (bit-equal on the CPU), so cartpole's settings and target.
ENV_DEFAULTS["cartpole_torch"] = ENV_DEFAULTS["cartpole"]
# For an env not in the table (e.g. one registered by entry point).
GENERIC_DEFAULTS = dict(num_envs=16, num_steps=128, learning_rate=2.5e-4, ent_coef=0.01, hidden=64, gamma=0.99,
                        num_minibatches=4, update_epochs=4, total_timesteps=500_000, legal_mask=0,
                        target=None, config={})


@dataclass
class Args:
    env: str = "cartpole"
    """registered env name (`envsdk list`); picks the per-env defaults in ENV_DEFAULTS"""
    backend: str = "serial"
    """envsdk backend that runs the sub-envs (serial or multiprocessing)"""
    config: str = "{}"
    """env config as a JSON object, merged over the env's default config"""
    seed: int = 1
    """seed of the experiment (sub-env i is seeded with seed + i)"""
    torch_deterministic: bool = True
    """set `torch.backends.cudnn.deterministic` (true/false)"""
    cuda: bool = False
    """use CUDA when available (small MLPs train faster on the CPU) (true/false; same as --device cuda)"""
    device: str = "cpu"
    """torch device of the policy and, for a torch-native env (one taking device=, e.g. cartpole_torch), of the
    env's buffers and the whole rollout (cpu, cuda, cuda:1)"""
    torch_threads: int = 1
    """CPU threads for torch (0: torch's default, one per core)"""
    total_timesteps: int | None = None
    """agent-row steps to train; unset: train until the env's target (at most its budget)"""
    max_seconds: float = 0.0
    """if > 0, also stop after this many seconds of training (e.g. a fixed 10-minute run)"""
    num_envs: int | None = None
    """sub-envs simulated in parallel (unset: the env's default)"""
    num_steps: int | None = None
    """steps per agent row per rollout (unset: the env's default)"""
    learning_rate: float | None = None
    """Adam learning rate, annealed linearly to 0 (unset: the env's default)"""
    anneal_lr: bool = True
    """anneal the learning rate linearly to 0 over the run (true/false)"""
    gamma: float | None = None
    """discount factor (unset: the env's default)"""
    reward_scale: float | None = None
    """rewards are multiplied by this before learning (unset: the env's default, else 1)"""
    gae_lambda: float = 0.95
    """lambda of generalized advantage estimation"""
    bootstrap_truncations: bool = True
    """a truncated episode's last reward gains gamma * V(final observation) (true/false; false: as terminal)"""
    num_minibatches: int | None = None
    """minibatches per epoch (unset: the env's default)"""
    update_epochs: int | None = None
    """optimisation epochs per rollout (unset: the env's default)"""
    clip_coef: float = 0.2
    """surrogate clipping coefficient"""
    clip_vloss: bool | None = None
    """clip the value loss as the surrogate (true/false; unset: the env's default)"""
    ent_coef: float | None = None
    """entropy bonus coefficient (unset: the env's default)"""
    vf_coef: float = 0.5
    """value loss coefficient"""
    max_grad_norm: float = 0.5
    """maximum gradient norm"""
    hidden: int | None = None
    """width of the two hidden layers of the actor and of the critic (unset: the env's default)"""
    init_checkpoint: str = ""
    """if set, start from this agent.pt (same env, observation encoding and hidden width; e.g. fine-tune against
    a new opponent)"""
    output_dir: str = ""
    """where agent.pt, curve.png and policy.gif go (default runs/ENV_SEED_TIME)"""
    summary: str = ""
    """if set, write a JSON summary (env, steps, seconds, sps, mean_return) to this path"""
    gif_steps: int | None = None
    """steps of the trained policy recorded in policy.gif (0: no GIF; unset: the env's default, else 200)"""
    progress: bool = True
    """show a progress bar (tqdm if installed, else one carriage-return line) (true/false)"""


def field_docs() -> dict[str, str]:
    """Each field of ``Args`` -> the docstring under it (the help text of its flag)."""
    body = ast.parse(inspect.getsource(Args)).body[0].body
    return {field.target.id: doc.value.value for field, doc in itertools.pairwise(body)
            if isinstance(field, ast.AnnAssign) and isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant)}


def parse_args(argv: list[str] | None = None) -> Args:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    docs = field_docs()
    for f in fields(Args):
        kind = {"int": int, "float": float, "str": str, "bool": bool}[str(f.type).split(" |")[0]]
        metavar = kind.__name__.upper()
        if kind is bool:
            kind, metavar = (lambda s: s.lower() in ("1", "true", "yes")), "BOOL"
        parser.add_argument(f"--{f.name.replace('_', '-')}", type=kind, default=f.default, metavar=metavar,
                            help=docs[f.name])
    return Args(**vars(parser.parse_args(argv)))


def layer_init(layer, std=2**0.5, bias_const=0.0):
    torch.nn.init.orthogonal_(layer.weight, std)
    torch.nn.init.constant_(layer.bias, bias_const)
    return layer


def encode(x: torch.Tensor, onehot: int, low: int = 0) -> torch.Tensor:
    """The MLP's input: ``x`` itself, or each entry one-hot over codes ``low..low+onehot-1`` (clamped)."""
    if not onehot:
        return x
    return nn.functional.one_hot((x.long() - low).clamp(0, onehot - 1), onehot).flatten(1).float()


def mlp(layers: list[tuple[torch.Tensor, torch.Tensor]], x: torch.Tensor) -> torch.Tensor:
    """Linear layers ``(weight, bias)`` applied in order with tanh between them: what the ``nn.Sequential``
    holding them computes, in function calls (a module call costs as much as one of this small MLP's layers:
    half the rollout's forward)."""
    for weight, bias in layers[:-1]:
        x = torch.tanh(nn.functional.linear(x, weight, bias))
    return nn.functional.linear(x, *layers[-1])


class Agent(nn.Module):
    """Separate actor and critic MLPs over the flattened observation; masks illegal logits."""

    def __init__(self, obs_size: int, num_actions: int, hidden: int, legal_mask: int, onehot: int = 0,
                 onehot_low: int = 0):
        super().__init__()
        self.legal_mask = legal_mask  # the observation's last legal_mask entries are the legal-action mask
        self.onehot, self.onehot_low = onehot, onehot_low
        inputs = obs_size * onehot if onehot else obs_size
        self.critic = nn.Sequential(
            layer_init(nn.Linear(inputs, hidden)), nn.Tanh(),
            layer_init(nn.Linear(hidden, hidden)), nn.Tanh(),
            layer_init(nn.Linear(hidden, 1), std=1.0),
        )
        self.actor = nn.Sequential(
            layer_init(nn.Linear(inputs, hidden)), nn.Tanh(),
            layer_init(nn.Linear(hidden, hidden)), nn.Tanh(),
            layer_init(nn.Linear(hidden, num_actions), std=0.01),
        )
        # the layers' parameters, for mlp (the same tensors: updates and loaded weights show through)
        self.critic_layers = [(m.weight, m.bias) for m in linears(self.critic)]
        self.actor_layers = [(m.weight, m.bias) for m in linears(self.actor)]

    def get_value(self, x):
        return mlp(self.critic_layers, encode(x, self.onehot, self.onehot_low))

    def logits(self, x):
        """The actor's logits, those of illegal actions set to the lowest float (never sampled)."""
        logits = mlp(self.actor_layers, encode(x, self.onehot, self.onehot_low))
        if self.legal_mask:
            legal = x[:, -self.legal_mask:] > 0
            logits = torch.where(legal, logits, torch.finfo(logits.dtype).min)
        return logits

    def distribution(self, x):
        return Categorical(logits=self.logits(x), validate_args=False)

    def act(self, x):
        """Sample an action per row; returns ``(action, its log-probability, value)``.

        Gumbel-max (the argmax of the logits plus Gumbel noise) draws from the same distribution as
        ``Categorical(logits).sample()`` in fewer tensor operations: the rollout's forward pass costs
        about half (per-operation overhead dominates this small MLP).
        """
        logp = self.logits(x).log_softmax(1)
        action = (logp - torch.empty_like(logp).exponential_().log()).argmax(1)
        return action, logp.gather(1, action[:, None]).squeeze(1), self.get_value(x).squeeze(1)

    def get_action_and_value(self, x, action):
        """Log-probability of ``action``, the policy's entropy and the value, per row (the PPO loss's inputs)."""
        logp = self.logits(x).log_softmax(1)
        entropy = -(logp.exp() * logp).sum(1)  # illegal actions: exp(lowest float) = 0 times a finite number
        return logp.gather(1, action[:, None]).squeeze(1), entropy, self.get_value(x).squeeze(1)


class Adam:
    """Adam (no weight decay): the update ``torch.optim.Adam(params, lr, eps=eps, foreach=True)`` makes, written out.

    torch.optim imports torch._dynamo the first time an optimizer is built: 1.7 s of CPU on a 2-core
    VM, a fifth of what cartpole's whole run takes. ``lr`` may be changed between steps (annealing).
    """

    def __init__(self, params, lr: float, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8):
        self.params, self.lr, self.betas, self.eps = list(params), lr, betas, eps
        self.exp_avgs = [torch.zeros_like(p) for p in self.params]
        self.exp_avg_sqs = [torch.zeros_like(p) for p in self.params]
        self.steps = 0

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        # torch.optim.Adam's foreach path (one call per operation over all the tensors), the same arithmetic
        self.steps += 1
        beta1, beta2 = self.betas
        grads = [p.grad for p in self.params]
        torch._foreach_lerp_(self.exp_avgs, grads, 1 - beta1)
        torch._foreach_mul_(self.exp_avg_sqs, beta2)
        torch._foreach_addcmul_(self.exp_avg_sqs, grads, grads, 1 - beta2)
        denominators = torch._foreach_sqrt(self.exp_avg_sqs)
        torch._foreach_div_(denominators, (1 - beta2 ** self.steps) ** 0.5)
        torch._foreach_add_(denominators, self.eps)
        torch._foreach_addcdiv_(self.params, self.exp_avgs, denominators, -self.lr / (1 - beta1 ** self.steps))


class Progress:
    """A progress bar: tqdm when installed, else one line rewritten with a carriage return."""

    def __init__(self, total: int, enabled: bool):
        self.total, self.enabled, self.bar = total, enabled, None
        if enabled:
            try:
                from tqdm import tqdm
                self.bar = tqdm(total=total, unit="step", unit_scale=True, dynamic_ncols=True)
            except ImportError:
                pass

    def update(self, step: int, text: str) -> None:
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.update(step - self.bar.n)
            self.bar.set_postfix_str(text, refresh=False)
        else:
            print(f"\r{step:>12,}/{self.total:,} {text}", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        elif self.enabled:
            print(file=sys.stderr)


def bootstrap_truncated(agent: Agent, rewards: torch.Tensor, truncations: np.ndarray,
                        final_observations: np.ndarray, gamma: float, device) -> None:
    """Add ``gamma * V(final observation)`` to the reward of every truncated row of one step, in place.

    A time limit cut that episode short: it would have gone on, so its return continues by the
    value of the state it was cut in (``final_observations``: the same-step autoreset already put
    the next episode's first observation in ``observations``). The row still ends its episode for
    GAE, so nothing flows in from the next episode. Terminal rows gain nothing: the MDP ended.
    """
    cut = np.flatnonzero(truncations)
    if len(cut):
        with torch.no_grad():
            x = torch.as_tensor(final_observations[cut].reshape(len(cut), -1), dtype=torch.float32, device=device)
            rewards[torch.from_numpy(cut)] += gamma * agent.get_value(x).flatten().cpu()


def gae(rewards: np.ndarray, values: np.ndarray, dones: np.ndarray, next_value: np.ndarray, gamma: float,
        gae_lambda: float) -> np.ndarray:
    """Generalized advantage estimates, ``[num_steps, rows]`` (numpy: a tenth of the cost of torch at this size;
    torch tensors, on their device, for a rollout that stays on one).

    ``dones[t]``: the row's episode ended in step ``t`` (``obs[t + 1]`` starts the next one), so
    neither the value nor the advantages after ``t`` reach back across it; ``next_value``: V of the
    observation after the last step.
    """
    advantages = np.zeros_like(rewards) if isinstance(rewards, np.ndarray) else torch.zeros_like(rewards)
    lastgaelam = 0.0
    for t in reversed(range(len(rewards))):
        nextvalues = next_value if t == len(rewards) - 1 else values[t + 1]
        nextnonterminal = 1.0 - dones[t]
        delta = rewards[t] + gamma * nextvalues * nextnonterminal - values[t]
        advantages[t] = lastgaelam = delta + gamma * gae_lambda * nextnonterminal * lastgaelam
    return advantages


def bootstrap_truncated_on_device(agent: Agent, rewards: torch.Tensor, truncations: torch.Tensor,
                                  final_observations: torch.Tensor, gamma: float) -> None:
    """``bootstrap_truncated`` for tensor buffers, without leaving their device: the critic values every
    row's final observation and ``torch.where`` keeps the truncated rows' (selecting only those rows
    would need their count on the host, a device sync every step)."""
    with torch.no_grad():
        value = agent.get_value(final_observations.reshape(len(truncations), -1).float()).flatten()
        rewards += gamma * torch.where(truncations, value, 0.0)


def play_first_episodes(envs, act, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``act(observations) -> actions`` plays the first episode of every row of ``envs`` (reset with ``seed``).

    Returns per row that episode's return and its last reward (the board games' outcome: > 0 a win,
    0 a draw, < 0 a loss).
    """
    obs, _ = envs.reset(seed=seed)
    returns, last = np.zeros(envs.num_agents), np.zeros(envs.num_agents)
    done = np.zeros(envs.num_agents, bool)
    while not done.all():
        obs, rewards, terminals, truncations, _ = envs.step(act(obs))
        returns += np.where(done, 0.0, rewards)
        ended = (terminals | truncations) & ~done
        last[ended] = rewards[ended]
        done |= ended
    return returns, last


def outcomes(last_rewards: np.ndarray) -> dict[str, float]:
    """The fractions of games won, drawn and lost, from each game's last reward (> 0, = 0, < 0)."""
    return {"win": float((last_rewards > 0).mean()), "draw": float((last_rewards == 0).mean()),
            "loss": float((last_rewards < 0).mean())}


def linears(net: nn.Sequential) -> list[nn.Linear]:
    """The linear layers of an actor or critic MLP, in order (the layers of an envsdk policy checkpoint)."""
    return [m for m in net if isinstance(m, nn.Linear)]


def save_agent(agent: Agent, path: Path, env: str, config: dict, args: Args) -> None:
    """Write ``agent`` as an envsdk policy checkpoint (envsdk/policy.py: plain data, loaded without pickle)."""
    envsdk.policy.save(path, env=env, config=config, legal_mask=agent.legal_mask, onehot=agent.onehot,
                       onehot_low=agent.onehot_low, policy=[(m.weight, m.bias) for m in linears(agent.actor)],
                       value=[(m.weight, m.bias) for m in linears(agent.critic)], metadata={"args": asdict(args)})


def load_into(agent: Agent, checkpoint: envsdk.policy.Policy) -> None:
    """Copy a loaded checkpoint's actor (and critic, if it has one) into ``agent``, whose shapes must match."""
    for net, layers in ((agent.actor, checkpoint.layers), (agent.critic, checkpoint.value_layers)):
        if not layers:
            continue
        mine = linears(net)
        shapes = [tuple(m.weight.shape) for m in mine], [tuple(w.shape) for w, _ in layers]
        if shapes[0] != shapes[1]:
            raise SystemExit(f"ppo.py: --init-checkpoint {checkpoint.path}: expected layers {shapes[0]}, found "
                             f"{shapes[1]}. Fix: pass the same --hidden and env config it was trained with.")
        with torch.no_grad():
            for m, (weight, bias) in zip(mine, layers, strict=True):
                m.weight.copy_(weight)
                m.bias.copy_(bias)


def load_agent(path: str | Path) -> tuple[Agent, envsdk.policy.Policy]:
    """Rebuild the trained agent from ``agent.pt`` (loaded as plain data); returns ``(agent, checkpoint)``."""
    checkpoint = envsdk.policy.load(path)
    hidden = int(checkpoint.layers[0][0].shape[0])
    agent = Agent(checkpoint.observation_size, checkpoint.num_actions, hidden, checkpoint.legal_mask,
                  checkpoint.onehot, checkpoint.onehot_low)
    load_into(agent, checkpoint)
    return agent.eval(), checkpoint


def record_gif(agent: Agent, args: Args, config: dict, path: Path, device) -> bool:
    """Run the greedy policy on ONE sub-env built alone and write its rendered frames as a GIF.

    Frames are at least 256 pixels on their short side (small renders are scaled up, nearest
    neighbour) and last the env's watching pace (``CONTROLS.pace``, envsdk/controls.py); when an
    episode ends, its final position (``CONTROLS.final``: the env itself restarts the sub-env
    inside step) is held four times as long before the next episode's first frame.
    """
    try:
        from PIL import Image
    except ImportError:
        print("pillow is not installed: skipping policy.gif (pip install pillow)")
        return False
    factory = resolve(args.env)
    controls = controls_of(factory)
    pace = controls.pace if controls else 0.05
    env = factory(num_envs=1, **config)
    frames, seconds = [], []
    try:
        obs, _ = env.reset(seed=args.seed + 10_000)
        frames.append(env.render("rgb_array"))
        seconds.append(pace)
        for _ in range(args.gif_steps):
            before = obs.clone() if isinstance(obs, torch.Tensor) else obs.copy()
            with torch.no_grad():
                x = torch.as_tensor(obs.reshape(env.num_agents, -1), dtype=torch.float32, device=device)
                action = agent.logits(x).argmax(dim=1).cpu().numpy().reshape(env.buffers.actions.shape)
            obs, rewards, terminals, truncations, _ = env.step(action)
            if (terminals[0] or truncations[0]) and controls and controls.final:
                frames.append(controls.final(before, action, rewards, "rgb_array"))
                seconds.append(4 * pace)
            frames.append(env.render("rgb_array"))
            seconds.append(pace)
    finally:
        env.close()
    scale = -(-256 // min(frames[0].shape[:2]))  # the smallest integer scale reaching 256 pixels
    images = palette_images(frames, scale, Image)
    images[0].save(path, save_all=True, append_images=images[1:], duration=[round(1000 * s) for s in seconds],
                   loop=0)
    return True


def palette_images(frames: list, scale: int, Image) -> list:
    """The RGB frames as pillow images scaled ``scale`` times (nearest neighbour), for a GIF.

    Rendered frames use a few flat colours: when all of them together use at most 256, each frame
    becomes a palette image over that one shared palette, which spares pillow its colour
    quantization of every frame (200 cartpole frames: 1.8 s instead of 12.3 s on a loaded 2-core VM).
    """
    packed = [(f[..., 0].astype(np.uint32) << 16) | (f[..., 1].astype(np.uint32) << 8) | f[..., 2]
              for f in (np.asarray(f, np.uint8) for f in frames)]
    seen = np.zeros(1 << 24, bool)  # one flag per 24-bit colour (16 MB): cheaper than sorting every pixel
    for p in packed:
        seen[p] = True
    colours = np.flatnonzero(seen)
    if len(colours) > 256:
        return [Image.fromarray(np.asarray(f, np.uint8).repeat(scale, axis=0).repeat(scale, axis=1)) for f in frames]
    index = np.zeros(1 << 24, np.uint8)
    index[colours] = np.arange(len(colours))
    palette = np.stack([colours >> 16, colours >> 8 & 255, colours & 255], axis=1).astype(np.uint8).ravel().tolist()
    images = []
    for p in packed:
        image = Image.fromarray(index[p], "P")
        image.putpalette(palette)
        images.append(image.resize((image.width * scale, image.height * scale), Image.Resampling.NEAREST))
    return images


def plot_curve(curve: list[tuple[int, float, float, float]], key: str, title: str, path: Path) -> bool:
    """Mean episode return (and the target's key, if another) against agent steps and against wall seconds.

    Two panels on one shared y axis, drawn with pillow: matplotlib's import and first figure cost 0.7 s
    on a 2-core VM, a tenth of a whole cartpole run.
    """
    try:
        from PIL import Image, ImageDraw
    except ImportError:
        print("pillow is not installed: skipping curve.png (pip install pillow)")
        return False
    width, height, margin = 1000, 400, 60  # pixels
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((width // 2, 8), title, fill="black", anchor="ma", font_size=16)
    values = np.array(curve, float).reshape(-1, 4)  # steps, seconds, mean return, the key's value
    lines = [(2, "episode return", (31, 119, 180))]
    if key and key != "episode_return":
        lines.append((3, key, (255, 127, 14)))
    ys = values[:, [column for column, _, _ in lines]]
    ys = ys[np.isfinite(ys)]
    low, high = (float(ys.min()), float(ys.max())) if len(ys) else (0.0, 1.0)
    high = high if high > low else low + 1.0
    for panel, (column, label) in enumerate(((0, "agent steps"), (1, "wall seconds"))):
        left, top = panel * width // 2 + margin, 56
        right, bottom = (panel + 1) * width // 2 - 20, height - 45
        draw.rectangle((left, top, right, bottom), outline=(160, 160, 160))
        x = values[:, column]
        most = float(x.max()) if len(x) and x.max() > 0 else 1.0
        for y_column, _, colour in lines:
            ok = np.isfinite(values[:, y_column])
            px = left + (right - left) * x[ok] / most
            py = bottom - (bottom - top) * (values[ok, y_column] - low) / (high - low)
            if ok.sum() > 1:
                draw.line(list(zip(px.tolist(), py.tolist(), strict=True)), fill=colour, width=2)
        draw.text((left, bottom + 4), "0", fill="black", anchor="ma")
        draw.text((right, bottom + 4), f"{most:,.0f}" if most >= 10 else f"{most:.2f}", fill="black", anchor="ma")
        draw.text(((left + right) // 2, bottom + 22), label, fill="black", anchor="ma")
        draw.text((left - 6, top), f"{high:.4g}", fill="black", anchor="rm")
        draw.text((left - 6, bottom), f"{low:.4g}", fill="black", anchor="rm")
    for k, (_, name, colour) in enumerate(lines):  # the legend, under the title
        x = width // 2 - 80 * len(lines) + 160 * k
        draw.line((x, 40, x + 20, 40), fill=colour, width=2)
        draw.text((x + 26, 40), name, fill="black", anchor="lm")
    image.save(path)
    return True


def main(argv: list[str] | None = None) -> dict:
    # The imports left about 170,000 objects (most of them torch's) that are never garbage: frozen, the
    # collector's full passes skip them, here and in the interpreter's last ones at exit (0.6 s on a 2-core VM).
    gc.freeze()
    args = parse_args(argv)
    defaults = ENV_DEFAULTS.get(args.env, GENERIC_DEFAULTS)
    for name in ("num_envs", "num_steps", "learning_rate", "gamma", "num_minibatches", "update_epochs",
                 "ent_coef", "hidden"):
        if getattr(args, name) is None:
            setattr(args, name, defaults[name])
    if args.clip_vloss is None:
        args.clip_vloss = defaults.get("clip_vloss", True)
    if args.reward_scale is None:
        args.reward_scale = defaults.get("reward_scale", 1.0)
    evaluation = defaults.get("evaluate")
    stop_at_target = args.total_timesteps is None and (defaults["target"] is not None or evaluation is not None)
    if args.total_timesteps is None:
        args.total_timesteps = defaults["total_timesteps"]
    config = {**defaults["config"], **json.loads(args.config)}
    output_dir = Path(args.output_dir or f"runs/{args.env}_{args.seed}_{int(time.time())}")
    output_dir.mkdir(parents=True, exist_ok=True)

    # TRY NOT TO MODIFY: seeding
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.backends.cudnn.deterministic = args.torch_deterministic
    # One thread by default: this policy's matmuls are too small to gain from more, and torch's
    # default (a thread per core) spins them against any other busy process. On 2 cores, cartpole
    # for 12 s (--max-seconds 12): quiet, 5.4-7.5K SPS with torch's default and 4.7-7.4K with one
    # thread (the same within noise); beside one CPU-bound process, 1.2-1.4K against 5.8-6.6K.
    if args.torch_threads > 0:
        torch.set_num_threads(args.torch_threads)
    device = torch.device("cuda" if args.cuda and torch.cuda.is_available() else args.device)
    # A torch-native env takes device=: make allocates its buffers there as tensors (a numpy env: None, host arrays).
    env_device = device if "device" in config_keys(resolve(args.env)) else None

    # env setup: the native API. One policy row per agent row (num_agents >= num_envs). To bootstrap truncated
    # episodes the env writes final_observations: the state each ended row was in before the same-step autoreset.
    try:
        envs = envsdk.make(args.env, num_envs=args.num_envs, backend=args.backend, device=env_device,
                           final_observations=args.bootstrap_truncations, **config)
    except envsdk.errors.BuffersError as error:
        if error.field != "final_observations":
            raise
        print(f"ppo.py: {error}\nppo.py: so truncated episodes count as terminal (--bootstrap-truncations false)")
        args.bootstrap_truncations = False
        envs = envsdk.make(args.env, num_envs=args.num_envs, backend=args.backend, device=env_device, **config)
    if not isinstance(envs.single_action_space, envsdk.spaces.Discrete):
        raise SystemExit(f"ppo.py: expected a Discrete action space, found {envs.single_action_space!r}")
    rows = envs.num_agents
    obs_size = int(np.prod(envs.single_observation_space.shape))
    num_actions = int(envs.single_action_space.n)
    batch_size = rows * args.num_steps
    minibatch_size = batch_size // args.num_minibatches
    num_iterations = max(1, args.total_timesteps // batch_size)

    onehot = defaults.get("onehot", 0)
    onehot_low = int(np.min(envs.single_observation_space.low)) if onehot else 0
    agent = Agent(obs_size, num_actions, args.hidden, defaults["legal_mask"], onehot, onehot_low)
    if args.init_checkpoint:
        start = envsdk.policy.load(args.init_checkpoint)  # plain data only: never runs code from the file
        if (start.env, start.onehot, start.legal_mask) != (args.env, onehot, defaults["legal_mask"]):
            raise SystemExit(f"ppo.py: --init-checkpoint {start.path}: expected a policy for {args.env} (onehot "
                             f"{onehot}, legal_mask {defaults['legal_mask']}), found one for {start.env} (onehot "
                             f"{start.onehot}, legal_mask {start.legal_mask}). Fix: pass a checkpoint of this env.")
        load_into(agent, start)
    agent = agent.to(device)
    optimizer = Adam(agent.parameters(), lr=args.learning_rate, eps=1e-5)

    # ALGO Logic: Storage setup, [num_steps, rows], on the CPU. The env's arrays are copied in with
    # numpy (a numpy copy costs a fraction of a torch operation) through numpy views of the tensors.
    # A torch-native env's buffers are tensors on `device`: then the storage lives there too (on_device).
    # dones[t]: the episode of the row ended in step t (terminal or truncated), so obs[t + 1] is the next
    # episode's first observation; live[t]: the masks entry step t wrote, whether the row's agent was live in
    # that step (its last step included, the protocol's rule; read before the step, it would be a step late).
    on_device = envs.buffers.device is not None
    where = {"device": device} if on_device else {}
    obs = torch.zeros((args.num_steps, rows, obs_size), **where)
    actions = torch.zeros((args.num_steps, rows), dtype=torch.long, **where)
    logprobs = torch.zeros((args.num_steps, rows), **where)
    rewards = torch.zeros((args.num_steps, rows), **where)
    dones = torch.zeros((args.num_steps, rows), **where)
    values = torch.zeros((args.num_steps, rows), **where)
    live = torch.zeros((args.num_steps, rows), dtype=torch.bool, **where)
    if not on_device:
        obs_np, actions_np, rewards_np, dones_np, live_np = (t.numpy() for t in (obs, actions, rewards, dones, live))

    # TRY NOT TO MODIFY: start the game
    global_step = 0
    start_time = time.time()
    next_obs, _ = envs.reset(seed=args.seed)
    # infos aggregate the episodes that ended since the last report: keep each mean once per episode
    recent: dict[str, deque] = {}
    curve: list[tuple[int, float, float, float]] = []  # steps, seconds, mean return, the target key's mean or
    # the evaluation's loss rate
    nan = float("nan")
    target_key, target_value, window = defaults["target"] or (None, None, 0)
    target_recent: deque = deque(maxlen=window)  # the target key, one entry per episode
    # the envs the greedy policy is evaluated on, built once (their time counts as training's)
    eval_envs = [envsdk.make(args.env, num_envs=evaluation["games"], **c) for c in evaluation["configs"]
                 ] if evaluation else []
    evaluated: list[dict] = []  # the last evaluation: per config, its win, draw and loss fractions

    def greedy(observations: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            x = torch.as_tensor(observations.reshape(len(observations), -1), dtype=torch.float32, device=device)
            return agent.logits(x).argmax(1).cpu().numpy()
    progress = Progress(args.total_timesteps if not stop_at_target else num_iterations * batch_size, args.progress)

    def mean_of(key: str) -> float:
        return float(np.mean(recent[key])) if recent.get(key) else float("nan")

    def record_infos(infos: list[dict]) -> None:
        for info in infos:
            count = int(info.get("episode_count", 0))
            for key, value in info.items():
                if key != "episode_count":
                    recent.setdefault(key, deque(maxlen=100)).extend([float(value)] * min(count, 100))
                if key == target_key:
                    target_recent.extend([float(value)] * min(count, window))

    for iteration in range(1, num_iterations + 1):
        # Annealing the rate if instructed to do so.
        if args.anneal_lr:
            frac = 1.0 - (iteration - 1.0) / num_iterations
            optimizer.lr = frac * args.learning_rate

        for step in range(0, args.num_steps):
            global_step += rows
            if on_device:  # the env's buffers are tensors on the policy's device: nothing crosses to the host
                obs[step] = next_obs.reshape(rows, -1)
                with torch.no_grad():
                    action, logprobs[step], values[step] = agent.act(obs[step])
                actions[step] = action
                envs.buffers.actions.copy_(action)  # int64 -> the buffer's int32, on the device
                next_obs, reward, terminals, truncations, infos = envs.step(envs.buffers.actions)
                torch.mul(reward, args.reward_scale, out=rewards[step])
                live[step] = envs.buffers.masks  # written by this step: was the row's agent live in it
                dones[step] = terminals | truncations
                if args.bootstrap_truncations:
                    bootstrap_truncated_on_device(agent, rewards[step], truncations, envs.buffers.final_observations,
                                                  args.gamma)
                record_infos(infos)
                continue
            obs_np[step] = next_obs.reshape(rows, -1)

            # ALGO LOGIC: action logic
            with torch.no_grad():
                action, logprobs[step], values[step] = agent.act(obs[step].to(device))
            actions_np[step] = action.cpu().numpy()
            envs.buffers.actions[...] = actions_np[step]  # the env's own buffer: step neither copies nor checks it

            # execute the game: the returned arrays are the env's buffers (copied into the storage above).
            # Every ended row is done (GAE takes nothing from the next episode); a truncated one also
            # gains the value of the state it was cut in, read from final_observations.
            next_obs, reward, terminals, truncations, infos = envs.step(envs.buffers.actions)
            np.multiply(reward, args.reward_scale, out=rewards_np[step])
            live_np[step] = envs.buffers.masks  # written by this step: was the row's agent live in it
            np.logical_or(terminals, truncations, out=dones_np[step], casting="unsafe")
            if args.bootstrap_truncations:
                bootstrap_truncated(agent, rewards[step], truncations, envs.buffers.final_observations, args.gamma,
                                    device)
            record_infos(infos)

        # bootstrap value if not done
        with torch.no_grad():
            if on_device:
                next_value = agent.get_value(next_obs.reshape(rows, -1).float()).flatten()
                advantages = gae(rewards, values, dones, next_value, args.gamma, args.gae_lambda)
            else:
                next_value = agent.get_value(torch.as_tensor(next_obs.reshape(rows, -1), dtype=torch.float32,
                                                             device=device)).flatten().cpu()
                advantages = torch.from_numpy(gae(rewards_np, values.numpy(), dones_np, next_value.numpy(),
                                                  args.gamma, args.gae_lambda))
            returns = advantages + values

        # flatten the batch, keeping only live rows (masks True): dead or padded agents teach nothing
        keep = live.reshape(-1)
        b_obs = obs.reshape(-1, obs_size)[keep].to(device)
        b_logprobs = logprobs.reshape(-1)[keep].to(device)
        b_actions = actions.reshape(-1)[keep].to(device)
        b_advantages = advantages.reshape(-1)[keep].to(device)
        b_returns = returns.reshape(-1)[keep].to(device)
        b_values = values.reshape(-1)[keep].to(device)

        # Optimizing the policy and value network
        b_inds = np.arange(len(b_obs))
        for _epoch in range(args.update_epochs):
            np.random.shuffle(b_inds)
            for start in range(0, len(b_inds), minibatch_size):
                mb_inds = torch.from_numpy(b_inds[start:start + minibatch_size])

                newlogprob, entropy, newvalue = agent.get_action_and_value(b_obs[mb_inds], b_actions[mb_inds])
                logratio = newlogprob - b_logprobs[mb_inds]
                ratio = logratio.exp()

                mb_advantages = b_advantages[mb_inds]
                mb_advantages = (mb_advantages - mb_advantages.mean()) / (mb_advantages.std() + 1e-8)

                # Policy loss
                pg_loss1 = -mb_advantages * ratio
                pg_loss2 = -mb_advantages * torch.clamp(ratio, 1 - args.clip_coef, 1 + args.clip_coef)
                pg_loss = torch.max(pg_loss1, pg_loss2).mean()

                # Value loss
                v_loss_unclipped = (newvalue - b_returns[mb_inds]) ** 2
                if args.clip_vloss:
                    v_clipped = b_values[mb_inds] + torch.clamp(newvalue - b_values[mb_inds], -args.clip_coef,
                                                                args.clip_coef)
                    v_loss_clipped = (v_clipped - b_returns[mb_inds]) ** 2
                    v_loss = 0.5 * torch.max(v_loss_unclipped, v_loss_clipped).mean()
                else:
                    v_loss = 0.5 * v_loss_unclipped.mean()

                entropy_loss = entropy.mean()
                loss = pg_loss - args.ent_coef * entropy_loss + v_loss * args.vf_coef

                optimizer.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(optimizer.params, args.max_grad_norm)
                optimizer.step()

        # the greedy policy's evaluation, when the env has one (its time counts as training's)
        if evaluation and iteration % evaluation["every"] == 0:
            for round_ in range(evaluation["rounds"]):  # another set of fresh games only after one lost none
                seed = args.seed + 10_000 * (evaluation["rounds"] * iteration + round_)
                evaluated = [outcomes(play_first_episodes(e, greedy, seed)[1]) for e in eval_envs]
                if any(r["loss"] for r in evaluated):
                    break

        # logging: progress bar with SPS and episode stats; stop at the env's target when asked
        sps = int(global_step / (time.time() - start_time))
        mean_return = mean_of("episode_return")
        eval_loss = max(r["loss"] for r in evaluated) if evaluated else nan  # the worst config's loss rate
        curve.append((global_step, time.time() - start_time, mean_return,
                      mean_of(target_key) if target_key else eval_loss))
        text = f"SPS={sps:,} return={mean_return:.2f}"
        if target_key and target_key != "episode_return":
            text += f" {target_key}={mean_of(target_key):.3f}"
        if evaluation:
            text += f" eval_loss={eval_loss:.3f}"
        progress.update(global_step, text)
        if stop_at_target and target_key and len(target_recent) == window and np.mean(target_recent) >= target_value:
            break
        if stop_at_target and evaluated and eval_loss == 0:
            break
        if args.max_seconds and time.time() - start_time >= args.max_seconds:
            break
    progress.close()
    seconds = time.time() - start_time
    envs.close()
    for e in eval_envs:
        e.close()

    # outputs: checkpoint, learning curve, GIF of the trained policy, summary
    save_agent(agent, output_dir / "agent.pt", args.env, config, args)
    curve_key = target_key or ("eval_loss" if evaluation else None)  # the curve's 4th column
    plot_curve(curve, curve_key, f"PPO on {args.env}", output_dir / "curve.png")
    with open(output_dir / "curve.csv", "w") as f:  # the curve's numbers, for plots of several runs
        f.write(f"steps,seconds,mean_return,{curve_key or 'target'}\n")
        f.writelines(f"{n},{t:.2f},{r:.4f},{k:.4f}\n" for n, t, r, k in curve)
    if args.gif_steps is None:
        args.gif_steps = defaults.get("gif_steps", 200)
    if args.gif_steps > 0:
        record_gif(agent, args, config, output_dir / "policy.gif", device)
    summary = {"env": args.env, "steps": global_step, "seconds": round(seconds, 3), "sps": round(global_step / seconds),
               "mean_return": mean_return if recent.get("episode_return") else None}  # None: no episode ended
    summary.update({k: mean_of(k) for k in ("win", "draw", "loss", "score") if recent.get(k)})
    if target_key:  # the key's mean over the target's window of episodes, and whether it made it
        reached = len(target_recent) == window and float(np.mean(target_recent)) >= target_value
        summary["target"] = {"key": target_key, "threshold": target_value, "episodes": window,
                             "value": float(np.mean(target_recent)) if target_recent else None, "reached": reached}
    if evaluation:  # the greedy policy's last set of games, per config; the target: no loss in any
        summary["evaluation"] = [{"config": c, "games": evaluation["games"], **r}
                                 for c, r in zip(evaluation["configs"], evaluated, strict=False)]
        summary["target"] = {"key": "eval_loss", "threshold": 0.0, "episodes": evaluation["games"] * len(eval_envs),
                             "value": eval_loss if evaluated else None, "reached": bool(evaluated) and eval_loss == 0}
    if args.summary:
        Path(args.summary).parent.mkdir(parents=True, exist_ok=True)
        Path(args.summary).write_text(json.dumps(summary, indent=2) + "\n")
    print(f"{args.env}: {global_step:,} steps in {seconds:.1f} s ({summary['sps']:,} SPS), "
          f"mean return {mean_return:.2f}; outputs in {output_dir}")
    gc.freeze()  # and those the run and its outputs left
    return summary


if __name__ == "__main__":
    main()
