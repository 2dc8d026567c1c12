"""`canteen-server`: serve the API, migrate the database, and the back office's admin commands."""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from collections.abc import Sequence
from pathlib import Path

from server import admin_cli
from server.db import Database
from server.errors import REFUSALS
from server.migrations import migrate

ENV_DB = "CANTEEN_SERVER_DB"
ENV_TOKEN = "CANTEEN_ADMIN_TOKEN"
# How long `serve` waits for a request body to arrive before answering 408 (default
# sync.limits.BODY_DEADLINE_S): shorter behind a proxy that buffers bodies, or in tests.
ENV_BODY_DEADLINE = "CANTEEN_BODY_DEADLINE_S"
DEFAULT_DB = "sqlite:///var/server/canteen.db"


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    url = args.db or os.environ.get(ENV_DB, DEFAULT_DB)
    if args.command == "serve":
        return _serve(url, args)
    if args.command == "openapi":
        sys.stdout.write(openapi_document())
        return 0
    if args.command == "limits":
        from sync import limits

        for name, value, what in limits.as_table():
            print(f"{name:<18} {value!s:>12}  {what}")
        return 0
    db = Database(url)
    try:
        if args.command == "migrate":
            applied = migrate(db)
            print(f"applied: {', '.join(applied) or 'nothing, up to date'}")
            return 0
        migrate(db)
        return admin_cli.run(db, args)
    except REFUSALS as exc:
        print(f"canteen-server: {exc}", file=sys.stderr)
        return 1
    finally:
        db.close()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="canteen-server", description=__doc__)
    parser.add_argument("--db", help=f"sqlite:///PATH or postgresql://… (or ${ENV_DB})")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser(
        "serve",
        help="serve the HTTP API",
        description=f"Serve the HTTP API. ${ENV_TOKEN}: the admin token (else one is made up"
        f" and printed); ${ENV_BODY_DEADLINE}: seconds a request body may take to arrive"
        " before a 408 (default 30).",
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes sharing the port (PostgreSQL only: SQLite is one process's)",
    )
    serve.add_argument(
        "--threads",
        type=int,
        default=None,
        help="handlers each process runs at once, and database connections it keeps (default 16)",
    )
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument(
        "--access-log",
        action="store_true",
        help="log a line for every request (off: at 100 sales/s a line each is a few percent"
        " of the server's CPU; refusals, errors and warnings are logged either way)",
    )
    serve.add_argument("--tls-cert", type=Path, help="serve HTTPS with this certificate (PEM)")
    serve.add_argument("--tls-key", type=Path, help="the certificate's private key (PEM)")
    serve.add_argument(
        "--behind-proxy",
        metavar="PROXY_IPS",
        help="trust X-Forwarded-For/-Proto from these addresses (a reverse proxy), e.g. 127.0.0.1",
    )
    sub.add_parser("migrate", help="bring the database schema up to date")
    sub.add_parser("openapi", help="print the OpenAPI document (kept in docs/openapi.json)")
    sub.add_parser("limits", help="every size limit of the wire and the back office")
    adm = sub.add_parser("admin", help="back-office commands").add_subparsers(
        dest="what", required=True
    )
    admin_cli.add_parsers(adm)
    return parser


def openapi_document() -> str:
    import tempfile

    from server.app import create_app

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(f"sqlite:///{tmp}/openapi.db", admin_token="unused")
        return json.dumps(app.openapi(), indent=2, sort_keys=True) + "\n"


def _serve(url: str, args: argparse.Namespace) -> int:
    import uvicorn

    from server.app import create_app

    if (args.tls_cert is None) != (args.tls_key is None):
        print("canteen-server: give both --tls-cert and --tls-key, or neither", file=sys.stderr)
        return 2
    for path in (args.tls_cert, args.tls_key):
        if path is not None and not path.is_file():
            print(f"canteen-server: {path}: no such file", file=sys.stderr)
            return 2
    deadline = _body_deadline()
    if deadline is None:
        return 2
    if args.workers < 1 or (args.threads is not None and args.threads < 1):
        print("canteen-server: --workers and --threads: at least 1", file=sys.stderr)
        return 2
    if args.workers > 1 and not url.startswith(("postgresql://", "postgres://")):
        print(
            "canteen-server: --workers above 1 needs PostgreSQL: an SQLite database is"
            " written by one process (its writers queue inside that process)",
            file=sys.stderr,
        )
        return 2
    token = os.environ.get(ENV_TOKEN)
    if not token:
        token = secrets.token_urlsafe(24)
        print(
            f"canteen-server: no ${ENV_TOKEN} set; admin token for this run: {token}",
            file=sys.stderr,
        )
    from server.app import DEFAULT_THREADS

    threads = args.threads or DEFAULT_THREADS
    if args.workers == 1:
        app: object = create_app(url, admin_token=token, body_deadline_s=deadline, threads=threads)
    else:
        # Each worker is a new process that builds its app from these (server.app).
        migrate(Database(url))  # once, before the workers start
        os.environ.update(
            {
                ENV_DB: url,
                ENV_TOKEN: token,
                ENV_BODY_DEADLINE: str(deadline),
                "CANTEEN_THREADS": str(threads),
            }
        )
        app = "server.app:app_from_env"
    uvicorn.run(
        app,  # type: ignore[arg-type]
        factory=args.workers > 1,
        workers=args.workers,
        host=args.host,
        port=args.port,
        log_level="info",
        access_log=args.access_log,
        # Long-polls are waiting requests: on shutdown, end them rather than wait them out.
        timeout_graceful_shutdown=2,
        # A till pushes after each sale, minutes apart when the queue is short: its connection
        # (and its TLS session) stays open between them instead of being made again each time.
        timeout_keep_alive=KEEP_ALIVE_S,
        ssl_certfile=None if args.tls_cert is None else str(args.tls_cert),
        ssl_keyfile=None if args.tls_key is None else str(args.tls_key),
        proxy_headers=args.behind_proxy is not None,
        forwarded_allow_ips=args.behind_proxy,
    )
    return 0


KEEP_ALIVE_S = 75  # as nginx's default: longer than the gaps between a till's pushes


def _body_deadline() -> float | None:
    """$CANTEEN_BODY_DEADLINE_S in seconds, or the default; None (said why) when malformed."""
    from sync import limits

    text = os.environ.get(ENV_BODY_DEADLINE)
    if not text:
        return limits.BODY_DEADLINE_S
    try:
        value = float(text)
    except ValueError:  # float() of an environment variable: its one way to say "no number"
        value = -1.0
    if not 0 < value <= 3600:
        print(
            f"canteen-server: ${ENV_BODY_DEADLINE} = {text!r:.40}:"
            " seconds, more than 0 and at most 3600",
            file=sys.stderr,
        )
        return None
    return value


if __name__ == "__main__":
    raise SystemExit(main())
