<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="da_DK">
<context>
    <name>messages</name>
    <message>
        <source>Cannot save sales: {reason}. Selling is stopped until it is fixed.</source>
        <translation>Salg kan ikke gemmes: {reason}. Salget er stoppet, indtil fejlen er rettet.</translation>
    </message>
    <message>
        <source>Card not read ({reason}). Ask the customer to tap again.</source>
        <translation>Kort ikke læst ({reason}). Bed kunden scanne kortet igen.</translation>
    </message>
    <message>
        <source>Press F8 again to void receipt {receipt_no}.</source>
        <translation>Tryk F8 igen for at annullere kvittering {receipt_no}.</translation>
    </message>
    <message>
        <source>Printing a copy of receipt {receipt_no}.</source>
        <translation>Udskriver kopi af kvittering {receipt_no}.</translation>
    </message>
    <message>
        <source>Printing receipt {receipt_no}.</source>
        <translation>Udskriver kvittering {receipt_no}.</translation>
    </message>
    <message>
        <source>Reprinting receipt {receipt_no} (copy).</source>
        <translation>Genudskriver kvittering {receipt_no} (kopi).</translation>
    </message>
    <message>
        <source>Card {card_id}</source>
        <translation>Kort {card_id}</translation>
    </message>
    <message>
        <source>{level}  ·  Balance {balance}</source>
        <translation>{level}  ·  Saldo {balance}</translation>
    </message>
    <message>
        <source>Offer an autoload of {amount} from the cardholder&apos;s bank account.</source>
        <translation>Tilbyd autooptankning af {amount} fra kortholderens bankkonto.</translation>
    </message>
    <message>
        <source>Balance now {now}. After this sale: {after_with} with the autoload, {without}</source>
        <translation>Saldo nu {now}. Efter købet: {after_with} med autooptankning, {without}</translation>
    </message>
    <message>
        <source>{after} without.</source>
        <translation>{after} uden.</translation>
    </message>
    <message>
        <source>too little without it.</source>
        <translation>for lidt uden.</translation>
    </message>
    <message>
        <source>TOPPED UP +{total}</source>
        <translation>OPTANKET +{total}</translation>
    </message>
    <message>
        <source>VOIDED {total}</source>
        <translation>ANNULLERET {total}</translation>
    </message>
    <message>
        <source>ARREARS PAID {total}</source>
        <translation>RESTANCE BETALT {total}</translation>
    </message>
    <message>
        <source>PAID OFFLINE {total}</source>
        <translation>BETALT OFFLINE {total}</translation>
    </message>
    <message>
        <source>PAID {total}</source>
        <translation>BETALT {total}</translation>
    </message>
    <message>
        <source>Balance now {balance}.  Receipt {receipt_no}.</source>
        <translation>Saldo nu {balance}.  Kvittering {receipt_no}.</translation>
    </message>
    <message>
        <source>Autoload +{amount} credited.</source>
        <translation>Autooptankning +{amount} indsat.</translation>
    </message>
    <message>
        <source>Offline: {used} of the {limit} offline limit used on this card.</source>
        <translation>Offline: {used} af offlinegrænsen på {limit} brugt på dette kort.</translation>
    </message>
    <message>
        <source>Student price</source>
        <translation>Studenterpris</translation>
    </message>
    <message>
        <source>Staff price</source>
        <translation>Personalepris</translation>
    </message>
    <message>
        <source>Guest price</source>
        <translation>Gæstepris</translation>
    </message>
    <message>
        <source>Guest price: membership expired {day} ({level} no longer applies).</source>
        <translation>Gæstepris: medlemskab udløb {day} ({level} gælder ikke længere).</translation>
    </message>
    <message>
        <source>Refused: {reason}</source>
        <translation>Afvist: {reason}</translation>
    </message>
    <message>
        <source>Topped up +{amount} (receipt {receipt_no}). Now charge the tray.</source>
        <translation>Optanket +{amount} (kvittering {receipt_no}). Tag nu betaling for bakken.</translation>
    </message>
    <message>
        <source>The arrears are {owed}: no more than that.</source>
        <translation>Restancen er {owed}: ikke mere end det.</translation>
    </message>
    <message>
        <source>Arrears paid {amount}. Left to pay {left}.</source>
        <translation>Restance betalt {amount}. Rest at betale {left}.</translation>
    </message>
    <message>
        <source>Receipt not printed: {error}. Reprint (F5)</source>
        <translation>Kvittering ikke udskrevet: {error}. Genudskriv (F5)</translation>
    </message>
    <message>
        <source>Receipt {receipt_no} not printed: {error}. Reprint (F5)</source>
        <translation>Kvittering {receipt_no} ikke udskrevet: {error}. Genudskriv (F5)</translation>
    </message>
    <message>
        <source>Printing receipt {receipt_no} (its original never printed).</source>
        <translation>Udskriver kvittering {receipt_no} (originalen blev ikke udskrevet).</translation>
    </message>
    <message>
        <source>Top up {amount}: new balance {after}.</source>
        <translation>Optank {amount}: ny saldo {after}.</translation>
    </message>
    <message>
        <source>Pay {amount} of the arrears: {left} left to pay.</source>
        <translation>Betal {amount} af restancen: rest at betale {left}.</translation>
    </message>
    <message>
        <source>Pay arrears {owed} in cash  F4</source>
        <translation>Betal restance {owed} kontant  F4</translation>
    </message>
    <message>
        <source>The top-up of receipt {receipt_no} ({amount}) is spent: the balance of {balance} no longer covers it, so it cannot be voided.</source>
        <translation>Optankningen på kvittering {receipt_no} ({amount}) er brugt: saldoen på {balance} dækker den ikke længere, så den kan ikke annulleres.</translation>
    </message>
    <message>
        <source>No sale or top-up to void yet.</source>
        <translation>Intet at annullere endnu.</translation>
    </message>
    <message>
        <source>Top-up voided: take the cash back out.</source>
        <translation>Optankning annulleret: tag kontanterne ud igen.</translation>
    </message>
    <message>
        <source>The last receipt holds no sale or top-up that can be voided.</source>
        <translation>Sidste kvittering har intet salg eller optankning, der kan annulleres.</translation>
    </message>
    <message>
        <source>Cash: tap the card first.</source>
        <translation>Kontant: scan kortet først.</translation>
    </message>
    <message>
        <source>Sale voided.</source>
        <translation>Salg annulleret.</translation>
    </message>
    <message>
        <source>Autoload declined by the cardholder.</source>
        <translation>Autooptankning afvist af kortholderen.</translation>
    </message>
    <message>
        <source>Receipts print by themselves; F5 reprints a copy.</source>
        <translation>Kvitteringer udskrives automatisk; F5 udskriver en kopi.</translation>
    </message>
    <message>
        <source>No receipt yet.</source>
        <translation>Ingen kvittering endnu.</translation>
    </message>
    <message>
        <source>No receipt to reprint yet.</source>
        <translation>Intet at genudskrive endnu.</translation>
    </message>
    <message>
        <source>Tap a card</source>
        <translation>Scan et kort</translation>
    </message>
    <message>
        <source>Ring up the tray, then tap the card</source>
        <translation>Slå bakken ind, og scan så kortet</translation>
    </message>
    <message>
        <source>or tap the card first</source>
        <translation>eller scan kortet først</translation>
    </message>
    <message>
        <source>CANNOT SELL</source>
        <translation>KAN IKKE SÆLGE</translation>
    </message>
    <message>
        <source>Unknown card</source>
        <translation>Ukendt kort</translation>
    </message>
    <message>
        <source>PHOTO UNREADABLE</source>
        <translation>BILLEDE ULÆSELIGT</translation>
    </message>
    <message>
        <source>NO PHOTO ON FILE</source>
        <translation>INTET BILLEDE</translation>
    </message>
    <message>
        <source>Check identity another way</source>
        <translation>Tjek identitet på anden måde</translation>
    </message>
    <message>
        <source>Autoload will be offered at payment.</source>
        <translation>Autooptankning tilbydes ved betaling.</translation>
    </message>
    <message>
        <source>Yes  F1</source>
        <translation>Ja  F1</translation>
    </message>
    <message>
        <source>No  F2</source>
        <translation>Nej  F2</translation>
    </message>
    <message>
        <source>Cash top-up</source>
        <translation>Optank kontant</translation>
    </message>
    <message>
        <source>Arrears in cash</source>
        <translation>Restance kontant</translation>
    </message>
    <message>
        <source>Take the cash, then Enter.</source>
        <translation>Modtag kontanterne, tryk så Enter.</translation>
    </message>
    <message>
        <source>Check before charging:</source>
        <translation>Tjek før betaling:</translation>
    </message>
    <message>
        <source>Sale voided</source>
        <translation>Salg annulleret</translation>
    </message>
    <message>
        <source>Last sale voided</source>
        <translation>Sidste salg annulleret</translation>
    </message>
    <message>
        <source>Does the cardholder agree?</source>
        <translation>Accepterer kortholderen?</translation>
    </message>
    <message>
        <source>No photo on file: check identity another way.</source>
        <translation>Intet billede: tjek identitet på anden måde.</translation>
    </message>
    <message>
        <source>Photo not on this till yet: check identity another way.</source>
        <translation>Billede endnu ikke på denne kasse: tjek identitet på anden måde.</translation>
    </message>
    <message>
        <source>Finish the cash entry first (Enter, Esc)</source>
        <translation>Afslut kontantindtastningen først (Enter, Esc)</translation>
    </message>
    <message>
        <source>Answer the autoload question first (F1 yes, F2 no)</source>
        <translation>Besvar først spørgsmålet om autooptankning (F1 ja, F2 nej)</translation>
    </message>
    <message>
        <source>Ring up the tray</source>
        <translation>Slå bakken ind</translation>
    </message>
    <message>
        <source>No products on the menu yet</source>
        <translation>Ingen varer på menuen endnu</translation>
    </message>
    <message>
        <source>Take the sold-out lines off the tray (Del)</source>
        <translation>Fjern udsolgte linjer fra bakken (Del)</translation>
    </message>
    <message>
        <source>Tap the card</source>
        <translation>Scan kortet</translation>
    </message>
    <message>
        <source>Checked? Enter charges, Esc cancels</source>
        <translation>Tjekket? Enter betaler, Esc afbryder</translation>
    </message>
    <message>
        <source>No arrears on this card.</source>
        <translation>Ingen restance på dette kort.</translation>
    </message>
    <message>
        <source>Type the amount.</source>
        <translation>Indtast beløbet.</translation>
    </message>
    <message>
        <source>CHECK, THEN CHARGE</source>
        <translation>TJEK FØR BETALING</translation>
    </message>
    <message>
        <source>AUTOLOAD?</source>
        <translation>AUTOOPTANKNING?</translation>
    </message>
    <message>
        <source>No products on the menu yet: the menu comes from the office.</source>
        <translation>Ingen varer på menuen endnu: menuen kommer fra kontoret.</translation>
    </message>
    <message>
        <source>No supervisor PIN is set for this till: products cannot be marked here.</source>
        <translation>Der er ingen leder-PIN for denne kasse: varer kan ikke markeres her.</translation>
    </message>
    <message>
        <source>Wrong supervisor PIN: nothing was marked.</source>
        <translation>Forkert leder-PIN: intet blev markeret.</translation>
    </message>
    <message>
        <source>{product} is not on this till&apos;s menu.</source>
        <translation>{product} er ikke på kassens menu.</translation>
    </message>
    <message>
        <source>{name} is marked sold out.</source>
        <translation>{name} er markeret som udsolgt.</translation>
    </message>
    <message>
        <source>{name} is on sale again.</source>
        <translation>{name} sælges igen.</translation>
    </message>
    <message>
        <source>{name} is sold out.</source>
        <translation>{name} er udsolgt.</translation>
    </message>
    <message>
        <source>{name} is no longer on the menu</source>
        <translation>{name} er ikke længere på menuen</translation>
    </message>
    <message>
        <source>{name}: {old} → {new}</source>
        <translation>{name}: {old} → {new}</translation>
    </message>
    <message>
        <source>{name} is sold out</source>
        <translation>{name} er udsolgt</translation>
    </message>
</context>
<context>
    <name>receipt</name>
    <message>
        <source>Card</source>
        <translation>Kantinekort</translation>
    </message>
    <message>
        <source>Cash</source>
        <translation>Kontant</translation>
    </message>
    <message>
        <source>Bank card</source>
        <translation>Betalingskort</translation>
    </message>
    <message>
        <source>Direct debit</source>
        <translation>Kontotræk</translation>
    </message>
    <message>
        <source>Autoload</source>
        <translation>Autooptankning</translation>
    </message>
    <message>
        <source>RECEIPT</source>
        <translation>KVITTERING</translation>
    </message>
    <message>
        <source>TOP-UP</source>
        <translation>OPTANKNING</translation>
    </message>
    <message>
        <source>AUTOLOAD</source>
        <translation>AUTOOPTANKNING</translation>
    </message>
    <message>
        <source>VOID</source>
        <translation>ANNULLERING</translation>
    </message>
    <message>
        <source>ARREARS PAYMENT</source>
        <translation>RESTANCEBETALING</translation>
    </message>
    <message>
        <source>*** COPY ***</source>
        <translation>*** KOPI ***</translation>
    </message>
    <message>
        <source>VOID OF TOP-UP</source>
        <translation>ANNULLERET OPTANKNING</translation>
    </message>
    <message>
        <source>Void of receipt {number}</source>
        <translation>Annullerer kvittering {number}</translation>
    </message>
    <message>
        <source>Voids {entry}</source>
        <translation>Annullerer {entry}</translation>
    </message>
    <message>
        <source>Refund to {tender}</source>
        <translation>Retur til {tender}</translation>
    </message>
    <message>
        <source>Collected by {tender}</source>
        <translation>Opkræves via {tender}</translation>
    </message>
    <message>
        <source>later</source>
        <translation>senere</translation>
    </message>
    <message>
        <source>Paid by {tender}</source>
        <translation>Betalt med {tender}</translation>
    </message>
    <message>
        <source>Arrears left</source>
        <translation>Restance tilbage</translation>
    </message>
    <message>
        <source>Balance after</source>
        <translation>Ny saldo</translation>
    </message>
    <message>
        <source>Arrears paid</source>
        <translation>Restance betalt</translation>
    </message>
    <message>
        <source>Top-up taken back</source>
        <translation>Optankning tilbageført</translation>
    </message>
    <message>
        <source>Top-up</source>
        <translation>Optankning</translation>
    </message>
    <message>
        <source>VAT no. {number}</source>
        <translation>CVR-nr. {number}</translation>
    </message>
    <message>
        <source>Receipt no.</source>
        <translation>Kvitteringsnr.</translation>
    </message>
    <message>
        <source>Till</source>
        <translation>Kasse</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Dato</translation>
    </message>
    <message>
        <source>{price} each</source>
        <translation>{price} pr. stk.</translation>
    </message>
    <message>
        <source>TOTAL</source>
        <translation>I ALT</translation>
    </message>
    <message>
        <source>* APPROVED OFFLINE *</source>
        <translation>* GODKENDT OFFLINE *</translation>
    </message>
    <message>
        <source>Net</source>
        <translation>Netto</translation>
    </message>
    <message>
        <source>VAT</source>
        <translation>Moms</translation>
    </message>
    <message>
        <source>Gross</source>
        <translation>Brutto</translation>
    </message>
    <message>
        <source>Stored value: no VAT</source>
        <translation>Kortsaldo: ingen moms</translation>
    </message>
    <message>
        <source>Entry</source>
        <translation>Postering</translation>
    </message>
    <message>
        <source>Thank you</source>
        <translation>Tak for besøget</translation>
    </message>
    <message>
        <source>APPROVED OFFLINE</source>
        <translation>GODKENDT OFFLINE</translation>
    </message>
    <message>
        <source>Entry {entry}</source>
        <translation>Postering {entry}</translation>
    </message>
</context>
<context>
    <name>screen</name>
    <message>
        <source>not started</source>
        <translation>ikke startet</translation>
    </message>
    <message>
        <source>ready</source>
        <translation>klar</translation>
    </message>
    <message>
        <source>receipt not printed ({error}); F5 reprints</source>
        <translation>kvittering ikke udskrevet ({error}); F5 genudskriver</translation>
    </message>
    <message>
        <source> · synced {age} ago</source>
        <translation> · synk. for {age} siden</translation>
    </message>
    <message>
        <source>● Online</source>
        <translation>● Online</translation>
    </message>
    <message>
        <source>● Offline: selling from the local copy</source>
        <translation>● Offline: sælger fra lokal kopi</translation>
    </message>
    <message>
        <source>⚠ 1 change from the server not readable: reported</source>
        <translation>⚠ 1 ændring fra serveren kan ikke læses: rapporteret</translation>
    </message>
    <message>
        <source>⚠ {count} changes from the server not readable: reported</source>
        <translation>⚠ {count} ændringer fra serveren kan ikke læses: rapporteret</translation>
    </message>
    <message>
        <source>All entries sent</source>
        <translation>Alle posteringer sendt</translation>
    </message>
    <message>
        <source>Unsent {count} · oldest {age}</source>
        <translation>Ikke sendt {count} · ældste {age}</translation>
    </message>
    <message>
        <source>⚠ {text}: sync stuck</source>
        <translation>⚠ {text}: synk. står stille</translation>
    </message>
    <message>
        <source>{seconds} s</source>
        <translation>{seconds} s</translation>
    </message>
    <message>
        <source>{minutes} min</source>
        <translation>{minutes} min</translation>
    </message>
    <message>
        <source>{hours} h {minutes} min</source>
        <translation>{hours} t {minutes} min</translation>
    </message>
    <message>
        <source>Tray</source>
        <translation>Bakke</translation>
    </message>
    <message>
        <source>Qty</source>
        <translation>Antal</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>Vare</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Beløb</translation>
    </message>
    <message>
        <source>{name} (not available: Del)</source>
        <translation>{name} (ikke tilgængelig: Del)</translation>
    </message>
    <message>
        <source>Total {amount}</source>
        <translation>I alt {amount}</translation>
    </message>
    <message>
        <source>Reprint
F5</source>
        <translation>Genudskriv
F5</translation>
    </message>
    <message>
        <source>Back  Esc</source>
        <translation>Tilbage  Esc</translation>
    </message>
    <message>
        <source>OK  ⏎</source>
        <translation>OK  ⏎</translation>
    </message>
    <message>
        <source>Take the cash  ⏎</source>
        <translation>Modtag kontant  ⏎</translation>
    </message>
    <message>
        <source>canteen-till · customer display</source>
        <translation>canteen-till · kundeskærm</translation>
    </message>
    <message>
        <source>Welcome</source>
        <translation>Velkommen</translation>
    </message>
    <message>
        <source>Balance after: {amount}</source>
        <translation>Ny saldo: {amount}</translation>
    </message>
    <message>
        <source>Balance: {amount}</source>
        <translation>Saldo: {amount}</translation>
    </message>
    <message>
        <source>Cancel sale
Esc</source>
        <translation>Afbryd salg
Esc</translation>
    </message>
    <message>
        <source>Void line
Del</source>
        <translation>Slet linje
Del</translation>
    </message>
    <message>
        <source>Cash top-up
F7</source>
        <translation>Optank kontant
F7</translation>
    </message>
    <message>
        <source>Void last sale
F8</source>
        <translation>Annullér salg
F8</translation>
    </message>
    <message>
        <source>Print receipt  F6</source>
        <translation>Udskriv kvittering  F6</translation>
    </message>
    <message>
        <source>Charge card  ⏎</source>
        <translation>Betal med kort  ⏎</translation>
    </message>
    <message>
        <source>Reader: {state}</source>
        <translation>Læser: {state}</translation>
    </message>
    <message>
        <source>Printer: {state}</source>
        <translation>Printer: {state}</translation>
    </message>
    <message>
        <source>Waiting for the scheme data from the server …</source>
        <translation>Venter på kortordningens data fra serveren …</translation>
    </message>
    <message>
        <source>Till {till} is enrolled with {server}. It sells as soon as its unit, menu and cardholders have arrived; nothing needs to be done here.</source>
        <translation>Kasse {till} er tilmeldt {server}. Den sælger, så snart enhed, menu og kortholdere er modtaget; du skal ikke gøre noget her.</translation>
    </message>
    <message>
        <source>● The server answers: receiving the scheme …</source>
        <translation>● Serveren svarer: modtager kortordningen …</translation>
    </message>
    <message>
        <source>● The server has not answered yet: {error}</source>
        <translation>● Serveren har ikke svaret endnu: {error}</translation>
    </message>
    <message>
        <source>● The server has not answered yet; trying again …</source>
        <translation>● Serveren har ikke svaret endnu; prøver igen …</translation>
    </message>
    <message>
        <source>sold out</source>
        <translation>udsolgt</translation>
    </message>
</context>
<context>
    <name>verdict</name>
    <message>
        <source>Unknown card here: not registered for this unit (it may be for other units).</source>
        <translation>Ukendt kort her: ikke registreret til denne enhed (kan gælde andre enheder).</translation>
    </message>
    <message>
        <source>ok</source>
        <translation>ok</translation>
    </message>
    <message>
        <source>unknown card</source>
        <translation>ukendt kort</translation>
    </message>
    <message>
        <source>card blocked</source>
        <translation>kort spærret</translation>
    </message>
    <message>
        <source>replaced by a newer card</source>
        <translation>erstattet af et nyere kort</translation>
    </message>
    <message>
        <source>not allowed at this unit</source>
        <translation>ikke tilladt på denne enhed</translation>
    </message>
    <message>
        <source>payment blocked for arrears</source>
        <translation>betaling spærret pga. restance</translation>
    </message>
    <message>
        <source>product category blocked</source>
        <translation>varekategori spærret</translation>
    </message>
    <message>
        <source>daily limit reached</source>
        <translation>dagsgrænse nået</translation>
    </message>
    <message>
        <source>insufficient balance</source>
        <translation>for lav saldo</translation>
    </message>
    <message>
        <source>offline limit reached</source>
        <translation>offlinegrænse nået</translation>
    </message>
    <message>
        <source>over the balance cap</source>
        <translation>over saldoloftet</translation>
    </message>
    <message>
        <source>top-up amount outside the scheme&apos;s bounds</source>
        <translation>optankningsbeløb uden for ordningens grænser</translation>
    </message>
    <message>
        <source>wrong currency</source>
        <translation>forkert valuta</translation>
    </message>
    <message>
        <source>Offer autoload.</source>
        <translation>Tilbyd autooptankning.</translation>
    </message>
    <message>
        <source>REFUSED: {reason}</source>
        <translation>AFVIST: {reason}</translation>
    </message>
    <message>
        <source>APPROVED OFFLINE</source>
        <translation>GODKENDT OFFLINE</translation>
    </message>
    <message>
        <source>APPROVED</source>
        <translation>GODKENDT</translation>
    </message>
    <message>
        <source>This card was replaced by a newer card (new card ends {end}). Keep it back.</source>
        <translation>Kortet er erstattet af et nyere kort (nyt kort ender på {end}). Inddrag kortet.</translation>
    </message>
    <message>
        <source>This card was replaced by a newer card. Keep it back.</source>
        <translation>Kortet er erstattet af et nyere kort. Inddrag kortet.</translation>
    </message>
    <message>
        <source>Card blocked by the cardholder or the office. Do not accept it.</source>
        <translation>Kortet er spærret af kortholderen eller kontoret. Tag ikke imod det.</translation>
    </message>
    <message>
        <source>Account is in {account}, this till sells in {till}.</source>
        <translation>Kontoen er i {account}, denne kasse sælger i {till}.</translation>
    </message>
    <message>
        <source>Payment blocked after a returned direct debit. Arrears {arrears} can be paid at a cash till or service point.</source>
        <translation>Betaling spærret efter et tilbageført kontotræk. Restance {arrears} kan betales i en kontantkasse eller et servicepunkt.</translation>
    </message>
    <message>
        <source>nowhere</source>
        <translation>ingen steder</translation>
    </message>
    <message>
        <source>Not allowed at a {unit}; the cardholder allows: {allowed}.</source>
        <translation>Ikke tilladt her ({unit}); kortholderen tillader: {allowed}.</translation>
    </message>
    <message>
        <source>Not allowed for this card: {blocked}. Remove it from the tray.</source>
        <translation>Ikke tilladt for dette kort: {blocked}. Fjern det fra bakken.</translation>
    </message>
    <message>
        <source>Daily limit {limit} reached: {left} left today.</source>
        <translation>Dagsgrænse {limit} nået: {left} tilbage i dag.</translation>
    </message>
    <message>
        <source>Insufficient balance: {short} short.</source>
        <translation>For lav saldo: mangler {short}.</translation>
    </message>
    <message>
        <source>Insufficient balance: no balance left.</source>
        <translation>For lav saldo: ingen saldo tilbage.</translation>
    </message>
    <message>
        <source>Offline limit {limit} per card reached: {spent} already spent here unsynced.</source>
        <translation>Offlinegrænse {limit} pr. kort nået: {spent} allerede brugt her, ikke synkroniseret.</translation>
    </message>
    <message>
        <source>Autoload stopped: the last collection failed. Top up by hand.</source>
        <translation>Autooptankning stoppet: sidste opkrævning fejlede. Optank manuelt.</translation>
    </message>
    <message>
        <source>Autoload active from {day}.</source>
        <translation>Autooptankning aktiv fra {day}.</translation>
    </message>
    <message>
        <source>Autoload already used today (once a day).</source>
        <translation>Autooptankning allerede brugt i dag (én gang dagligt).</translation>
    </message>
    <message>
        <source>Autoload would take the balance over the {cap} cap.</source>
        <translation>Autooptankning ville bringe saldoen over loftet på {cap}.</translation>
    </message>
    <message>
        <source>This card was replaced by a newer card: top up the new one.</source>
        <translation>Kortet er erstattet af et nyere kort: optank det nye.</translation>
    </message>
    <message>
        <source>Card blocked: no top-up.</source>
        <translation>Kort spærret: ingen optankning.</translation>
    </message>
    <message>
        <source>A top-up here is {low} to {high}.</source>
        <translation>Optankning her: {low} til {high}.</translation>
    </message>
    <message>
        <source>Over the {cap} balance cap: at most {room}.</source>
        <translation>Over saldoloftet på {cap}: højst {room}.</translation>
    </message>
    <message>
        <source>Top up {amount}: new balance {after}.</source>
        <translation>Optank {amount}: ny saldo {after}.</translation>
    </message>
    <message>
        <source>Card OK. Balance {balance}. Ring up the tray.</source>
        <translation>Kort OK. Saldo {balance}. Slå bakken ind.</translation>
    </message>
    <message>
        <source>Pay {total}. Balance after {after}.</source>
        <translation>Betal {total}. Ny saldo {after}.</translation>
    </message>
</context>
</TS>
