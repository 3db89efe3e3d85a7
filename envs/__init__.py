"""The bundled envs: one thin class per C sim (``csrc/<name>.h``), registered in ``envsdk.registry``.

Two-player mode of the board games (connect4 and tictactoe, ``opponent="none"``): episodes are per
row. A game that ends ends an episode in both its rows, each as long as the game (both players'
moves). Infos are means over those row episodes: episode_return (0 for a decided or drawn game,
``illegal_reward / 2`` for an illegal end), episode_length (the game's moves, an illegal one
included), first_win, second_win, draw, illegal (per-game rates), episode_count (2 per game).
``ENVSDK_TWO_PLAYER_END`` in ``envsdk.h`` writes them.
"""
