<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="sv_SE">
<context>
    <name>messages</name>
    <message>
        <source>Cannot save sales: {reason}. Selling is stopped until it is fixed.</source>
        <translation>Kan inte spara köp: {reason}. Försäljningen stoppad tills felet åtgärdats.</translation>
    </message>
    <message>
        <source>Card not read ({reason}). Ask the customer to tap again.</source>
        <translation>Kortet lästes inte ({reason}). Be kunden blippa igen.</translation>
    </message>
    <message>
        <source>Press F8 again to void receipt {receipt_no}.</source>
        <translation>Tryck F8 igen för att makulera kvitto {receipt_no}.</translation>
    </message>
    <message>
        <source>Printing a copy of receipt {receipt_no}.</source>
        <translation>Skriver ut kopia av kvitto {receipt_no}.</translation>
    </message>
    <message>
        <source>Printing receipt {receipt_no}.</source>
        <translation>Skriver ut kvitto {receipt_no}.</translation>
    </message>
    <message>
        <source>Reprinting receipt {receipt_no} (copy).</source>
        <translation>Skriver ut kvitto {receipt_no} igen (kopia).</translation>
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
        <translation>Erbjud autoladdning med {amount} från kortinnehavarens bankkonto.</translation>
    </message>
    <message>
        <source>Balance now {now}. After this sale: {after_with} with the autoload, {without}</source>
        <translation>Saldo nu {now}. Efter köpet: {after_with} med autoladdning, {without}</translation>
    </message>
    <message>
        <source>{after} without.</source>
        <translation>{after} utan.</translation>
    </message>
    <message>
        <source>too little without it.</source>
        <translation>för lite utan.</translation>
    </message>
    <message>
        <source>TOPPED UP +{total}</source>
        <translation>LADDAT +{total}</translation>
    </message>
    <message>
        <source>VOIDED {total}</source>
        <translation>MAKULERAT {total}</translation>
    </message>
    <message>
        <source>ARREARS PAID {total}</source>
        <translation>SKULD BETALD {total}</translation>
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
        <translation>Saldo nu {balance}.  Kvitto {receipt_no}.</translation>
    </message>
    <message>
        <source>Autoload +{amount} credited.</source>
        <translation>Autoladdning +{amount} tillagd.</translation>
    </message>
    <message>
        <source>Offline: {used} of the {limit} offline limit used on this card.</source>
        <translation>Offline: {used} av offlinegränsen {limit} använt på kortet.</translation>
    </message>
    <message>
        <source>Student price</source>
        <translation>Studentpris</translation>
    </message>
    <message>
        <source>Staff price</source>
        <translation>Personalpris</translation>
    </message>
    <message>
        <source>Guest price</source>
        <translation>Gästpris</translation>
    </message>
    <message>
        <source>Guest price: membership expired {day} ({level} no longer applies).</source>
        <translation>Gästpris: medlemskapet gick ut {day} ({level} gäller inte längre).</translation>
    </message>
    <message>
        <source>Refused: {reason}</source>
        <translation>Nekat: {reason}</translation>
    </message>
    <message>
        <source>Topped up +{amount} (receipt {receipt_no}). Now charge the tray.</source>
        <translation>Laddat +{amount} (kvitto {receipt_no}). Debitera nu brickan.</translation>
    </message>
    <message>
        <source>The arrears are {owed}: no more than that.</source>
        <translation>Skulden är {owed}: inte mer än så.</translation>
    </message>
    <message>
        <source>Arrears paid {amount}. Left to pay {left}.</source>
        <translation>Skuld betald {amount}. Kvar att betala {left}.</translation>
    </message>
    <message>
        <source>Receipt not printed: {error}. Reprint (F5)</source>
        <translation>Kvittot skrevs inte ut: {error}. Skriv ut igen (F5)</translation>
    </message>
    <message>
        <source>Receipt {receipt_no} not printed: {error}. Reprint (F5)</source>
        <translation>Kvitto {receipt_no} skrevs inte ut: {error}. Skriv ut igen (F5)</translation>
    </message>
    <message>
        <source>Printing receipt {receipt_no} (its original never printed).</source>
        <translation>Skriver ut kvitto {receipt_no} (originalet skrevs aldrig ut).</translation>
    </message>
    <message>
        <source>Top up {amount}: new balance {after}.</source>
        <translation>Ladda {amount}: nytt saldo {after}.</translation>
    </message>
    <message>
        <source>Pay {amount} of the arrears: {left} left to pay.</source>
        <translation>Betala {amount} av skulden: {left} kvar att betala.</translation>
    </message>
    <message>
        <source>Pay arrears {owed} in cash  F4</source>
        <translation>Betala skuld {owed} kontant  F4</translation>
    </message>
    <message>
        <source>The top-up of receipt {receipt_no} ({amount}) is spent: the balance of {balance} no longer covers it, so it cannot be voided.</source>
        <translation>Laddningen på kvitto {receipt_no} ({amount}) är förbrukad: saldot {balance} täcker den inte längre, så den kan inte makuleras.</translation>
    </message>
    <message>
        <source>No sale or top-up to void yet.</source>
        <translation>Inget köp eller laddning att makulera än.</translation>
    </message>
    <message>
        <source>Top-up voided: take the cash back out.</source>
        <translation>Laddning makulerad: ta ut kontanterna ur kassalådan.</translation>
    </message>
    <message>
        <source>The last receipt holds no sale or top-up that can be voided.</source>
        <translation>Senaste kvittot har inget köp eller laddning som kan makuleras.</translation>
    </message>
    <message>
        <source>Cash: tap the card first.</source>
        <translation>Kontant: blippa kortet först.</translation>
    </message>
    <message>
        <source>Sale voided.</source>
        <translation>Köpet makulerat.</translation>
    </message>
    <message>
        <source>Autoload declined by the cardholder.</source>
        <translation>Kortinnehavaren tackade nej till autoladdning.</translation>
    </message>
    <message>
        <source>Receipts print by themselves; F5 reprints a copy.</source>
        <translation>Kvitton skrivs ut automatiskt; F5 skriver ut en kopia.</translation>
    </message>
    <message>
        <source>No receipt yet.</source>
        <translation>Inget kvitto än.</translation>
    </message>
    <message>
        <source>No receipt to reprint yet.</source>
        <translation>Inget kvitto att skriva ut igen än.</translation>
    </message>
    <message>
        <source>Tap a card</source>
        <translation>Blippa ett kort</translation>
    </message>
    <message>
        <source>Ring up the tray, then tap the card</source>
        <translation>Slå in brickan, blippa sedan kortet</translation>
    </message>
    <message>
        <source>or tap the card first</source>
        <translation>eller blippa kortet först</translation>
    </message>
    <message>
        <source>CANNOT SELL</source>
        <translation>KAN INTE SÄLJA</translation>
    </message>
    <message>
        <source>Unknown card</source>
        <translation>Okänt kort</translation>
    </message>
    <message>
        <source>PHOTO UNREADABLE</source>
        <translation>FOTO OLÄSBART</translation>
    </message>
    <message>
        <source>NO PHOTO ON FILE</source>
        <translation>FOTO SAKNAS</translation>
    </message>
    <message>
        <source>Check identity another way</source>
        <translation>Kontrollera id på annat sätt</translation>
    </message>
    <message>
        <source>Autoload will be offered at payment.</source>
        <translation>Autoladdning erbjuds vid betalning.</translation>
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
        <translation>Kontantladdning</translation>
    </message>
    <message>
        <source>Arrears in cash</source>
        <translation>Skuld kontant</translation>
    </message>
    <message>
        <source>Take the cash, then Enter.</source>
        <translation>Ta emot pengarna, sedan Enter.</translation>
    </message>
    <message>
        <source>Check before charging:</source>
        <translation>Kontrollera före debitering:</translation>
    </message>
    <message>
        <source>Sale voided</source>
        <translation>Köp makulerat</translation>
    </message>
    <message>
        <source>Last sale voided</source>
        <translation>Senaste köp makulerat</translation>
    </message>
    <message>
        <source>Does the cardholder agree?</source>
        <translation>Godkänner kortinnehavaren?</translation>
    </message>
    <message>
        <source>No photo on file: check identity another way.</source>
        <translation>Foto saknas: kontrollera id på annat sätt.</translation>
    </message>
    <message>
        <source>Photo not on this till yet: check identity another way.</source>
        <translation>Fotot finns inte i kassan än: kontrollera id på annat sätt.</translation>
    </message>
    <message>
        <source>Finish the cash entry first (Enter, Esc)</source>
        <translation>Avsluta kontantinmatningen först (Enter, Esc)</translation>
    </message>
    <message>
        <source>Answer the autoload question first (F1 yes, F2 no)</source>
        <translation>Svara först om autoladdning (F1 ja, F2 nej)</translation>
    </message>
    <message>
        <source>Ring up the tray</source>
        <translation>Slå in brickan</translation>
    </message>
    <message>
        <source>No products on the menu yet</source>
        <translation>Inga produkter på menyn än</translation>
    </message>
    <message>
        <source>Take the sold-out lines off the tray (Del)</source>
        <translation>Ta bort slutsålda rader från brickan (Del)</translation>
    </message>
    <message>
        <source>Tap the card</source>
        <translation>Blippa kortet</translation>
    </message>
    <message>
        <source>Checked? Enter charges, Esc cancels</source>
        <translation>Kontrollerat? Enter debiterar, Esc avbryter</translation>
    </message>
    <message>
        <source>No arrears on this card.</source>
        <translation>Ingen skuld på kortet.</translation>
    </message>
    <message>
        <source>Type the amount.</source>
        <translation>Ange beloppet.</translation>
    </message>
    <message>
        <source>CHECK, THEN CHARGE</source>
        <translation>KONTROLLERA FÖRST</translation>
    </message>
    <message>
        <source>AUTOLOAD?</source>
        <translation>AUTOLADDNING?</translation>
    </message>
    <message>
        <source>No products on the menu yet: the menu comes from the office.</source>
        <translation>Inga produkter på menyn än: menyn kommer från kontoret.</translation>
    </message>
    <message>
        <source>No supervisor PIN is set for this till: products cannot be marked here.</source>
        <translation>Ingen arbetsledar-PIN är satt för kassan: produkter kan inte markeras här.</translation>
    </message>
    <message>
        <source>Wrong supervisor PIN: nothing was marked.</source>
        <translation>Fel arbetsledar-PIN: inget markerades.</translation>
    </message>
    <message>
        <source>{product} is not on this till&apos;s menu.</source>
        <translation>{product} finns inte på kassans meny.</translation>
    </message>
    <message>
        <source>{name} is marked sold out.</source>
        <translation>{name} är markerad som slutsåld.</translation>
    </message>
    <message>
        <source>{name} is on sale again.</source>
        <translation>{name} säljs igen.</translation>
    </message>
    <message>
        <source>{name} is sold out.</source>
        <translation>{name} är slutsåld.</translation>
    </message>
    <message>
        <source>{name} is no longer on the menu</source>
        <translation>{name} finns inte längre på menyn</translation>
    </message>
    <message>
        <source>{name}: {old} → {new}</source>
        <translation>{name}: {old} → {new}</translation>
    </message>
    <message>
        <source>{name} is sold out</source>
        <translation>{name} är slutsåld</translation>
    </message>
</context>
<context>
    <name>receipt</name>
    <message>
        <source>Card</source>
        <translation>Kort</translation>
    </message>
    <message>
        <source>Cash</source>
        <translation>Kontant</translation>
    </message>
    <message>
        <source>Bank card</source>
        <translation>Kontokort</translation>
    </message>
    <message>
        <source>Direct debit</source>
        <translation>Autogiro</translation>
    </message>
    <message>
        <source>Autoload</source>
        <translation>Autoladdning</translation>
    </message>
    <message>
        <source>RECEIPT</source>
        <translation>KVITTO</translation>
    </message>
    <message>
        <source>TOP-UP</source>
        <translation>LADDNING</translation>
    </message>
    <message>
        <source>AUTOLOAD</source>
        <translation>AUTOLADDNING</translation>
    </message>
    <message>
        <source>VOID</source>
        <translation>MAKULERING</translation>
    </message>
    <message>
        <source>ARREARS PAYMENT</source>
        <translation>SKULDBETALNING</translation>
    </message>
    <message>
        <source>*** COPY ***</source>
        <translation>*** KOPIA ***</translation>
    </message>
    <message>
        <source>VOID OF TOP-UP</source>
        <translation>MAKULERAD LADDNING</translation>
    </message>
    <message>
        <source>Void of receipt {number}</source>
        <translation>Makulerar kvitto {number}</translation>
    </message>
    <message>
        <source>Voids {entry}</source>
        <translation>Makulerar {entry}</translation>
    </message>
    <message>
        <source>Refund to {tender}</source>
        <translation>Återbetalning {tender}</translation>
    </message>
    <message>
        <source>Collected by {tender}</source>
        <translation>Dras via {tender}</translation>
    </message>
    <message>
        <source>later</source>
        <translation>senare</translation>
    </message>
    <message>
        <source>Paid by {tender}</source>
        <translation>Betalning {tender}</translation>
    </message>
    <message>
        <source>Arrears left</source>
        <translation>Kvarstående skuld</translation>
    </message>
    <message>
        <source>Balance after</source>
        <translation>Saldo efter</translation>
    </message>
    <message>
        <source>Arrears paid</source>
        <translation>Betald skuld</translation>
    </message>
    <message>
        <source>Top-up taken back</source>
        <translation>Återtagen laddning</translation>
    </message>
    <message>
        <source>Top-up</source>
        <translation>Laddning</translation>
    </message>
    <message>
        <source>VAT no. {number}</source>
        <translation>Momsreg.nr {number}</translation>
    </message>
    <message>
        <source>Receipt no.</source>
        <translation>Kvittonr</translation>
    </message>
    <message>
        <source>Till</source>
        <translation>Kassa</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Datum</translation>
    </message>
    <message>
        <source>{price} each</source>
        <translation>{price}/st</translation>
    </message>
    <message>
        <source>TOTAL</source>
        <translation>TOTALT</translation>
    </message>
    <message>
        <source>* APPROVED OFFLINE *</source>
        <translation>* GODKÄNT OFFLINE *</translation>
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
        <translation>Kortladdning: ingen moms</translation>
    </message>
    <message>
        <source>Entry</source>
        <translation>Trans.nr</translation>
    </message>
    <message>
        <source>Thank you</source>
        <translation>Tack!</translation>
    </message>
    <message>
        <source>APPROVED OFFLINE</source>
        <translation>GODKÄNT OFFLINE</translation>
    </message>
    <message>
        <source>Entry {entry}</source>
        <translation>Trans.nr {entry}</translation>
    </message>
</context>
<context>
    <name>screen</name>
    <message>
        <source>not started</source>
        <translation>ej startad</translation>
    </message>
    <message>
        <source>ready</source>
        <translation>redo</translation>
    </message>
    <message>
        <source>receipt not printed ({error}); F5 reprints</source>
        <translation>kvittot ej utskrivet ({error}); F5 skriver ut igen</translation>
    </message>
    <message>
        <source> · synced {age} ago</source>
        <translation> · synkad för {age} sedan</translation>
    </message>
    <message>
        <source>● Online</source>
        <translation>● Online</translation>
    </message>
    <message>
        <source>● Offline: selling from the local copy</source>
        <translation>● Offline: säljer från lokal kopia</translation>
    </message>
    <message>
        <source>⚠ 1 change from the server not readable: reported</source>
        <translation>⚠ 1 ändring från servern oläsbar: rapporterad</translation>
    </message>
    <message>
        <source>⚠ {count} changes from the server not readable: reported</source>
        <translation>⚠ {count} ändringar från servern oläsbara: rapporterade</translation>
    </message>
    <message>
        <source>All entries sent</source>
        <translation>Allt skickat</translation>
    </message>
    <message>
        <source>Unsent {count} · oldest {age}</source>
        <translation>Oskickade {count} · äldsta {age}</translation>
    </message>
    <message>
        <source>⚠ {text}: sync stuck</source>
        <translation>⚠ {text}: synk har fastnat</translation>
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
        <translation>{hours} h {minutes} min</translation>
    </message>
    <message>
        <source>Tray</source>
        <translation>Bricka</translation>
    </message>
    <message>
        <source>Qty</source>
        <translation>Antal</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>Artikel</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Belopp</translation>
    </message>
    <message>
        <source>{name} (not available: Del)</source>
        <translation>{name} (ej tillgänglig: Del)</translation>
    </message>
    <message>
        <source>Total {amount}</source>
        <translation>Totalt {amount}</translation>
    </message>
    <message>
        <source>Reprint
F5</source>
        <translation>Kopia
F5</translation>
    </message>
    <message>
        <source>Back  Esc</source>
        <translation>Tillbaka  Esc</translation>
    </message>
    <message>
        <source>OK  ⏎</source>
        <translation>OK  ⏎</translation>
    </message>
    <message>
        <source>Take the cash  ⏎</source>
        <translation>Ta emot pengarna  ⏎</translation>
    </message>
    <message>
        <source>canteen-till · customer display</source>
        <translation>canteen-till · kunddisplay</translation>
    </message>
    <message>
        <source>Welcome</source>
        <translation>Välkommen</translation>
    </message>
    <message>
        <source>Balance after: {amount}</source>
        <translation>Saldo efter: {amount}</translation>
    </message>
    <message>
        <source>Balance: {amount}</source>
        <translation>Saldo: {amount}</translation>
    </message>
    <message>
        <source>Cancel sale
Esc</source>
        <translation>Avbryt köp
Esc</translation>
    </message>
    <message>
        <source>Void line
Del</source>
        <translation>Ta bort rad
Del</translation>
    </message>
    <message>
        <source>Cash top-up
F7</source>
        <translation>Ladda kontant
F7</translation>
    </message>
    <message>
        <source>Void last sale
F8</source>
        <translation>Makulera senaste
F8</translation>
    </message>
    <message>
        <source>Print receipt  F6</source>
        <translation>Skriv ut kvitto  F6</translation>
    </message>
    <message>
        <source>Charge card  ⏎</source>
        <translation>Debitera kort  ⏎</translation>
    </message>
    <message>
        <source>Reader: {state}</source>
        <translation>Läsare: {state}</translation>
    </message>
    <message>
        <source>Printer: {state}</source>
        <translation>Skrivare: {state}</translation>
    </message>
    <message>
        <source>Waiting for the scheme data from the server …</source>
        <translation>Väntar på kortsystemets data från servern …</translation>
    </message>
    <message>
        <source>Till {till} is enrolled with {server}. It sells as soon as its unit, menu and cardholders have arrived; nothing needs to be done here.</source>
        <translation>Kassa {till} är registrerad hos {server}. Den börjar sälja så snart enhet, meny och kortinnehavare har kommit; inget behöver göras här.</translation>
    </message>
    <message>
        <source>● The server answers: receiving the scheme …</source>
        <translation>● Servern svarar: tar emot kortsystemet …</translation>
    </message>
    <message>
        <source>● The server has not answered yet: {error}</source>
        <translation>● Servern har inte svarat än: {error}</translation>
    </message>
    <message>
        <source>● The server has not answered yet; trying again …</source>
        <translation>● Servern har inte svarat än; försöker igen …</translation>
    </message>
    <message>
        <source>sold out</source>
        <translation>slutsåld</translation>
    </message>
</context>
<context>
    <name>verdict</name>
    <message>
        <source>Unknown card here: not registered for this unit (it may be for other units).</source>
        <translation>Okänt kort här: inte registrerat för denna enhet (kan gälla andra enheter).</translation>
    </message>
    <message>
        <source>ok</source>
        <translation>ok</translation>
    </message>
    <message>
        <source>unknown card</source>
        <translation>okänt kort</translation>
    </message>
    <message>
        <source>card blocked</source>
        <translation>kortet spärrat</translation>
    </message>
    <message>
        <source>replaced by a newer card</source>
        <translation>ersatt av nyare kort</translation>
    </message>
    <message>
        <source>not allowed at this unit</source>
        <translation>ej tillåtet på denna enhet</translation>
    </message>
    <message>
        <source>payment blocked for arrears</source>
        <translation>betalning spärrad p.g.a. skuld</translation>
    </message>
    <message>
        <source>product category blocked</source>
        <translation>produktkategori spärrad</translation>
    </message>
    <message>
        <source>daily limit reached</source>
        <translation>dagsgräns nådd</translation>
    </message>
    <message>
        <source>insufficient balance</source>
        <translation>otillräckligt saldo</translation>
    </message>
    <message>
        <source>offline limit reached</source>
        <translation>offlinegräns nådd</translation>
    </message>
    <message>
        <source>over the balance cap</source>
        <translation>över maxsaldot</translation>
    </message>
    <message>
        <source>top-up amount outside the scheme&apos;s bounds</source>
        <translation>laddningsbelopp utanför tillåtna gränser</translation>
    </message>
    <message>
        <source>wrong currency</source>
        <translation>fel valuta</translation>
    </message>
    <message>
        <source>Offer autoload.</source>
        <translation>Erbjud autoladdning.</translation>
    </message>
    <message>
        <source>REFUSED: {reason}</source>
        <translation>NEKAT: {reason}</translation>
    </message>
    <message>
        <source>APPROVED OFFLINE</source>
        <translation>GODKÄNT OFFLINE</translation>
    </message>
    <message>
        <source>APPROVED</source>
        <translation>GODKÄNT</translation>
    </message>
    <message>
        <source>This card was replaced by a newer card (new card ends {end}). Keep it back.</source>
        <translation>Kortet har ersatts av ett nyare (nya kortet slutar på {end}). Behåll kortet.</translation>
    </message>
    <message>
        <source>This card was replaced by a newer card. Keep it back.</source>
        <translation>Kortet har ersatts av ett nyare. Behåll kortet.</translation>
    </message>
    <message>
        <source>Card blocked by the cardholder or the office. Do not accept it.</source>
        <translation>Kortet spärrat av kortinnehavaren eller kontoret. Ta inte emot det.</translation>
    </message>
    <message>
        <source>Account is in {account}, this till sells in {till}.</source>
        <translation>Kontot är i {account}, kassan säljer i {till}.</translation>
    </message>
    <message>
        <source>Payment blocked after a returned direct debit. Arrears {arrears} can be paid at a cash till or service point.</source>
        <translation>Betalning spärrad efter misslyckad autogirodragning. Skulden {arrears} kan betalas i kontantkassa eller servicecenter.</translation>
    </message>
    <message>
        <source>nowhere</source>
        <translation>ingenstans</translation>
    </message>
    <message>
        <source>Not allowed at a {unit}; the cardholder allows: {allowed}.</source>
        <translation>Ej tillåtet i {unit}; kortinnehavaren tillåter: {allowed}.</translation>
    </message>
    <message>
        <source>Not allowed for this card: {blocked}. Remove it from the tray.</source>
        <translation>Ej tillåtet för kortet: {blocked}. Ta bort det från brickan.</translation>
    </message>
    <message>
        <source>Daily limit {limit} reached: {left} left today.</source>
        <translation>Dagsgräns {limit} nådd: {left} kvar i dag.</translation>
    </message>
    <message>
        <source>Insufficient balance: {short} short.</source>
        <translation>Otillräckligt saldo: {short} saknas.</translation>
    </message>
    <message>
        <source>Insufficient balance: no balance left.</source>
        <translation>Otillräckligt saldo: inget saldo kvar.</translation>
    </message>
    <message>
        <source>Offline limit {limit} per card reached: {spent} already spent here unsynced.</source>
        <translation>Offlinegräns {limit} per kort nådd: {spent} redan använt här, ej synkat.</translation>
    </message>
    <message>
        <source>Autoload stopped: the last collection failed. Top up by hand.</source>
        <translation>Autoladdning stoppad: senaste dragningen misslyckades. Ladda manuellt.</translation>
    </message>
    <message>
        <source>Autoload active from {day}.</source>
        <translation>Autoladdning aktiv från {day}.</translation>
    </message>
    <message>
        <source>Autoload already used today (once a day).</source>
        <translation>Autoladdning redan använd i dag (en gång per dag).</translation>
    </message>
    <message>
        <source>Autoload would take the balance over the {cap} cap.</source>
        <translation>Autoladdning skulle ge saldo över maxsaldot {cap}.</translation>
    </message>
    <message>
        <source>This card was replaced by a newer card: top up the new one.</source>
        <translation>Kortet har ersatts av ett nyare: ladda det nya.</translation>
    </message>
    <message>
        <source>Card blocked: no top-up.</source>
        <translation>Kortet spärrat: ingen laddning.</translation>
    </message>
    <message>
        <source>A top-up here is {low} to {high}.</source>
        <translation>Laddning här: {low} till {high}.</translation>
    </message>
    <message>
        <source>Over the {cap} balance cap: at most {room}.</source>
        <translation>Över maxsaldot {cap}: högst {room}.</translation>
    </message>
    <message>
        <source>Top up {amount}: new balance {after}.</source>
        <translation>Ladda {amount}: nytt saldo {after}.</translation>
    </message>
    <message>
        <source>Card OK. Balance {balance}. Ring up the tray.</source>
        <translation>Kort OK. Saldo {balance}. Slå in brickan.</translation>
    </message>
    <message>
        <source>Pay {total}. Balance after {after}.</source>
        <translation>Betala {total}. Saldo efter {after}.</translation>
    </message>
</context>
</TS>
