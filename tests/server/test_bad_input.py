"""Bad input never becomes a 500 (issue item B), each case over real HTTP against a real
`canteen-server serve`: integers beyond 64 bits, a second currency, a product without every
price level, malformed tokens, a decompression-bomb photo, a chunked body over the limit, a
body that trickles in, a full disk. Each gets a 4xx or 503 naming what was wrong, and nothing
is stored half-way."""

from __future__ import annotations

import http.client
import io
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any
from unittest.mock import ANY

import pytest
import requests

from server.cli import main
from server.db import Database
from sync import limits
from sync.ids import new_id
from tests.server.live import ADMIN, Server, start
from tests.server.postgres import Cluster
from tests.terminal.till_scheme import UNIT

BIG = [2**63, 2**64, 10**30]
PYTHON_CLI = [sys.executable, "-m", "server.cli"]
NOW = "2026-11-21T11:30:00Z"
DAY = "2026-11-21"


# -- helpers -----------------------------------------------------------------------------------


def scheme(server: Server) -> str:
    """The test unit, cardholders h0/h1 (accounts a0/a1, cards C0/C1) with 10,00 € each, and
    till-1 enrolled; returns till-1's credential."""
    server.put_unit()
    server.add_holders(2, deposit=1000)
    return server.enrol_till("till-1").credential


def sale(
    seq: int, price: int, *, account: str = "a0", card: str = "C0", currency: str = "EUR"
) -> dict[str, Any]:
    """A sale as a till journals it (wire form)."""
    return {
        "id": new_id(),
        "seq": seq,
        "kind": "sale",
        "created_at": NOW,
        "business_day": DAY,
        "account_id": account,
        "card_id": card,
        "amount": -price,
        "currency": currency,
        "receipt_no": seq,
        "body": {
            "lines": [
                {
                    "product_id": "meal",
                    "name": "Menü 1",
                    "category": "Mains",
                    "quantity": 1,
                    "unit_price": price,
                    "vat_rate_bp": 700,
                }
            ],
            "total": price,
        },
    }


def push(server: Server, credential: str, entries: list[Any], **extra: Any) -> requests.Response:
    return requests.post(
        f"{server.url}/v1/tills/till-1/journal",
        json={"entries": entries, **extra},
        headers={"Authorization": f"Bearer {credential}"},
        timeout=10,
    )


def balance(server: Server, account: str = "a0") -> int:
    reply = server.admin("GET", f"/v1/admin/accounts/{account}")
    assert reply.status_code == 200, reply.text
    return int(reply.json()["balance"])


def refused(reply: requests.Response, status: int, *words: str) -> None:
    """The answer is `status` with an ErrorBody whose detail names every one of `words`."""
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"] == "application/json"
    body = reply.json()
    assert set(body) == {"detail", "errors"}
    for word in words:
        assert word in body["detail"], (word, body)


def log_of(tmp_path: Path) -> str:
    return (tmp_path / "server.log").read_text(errors="replace")


# -- integers beyond 64 bits -------------------------------------------------------------------


def test_integers_beyond_64_bits_in_an_entry_are_refused_naming_the_field(
    server: Server, tmp_path: Path
) -> None:
    """Every integer of a journal entry and its batch at 2**63, 2**64, 10**30: the entry's own
    fields are a 422 naming the field; those in its body (read by its kind) refuse the entry
    for good, naming the field; nothing is booked, no 500."""
    credential = scheme(server)
    body_fields = [("body", "total"), ("line", "quantity"), ("line", "unit_price")]
    seq = 0
    for big in BIG:
        for field in ("seq", "amount", "receipt_no"):
            entry = {**sale(seq + 1, 350), field: big}
            reply = push(server, credential, [entry])
            refused(reply, 422, f"entries.0.{field}")
        refused(push(server, credential, [sale(seq + 1, 350)], known_recv=big), 422, "known_recv")
        for where, field in [*body_fields, ("line", "vat_rate_bp")]:
            seq += 1
            entry = sale(seq, 350)
            if where == "body":
                entry["body"][field] = big
            else:
                entry["body"]["lines"][0][field] = big
            reply = push(server, credential, [entry])
            assert reply.status_code == 200, reply.text
            (result,) = reply.json()["results"]
            assert result["status"] == "refused", (big, field)
            assert field in result["detail"]
    assert len(server.admin("GET", "/v1/admin/refusals").json()) == seq
    assert balance(server) == 1000
    log = log_of(tmp_path)
    assert "a bug" not in log
    assert "refused: body.entries.0.seq" in log  # a log line for each refusal
    assert "refused: the sale's body" in log


def test_integers_beyond_64_bits_in_back_office_requests_and_queries(
    server: Server, tmp_path: Path
) -> None:
    """A deposit, every integer policy value, the account and cardholder fields, an agreement,
    a product, and the feed's query parameters at 2**63 and beyond (10**400: past a float):
    422 naming the field, nothing changed."""
    credential = scheme(server)
    for big in [*BIG, 10**400]:
        back_office_with(server, credential, big)
    assert balance(server) == 1000
    assert server.admin("GET", "/v1/admin/policy").json() == {}
    assert server.admin("DELETE", "/v1/admin/products/soup").status_code == 404
    log = log_of(tmp_path)
    assert "a bug" not in log
    assert "POST /v1/admin/deposits refused: body.amount" in log
    assert "PUT /v1/admin/policy refused" in log


def back_office_with(server: Server, credential: str, big: int) -> None:
    cases: list[tuple[str, str, Any, str]] = [
        ("POST", "/v1/admin/deposits", {"card_id": "C0", "amount": big}, "amount"),
        ("PATCH", "/v1/admin/accounts/a0", {"arrears": big}, "arrears"),
        ("PATCH", "/v1/admin/cardholders/h0", {"daily_limit": big}, "daily_limit"),
        ("POST", "/v1/admin/cards/C0/replace", {"new_card_id": "C9", "fee": big}, "fee"),
        (
            "PUT",
            "/v1/admin/accounts/a0/agreement",
            {"threshold": big, "amount": 2000, "active_from": DAY},
            "threshold",
        ),
        (
            "PUT",
            "/v1/admin/accounts/a0/agreement",
            {"threshold": 0, "amount": big, "active_from": DAY},
            "amount",
        ),
    ]
    product = {
        "unit_id": UNIT.unit_id,
        "name": "Suppe",
        "category": "Mains",
        "prices": {"student": 250, "staff": 320, "guest": 400},
        "vat_rate_bp": 700,
    }
    cases += [
        ("PUT", "/v1/admin/products/soup", {**product, "vat_rate_bp": big}, "vat_rate_bp"),
        ("PUT", "/v1/admin/products/soup", {**product, "position": big}, "position"),
        (
            "PUT",
            "/v1/admin/products/soup",
            {**product, "prices": {"student": big, "staff": 1, "guest": 1}},
            "prices.student",
        ),
    ]
    for key in (
        "balance_cap",
        "offline_limit",
        "autoloads_per_day",
        "offline_after_s",
        "unsent_alarm_s",
        "duplicate_tap_window_s",
    ):
        cases.append(("PUT", "/v1/admin/policy", {key: big}, key))
    cases.append(("PUT", "/v1/admin/policy", {"max_entry_amount": {"EUR": big}}, "EUR"))
    for method, path, body, field in cases:
        refused(server.admin(method, path, json=body), 422, field)
    for query in ("known_recv", "wait"):
        reply = requests.get(
            f"{server.url}/v1/tills/till-1/changes",
            params={query: str(big)},
            headers={"Authorization": f"Bearer {credential}"},
            timeout=10,
        )
        refused(reply, 422, f"query.{query}")


CLI_NUMBERS = [
    (["deposit", "C0", "{big}"], "amount"),
    (["update-cardholder", "h0", "--daily-limit", "{big}"], "daily_limit"),
    (["update-account", "a0", "--arrears", "{big}"], "arrears"),
    (["replace", "C0", "C9", "--fee", "{big}"], "fee"),
    (["agreement", "a0", "--threshold", "{big}", "--amount", "2000"], "threshold"),
    (["agreement", "a0", "--threshold", "0", "--amount", "{big}"], "amount"),
    (["policy", "balance_cap={big}"], "balance_cap"),
    (["policy", "duplicate_tap_window_s={big}"], "duplicate_tap_window_s"),
    (["policy", 'max_entry_amount={{"EUR": {big}}}'], "max_entry_amount"),
    (
        [
            *("product", "soup", "--unit-id", UNIT.unit_id, "--name", "Suppe"),
            *("--category", "Mains", "--price", "student={big}", "--price", "staff=1"),
            *("--price", "guest=1", "--vat-rate-bp", "700"),
        ],
        "prices.student",
    ),
]


def test_integers_beyond_64_bits_in_admin_cli_arguments(
    server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    """`canteen-server admin …` with 2**63, 10**30 (and 10**400, a float's overflow) where a
    number goes: exit 1 with a message naming the field, not a traceback; nothing changed."""
    scheme(server)
    capsys.readouterr()
    for args, field in CLI_NUMBERS:
        for big in (2**63, 10**30, 10**400):
            argv = [arg.format(big=big) for arg in args]
            assert main(["--db", server.db_url, "admin", *argv]) == 1, argv
            err = capsys.readouterr().err
            assert err.startswith("canteen-server: "), err
            assert field in err, (argv, err)
            assert "Traceback" not in err
    assert balance(server) == 1000
    assert server.admin("GET", "/v1/admin/policy").json() == {}


# -- currencies and price levels ---------------------------------------------------------------

DKK_UNIT = {
    "unit_id": "kantine-syd",
    "name": "Kantine Syd",
    "unit_type": "mensa",
    "timezone": "Europe/Copenhagen",
    "currency": "DKK",
    "seller_name": "Kantineselskabet",
    "address": "Sydvej 2, 8000 Aarhus",
    "vat_number": "DK12345678",
}


def ledger_sums(db_url: str) -> dict[str, tuple[str, int]]:
    """Every ledger account of the server's database: its currency and balance."""
    db = Database(db_url)
    try:
        with db.transaction(write=False) as tx:
            rows = tx.all(
                "SELECT a.ledger_account, a.currency, COALESCE(SUM(l.amount), 0)"
                " FROM ledger_accounts a LEFT JOIN ledger l ON l.ledger_account = a.ledger_account"
                " GROUP BY a.ledger_account, a.currency"
            )
            mixed = tx.scalar(
                "SELECT COUNT(*) FROM (SELECT l.txn_id FROM ledger l JOIN ledger_accounts a"
                " ON a.ledger_account = l.ledger_account GROUP BY l.txn_id"
                " HAVING COUNT(DISTINCT a.currency) > 1 OR SUM(l.amount) <> 0) AS bad"
            )
    finally:
        db.close()
    assert int(mixed) == 0, "a transaction mixes currencies or does not balance"
    return {str(name): (str(currency), int(total)) for name, currency, total in rows}


def test_two_currencies_keep_their_own_deposit_and_revenue_accounts(server: Server) -> None:
    """A scheme with an EUR unit and a DKK unit: cardholders, deposits and sales in both; the
    ledger has deposits:EUR and deposits:DKK and a revenue account per unit and currency, each
    transaction in one currency, the balances right; a sale across currencies is refused."""
    eur = scheme(server)
    assert server.admin("PUT", "/v1/admin/units/kantine-syd", json=DKK_UNIT).status_code == 204
    holder = {"cardholder_id": "d0", "name": "Dorte", "account_id": "ad0", "card_id": "D0"}
    reply = server.admin("POST", "/v1/admin/cardholders", json={**holder, "currency": "DKK"})
    assert reply.status_code == 201, reply.text
    deposit = server.admin("POST", "/v1/admin/deposits", json={"card_id": "D0", "amount": 8000})
    assert deposit.json() == {"card_id": "D0", "balance": 8000}
    code = server.admin(
        "POST", "/v1/admin/tills", json={"till_id": "till-dk", "unit_id": "kantine-syd"}
    ).json()["enrolment_code"]
    dkk = requests.post(f"{server.url}/v1/enrol", json={"code": code}, timeout=10).json()

    eur_sales = push(server, eur, [sale(1, 350), sale(2, 120, account="a1", card="C1")])
    assert [r["status"] for r in eur_sales.json()["results"]] == ["accepted", "accepted"]
    dkk_sale = requests.post(
        f"{server.url}/v1/tills/till-dk/journal",
        json={
            "entries": [
                sale(1, 4500, account="ad0", card="D0", currency="DKK"),
                sale(2, 100, currency="EUR"),  # an EUR card at a DKK till
                sale(3, 100, account="ad0", card="D0", currency="EUR"),  # the wrong currency
            ]
        },
        headers={"Authorization": f"Bearer {dkk['credential']}"},
        timeout=10,
    )
    results = dkk_sale.json()["results"]
    assert [r["status"] for r in results] == ["accepted", "refused", "refused"]
    assert "DKK" in results[1]["detail"]
    assert "DKK" in results[2]["detail"]

    assert balance(server, "a0") == 1000 - 350
    assert balance(server, "a1") == 1000 - 120
    assert balance(server, "ad0") == 8000 - 4500
    sums = ledger_sums(server.db_url)
    assert sums["deposits:EUR"] == ("EUR", -2000)
    assert sums["deposits:DKK"] == ("DKK", -8000)
    assert sums[f"revenue:{UNIT.unit_id}:EUR"] == ("EUR", 470)
    assert sums["revenue:kantine-syd:DKK"] == ("DKK", 4500)
    assert sums["card:ad0"] == ("DKK", 3500)
    assert f"revenue:{UNIT.unit_id}:DKK" not in sums
    assert "revenue:kantine-syd:EUR" not in sums


def test_a_currency_no_unit_sells_in_and_a_missing_price_level_are_422_naming_them(
    server: Server,
) -> None:
    """A cardholder in SEK when the scheme's units sell in EUR, and a product priced for
    student and staff only: 422 naming the currency and the missing level, nothing stored."""
    scheme(server)
    holder = {"cardholder_id": "s0", "name": "Sven", "account_id": "as0", "currency": "SEK"}
    refused(server.admin("POST", "/v1/admin/cardholders", json=holder), 422, "currency", "SEK")
    assert server.admin("GET", "/v1/admin/accounts/as0").status_code == 404
    product = {
        "unit_id": UNIT.unit_id,
        "name": "Suppe",
        "category": "Mains",
        "prices": {"student": 250, "staff": 320},
        "vat_rate_bp": 700,
    }
    reply = server.admin("PUT", "/v1/admin/products/soup", json=product)
    refused(reply, 422, "prices", "guest")
    assert reply.json()["errors"][0]["field"] == "body.prices"
    assert server.admin("DELETE", "/v1/admin/products/soup").status_code == 404


# -- names and texts over their limits ---------------------------------------------------------


def test_names_and_product_texts_over_their_limits_are_422_naming_field_and_limit(
    server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    """A cardholder's name of MAX_NAME_CHARS + 1 and a product's name of MAX_PRODUCT_TEXT + 1,
    over HTTP and over the admin CLI: refused naming the field and the limit."""
    scheme(server)
    name = "N" * (limits.MAX_NAME_CHARS + 1)
    text = "P" * (limits.MAX_PRODUCT_TEXT + 1)
    holder = {"cardholder_id": "h9", "name": name, "account_id": "a9", "currency": "EUR"}
    reply = server.admin("POST", "/v1/admin/cardholders", json=holder)
    refused(reply, 422, "name", str(limits.MAX_NAME_CHARS))
    reply = server.admin("PATCH", "/v1/admin/cardholders/h0", json={"name": name})
    refused(reply, 422, "name", str(limits.MAX_NAME_CHARS))
    product = {
        "unit_id": UNIT.unit_id,
        "name": text,
        "category": "Mains",
        "prices": {"student": 250, "staff": 320, "guest": 400},
        "vat_rate_bp": 700,
    }
    reply = server.admin("PUT", "/v1/admin/products/soup", json=product)
    refused(reply, 422, "name", str(limits.MAX_PRODUCT_TEXT))

    capsys.readouterr()
    cli = ["--db", server.db_url, "admin"]
    ids = ["--cardholder-id", "h9", "--account-id", "a9", "--currency", "EUR"]
    assert main([*cli, "cardholder", *ids, "--name", name]) == 1
    err = capsys.readouterr().err
    assert "name" in err
    assert str(limits.MAX_NAME_CHARS) in err
    assert main([*cli, "update-cardholder", "h0", "--name", name]) == 1
    assert str(limits.MAX_NAME_CHARS) in capsys.readouterr().err
    prices = ["--price", "student=1", "--price", "staff=1", "--price", "guest=1"]
    assert (
        main(
            [
                *(*cli, "product", "soup", "--unit-id", UNIT.unit_id, "--name", text),
                *("--category", "Mains", *prices, "--vat-rate-bp", "700"),
            ]
        )
        == 1
    )
    err = capsys.readouterr().err
    assert "name" in err
    assert str(limits.MAX_PRODUCT_TEXT) in err
    assert server.admin("GET", "/v1/admin/accounts/a9").status_code == 404
    assert server.admin("DELETE", "/v1/admin/products/soup").status_code == 404
    shown = server.admin("GET", "/v1/admin/limits").json()
    assert shown["MAX_NAME_CHARS"] == {"value": limits.MAX_NAME_CHARS, "what": ANY}
    assert shown == {name: {"value": v, "what": what} for name, v, what in limits.as_table()}


def test_limits_command_prints_every_limit() -> None:
    """`canteen-server limits` names every limit of sync.limits with its value."""
    done = subprocess.run(
        [*PYTHON_CLI, "limits"], capture_output=True, text=True, timeout=60, check=True
    )
    printed = {line.split()[0]: line.split()[1] for line in done.stdout.splitlines()}
    expected = {name: str(value) for name, value, _ in limits.as_table()}
    assert printed == expected
    for name in ("MAX_BODY_BYTES", "MAX_PHOTO_BYTES", "MAX_PAGE_BYTES", "MAX_NAME_CHARS"):
        assert name in printed


# -- text the database cannot hold ------------------------------------------------------------


def test_text_a_database_cannot_hold_is_a_422_or_stored_safely(
    server: Server, tmp_path: Path
) -> None:
    """NUL (PostgreSQL's text cannot hold or even compare it) in ids in the path, in a filter
    and in a till's report is a 422 naming the field; a lone surrogate in an entry's
    free-form body is a 422 naming the entry: never a 500."""
    credential = scheme(server)
    for method, path in [
        ("GET", "/v1/admin/accounts/%00"),
        ("GET", "/v1/admin/accounts/a%000/ledger"),
        ("PATCH", "/v1/admin/cardholders/h%00"),
        ("DELETE", "/v1/admin/products/%00"),
        ("POST", "/v1/admin/tills/till-1%00/revoke"),
        ("POST", "/v1/admin/cards/C%000/block"),
        ("GET", "/v1/admin/refusals?till=%00"),
        ("GET", "/v1/admin/reports?till=till-1%00"),
    ]:
        body = {"name": "X"} if method == "PATCH" else None
        reply = server.admin(method, path, json=body)
        where = "query.till" if "?" in path else "path."
        refused(reply, 422, where)
    # A till's own paths too: a NUL in a long-poll's till read with other polls' tills in one
    # query would fail all of them on PostgreSQL.
    for method, path in [
        ("GET", "/v1/tills/till-1%00/changes"),
        ("GET", "/v1/tills/x%00/changes?wait=1"),
        ("POST", "/v1/tills/till-1%00/journal"),
    ]:
        for token in (credential, "junk"):
            reply = requests.request(
                method,
                f"{server.url}{path}",
                json={"entries": []} if method == "POST" else None,
                headers={"Authorization": f"Bearer {token}"},
                timeout=10,
            )
            refused(reply, 422, "path.")
    report = {"seq": 3, "kind": "card\x00", "key": "C\x000", "problem": "bad\x00", "skipped": True}
    reply = requests.post(
        f"{server.url}/v1/tills/till-1/reports",
        json={"problems": [report]},
        headers={"Authorization": f"Bearer {credential}"},
        timeout=10,
    )
    refused(reply, 422, "body.problems.0.kind")  # a till never writes a NUL: it replaces them
    assert server.admin("GET", "/v1/admin/reports").json() == []

    def with_in_body(seq: int, amount: int, extra: str) -> requests.Response:
        """A sale whose body holds `extra` (JSON text) too, sent as that text."""
        entry = json.dumps({"entries": [sale(seq, amount)]})
        return requests.post(
            f"{server.url}/v1/tills/till-1/journal",
            data=entry.replace('"total"', f'{extra}, "total"').encode(),
            headers={"Authorization": f"Bearer {credential}", "Content-Type": "application/json"},
            timeout=10,
        )

    reply = with_in_body(1, 350, '"note": "\\ud800"')
    refused(reply, 422, "entries.0.body", "surrogate")
    assert reply.json()["errors"][0]["field"] == "body.entries.0.body"
    # A NUL anywhere in the body, a key or a value however deep, is refused the same way;
    # a backslash before "u0000" is only text.
    for extra in ('"note": "a\\u0000b"', '"n\\u0000": 1', '"deep": [{"x": ["\\u0000"]}]'):
        refused(with_in_body(1, 350, extra), 422, "entries.0.body", "NUL")
    assert push(server, credential, [sale(1, 350)]).json()["results"][0]["status"] == "accepted"
    reply = with_in_body(2, 100, '"note": "a\\\\u0000b"')
    assert reply.json()["results"][0]["status"] == "accepted"
    assert balance(server) == 1000 - 350 - 100
    assert "a bug" not in log_of(tmp_path)


# -- tokens ------------------------------------------------------------------------------------

BAD_AUTHORIZATION = [
    b"Bearer \xc3\xbc\xc3\xbc\xc3\xbc",  # "üüü" in UTF-8
    b"Bearer \xfc.\xfc",  # "ü.ü" in latin-1, with the dot of a credential
    b"Bearer till-1.\xff\xfe",
    b"Bearer " + b"x" * 10_000,
    b"Bearer till-1." + b"%" * 10_000,
    b"Basic xyz",
    b"Basic " + ADMIN.encode(),
    ADMIN.encode(),  # the right token without "Bearer "
    b"Bearer",
    b"Bearer    ",
    b"Token " + ADMIN.encode(),
]


def raw_request(
    server: Server, method: str, path: str, authorization: bytes, body: bytes = b""
) -> tuple[int, dict[str, str], bytes]:
    """One request with the Authorization header's exact bytes (requests would encode them)."""
    host, port = server.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.putrequest(method, path)
        conn.putheader("Authorization", authorization)
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        reply = conn.getresponse()
        return reply.status, {k.lower(): v for k, v in reply.getheaders()}, reply.read()
    finally:
        conn.close()


def test_malformed_tokens_are_401_with_an_error_body_never_500(
    server: Server, tmp_path: Path
) -> None:
    """Non-ASCII bytes, 10 kB of garbage, Basic, a token without "Bearer ", an empty one: 401
    with ErrorBody and a Bearer challenge, on till, photo and admin endpoints alike."""
    scheme(server)
    entry = json.dumps({"entries": [sale(1, 350)]}).encode()
    endpoints = [
        ("POST", "/v1/tills/till-1/journal", entry),
        ("GET", "/v1/tills/till-1/changes", b""),
        ("GET", "/v1/photos/" + "0" * 64, b""),
        ("GET", "/v1/admin/accounts/a0", b""),
        ("POST", "/v1/admin/deposits", b'{"card_id": "C0", "amount": 100}'),
    ]
    for authorization in BAD_AUTHORIZATION:
        for method, path, body in endpoints:
            status, headers, raw = raw_request(server, method, path, authorization, body)
            assert status == 401, (authorization[:40], path, raw[:200])
            assert headers["content-type"] == "application/json"
            assert headers["www-authenticate"] == "Bearer"
            answer = json.loads(raw)
            assert set(answer) == {"detail", "errors"}
            assert "credential" in answer["detail"] or "token" in answer["detail"]
    assert balance(server) == 1000
    log = log_of(tmp_path)
    assert "a bug" not in log
    assert log.count("refused (401)") == len(BAD_AUTHORIZATION) * len(endpoints)


# -- photos ------------------------------------------------------------------------------------


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def black_png(width: int, height: int) -> bytes:
    """A 1-bit black PNG written row by row: 20,000 × 20,000 is a few kilobytes on the wire
    and 400 million pixels decoded, and never more than one row here."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit grey
    row = b"\0" * (1 + (width + 7) // 8)  # filter byte, then the bits
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", data)
        + _chunk(b"IEND", b"")
    )


def noise_png() -> bytes:
    """A 1000 × 1000 photo of noise: about 3 MB that no compression makes smaller."""
    from PIL import Image

    out = io.BytesIO()
    Image.frombytes("RGB", (1000, 1000), os.urandom(3_000_000)).save(out, "PNG")
    assert 2 << 20 < out.tell() < limits.MAX_PHOTO_BYTES
    return out.getvalue()


def photo_count(db_url: str) -> int:
    db = Database(db_url)
    try:
        with db.transaction(write=False) as tx:
            return int(tx.scalar("SELECT COUNT(*) FROM photos"))
    finally:
        db.close()


def put_photo(server: Server, data: bytes) -> requests.Response:
    return requests.put(
        f"{server.url}/v1/admin/cardholders/h0/photo",
        data=data,
        headers={"Authorization": f"Bearer {ADMIN}", "Content-Type": "image/png"},
        timeout=30,
    )


def test_a_20000_by_20000_photo_and_one_over_the_byte_limit_are_413_naming_the_limit(
    server: Server, tmp_path: Path
) -> None:
    """A decompression bomb (20,000 × 20,000 black PNG) is refused from its header with 413
    naming the pixel limit; a body over MAX_PHOTO_BYTES with 413 naming its size and the
    limit; neither is stored."""
    scheme(server)
    bomb = black_png(20_000, 20_000)
    assert len(bomb) < limits.MAX_PHOTO_BYTES
    refused(put_photo(server, bomb), 413, str(limits.MAX_PHOTO_PIXELS), "pixels")
    over = b"\x89PNG\r\n\x1a\n" + b"\0" * limits.MAX_PHOTO_BYTES
    refused(put_photo(server, over), 413, str(len(over)), str(limits.MAX_PHOTO_BYTES))
    assert photo_count(server.db_url) == 0
    small = black_png(64, 64)
    assert put_photo(server, small).status_code == 200  # the same road works for a real one
    assert photo_count(server.db_url) == 1
    log = log_of(tmp_path)
    assert "PUT /v1/admin/cardholders/h0/photo refused (413): the photo" in log
    assert "PUT /v1/admin/cardholders/h0/photo refused (413): the body" in log


# -- bodies: chunked over the limit, too slow --------------------------------------------------


def read_answer(sock: socket.socket) -> tuple[int, bytes]:
    """The status and body of the HTTP answer on `sock` (with a Content-Length)."""
    data = b""
    while b"\r\n\r\n" not in data:
        more = sock.recv(65536)
        assert more, f"the server closed without answering: {data[:200]!r}"
        data += more
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    fields = dict(line.lower().split(": ", 1) for line in lines[1:])
    while len(body) < int(fields["content-length"]):
        more = sock.recv(65536)
        assert more, "the server closed in the middle of its answer"
        body += more
    return int(lines[0].split()[1]), body


def test_a_chunked_body_over_the_limit_is_refused_before_authentication_and_before_it_is_read(
    server: Server, tmp_path: Path
) -> None:
    """A chunked journal push (no Content-Length) with an INVALID credential: the answer is 413,
    not 401 (the limit comes before any authentication work), and it arrives while the client
    is still sending: the server read about the limit, not the whole body."""
    scheme(server)
    host, port = server.url.removeprefix("http://").split(":")
    total = 16 * limits.MAX_BODY_BYTES
    chunk = b"[" * 16384
    sent = 0
    answered = threading.Event()

    def send(sock: socket.socket) -> None:
        nonlocal sent
        try:
            while sent < total and not answered.is_set():
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
                answered.wait(0.002)  # slowly: the answer has time to overtake the body
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server closed the connection: what we want

    with socket.create_connection((host, int(port)), timeout=20) as sock:
        sock.sendall(
            b"POST /v1/tills/till-1/journal HTTP/1.1\r\n"
            b"Host: 127.0.0.1\r\n"
            b"Authorization: Bearer till-1.not-the-credential\r\n"
            b"Content-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        sender = threading.Thread(target=send, args=(sock,))
        sender.start()
        try:
            status, body = read_answer(sock)
            sent_when_answered = sent
        finally:
            answered.set()
            sender.join(timeout=20)
    assert status == 413, body
    assert json.loads(body) == {
        "detail": f"the body is more than {limits.MAX_BODY_BYTES} bytes;"
        f" the limit is {limits.MAX_BODY_BYTES}",
        "errors": [],
    }
    assert sent_when_answered < total
    assert balance(server) == 1000
    assert "POST /v1/tills/till-1/journal refused (413)" in log_of(tmp_path)


def test_a_body_slower_than_the_deadline_is_408(tmp_path: Path) -> None:
    """A body that trickles in past the body deadline ($CANTEEN_BODY_DEADLINE_S, here 1 s) is
    answered 408 naming the deadline, before it reaches authentication or the database."""
    srv = start(
        f"sqlite:///{tmp_path / 'server.db'}",
        tmp_path / "server.log",
        env={"CANTEEN_BODY_DEADLINE_S": "1"},
    )
    try:
        host, port = srv.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=30) as sock:
            sock.sendall(
                b"POST /v1/admin/deposits HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Authorization: Bearer " + ADMIN.encode() + b"\r\n"
                b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
                b'{"card_id"'
            )
            status, body = read_answer(sock)
        assert status == 408, body
        assert json.loads(body) == {"detail": "the body did not arrive within 1 s", "errors": []}
    finally:
        srv.process.terminate()
        srv.process.wait(timeout=10)
    assert "refused (408)" in log_of(tmp_path)


# -- a full disk -------------------------------------------------------------------------------


@contextmanager
def tmpfs(point: Path, options: str = "size=16m") -> Iterator[Path]:
    """A tmpfs mounted on `point` for the block (mounting needs root, as in CI and on the dev
    machines; elsewhere the test is skipped)."""
    point.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], check=False)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MiB tmpfs."""
    with tmpfs(tmp_path / "disk") as point:
        yield point


def fill(path: Path) -> None:
    """Fill the filesystem of `path` to its last block."""
    with path.open("wb", buffering=0) as out:
        try:
            while True:
                out.write(b"\0" * 65536)
        except OSError:
            pass


def test_a_full_disk_is_a_503_that_says_so_and_nothing_is_stored_half_way(
    small_disk: Path, tmp_path: Path
) -> None:
    """SQLite on a full disk: a deposit and a journal push get 503 saying the disk is full,
    /v1/health says so too, nothing is stored; once there is room again the same push is
    taken, and taken once."""
    srv = start(f"sqlite:///{small_disk / 'server.db'}", tmp_path / "server.log")
    try:
        credential = scheme(srv)
        entries = [sale(1, 350), sale(2, 120)]
        fill(small_disk / "filler")

        health = requests.get(srv.url + "/v1/health", timeout=10)
        refused(health, 503, "disk is full")
        deposit = srv.admin("POST", "/v1/admin/deposits", json={"card_id": "C0", "amount": 500})
        refused(deposit, 503, "disk is full", "nothing was stored")
        # A write larger than SQLite's page cache fails mid-statement, and SQLite rolls the
        # transaction back itself: still a 503, not the "no transaction is active" of a
        # second rollback.
        refused(put_photo(srv, noise_png()), 503, "disk is full", "nothing was stored")
        refused(push(srv, credential, entries), 503, "disk is full", "nothing was stored")
        refused(requests.get(srv.url + "/v1/health", timeout=10), 503, "disk")
        assert balance(srv) == 1000  # reads still work, and show nothing half-stored

        (small_disk / "filler").unlink()
        first = push(srv, credential, entries)
        assert first.status_code == 200, first.text
        assert [r["status"] for r in first.json()["results"]] == ["accepted", "accepted"]
        assert first.json()["last_recv"] == 2
        again = push(srv, credential, entries)
        assert again.json() == first.json()
        assert balance(srv) == 1000 - 470
        assert srv.admin("POST", "/v1/admin/deposits", json={"card_id": "C0", "amount": 500}).ok
        assert balance(srv) == 1000 - 470 + 500
        health = requests.get(srv.url + "/v1/health", timeout=10)
        assert health.status_code == 200, health.text
    finally:
        srv.process.terminate()
        srv.process.wait(timeout=10)
    log = log_of(tmp_path)
    assert "the server's disk is full" in log
    assert "a bug" not in log
    db = Database(f"sqlite:///{small_disk / 'server.db'}")
    try:
        with db.transaction(write=False) as tx:
            assert tx.scalar("PRAGMA integrity_check") == "ok"
            assert tx.scalar("SELECT COUNT(*) FROM journal_ingest") == 2
    finally:
        db.close()


@pytest.fixture
def postgres_on_a_small_disk(postgres: Cluster) -> Iterator[tuple[str, Path]]:
    """A PostgreSQL database whose tables go to a tablespace on a 16 MiB tmpfs: (its URL, the
    mount)."""
    postgres.databases += 1
    name = f"small{postgres.databases}"
    with tmpfs(postgres.root / name, "size=16m,mode=0700") as point:
        shutil.chown(point, "postgres", "postgres")
        psql = ["psql", "-h", "127.0.0.1", "-p", str(postgres.port), "-U", "postgres", "-q"]
        postgres._run(*psql, "-c", f"CREATE TABLESPACE {name} LOCATION '{point}'")
        # The server's tables on the small disk, the catalog not: with the whole database
        # there, a new connection must write its relation-cache file to the full disk and
        # fails ("could not write init file") before any write of ours could say "disk full".
        postgres._run(*psql, "-c", f"CREATE DATABASE {name}")
        postgres._run(*psql, "-c", f"ALTER DATABASE {name} SET default_tablespace = {name}")
        yield f"postgresql://postgres@127.0.0.1:{postgres.port}/{name}", point
        with suppress(subprocess.CalledProcessError):
            postgres._run(*psql, "-c", f"DROP DATABASE {name} WITH (FORCE)")
            postgres._run(*psql, "-c", f"DROP TABLESPACE {name}")


def test_a_full_disk_under_postgresql_is_a_503_too(
    postgres_on_a_small_disk: tuple[str, Path], tmp_path: Path
) -> None:
    """PostgreSQL whose tablespace fills up: the first write that needs a new page gets a 503
    saying the database server's disk is full, /v1/health says so, the refused write left
    nothing behind; with room again, writes go through."""
    url, disk = postgres_on_a_small_disk
    srv = start(url, tmp_path / "server.log")
    try:
        scheme(srv)
        fill(disk / "filler")
        made = 0
        reply = None
        for _ in range(2000):  # each deposit adds rows; the next page cannot be had
            reply = srv.admin("POST", "/v1/admin/deposits", json={"card_id": "C1", "amount": 1})
            if reply.status_code != 200:
                break
            made += 1
        assert reply is not None
        # The server's log says which database error it met, should this ever differ.
        why = (tmp_path / "server.log").read_text(errors="replace")[-3000:]
        assert "disk is full" in reply.text, (reply.text, why)
        refused(reply, 503, "disk is full", "nothing was stored")
        refused(requests.get(srv.url + "/v1/health", timeout=10), 503, "disk was full")
        assert balance(srv, "a1") == 1000 + made

        (disk / "filler").unlink()
        again = srv.admin("POST", "/v1/admin/deposits", json={"card_id": "C1", "amount": 1})
        assert again.status_code == 200, again.text
        assert balance(srv, "a1") == 1000 + made + 1
        assert requests.get(srv.url + "/v1/health", timeout=10).status_code == 200
    finally:
        srv.process.terminate()
        srv.process.wait(timeout=10)
    log = log_of(tmp_path)
    assert "the database server's disk is full" in log
    assert "a bug" not in log
