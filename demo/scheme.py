"""Demo scheme: a Mensa, its menu at three price levels, and cardholders chosen so that every
verdict of the till shows when one of them is tapped. Photos are generated, nothing downloaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from demo.portraits import generate_portrait
from sync.photos import sha256_hex
from sync.records import (
    Account,
    AutoloadAgreement,
    Card,
    Cardholder,
    CardState,
    PriceLevel,
    Product,
    SaleLine,
    Unit,
)
from sync.store import Store
from terminal.money import format_money

TIMEZONE = "Europe/Berlin"
UNIT = Unit(
    unit_id="mensa-nord",
    name="Mensa Nord",
    unit_type="mensa",
    timezone=TIMEZONE,
    currency="EUR",
    seller_name="Studierendenwerk Nordstadt AöR",
    address="Universitätsring 12, 97070 Nordstadt",
    vat_number="DE 123 456 789",
    locale="de_DE",  # German money, dates and receipts; the demo's screen speaks English
)
EVERYWHERE = frozenset({"mensa", "cafeteria"})
POLICY = {
    "autoload_trigger": "before_purchase",
    "autoloads_per_day": 1,  # D-AUTO-4: once a day, as in 004
    "balance_cap": {"EUR": 12000},  # D-AUTO-5: 120 EUR, as in 003 (amounts are per currency)
    "offline_limit": {"EUR": 3000},  # D-OFF-3
    "print_receipts": "always",
}

FOOD, DRINK = 700, 1900  # VAT in basis points: 7 % food, 19 % drinks (German rules)


def _product(
    pid: str,
    name: str,
    category: str,
    prices: tuple[int, int, int],
    vat: int,
    pos: int,
    key: str | None = None,
) -> Product:
    student, staff, guest = prices
    return Product(
        pid,
        name,
        category,
        {PriceLevel.STUDENT: student, PriceLevel.STAFF: staff, PriceLevel.GUEST: guest},
        vat,
        key,
        pos,
    )


PRODUCTS = [
    _product("tages", "Tagesgericht", "Mains", (350, 520, 690), FOOD, 1, "1"),
    _product("veggie", "Vegetarisches Gericht", "Mains", (320, 480, 640), FOOD, 2, "2"),
    _product("pasta", "Pasta-Bar", "Mains", (290, 430, 580), FOOD, 3, "3"),
    _product("schnitzel", "Schnitzel mit Pommes", "Mains", (420, 600, 790), FOOD, 4),
    _product("suppe", "Suppe des Tages", "Mains", (180, 260, 340), FOOD, 5, "4"),
    _product("salat", "Salat, klein", "Sides", (120, 150, 190), FOOD, 10, "5"),
    _product("pommes", "Pommes frites", "Sides", (140, 180, 220), FOOD, 11, "6"),
    _product("reis", "Reis", "Sides", (90, 120, 150), FOOD, 12),
    _product("pudding", "Pudding", "Desserts", (90, 120, 150), FOOD, 20),
    _product("obst", "Obstsalat", "Desserts", (150, 190, 240), FOOD, 21),
    _product("kuchen", "Kuchenstück", "Desserts", (180, 220, 270), FOOD, 22),
    _product("kaffee", "Kaffee", "Drinks", (120, 150, 180), DRINK, 30, "7"),
    _product("tee", "Tee", "Drinks", (90, 110, 130), DRINK, 31),
    _product("wasser", "Mineralwasser 0,5 l", "Drinks", (110, 130, 160), DRINK, 32, "8"),
    _product("schorle", "Apfelschorle 0,5 l", "Drinks", (140, 170, 200), DRINK, 33),
    _product("schoko", "Schokoriegel", "Sweets", (100, 120, 140), FOOD, 40, "9"),
    _product("gummi", "Gummibärchen", "Sweets", (90, 110, 130), FOOD, 41),
    _product("muesli", "Müsliriegel", "Snacks", (110, 130, 160), FOOD, 50),
    _product("brezel", "Laugenbrezel", "Snacks", (80, 100, 120), FOOD, 51),
]


@dataclass(frozen=True, slots=True)
class DemoCardholder:
    cardholder: Cardholder
    account: Account
    cards: tuple[Card, ...]
    scenario: str  # what tapping this card shows, for the README
    agreement: AutoloadAgreement | None = None
    day_spent: int = 0  # server-known spending today (D-UNIT-3)
    day_autoloads: int = 0  # server-known autoloads today (D-AUTO-4)
    offline_spent: tuple[int, ...] = ()  # earlier sales at this till, still unsent (D-OFF-3)
    photo_seed: int | None = None  # None: no photo on file (D-CARD-4)

    @property
    def card_id(self) -> str:
        """The card to tap: the active one when there is one."""
        active = [c for c in self.cards if c.state is not CardState.CLOSED]
        return (active or list(self.cards))[0].card_id


@dataclass(frozen=True, slots=True)
class DemoData:
    unit: Unit
    products: list[Product]
    people: list[DemoCardholder]
    policy: dict[str, object] = field(default_factory=lambda: dict(POLICY))
    today: date = field(default_factory=lambda: datetime.now(UTC).date())


def local_today(now: datetime) -> date:
    return now.astimezone(ZoneInfo(TIMEZONE)).date()


def build_demo(today: date) -> DemoData:
    people: list[DemoCardholder] = []
    seed = iter(range(1, 100))

    def add(
        name: str,
        card_id: str,
        balance: int,
        level: PriceLevel,
        scenario: str,
        *,
        photo: bool = True,
        state: CardState = CardState.ACTIVE,
        units: frozenset[str] = EVERYWHERE,
        expires: date | None = None,
        daily_limit: int | None = None,
        blocked: frozenset[str] = frozenset(),
        agreement: tuple[int, int, date] | None = None,
        collection_failed: bool = False,
        arrears: int = 0,
        day_spent: int = 0,
        day_autoloads: int = 0,
        offline_spent: tuple[int, ...] = (),
        replaced_by: str | None = None,
    ) -> None:
        n = len(people) + 1
        hid, aid = f"demo-h{n:02d}", f"demo-a{n:02d}"
        cards = [Card(card_id, aid, state, replaced_by)]
        if replaced_by:
            cards.append(Card(replaced_by, aid, CardState.ACTIVE))
        deal = None
        if agreement is not None:
            threshold, amount, active_from = agreement
            deal = AutoloadAgreement(
                aid, threshold, amount, active_from, collection_failed=collection_failed
            )
        people.append(
            DemoCardholder(
                cardholder=Cardholder(hid, name, None, units, daily_limit, blocked),
                account=Account(aid, hid, "EUR", balance, level, expires, arrears > 0, arrears),
                cards=tuple(cards),
                scenario=scenario,
                agreement=deal,
                day_spent=day_spent,
                day_autoloads=day_autoloads,
                offline_spent=offline_spent,
                photo_seed=next(seed) if photo else None,
            )
        )

    long_ago = date(2025, 10, 1)
    s, st, g = PriceLevel.STUDENT, PriceLevel.STAFF, PriceLevel.GUEST
    add(
        "Anna Lindqvist",
        "72BF9961",
        4250,
        s,
        "approved, student prices",
        expires=date(today.year + 1, 3, 31),
    )
    add("Jonas Becker", "04579A22352680", 8500, st, "approved, staff prices")
    add("Mette Sørensen", "1D2E3F40", 3000, g, "approved, guest prices")
    add(
        "Lukas Hoffmann",
        "2A3B4C5D",
        500,
        s,
        "student membership expired yesterday: guest prices, and his 5,00 € pay a student's"
        " Tagesgericht but not a guest's 6,90 € (D-ACC-3)",
        expires=today - timedelta(days=1),
    )
    add(
        "Sofia Nilsson",
        "3C4D5E6F",
        1800,
        s,
        "approved, but NO PHOTO ON FILE flagged (D-CARD-4)",
        photo=False,
    )
    add(
        "Erik Johansson",
        "4E5F6071",
        5000,
        st,
        "refused: card blocked (D-CARD-2)",
        state=CardState.BLOCKED,
    )
    add(
        "Freja Hansen",
        "5D1E9A1C",
        2200,
        s,
        "refused: replaced by a newer card (D-CARD-1); her new card 04A1B2C3D4E580 works",
        state=CardState.CLOSED,
        replaced_by="04A1B2C3D4E580",
    )
    add(
        "Noah Weber",
        "6F708192",
        4000,
        s,
        "refused: his card is for the library and the cafeteria only; a Mensa till synced from"
        " the server does not even receive it and calls it unknown here (D-UNIT-2, least data)",
        units=frozenset({"library", "cafeteria"}),
    )
    add(
        "Ida Christensen",
        "7A8B9CAD",
        2600,
        s,
        "refused: daily limit 8,00 € already spent today (D-UNIT-3)",
        daily_limit=800,
        day_spent=800,
    )
    add(
        "Emil Larsen",
        "8B9CADBE",
        1500,
        s,
        "refused when sweets are on the tray: Sweets blocked by his guardian (D-UNIT-3)",
        blocked=frozenset({"Sweets"}),
        daily_limit=1000,
    )
    add(
        "Hanna Schmidt",
        "9CADBECF",
        120,
        s,
        "refused: insufficient balance for a meal, no autoload (D-PAY-1)",
    )
    add(
        "Oskar Andersson",
        "ADBECFD0",
        3500,
        s,
        "refused: payment blocked after a returned direct debit, 18,50 € arrears (D-AUTO-7)",
        arrears=1850,
        agreement=(1000, 2000, long_ago),
    )
    add(
        "Clara Fischer",
        "BECFD0E1",
        650,
        s,
        "below her 10,00 € threshold: autoload of 20,00 € offered (D-AUTO-2/3)",
        agreement=(1000, 2000, long_ago),
    )
    add(
        "Magnus Pedersen",
        "CFD0E1F2",
        300,
        s,
        "short of the meal, and his autoload was used today already: once a day, so it is not"
        " offered again (D-AUTO-4)",
        agreement=(1000, 2000, long_ago),
        day_autoloads=1,
    )
    add(
        "Lea Wagner",
        "D0E1F203",
        9500,
        st,
        "tapped before the meal is rung up: approved, and her autoload of 50,00 € would pass the"
        " 120,00 € cap, so it is not offered (D-AUTO-5)",
        agreement=(10000, 5000, long_ago),
    )
    add(
        "Astrid Berg",
        "E1F20314",
        300,
        s,
        "autoload registered today, active from the next business day (D-AUTO-6/8)",
        agreement=(1000, 2000, today + timedelta(days=1)),
    )
    add(
        "Felix Koch",
        "F2031425",
        300,
        s,
        "autoload stopped: last collection failed, top up by hand (D-AUTO-8)",
        agreement=(1000, 2000, long_ago),
        collection_failed=True,
    )
    add(
        "Olga Petersen",
        "03142536",
        6000,
        s,
        "offline (start with --offline): refused, offline limit 30,00 € reached (D-OFF-3)",
        offline_spent=(1450, 1310),
    )
    add(
        "Paul Meyer",
        "14253647",
        200,
        s,
        "2,00 € do not pay the meal: the autoload of 20,00 € is offered and needed; Yes (F1)"
        " pays, No (F2) refuses (D-AUTO-2/3)",
        agreement=(1000, 2000, long_ago),
    )
    add(
        "Maja Eriksson",
        "25364758",
        6000,
        st,
        "daily limit 10,00 € with 7,00 € spent today: the 5,20 € staff meal would pass it,"
        " a soup (2,60 €) would fit (D-UNIT-3)",
        daily_limit=1000,
        day_spent=700,
    )
    add(
        "Tobias Schulz",
        "36475869",
        2000,
        s,
        "the till is offline: approved offline, sent when it is back (D-OFF-3)",
    )
    add(
        "Signe Holm",
        "4758697A",
        1500,
        g,
        "a conference guest pass for drinks, desserts and snacks: no meals (D-UNIT-3)",
        blocked=frozenset({"Mains"}),
    )
    add(
        "Ben Richter",
        "58697A8B",
        11000,
        s,
        "a cash top-up of 20,00 € would pass the 120,00 € cap: refused (D-AUTO-5)",
    )
    return DemoData(UNIT, list(PRODUCTS), people, today=today)


def seed(store: Store, data: DemoData, *, now: datetime) -> None:
    """Load the demo scheme into a till's store, as the server's first sync will."""
    store.upsert_unit(data.unit)
    store.upsert_products(data.products)
    store.set_policy(dict(data.policy))
    holders = []
    for person in data.people:
        holder = person.cardholder
        if person.photo_seed is not None:
            photo = generate_portrait(person.photo_seed, holder.name)
            sha = sha256_hex(photo)
            store.put_photo(sha, photo)
            holder = Cardholder(
                holder.cardholder_id,
                holder.name,
                sha,
                holder.allowed_unit_types,
                holder.daily_limit,
                holder.blocked_categories,
            )
        holders.append(holder)
    store.upsert_cardholders(holders)
    store.upsert_accounts(p.account for p in data.people)
    store.upsert_cards(card for p in data.people for card in p.cards)
    store.upsert_agreements(p.agreement for p in data.people if p.agreement is not None)
    today = local_today(now)
    for person in data.people:
        if person.day_spent or person.day_autoloads:
            store.set_account_day(
                person.account.account_id,
                day=today,
                spent=person.day_spent,
                autoloads=person.day_autoloads,
            )
    seed_offline_sales(store, data, now=now)


def seed_offline_sales(store: Store, data: DemoData, *, now: datetime) -> None:
    """Sales made at this till earlier, while it was offline, still unsent (D-OFF-3 demo)."""
    today = local_today(now)
    by_id = {p.product_id: p for p in data.products}
    for person in data.people:
        for i, amount in enumerate(person.offline_spent):
            meal = by_id["schnitzel"]
            line = SaleLine(
                meal.product_id, "Tablett (Demo)", meal.category, 1, amount, meal.vat_rate_bp
            )
            store.commit_sale(
                card_id=person.card_id,
                account_id=person.account.account_id,
                currency="EUR",
                lines=[line],
                price_level=person.account.price_level,
                offline=True,
                autoload_amount=None,
                created_at=now - timedelta(hours=2, minutes=-10 * i),
                business_day=today,
                verdict="approved offline",
            )


def demo_table_markdown(data: DemoData) -> str:
    rows = [
        "| Cardholder | Card id | Price level | Balance | Tapping shows |",
        "|---|---|---|---|---|",
    ]
    for p in data.people:
        balance = format_money(p.account.balance, p.account.currency)
        rows.append(
            f"| {p.cardholder.name} | `{p.cards[0].card_id}` | {p.account.price_level.value} "
            f"| {balance} | {p.scenario} |"
        )
    return "\n".join(rows)
