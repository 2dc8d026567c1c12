"""The demo, in a wing of its own: `canteen-till demo` and what only it needs.

The demo scheme (`scheme.py`) and its generated portraits (`portraits.py`), the demo's own
central server (`embedded_server.py`, seeded by `server_seed.py`), the standalone demo's stand-in
for a server (`training.py`), the network switch behind `canteen-till net` (`network.py`) and the
commands themselves (`cli.py`). It may use the till, the server and sync; neither the till nor
the server imports it: only the `demo`, `net` and `demo-cards` commands of terminal/cli.py do.
"""
