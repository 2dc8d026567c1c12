"""`canteen-server admin …`: the back office from a shell, on the server's database.

The same operations as the admin HTTP API (`server.admin`, `server.catalogue`); each change
reaches the tills through the change feed.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any

from server import admin, catalogue, tills
from server.db import Database
from server.errors import Invalid
from sync.money import format_money
from sync.policy import layered
from sync.records import UNIT_FIELDS, AutoloadAgreement, PriceLevel, Product, Unit

LEVELS = [level.value for level in PriceLevel]


def add_parsers(adm: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    unit = adm.add_parser("unit", help="add or update a sales unit")
    for name in UNIT_FIELDS:
        if name == "locale":
            unit.add_argument(
                "--locale", default="", help="de_DE, sv_SE, da_DK (default: the currency's)"
            )
        else:
            unit.add_argument(f"--{name.replace('_', '-')}", dest=name, required=True)
    till = adm.add_parser("till", help="register a till; prints its one-time enrolment code")
    till.add_argument("--till-id", required=True)
    till.add_argument("--unit-id", required=True)
    adm.add_parser("tills", help="every till: unit, enrolment, last entry received, refusals")
    revoke = adm.add_parser(
        "revoke-till", help="end a till's credential at once (a stolen or retired till PC)"
    )
    revoke.add_argument("till_id")

    holder = adm.add_parser("cardholder", help="add a cardholder with an account and a card")
    for name in ("cardholder_id", "name", "account_id", "currency"):
        holder.add_argument(f"--{name.replace('_', '-')}", dest=name, required=True)
    holder.add_argument("--card-id", help="the first card; leave out to issue one later")
    holder.add_argument("--price-level", default="student", choices=LEVELS)
    holder.add_argument("--allowed", default="mensa", help="comma-separated unit types")
    upd = adm.add_parser(
        "update-cardholder", help="name, allowed unit types (D-UNIT-2), restrictions (D-UNIT-3)"
    )
    upd.add_argument("cardholder_id")
    upd.add_argument("--name")
    upd.add_argument("--allowed", help="comma-separated unit types the card may be used at")
    limit = upd.add_mutually_exclusive_group()
    limit.add_argument("--daily-limit", type=int, help="most spent a day, minor units")
    limit.add_argument("--no-daily-limit", action="store_true", help="remove the daily limit")
    upd.add_argument("--blocked-categories", help="comma-separated; an empty string clears them")
    acc = adm.add_parser(
        "update-account", help="price level, membership expiry (D-ACC-3), arrears (D-AUTO-7)"
    )
    acc.add_argument("account_id")
    acc.add_argument("--price-level", choices=LEVELS)
    expiry = acc.add_mutually_exclusive_group()
    expiry.add_argument("--membership-expires", help="YYYY-MM-DD, or 'none' to clear it")
    expiry.add_argument(
        "--clear-expiry", action="store_true", help="the membership no longer expires"
    )
    acc.add_argument("--arrears", type=int, help="minor units owed; 0 lifts the payment block")
    photo = adm.add_parser("photo", help="upload a cardholder's photo (JPEG or PNG)")
    photo.add_argument("cardholder_id")
    photo.add_argument("file", type=Path)

    issue = adm.add_parser("issue-card", help="a card for an account that has none in use")
    issue.add_argument("account_id")
    issue.add_argument("card_id")
    rep = adm.add_parser("replace", help="replace a card; the fee comes off the balance")
    rep.add_argument("card_id")
    rep.add_argument("new_card_id")
    rep.add_argument("--fee", type=int, default=2500, help="minor units (D-CARD-1); default 2500")
    for verb in ("block", "unblock"):
        adm.add_parser(verb, help=f"{verb} a card").add_argument("card_id")
    dep = adm.add_parser("deposit", help="put money on a card's account (minor units)")
    dep.add_argument("card_id")
    dep.add_argument("amount", type=int)
    bal = adm.add_parser("balance", help="an account's balance")
    bal.add_argument("account_id")

    prod = adm.add_parser("product", help="add or update a product of a unit's menu")
    prod.add_argument("product_id")
    for name in ("unit_id", "name", "category"):
        prod.add_argument(f"--{name.replace('_', '-')}", dest=name, required=True)
    prod.add_argument(
        "--price",
        action="append",
        required=True,
        metavar="LEVEL=MINOR",
        help="a price per level, e.g. --price student=350 --price guest=520",
    )
    prod.add_argument("--vat-rate-bp", type=int, required=True, help="basis points: 700 = 7%%")
    prod.add_argument("--shortcut")
    prod.add_argument("--position", type=int, default=0)
    adm.add_parser("remove-product", help="take a product off the menu").add_argument("product_id")
    sold = adm.add_parser("sold-out", help="mark a product sold out on every till of its unit")
    sold.add_argument("product_id")
    sold.add_argument("--back", action="store_true", help="back on sale")

    agr = adm.add_parser("agreement", help="set an account's autoload agreement (D-AUTO-1)")
    agr.add_argument("account_id")
    agr.add_argument("--threshold", type=int, required=True, help="minor units")
    agr.add_argument("--amount", type=int, required=True, help="minor units")
    agr.add_argument("--active-from", type=date.fromisoformat, default=None, help="YYYY-MM-DD")
    agr.add_argument("--collection-failed", action="store_true")
    adm.add_parser("remove-agreement", help="end an account's autoload").add_argument("account_id")

    pol = adm.add_parser("policy", help="show or change the scheme policy")
    pol.add_argument("--file", type=Path, help="a JSON object replacing the whole policy")
    pol.add_argument(
        "settings",
        nargs="*",
        metavar="KEY=VALUE",
        help="change keys, e.g. autoloads_per_day=1; amounts per currency:"
        " offline_limit.SEK=30000 or offline_limit='{\"SEK\": 30000}'",
    )

    ref = adm.add_parser("refusals", help="entries refused for good: they cannot have happened")
    ref.add_argument("--till")
    flag = adm.add_parser("flagged", help="entries booked though they broke a rule offline")
    flag.add_argument("--till")
    rep = adm.add_parser("reports", help="feed items tills could not read")
    rep.add_argument("--till")
    adm.add_parser(
        "audit",
        help="check the ledger: every transaction sums to zero, every kept balance is its rows'",
    )
    led = adm.add_parser("ledger", help="every movement of an account's balance, and its source")
    led.add_argument("account_id")
    led.add_argument(
        "--json", action="store_true", help="as JSON, amounts in minor units (*_minor)"
    )


def run(db: Database, args: argparse.Namespace) -> int:
    """One admin command; what it refuses is a `server.errors` refusal naming what was wrong."""
    what = args.what
    if what == "unit":
        admin.add_unit(db, Unit(**{f: getattr(args, f) for f in UNIT_FIELDS}))
        print(f"unit {args.unit_id} saved")
    elif what == "till":
        code = tills.add_till(db, args.till_id, args.unit_id)
        print(f"till {args.till_id}: enrolment code {code}")
    elif what == "tills":
        _print_json(admin.tills_overview(db))
    elif what == "revoke-till":
        tills.revoke(db, args.till_id)
        print(f"till {args.till_id} revoked: its credential no longer works")
    elif what == "cardholder":
        admin.add_cardholder(
            db,
            cardholder_id=args.cardholder_id,
            name=args.name,
            account_id=args.account_id,
            card_id=args.card_id,
            currency=args.currency,
            price_level=args.price_level,
            allowed_unit_types=_list(args.allowed),
        )
        card = f"card {admin.card_id_of(args.card_id)}" if args.card_id else "no card yet"
        print(f"cardholder {args.cardholder_id} with {card} added")
    elif what == "update-cardholder":
        _update_cardholder(db, args)
    elif what == "update-account":
        _update_account(db, args)
    elif what == "photo":
        sha = catalogue.put_photo(db, args.cardholder_id, _read(args.file))
        print(f"photo {sha} saved for {args.cardholder_id}")
    elif what == "issue-card":
        card = admin.issue_card(db, args.account_id, args.card_id)
        print(f"card {card} issued to account {args.account_id}")
    elif what == "replace":
        new = admin.replace_card(db, args.card_id, args.new_card_id, fee=args.fee)
        fee = format_money(args.fee, admin.currency_of(db, card_id=new))
        print(f"card {admin.card_id_of(args.card_id)} replaced by {new} (fee {fee})")
    elif what in ("block", "unblock"):
        admin.set_card_state(db, args.card_id, "blocked" if what == "block" else "active")
        print(f"card {admin.card_id_of(args.card_id)} {what}ed")
    elif what == "deposit":
        after = admin.deposit(db, args.card_id, args.amount)
        print(f"balance {format_money(after, admin.currency_of(db, card_id=args.card_id))}")
    elif what == "balance":
        amount = admin.account_balance(db, args.account_id)
        print(format_money(amount, admin.currency_of(db, account_id=args.account_id)))
    elif what == "product":
        catalogue.put_product(db, _product(args), args.unit_id)
        print(f"product {args.product_id} saved on {args.unit_id}'s menu")
    elif what == "remove-product":
        catalogue.remove_product(db, args.product_id)
        print(f"product {args.product_id} removed")
    elif what == "sold-out":
        catalogue.set_sold_out(db, args.product_id, not args.back)
        print(f"product {args.product_id} {'back on sale' if args.back else 'sold out'}")
    elif what == "agreement":
        agreement = AutoloadAgreement(
            args.account_id,
            args.threshold,
            args.amount,
            args.active_from or date.today(),
            collection_failed=args.collection_failed,
        )
        catalogue.set_agreement(db, agreement)
        print(f"autoload agreement saved for {args.account_id}")
    elif what == "remove-agreement":
        catalogue.remove_agreement(db, args.account_id)
        print(f"autoload agreement of {args.account_id} removed")
    elif what == "policy":
        _policy(db, args)
    elif what == "refusals":
        _print_json(admin.refusals(db, args.till))
    elif what == "flagged":
        _print_json(_minor_named(admin.flagged(db, args.till)))
    elif what == "reports":
        _print_json(admin.till_reports(db, args.till))
    elif what == "audit":
        faults = admin.ledger_faults(db)
        for fault in faults:
            print(fault)
        print(f"ledger audit: {len(faults)} faults" if faults else "ledger audit: sound")
        return 1 if faults else 0
    elif what == "ledger":
        statement = admin.explain(db, args.account_id)
        if args.json:
            _print_json(_minor_named(statement))
        else:
            _print_statement(statement)
    return 0


def _update_cardholder(db: Database, args: argparse.Namespace) -> None:
    blocked = None if args.blocked_categories is None else _list(args.blocked_categories)
    admin.update_cardholder(
        db,
        args.cardholder_id,
        name=args.name,
        allowed_unit_types=None if args.allowed is None else _list(args.allowed),
        daily_limit=args.daily_limit,
        remove_daily_limit=args.no_daily_limit,
        blocked_categories=blocked,
    )
    print(f"cardholder {args.cardholder_id} updated")


def _update_account(db: Database, args: argparse.Namespace) -> None:
    expires: str | bool | None = False  # False: left as it is
    if args.clear_expiry:
        expires = None
    elif args.membership_expires is not None:
        text = args.membership_expires
        expires = None if text.lower() == "none" else _date(text, "--membership-expires")
    admin.update_account(
        db, args.account_id, price_level=args.price_level, membership_expires=expires
    )
    if args.arrears is not None:
        admin.set_arrears(db, args.account_id, args.arrears)
    print(f"account {args.account_id} updated")


def _product(args: argparse.Namespace) -> Product:
    prices: dict[PriceLevel, int] = {}
    for item in args.price:
        level, sep, amount = item.partition("=")
        if not sep or level not in LEVELS:
            raise Invalid(f"--price {item!r}: write LEVEL=MINOR with LEVEL one of {LEVELS}")
        try:
            prices[PriceLevel(level)] = int(amount)
        except ValueError:  # int() of what the operator typed: the one way it says "not a number"
            raise Invalid(f"--price {item!r}: {amount!r} is not whole minor units") from None
    return Product(
        args.product_id,
        args.name,
        args.category,
        prices,
        args.vat_rate_bp,
        args.shortcut,
        args.position,
    )


def _policy(db: Database, args: argparse.Namespace) -> None:
    if args.file is None and not args.settings:
        _print_json(catalogue.policy_data(db))
        return
    data: dict[str, Any] = catalogue.policy_data(db)
    if args.file is not None:
        try:
            loaded = json.loads(_read(args.file))
        except ValueError as exc:  # JSON or UTF-8 that does not decode: the file's own fault
            raise Invalid(f"{args.file}: not JSON: {exc}") from None
        if not isinstance(loaded, dict):
            raise Invalid(f"{args.file}: the policy is a JSON object of key: value")
        data = loaded
    for setting in args.settings:
        name, sep, value = setting.partition("=")
        if not sep:
            raise Invalid(f"{setting!r}: write KEY=VALUE, e.g. balance_cap=15000")
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            parsed = value  # a bare word such as after_purchase
        key, dot, currency = name.partition(".")
        # offline_limit.SEK=30000 changes one currency's amount and keeps the others'
        data = layered(data, {key: {currency: parsed} if dot else parsed})
    _print_json(catalogue.set_policy(db, data))


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise Invalid(f"cannot read {path}: {exc.strerror}") from None


def _date(text: str, option: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:  # fromisoformat's one way of saying the operator's text is no date
        raise Invalid(f"{option} {text!r:.40}: write YYYY-MM-DD, or none") from None


def _list(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


# Amounts in the JSON the command line prints: minor units, and the names say so.
MINOR_KEYS = frozenset({"amount", "balance", "unit_price"})


def _minor_named(data: Any) -> Any:
    """`data` with every amount's key renamed KEY_minor, however deep."""
    if isinstance(data, dict):
        return {f"{k}_minor" if k in MINOR_KEYS else k: _minor_named(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_minor_named(item) for item in data]
    return data


def _print_statement(statement: dict[str, Any]) -> None:
    """`admin ledger`: an account's movements as a person reads them, money as money."""
    currency = statement["currency"]
    print(f"account {statement['account_id']} ({currency})")
    for item in statement["movements"]:
        what = item.get("kind") or item["source"].split(":", 1)[0]
        flags = f"  flags: {', '.join(item['flags'])}" if item.get("flags") else ""
        print(
            f"{item['at']}  {what:<8} {format_money(item['amount'], currency):>14}"
            f"  balance {format_money(item['balance'], currency):>14}  {item['source']}{flags}"
        )
    print(f"balance {format_money(statement['balance'], currency)}")


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, sort_keys=True))
