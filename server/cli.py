"""`canteen-server`: serve the API, migrate the database, and the back office's admin commands."""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from collections.abc import Sequence

from server import admin, tills
from server.db import Database
from server.migrations import migrate
from sync.records import UNIT_FIELDS, Unit

ENV_DB = "CANTEEN_SERVER_DB"
ENV_TOKEN = "CANTEEN_ADMIN_TOKEN"
DEFAULT_DB = "sqlite:///var/server/canteen.db"


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    url = args.db or os.environ.get(ENV_DB, DEFAULT_DB)
    if args.command == "serve":
        return _serve(url, args)
    if args.command == "openapi":
        sys.stdout.write(openapi_document())
        return 0
    db = Database(url)
    try:
        if args.command == "migrate":
            applied = migrate(db)
            print(f"applied: {', '.join(applied) or 'nothing, up to date'}")
            return 0
        migrate(db)
        return _admin(db, args)
    except (admin.AdminError, ValueError) as exc:
        print(f"canteen-server: {exc}", file=sys.stderr)
        return 1
    finally:
        db.close()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="canteen-server", description=__doc__)
    parser.add_argument("--db", help=f"sqlite:///PATH or postgresql://… (or ${ENV_DB})")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the HTTP API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    sub.add_parser("migrate", help="bring the database schema up to date")
    sub.add_parser("openapi", help="print the OpenAPI document (kept in docs/openapi.json)")
    adm = sub.add_parser("admin", help="back-office commands").add_subparsers(
        dest="what", required=True
    )
    unit = adm.add_parser("unit", help="add or update a sales unit")
    for name in UNIT_FIELDS:
        unit.add_argument(f"--{name.replace('_', '-')}", dest=name, required=True)
    till = adm.add_parser("till", help="register a till; prints its one-time enrolment code")
    till.add_argument("--till-id", required=True)
    till.add_argument("--unit-id", required=True)
    holder = adm.add_parser("cardholder", help="add a cardholder with an account and a card")
    for name in ("cardholder_id", "name", "account_id", "card_id", "currency"):
        holder.add_argument(f"--{name.replace('_', '-')}", dest=name, required=True)
    holder.add_argument("--price-level", default="student", choices=["student", "staff", "guest"])
    holder.add_argument("--allowed", default="mensa", help="comma-separated unit types")
    dep = adm.add_parser("deposit", help="put money on a card's account (minor units)")
    dep.add_argument("card_id")
    dep.add_argument("amount", type=int)
    for verb in ("block", "unblock"):
        adm.add_parser(verb, help=f"{verb} a card").add_argument("card_id")
    bal = adm.add_parser("balance", help="an account's balance")
    bal.add_argument("account_id")
    ref = adm.add_parser("refusals", help="entries the server refused, by till")
    ref.add_argument("--till")
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

    token = os.environ.get(ENV_TOKEN)
    if not token:
        token = secrets.token_urlsafe(24)
        print(
            f"canteen-server: no ${ENV_TOKEN} set; admin token for this run: {token}",
            file=sys.stderr,
        )
    uvicorn.run(
        create_app(url, admin_token=token),
        host=args.host,
        port=args.port,
        log_level="info",
        # Long-polls are waiting requests: on shutdown, end them rather than wait them out.
        timeout_graceful_shutdown=2,
    )
    return 0


def _admin(db: Database, args: argparse.Namespace) -> int:
    what = args.what
    if what == "unit":
        fields = UNIT_FIELDS
        admin.add_unit(db, Unit(**{f: getattr(args, f) for f in fields}))
        print(f"unit {args.unit_id} saved")
    elif what == "till":
        code = tills.add_till(db, args.till_id, args.unit_id)
        print(f"till {args.till_id}: enrolment code {code}")
    elif what == "cardholder":
        admin.add_cardholder(
            db,
            cardholder_id=args.cardholder_id,
            name=args.name,
            account_id=args.account_id,
            card_id=args.card_id,
            currency=args.currency,
            price_level=args.price_level,
            allowed_unit_types=[u.strip() for u in args.allowed.split(",") if u.strip()],
        )
        print(f"cardholder {args.cardholder_id} with card {args.card_id} added")
    elif what == "deposit":
        print(f"balance {admin.deposit(db, args.card_id, args.amount)}")
    elif what in ("block", "unblock"):
        admin.set_card_state(db, args.card_id, "blocked" if what == "block" else "active")
        print(f"card {args.card_id} {what}ed")
    elif what == "balance":
        print(admin.account_balance(db, args.account_id))
    elif what == "refusals":
        print(json.dumps(admin.refusals(db, args.till), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
