"""`canteen-till`: run the till, run the demo, tap a card on a running till, check a config or
the till's store."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from terminal.config import (
    CUSTOMER_DISPLAYS,
    ENV_CONFIG,
    FONT_SCALES,
    ConfigError,
    TillConfig,
    default_data_dir,
    demo_data_dir,
    load_config,
)
from terminal.i18n import LANGUAGES

EXIT_USAGE = 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(_joined_values(sys.argv[1:] if argv is None else list(argv)))
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    handlers = {
        "run": _run,
        "demo": _demo_wing,
        "tap": _tap,
        "net": _demo_wing,
        "check-config": _check_config,
        "check-store": _check_store,
        "enroll": _enroll,
        "demo-cards": _demo_wing,
        "devices": _devices,
        "ring": _demo_wing,
        "key": _demo_wing,
    }
    try:
        return handlers[args.command or "run"](args)
    except ConfigError as exc:
        print(f"canteen-till: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _joined_values(argv: list[str]) -> list[str]:
    """`--code -K7Q…`: a value that starts with "-" is taken as the option's value, not as an
    option of its own (argparse would refuse it), for the options whose values may."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        if argv[i] in _VALUE_MAY_START_WITH_DASH and i + 1 < len(argv):
            out.append(f"{argv[i]}={argv[i + 1]}")
            i += 2
            continue
        out.append(argv[i])
        i += 1
    return out


_VALUE_MAY_START_WITH_DASH = ("--code",)


def _enroll(args: argparse.Namespace) -> int:
    from sync.client import SyncError, enrol

    if args.data_dir is not None:
        data_dir = args.data_dir
    elif args.config or os.environ.get(ENV_CONFIG):
        data_dir = _config_from(args).data_dir
    else:
        data_dir = default_data_dir()
    ca_file = None if args.ca_cert is None else str(Path(args.ca_cert).resolve())
    try:
        server = enrol(args.server, args.code, insecure=args.insecure, ca_file=ca_file)
    except SyncError as exc:
        print(f"canteen-till enroll: {exc}", file=sys.stderr)
        return 1
    path = server.save(data_dir)
    print(f"enrolled as {server.till_id}; credential kept in {path} (readable by this user only)")
    return 0


def _check_config(args: argparse.Namespace) -> int:
    config = load_config(Path(args.file))
    print(f"{args.file}: OK (till {config.till_id}, data in {config.data_dir})")
    return 0


def _check_store(args: argparse.Namespace) -> int:
    """Exit 0 when SQLite finds the store sound, 1 when it is damaged, missing or unreadable."""
    import sqlite3

    from sync.store import Store, StoreUnavailable

    if args.config and (args.path or args.data_dir or args.store_config):
        raise ConfigError("check-store: give the store's path, --data-dir or --config, once")
    if args.path is not None:
        path = args.path
    elif args.data_dir is not None:
        path = TillConfig(data_dir=args.data_dir).store_path
    elif args.store_config is not None:
        path = load_config(Path(args.store_config)).store_path
    elif args.config or os.environ.get(ENV_CONFIG):
        path = _config_from(args).store_path
    else:
        path = TillConfig().store_path
    try:
        findings = Store.integrity_report(path)
    except StoreUnavailable as exc:
        print(f"canteen-till check-store: {exc}", file=sys.stderr)
        return 1
    if findings == ["ok"]:
        print(f"{path}: ok (SQLite's integrity check found no damage)")
    else:
        print(f"{path}: CORRUPT, SQLite's integrity check found:")
        for finding in findings:
            print(f"  {finding}")
    try:
        entries, unsent = Store.readonly_counts(path)
    except sqlite3.Error as exc:
        print(f"its journal cannot be read: {exc}")
    else:
        print(f"it holds {entries} journal entries, {unsent} not yet accepted by the server")
    if findings != ["ok"]:
        print(
            "The file was left as it is. Restore it from a backup, or move it aside (with any"
            " -wal and -shm files next to it) to start a new, empty store; entries not yet"
            " accepted by the server are lost then."
        )
        return 1
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="canteen-till", description=__doc__)
    parser.add_argument("--config", help=f"till configuration file (TOML); or ${ENV_CONFIG}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="run the till with its configuration")
    _screen_options(run)
    demo = sub.add_parser("demo", help="run the till on demo data with the simulated reader")
    demo.add_argument("--data-dir", type=Path, help="where the demo keeps its data")
    demo.add_argument("--keep", action="store_true", help="keep the demo data of the last run")
    demo.add_argument("--offline", action="store_true", help="start with the network down")
    demo.add_argument(
        "--standalone",
        action="store_true",
        help="no central server: a built-in stand-in acknowledges what the till sends",
    )
    demo.add_argument("--print", choices=["always", "on_request"], help="receipt policy (D-PAY-6)")
    _screen_options(demo)
    tap = sub.add_parser("tap", help="tap a card on the running till's simulated reader")
    tap.add_argument("card_id", help="the card number, hex (72BF9961) or decimal with --decimal")
    tap.add_argument("--decimal", action="store_true", help="the card number is decimal")
    tap.add_argument("--data-dir", type=Path, help="the running till's data directory")
    ring = sub.add_parser("ring", help="ring up products on the running demo till")
    ring.add_argument("products", help="shortcut keys or menu positions, e.g. 1,9")
    ring.add_argument("--data-dir", type=Path, help="the running demo's data directory")
    key = sub.add_parser("key", help="press a key on the running demo till")
    key.add_argument("key", help="Enter, Esc, F1..F9, Del, Backspace, +, - or a digit")
    key.add_argument("--data-dir", type=Path, help="the running demo's data directory")
    net = sub.add_parser("net", help="take the demo till's (simulated) network down or up")
    net.add_argument("state", choices=["online", "offline"])
    net.add_argument("--data-dir", type=Path)
    enrol = sub.add_parser("enroll", help="enrol this till with the central server (once)")
    enrol.add_argument("--server", required=True, help="the server's URL, e.g. https://pos.example")
    enrol.add_argument("--code", required=True, help="the one-time code the back office gave")
    enrol.add_argument("--data-dir", type=Path, help="the till's data directory")
    enrol.add_argument(
        "--ca-cert", help="the certificate of a private CA that signed the server's certificate"
    )
    enrol.add_argument(
        "--insecure",
        action="store_true",
        help="allow plain http:// to another machine (a network you trust)",
    )
    check = sub.add_parser("check-config", help="check a till configuration file")
    check.add_argument("file")
    store = sub.add_parser(
        "check-store", help="run SQLite's integrity check on the till's store, changing nothing"
    )
    where = store.add_mutually_exclusive_group()
    where.add_argument("path", nargs="?", type=Path, help="the store file (till.db)")
    where.add_argument("--data-dir", type=Path, metavar="DIR", help="the till's data directory")
    where.add_argument(
        "--config", dest="store_config", metavar="FILE", help="the till's configuration file"
    )
    sub.add_parser("demo-cards", help="list the demo cardholders and what tapping each shows")
    dev = sub.add_parser(
        "devices", help="list card readers and receipt printers; read a card; print a test"
    )
    dev.add_argument("--read", action="store_true", help="wait for one card and show its id")
    dev.add_argument("--print-test", action="store_true", help="print a test receipt")
    dev.add_argument("--reader", help="a reader string instead of the configured one")
    dev.add_argument("--printer", help="a printer string instead of the configured one")
    dev.add_argument("--wait", type=float, default=20.0, help="seconds --read waits (20)")
    return parser


def _screen_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--offscreen", action="store_true", help="render without a display")
    parser.add_argument("--screenshot", type=Path, help="write the screen to this PNG at exit")
    parser.add_argument("--exit-after", type=float, help="quit after this many seconds")
    parser.add_argument("--tap", dest="tap_card", help="tap this card id once the till is up")
    parser.add_argument(
        "--ring", default="", help="product shortcut keys to ring up first, e.g. 1,5"
    )
    parser.add_argument(
        "--fullscreen",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="kiosk mode: the till fills the screen (default: [screen] fullscreen)",
    )
    parser.add_argument(
        "--font-scale",
        type=_font_scale,
        help="make every text on the screen larger or smaller, e.g. 1.25 (default: [screen])",
    )
    parser.add_argument(
        "--size", type=_window_size, metavar="WxH", help="the window's size, e.g. 1024x768"
    )
    parser.add_argument(
        "--language",
        choices=LANGUAGES,
        help="the screen's language (default: [screen] language, else the unit's)",
    )
    parser.add_argument(
        "--customer-display",
        choices=CUSTOMER_DISPLAYS,
        help='a second window facing the customer: "window" or "screen" (a 2nd screen)',
    )


def _font_scale(text: str) -> float:
    low, high = FONT_SCALES
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"{value} is outside {low} to {high}")
    return value


def _window_size(text: str) -> tuple[int, int]:
    width, sep, height = text.lower().partition("x")
    if not sep or not width.isdigit() or not height.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not WIDTHxHEIGHT, e.g. 1024x768")
    size = (int(width), int(height))
    if min(size) < 320 or max(size) > 8192:
        raise argparse.ArgumentTypeError(f"{text}: each side must be 320 to 8192 px")
    return size


def _config_from(args: argparse.Namespace) -> TillConfig:
    path = args.config or os.environ.get(ENV_CONFIG)
    if not path:
        raise ConfigError(
            f"no configuration: give --config FILE or set {ENV_CONFIG} "
            "(or try the demo: canteen-till demo)"
        )
    return load_config(Path(path))


def _run(args: argparse.Namespace) -> int:
    from sync.client import ServerConfig, SyncClient
    from sync.link import NoServer
    from sync.store import StoreUnavailable
    from terminal.session import NotSetUp

    config = _config_from(args)
    server = ServerConfig.load(config.data_dir)
    if server is not None and server.till_id != config.till_id:
        raise ConfigError(
            f"{config.source}: till.till_id = {config.till_id!r}, but this data directory is "
            f"enrolled as {server.till_id!r}"
        )
    link = NoServer() if server is None else SyncClient(config.store_path, server)
    try:
        from terminal.ui.run import run_window

        return run_window(config, link=link, options=args)
    except (StoreUnavailable, NotSetUp) as exc:
        print(f"canteen-till: {exc}", file=sys.stderr)
        return 1


def _demo_wing(args: argparse.Namespace) -> int:
    """`demo`, `net`, `demo-cards`, `ring` and `key`: the demo's own commands, loaded only when
    asked for."""
    from demo.cli import main as demo_main

    return demo_main(args)


def _tap(args: argparse.Namespace) -> int:
    from drivers.cards import DriverError, tap_simulated

    data_dir = args.data_dir or demo_data_dir()
    try:
        tap_simulated(data_dir, args.card_id, decimal=args.decimal)
    except DriverError as exc:
        print(f"canteen-till tap: {exc}", file=sys.stderr)
        return 1
    print(f"tapped {args.card_id}")
    return 0


def _devices(args: argparse.Namespace) -> int:
    from terminal import devices

    has_config = bool(args.config or os.environ.get(ENV_CONFIG))
    config = _config_from(args) if has_config else TillConfig()
    try:
        if args.read:
            return devices.read_one(config, print, reader_spec=args.reader, wait_s=args.wait)
        if args.print_test:
            return devices.print_test(config, print, printer_spec=args.printer)
        devices.list_devices(config, print)
    except ValueError as exc:  # a reader or printer string that names nothing
        print(f"canteen-till devices: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
