"""The demo's commands behind `canteen-till demo`, `canteen-till net` and `canteen-till demo-cards`.

terminal/cli.py parses the command line and hands these commands here; nothing else of the till
loads the demo.
"""

from __future__ import annotations

import argparse
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from terminal.config import PrinterConfig, ReaderConfig, ScreenConfig, TillConfig, demo_data_dir

if TYPE_CHECKING:
    from collections.abc import Callable

    from demo.counter_input import CounterInput
    from demo.embedded_server import EmbeddedServer
    from sync.client import SyncClient
    from terminal.ui.main_window import MainWindow


def main(args: argparse.Namespace) -> int:
    commands = {
        "demo": run_demo,
        "net": net,
        "demo-cards": demo_cards,
        "ring": counter_request,
        "key": counter_request,
    }
    return commands[args.command](args)


def run_demo(args: argparse.Namespace) -> int:
    from demo.counter_input import CounterInput, counter_socket_path
    from demo.line_socket import LineSocketError
    from demo.network import NetworkSwitch, SwitchError, switch_socket_path
    from demo.training import TrainingServer
    from sync.link import Link
    from sync.store import StoreUnavailable

    data_dir = args.data_dir or demo_data_dir()
    overrides = {"print_receipts": args.print} if args.print else {}
    config = TillConfig(
        till_id="till-1",
        data_dir=data_dir,
        reader=ReaderConfig("simulated"),
        printer=PrinterConfig("simulated"),
        # The README is English: so is the demo's screen unless --language says otherwise;
        # its receipts speak the unit's German (D-UNIT-1).
        screen=ScreenConfig(language="en"),
        policy_overrides=overrides,
        source="demo",
    )
    fresh = not args.keep or not config.store_path.exists()
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{config.store_path}{suffix}").unlink(missing_ok=True)
        (data_dir / "server.json").unlink(missing_ok=True)
    embedded = None
    switch: NetworkSwitch | None = None
    counter: CounterInput | None = None
    # SIGTERM while the demo sets up (the window takes it over once it opens): unwind through
    # the `finally` below, which stops the server.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        if args.standalone:
            _seed_standalone(config, fresh=fresh)
            link: Link = TrainingServer(
                config.store_path, till_id=config.till_id, online=not args.offline
            )
        else:
            embedded, link = _start_embedded(config, fresh=fresh, offline=args.offline)
        from terminal.ui.run import run_window

        switch = NetworkSwitch(switch_socket_path(data_dir), link)
        try:
            switch.start()
        except (SwitchError, OSError) as exc:
            # The till runs without it: F9 still switches the network.
            print(f"canteen-till demo: no `canteen-till net` this time: {exc}", file=sys.stderr)
            switch = None
        counter = CounterInput(counter_socket_path(data_dir))
        try:
            counter.start()
        except (LineSocketError, OSError) as exc:
            # The till runs without it: the cashier's own keys still work.
            print(f"canteen-till demo: no `canteen-till ring` this time: {exc}", file=sys.stderr)
            counter = None
        print(
            f"canteen-till demo: data in {data_dir}; tap a card from another terminal with\n"
            f"  canteen-till tap 72BF9961     (list the cards: canteen-till demo-cards)\n"
            f"ring up and press keys there too: canteen-till ring 1,9; canteen-till key Enter",
            flush=True,
        )
        if embedded is not None:
            print(
                f"central server: {embedded.url}; change a card centrally while the demo runs:\n"
                f"  canteen-server --db {embedded.db_url} admin deposit 72BF9961 500\n"
                f"  canteen-server --db {embedded.db_url} admin block 72BF9961",
                flush=True,
            )
        return run_window(
            config,
            link=link,
            options=args,
            on_window=None if counter is None else _attach(counter),
        )
    except (StoreUnavailable, RuntimeError) as exc:
        print(f"canteen-till: {exc}", file=sys.stderr)
        return 1
    finally:
        if switch is not None:
            switch.stop()
        if counter is not None:
            counter.stop()
        if embedded is not None:
            embedded.stop()


def _attach(counter: CounterInput) -> Callable[[MainWindow], None]:
    def attach(window: MainWindow) -> None:
        counter.attach(window.till.products, window.bridge.typed.emit)

    return attach


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def _seed_standalone(config: TillConfig, *, fresh: bool) -> None:
    from demo import scheme
    from sync.store import Store

    if fresh:
        with Store.open(config.store_path, till_id=config.till_id) as store:
            now = datetime.now(UTC)
            scheme.seed(store, scheme.build_demo(scheme.local_today(now)), now=now)


def _start_embedded(
    config: TillConfig, *, fresh: bool, offline: bool
) -> tuple[EmbeddedServer, SyncClient]:
    """The demo's own central server with the demo scheme, and this till enrolled with it."""
    from demo import scheme
    from demo.embedded_server import EmbeddedServer
    from sync.client import ServerConfig, SyncClient, enrol
    from sync.store import Store

    embedded = EmbeddedServer(config.data_dir)
    now = datetime.now(UTC)
    code = embedded.seed(now=now) if fresh or not embedded.exists else None
    url = embedded.start()
    if code is not None:
        server = enrol(url, code)
    else:
        saved = ServerConfig.load(config.data_dir)
        if saved is None:
            raise RuntimeError("the kept demo has no enrolment; start it without --keep")
        server = ServerConfig(url, saved.till_id, saved.credential)  # a new port each run
    server.save(config.data_dir)
    client = SyncClient(config.store_path, server)
    with Store.open(config.store_path, till_id=config.till_id) as store:
        while client.pull_once(store):  # the first sync: the till opens with the scheme
            pass
        if code is not None:
            data = scheme.build_demo(scheme.local_today(now))
            scheme.seed_offline_sales(store, data, now=now)
    client.set_online(not offline)
    return embedded, client


def net(args: argparse.Namespace) -> int:
    from demo.network import SwitchError, switch_network, switch_socket_path

    data_dir = args.data_dir or demo_data_dir()
    try:
        reply = switch_network(switch_socket_path(data_dir), args.state)
    except SwitchError as exc:
        print(f"canteen-till net: {exc}", file=sys.stderr)
        return 1
    print(reply)
    return 0


def counter_request(args: argparse.Namespace) -> int:
    """`canteen-till ring 1,9` and `canteen-till key F1`: the running demo till's counter."""
    from demo.counter_input import counter_socket_path
    from demo.line_socket import LineSocketError, ask

    data_dir = args.data_dir or demo_data_dir()
    request = f"ring {args.products}" if args.command == "ring" else f"key {args.key}"
    try:
        reply = ask(counter_socket_path(data_dir), request)
    except LineSocketError as exc:
        print(f"canteen-till {args.command}: {exc}", file=sys.stderr)
        return 1
    print(reply)
    return 0


def demo_cards(args: argparse.Namespace) -> int:
    from demo import scheme

    data = scheme.build_demo(scheme.local_today(datetime.now(UTC)))
    print(scheme.demo_table_markdown(data))
    return 0
