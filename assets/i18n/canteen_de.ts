<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>messages</name>
    <message>
        <source>Cannot save sales: {reason}. Selling is stopped until it is fixed.</source>
        <translation>Verkäufe nicht speicherbar: {reason}. Kein Verkauf, bis das behoben ist.</translation>
    </message>
    <message>
        <source>Card not read ({reason}). Ask the customer to tap again.</source>
        <translation>Karte nicht gelesen ({reason}). Karte erneut auflegen lassen.</translation>
    </message>
    <message>
        <source>Press F8 again to void receipt {receipt_no}.</source>
        <translation>F8 erneut drücken, um Beleg {receipt_no} zu stornieren.</translation>
    </message>
    <message>
        <source>Printing a copy of receipt {receipt_no}.</source>
        <translation>Kopie von Beleg {receipt_no} wird gedruckt.</translation>
    </message>
    <message>
        <source>Printing receipt {receipt_no}.</source>
        <translation>Beleg {receipt_no} wird gedruckt.</translation>
    </message>
    <message>
        <source>Reprinting receipt {receipt_no} (copy).</source>
        <translation>Beleg {receipt_no} wird nachgedruckt (Kopie).</translation>
    </message>
    <message>
        <source>Card {card_id}</source>
        <translation>Karte {card_id}</translation>
    </message>
    <message>
        <source>{level}  ·  Balance {balance}</source>
        <translation>{level}  ·  Guthaben {balance}</translation>
    </message>
    <message>
        <source>Offer an autoload of {amount} from the cardholder&apos;s bank account.</source>
        <translation>Autoload über {amount} vom Bankkonto des Karteninhabers anbieten.</translation>
    </message>
    <message>
        <source>Balance now {now}. After this sale: {after_with} with the autoload, {without}</source>
        <translation>Guthaben jetzt {now}. Nach diesem Kauf: {after_with} mit Autoload, {without}</translation>
    </message>
    <message>
        <source>{after} without.</source>
        <translation>{after} ohne.</translation>
    </message>
    <message>
        <source>too little without it.</source>
        <translation>ohne reicht es nicht.</translation>
    </message>
    <message>
        <source>TOPPED UP +{total}</source>
        <translation>AUFGELADEN +{total}</translation>
    </message>
    <message>
        <source>VOIDED {total}</source>
        <translation>STORNIERT {total}</translation>
    </message>
    <message>
        <source>ARREARS PAID {total}</source>
        <translation>RÜCKSTAND BEZAHLT {total}</translation>
    </message>
    <message>
        <source>PAID OFFLINE {total}</source>
        <translation>OFFLINE BEZAHLT {total}</translation>
    </message>
    <message>
        <source>PAID {total}</source>
        <translation>BEZAHLT {total}</translation>
    </message>
    <message>
        <source>Balance now {balance}.  Receipt {receipt_no}.</source>
        <translation>Guthaben jetzt {balance}.  Beleg {receipt_no}.</translation>
    </message>
    <message>
        <source>Autoload +{amount} credited.</source>
        <translation>Autoload +{amount} gutgeschrieben.</translation>
    </message>
    <message>
        <source>Offline: {used} of the {limit} offline limit used on this card.</source>
        <translation>Offline: {used} vom Offline-Limit {limit} dieser Karte verbraucht.</translation>
    </message>
    <message>
        <source>Student price</source>
        <translation>Studierendenpreis</translation>
    </message>
    <message>
        <source>Staff price</source>
        <translation>Bedienstetenpreis</translation>
    </message>
    <message>
        <source>Guest price</source>
        <translation>Gästepreis</translation>
    </message>
    <message>
        <source>Guest price: membership expired {day} ({level} no longer applies).</source>
        <translation>Gästepreis: Mitgliedschaft abgelaufen am {day} ({level} gilt nicht mehr).</translation>
    </message>
    <message>
        <source>Refused: {reason}</source>
        <translation>Abgelehnt: {reason}</translation>
    </message>
    <message>
        <source>Topped up +{amount} (receipt {receipt_no}). Now charge the tray.</source>
        <translation>Aufgeladen +{amount} (Beleg {receipt_no}). Jetzt das Tablett kassieren.</translation>
    </message>
    <message>
        <source>The arrears are {owed}: no more than that.</source>
        <translation>Der Rückstand beträgt {owed}: nicht mehr annehmen.</translation>
    </message>
    <message>
        <source>Arrears paid {amount}. Left to pay {left}.</source>
        <translation>Rückstand bezahlt: {amount}. Noch offen: {left}.</translation>
    </message>
    <message>
        <source>Receipt not printed: {error}. Reprint (F5)</source>
        <translation>Beleg nicht gedruckt: {error}. Nachdruck (F5)</translation>
    </message>
    <message>
        <source>Receipt {receipt_no} not printed: {error}. Reprint (F5)</source>
        <translation>Beleg {receipt_no} nicht gedruckt: {error}. Nachdruck (F5)</translation>
    </message>
    <message>
        <source>Printing receipt {receipt_no} (its original never printed).</source>
        <translation>Beleg {receipt_no} wird gedruckt (Original nie gedruckt).</translation>
    </message>
    <message>
        <source>Top up {amount}: new balance {after}.</source>
        <translation>Aufladung {amount}: neues Guthaben {after}.</translation>
    </message>
    <message>
        <source>Pay {amount} of the arrears: {left} left to pay.</source>
        <translation>{amount} vom Rückstand zahlen: noch {left} offen.</translation>
    </message>
    <message>
        <source>Pay arrears {owed} in cash  F4</source>
        <translation>Rückstand {owed} bar zahlen  F4</translation>
    </message>
    <message>
        <source>The top-up of receipt {receipt_no} ({amount}) is spent: the balance of {balance} no longer covers it, so it cannot be voided.</source>
        <translation>Die Aufladung von Beleg {receipt_no} ({amount}) ist verbraucht: das Guthaben von {balance} deckt sie nicht mehr, daher kein Storno möglich.</translation>
    </message>
    <message>
        <source>No sale or top-up to void yet.</source>
        <translation>Noch nichts zum Stornieren.</translation>
    </message>
    <message>
        <source>Top-up voided: take the cash back out.</source>
        <translation>Aufladung storniert: Bargeld wieder herausgeben.</translation>
    </message>
    <message>
        <source>The last receipt holds no sale or top-up that can be voided.</source>
        <translation>Der letzte Beleg enthält keinen Verkauf und keine Aufladung zum Stornieren.</translation>
    </message>
    <message>
        <source>Cash: tap the card first.</source>
        <translation>Aufladen: erst Karte auflegen.</translation>
    </message>
    <message>
        <source>Sale voided.</source>
        <translation>Verkauf storniert.</translation>
    </message>
    <message>
        <source>Autoload declined by the cardholder.</source>
        <translation>Autoload vom Karteninhaber abgelehnt.</translation>
    </message>
    <message>
        <source>Receipts print by themselves; F5 reprints a copy.</source>
        <translation>Belege drucken automatisch; F5 druckt eine Kopie.</translation>
    </message>
    <message>
        <source>No receipt yet.</source>
        <translation>Noch kein Beleg.</translation>
    </message>
    <message>
        <source>No receipt to reprint yet.</source>
        <translation>Noch kein Beleg zum Nachdrucken.</translation>
    </message>
    <message>
        <source>Tap a card</source>
        <translation>Karte auflegen</translation>
    </message>
    <message>
        <source>Ring up the tray, then tap the card</source>
        <translation>Tablett erfassen, dann Karte auflegen</translation>
    </message>
    <message>
        <source>or tap the card first</source>
        <translation>oder erst Karte auflegen</translation>
    </message>
    <message>
        <source>CANNOT SELL</source>
        <translation>VERKAUF GESTOPPT</translation>
    </message>
    <message>
        <source>Unknown card</source>
        <translation>Unbekannte Karte</translation>
    </message>
    <message>
        <source>PHOTO UNREADABLE</source>
        <translation>FOTO NICHT LESBAR</translation>
    </message>
    <message>
        <source>NO PHOTO ON FILE</source>
        <translation>KEIN FOTO HINTERLEGT</translation>
    </message>
    <message>
        <source>Check identity another way</source>
        <translation>Identität anders prüfen</translation>
    </message>
    <message>
        <source>Autoload will be offered at payment.</source>
        <translation>Autoload wird beim Bezahlen angeboten.</translation>
    </message>
    <message>
        <source>Yes  F1</source>
        <translation>Ja  F1</translation>
    </message>
    <message>
        <source>No  F2</source>
        <translation>Nein  F2</translation>
    </message>
    <message>
        <source>Cash top-up</source>
        <translation>Bar-Aufladung</translation>
    </message>
    <message>
        <source>Arrears in cash</source>
        <translation>Rückstand in bar</translation>
    </message>
    <message>
        <source>Take the cash, then Enter.</source>
        <translation>Bargeld annehmen, dann Enter.</translation>
    </message>
    <message>
        <source>Check before charging:</source>
        <translation>Vor dem Kassieren prüfen:</translation>
    </message>
    <message>
        <source>Sale voided</source>
        <translation>Verkauf storniert</translation>
    </message>
    <message>
        <source>Last sale voided</source>
        <translation>Letzter Verkauf storniert</translation>
    </message>
    <message>
        <source>Does the cardholder agree?</source>
        <translation>Stimmt der Karteninhaber zu?</translation>
    </message>
    <message>
        <source>No photo on file: check identity another way.</source>
        <translation>Kein Foto hinterlegt: Identität anders prüfen.</translation>
    </message>
    <message>
        <source>Photo not on this till yet: check identity another way.</source>
        <translation>Foto noch nicht auf dieser Kasse: Identität anders prüfen.</translation>
    </message>
    <message>
        <source>Finish the cash entry first (Enter, Esc)</source>
        <translation>Erst die Bareingabe abschließen (Enter, Esc)</translation>
    </message>
    <message>
        <source>Answer the autoload question first (F1 yes, F2 no)</source>
        <translation>Erst die Autoload-Frage beantworten (F1 ja, F2 nein)</translation>
    </message>
    <message>
        <source>Ring up the tray</source>
        <translation>Tablett erfassen</translation>
    </message>
    <message>
        <source>No products on the menu yet</source>
        <translation>Noch keine Artikel im Speiseplan</translation>
    </message>
    <message>
        <source>Take the sold-out lines off the tray (Del)</source>
        <translation>Ausverkaufte Zeilen vom Tablett nehmen (Del)</translation>
    </message>
    <message>
        <source>Tap the card</source>
        <translation>Karte auflegen</translation>
    </message>
    <message>
        <source>Checked? Enter charges, Esc cancels</source>
        <translation>Geprüft? Enter kassiert, Esc bricht ab</translation>
    </message>
    <message>
        <source>No arrears on this card.</source>
        <translation>Kein Rückstand auf dieser Karte.</translation>
    </message>
    <message>
        <source>Type the amount.</source>
        <translation>Betrag eingeben.</translation>
    </message>
    <message>
        <source>CHECK, THEN CHARGE</source>
        <translation>PRÜFEN, DANN KASSIEREN</translation>
    </message>
    <message>
        <source>AUTOLOAD?</source>
        <translation>AUTOLOAD?</translation>
    </message>
    <message>
        <source>No products on the menu yet: the menu comes from the office.</source>
        <translation>Noch keine Artikel im Speiseplan: der Speiseplan kommt von der Verwaltung.</translation>
    </message>
    <message>
        <source>No supervisor PIN is set for this till: products cannot be marked here.</source>
        <translation>Für diese Kasse ist keine Aufsichts-PIN gesetzt: hier kann nichts markiert werden.</translation>
    </message>
    <message>
        <source>Wrong supervisor PIN: nothing was marked.</source>
        <translation>Falsche Aufsichts-PIN: nichts wurde markiert.</translation>
    </message>
    <message>
        <source>{product} is not on this till&apos;s menu.</source>
        <translation>{product} ist nicht im Angebot dieser Kasse.</translation>
    </message>
    <message>
        <source>{name} is marked sold out.</source>
        <translation>{name} ist als ausverkauft markiert.</translation>
    </message>
    <message>
        <source>{name} is on sale again.</source>
        <translation>{name} ist wieder erhältlich.</translation>
    </message>
    <message>
        <source>{name} is sold out.</source>
        <translation>{name} ist ausverkauft.</translation>
    </message>
    <message>
        <source>{name} is no longer on the menu</source>
        <translation>{name} ist nicht mehr im Angebot</translation>
    </message>
    <message>
        <source>{name}: {old} → {new}</source>
        <translation>{name}: {old} → {new}</translation>
    </message>
    <message>
        <source>{name} is sold out</source>
        <translation>{name} ist ausverkauft</translation>
    </message>
</context>
<context>
    <name>receipt</name>
    <message>
        <source>Card</source>
        <translation>Chipkarte</translation>
    </message>
    <message>
        <source>Cash</source>
        <translation>Bar</translation>
    </message>
    <message>
        <source>Bank card</source>
        <translation>Bankkarte</translation>
    </message>
    <message>
        <source>Direct debit</source>
        <translation>Lastschrift</translation>
    </message>
    <message>
        <source>Autoload</source>
        <translation>Autoload</translation>
    </message>
    <message>
        <source>RECEIPT</source>
        <translation>BELEG</translation>
    </message>
    <message>
        <source>TOP-UP</source>
        <translation>AUFLADUNG</translation>
    </message>
    <message>
        <source>AUTOLOAD</source>
        <translation>AUTOLOAD</translation>
    </message>
    <message>
        <source>VOID</source>
        <translation>STORNO</translation>
    </message>
    <message>
        <source>ARREARS PAYMENT</source>
        <translation>RÜCKSTANDSZAHLUNG</translation>
    </message>
    <message>
        <source>*** COPY ***</source>
        <translation>*** KOPIE ***</translation>
    </message>
    <message>
        <source>VOID OF TOP-UP</source>
        <translation>STORNO AUFLADUNG</translation>
    </message>
    <message>
        <source>Void of receipt {number}</source>
        <translation>Storno zu Beleg-Nr. {number}</translation>
    </message>
    <message>
        <source>Voids {entry}</source>
        <translation>Storno zu {entry}</translation>
    </message>
    <message>
        <source>Refund to {tender}</source>
        <translation>Erstattung: {tender}</translation>
    </message>
    <message>
        <source>Collected by {tender}</source>
        <translation>Einzug per {tender}</translation>
    </message>
    <message>
        <source>later</source>
        <translation>später</translation>
    </message>
    <message>
        <source>Paid by {tender}</source>
        <translation>Bezahlt: {tender}</translation>
    </message>
    <message>
        <source>Arrears left</source>
        <translation>Offener Rückstand</translation>
    </message>
    <message>
        <source>Balance after</source>
        <translation>Neues Guthaben</translation>
    </message>
    <message>
        <source>Arrears paid</source>
        <translation>Rückstand bezahlt</translation>
    </message>
    <message>
        <source>Top-up taken back</source>
        <translation>Aufladung storniert</translation>
    </message>
    <message>
        <source>Top-up</source>
        <translation>Aufladung</translation>
    </message>
    <message>
        <source>VAT no. {number}</source>
        <translation>USt-IdNr. {number}</translation>
    </message>
    <message>
        <source>Receipt no.</source>
        <translation>Beleg-Nr.</translation>
    </message>
    <message>
        <source>Till</source>
        <translation>Kasse</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Datum</translation>
    </message>
    <message>
        <source>{price} each</source>
        <translation>je {price}</translation>
    </message>
    <message>
        <source>TOTAL</source>
        <translation>SUMME</translation>
    </message>
    <message>
        <source>* APPROVED OFFLINE *</source>
        <translation>* OFFLINE GENEHMIGT *</translation>
    </message>
    <message>
        <source>Net</source>
        <translation>Netto</translation>
    </message>
    <message>
        <source>VAT</source>
        <translation>MwSt.</translation>
    </message>
    <message>
        <source>Gross</source>
        <translation>Brutto</translation>
    </message>
    <message>
        <source>Stored value: no VAT</source>
        <translation>Guthabenbuchung ohne MwSt.</translation>
    </message>
    <message>
        <source>Entry</source>
        <translation>Buchung</translation>
    </message>
    <message>
        <source>Thank you</source>
        <translation>Vielen Dank</translation>
    </message>
    <message>
        <source>APPROVED OFFLINE</source>
        <translation>OFFLINE GENEHMIGT</translation>
    </message>
    <message>
        <source>Entry {entry}</source>
        <translation>Buchung {entry}</translation>
    </message>
</context>
<context>
    <name>screen</name>
    <message>
        <source>not started</source>
        <translation>nicht gestartet</translation>
    </message>
    <message>
        <source>ready</source>
        <translation>bereit</translation>
    </message>
    <message>
        <source>receipt not printed ({error}); F5 reprints</source>
        <translation>Beleg nicht gedruckt ({error}); F5 druckt nach</translation>
    </message>
    <message>
        <source> · synced {age} ago</source>
        <translation> · Sync vor {age}</translation>
    </message>
    <message>
        <source>● Online</source>
        <translation>● Online</translation>
    </message>
    <message>
        <source>● Offline: selling from the local copy</source>
        <translation>● Offline: Verkauf aus lokaler Kopie</translation>
    </message>
    <message>
        <source>⚠ 1 change from the server not readable: reported</source>
        <translation>⚠ 1 Änderung vom Server nicht lesbar: gemeldet</translation>
    </message>
    <message>
        <source>⚠ {count} changes from the server not readable: reported</source>
        <translation>⚠ {count} Änderungen vom Server nicht lesbar: gemeldet</translation>
    </message>
    <message>
        <source>All entries sent</source>
        <translation>Alles gesendet</translation>
    </message>
    <message>
        <source>Unsent {count} · oldest {age}</source>
        <translation>Ungesendet {count} · älteste {age}</translation>
    </message>
    <message>
        <source>⚠ {text}: sync stuck</source>
        <translation>⚠ {text}: Sync hängt</translation>
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
        <translation>Tablett</translation>
    </message>
    <message>
        <source>Qty</source>
        <translation>Anz.</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>Artikel</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Betrag</translation>
    </message>
    <message>
        <source>{name} (not available: Del)</source>
        <translation>{name} (nicht erhältlich: Del)</translation>
    </message>
    <message>
        <source>Total {amount}</source>
        <translation>Summe {amount}</translation>
    </message>
    <message>
        <source>Reprint
F5</source>
        <translation>Nachdruck
F5</translation>
    </message>
    <message>
        <source>Back  Esc</source>
        <translation>Zurück  Esc</translation>
    </message>
    <message>
        <source>OK  ⏎</source>
        <translation>OK  ⏎</translation>
    </message>
    <message>
        <source>Take the cash  ⏎</source>
        <translation>Bargeld annehmen  ⏎</translation>
    </message>
    <message>
        <source>canteen-till · customer display</source>
        <translation>canteen-till · Kundenanzeige</translation>
    </message>
    <message>
        <source>Welcome</source>
        <translation>Willkommen</translation>
    </message>
    <message>
        <source>Balance after: {amount}</source>
        <translation>Guthaben danach: {amount}</translation>
    </message>
    <message>
        <source>Balance: {amount}</source>
        <translation>Guthaben: {amount}</translation>
    </message>
    <message>
        <source>Cancel sale
Esc</source>
        <translation>Abbrechen
Esc</translation>
    </message>
    <message>
        <source>Void line
Del</source>
        <translation>Zeile löschen
Del</translation>
    </message>
    <message>
        <source>Cash top-up
F7</source>
        <translation>Bar aufladen
F7</translation>
    </message>
    <message>
        <source>Void last sale
F8</source>
        <translation>Letzten stornieren
F8</translation>
    </message>
    <message>
        <source>Print receipt  F6</source>
        <translation>Beleg drucken  F6</translation>
    </message>
    <message>
        <source>Charge card  ⏎</source>
        <translation>Karte belasten  ⏎</translation>
    </message>
    <message>
        <source>Reader: {state}</source>
        <translation>Leser: {state}</translation>
    </message>
    <message>
        <source>Printer: {state}</source>
        <translation>Drucker: {state}</translation>
    </message>
    <message>
        <source>Waiting for the scheme data from the server …</source>
        <translation>Warte auf Kartensystem-Daten vom Server …</translation>
    </message>
    <message>
        <source>Till {till} is enrolled with {server}. It sells as soon as its unit, menu and cardholders have arrived; nothing needs to be done here.</source>
        <translation>Kasse {till} ist bei {server} angemeldet. Sie verkauft, sobald Einrichtung, Speiseplan und Karteninhaber da sind; hier ist nichts zu tun.</translation>
    </message>
    <message>
        <source>● The server answers: receiving the scheme …</source>
        <translation>● Server antwortet: Kartensystem wird empfangen …</translation>
    </message>
    <message>
        <source>● The server has not answered yet: {error}</source>
        <translation>● Server hat noch nicht geantwortet: {error}</translation>
    </message>
    <message>
        <source>● The server has not answered yet; trying again …</source>
        <translation>● Server hat noch nicht geantwortet; neuer Versuch …</translation>
    </message>
    <message>
        <source>sold out</source>
        <translation>ausverkauft</translation>
    </message>
</context>
<context>
    <name>verdict</name>
    <message>
        <source>Unknown card here: not registered for this unit (it may be for other units).</source>
        <translation>Karte hier unbekannt: nicht für diese Einrichtung registriert (evtl. für andere).</translation>
    </message>
    <message>
        <source>ok</source>
        <translation>ok</translation>
    </message>
    <message>
        <source>unknown card</source>
        <translation>unbekannte Karte</translation>
    </message>
    <message>
        <source>card blocked</source>
        <translation>Karte gesperrt</translation>
    </message>
    <message>
        <source>replaced by a newer card</source>
        <translation>durch neuere Karte ersetzt</translation>
    </message>
    <message>
        <source>not allowed at this unit</source>
        <translation>hier nicht erlaubt</translation>
    </message>
    <message>
        <source>payment blocked for arrears</source>
        <translation>Zahlung gesperrt (Rückstand)</translation>
    </message>
    <message>
        <source>product category blocked</source>
        <translation>Warengruppe gesperrt</translation>
    </message>
    <message>
        <source>daily limit reached</source>
        <translation>Tageslimit erreicht</translation>
    </message>
    <message>
        <source>insufficient balance</source>
        <translation>zu wenig Guthaben</translation>
    </message>
    <message>
        <source>offline limit reached</source>
        <translation>Offline-Limit erreicht</translation>
    </message>
    <message>
        <source>over the balance cap</source>
        <translation>über dem Höchstguthaben</translation>
    </message>
    <message>
        <source>top-up amount outside the scheme&apos;s bounds</source>
        <translation>Aufladebetrag außerhalb der erlaubten Grenzen</translation>
    </message>
    <message>
        <source>wrong currency</source>
        <translation>falsche Währung</translation>
    </message>
    <message>
        <source>Offer autoload.</source>
        <translation>Autoload anbieten.</translation>
    </message>
    <message>
        <source>REFUSED: {reason}</source>
        <translation>ABGELEHNT: {reason}</translation>
    </message>
    <message>
        <source>APPROVED OFFLINE</source>
        <translation>OFFLINE GENEHMIGT</translation>
    </message>
    <message>
        <source>APPROVED</source>
        <translation>GENEHMIGT</translation>
    </message>
    <message>
        <source>This card was replaced by a newer card (new card ends {end}). Keep it back.</source>
        <translation>Karte durch neuere ersetzt (neue Karte endet auf {end}). Karte einbehalten.</translation>
    </message>
    <message>
        <source>This card was replaced by a newer card. Keep it back.</source>
        <translation>Karte durch neuere ersetzt. Karte einbehalten.</translation>
    </message>
    <message>
        <source>Card blocked by the cardholder or the office. Do not accept it.</source>
        <translation>Karte vom Karteninhaber oder der Verwaltung gesperrt. Nicht annehmen.</translation>
    </message>
    <message>
        <source>Account is in {account}, this till sells in {till}.</source>
        <translation>Konto in {account}, diese Kasse verkauft in {till}.</translation>
    </message>
    <message>
        <source>Payment blocked after a returned direct debit. Arrears {arrears} can be paid at a cash till or service point.</source>
        <translation>Zahlung gesperrt nach Rücklastschrift. Rückstand {arrears} an einer Barkasse oder am Service-Point zahlbar.</translation>
    </message>
    <message>
        <source>nowhere</source>
        <translation>nirgends</translation>
    </message>
    <message>
        <source>Not allowed at a {unit}; the cardholder allows: {allowed}.</source>
        <translation>Nicht erlaubt: {unit}; Karteninhaber erlaubt: {allowed}.</translation>
    </message>
    <message>
        <source>Not allowed for this card: {blocked}. Remove it from the tray.</source>
        <translation>Für diese Karte gesperrt: {blocked}. Vom Tablett entfernen.</translation>
    </message>
    <message>
        <source>Daily limit {limit} reached: {left} left today.</source>
        <translation>Tageslimit {limit} erreicht: heute noch {left}.</translation>
    </message>
    <message>
        <source>Insufficient balance: {short} short.</source>
        <translation>Zu wenig Guthaben: es fehlen {short}.</translation>
    </message>
    <message>
        <source>Insufficient balance: no balance left.</source>
        <translation>Zu wenig Guthaben: Karte ist leer.</translation>
    </message>
    <message>
        <source>Offline limit {limit} per card reached: {spent} already spent here unsynced.</source>
        <translation>Offline-Limit {limit} pro Karte erreicht: hier schon {spent} ohne Sync ausgegeben.</translation>
    </message>
    <message>
        <source>Autoload stopped: the last collection failed. Top up by hand.</source>
        <translation>Autoload gestoppt: letzter Einzug fehlgeschlagen. Manuell aufladen.</translation>
    </message>
    <message>
        <source>Autoload active from {day}.</source>
        <translation>Autoload aktiv ab {day}.</translation>
    </message>
    <message>
        <source>Autoload already used today (once a day).</source>
        <translation>Autoload heute schon genutzt (einmal täglich).</translation>
    </message>
    <message>
        <source>Autoload would take the balance over the {cap} cap.</source>
        <translation>Autoload würde das Höchstguthaben von {cap} überschreiten.</translation>
    </message>
    <message>
        <source>This card was replaced by a newer card: top up the new one.</source>
        <translation>Karte durch neuere ersetzt: die neue aufladen.</translation>
    </message>
    <message>
        <source>Card blocked: no top-up.</source>
        <translation>Karte gesperrt: keine Aufladung.</translation>
    </message>
    <message>
        <source>A top-up here is {low} to {high}.</source>
        <translation>Aufladung hier: {low} bis {high}.</translation>
    </message>
    <message>
        <source>Over the {cap} balance cap: at most {room}.</source>
        <translation>Über dem Höchstguthaben von {cap}: höchstens {room}.</translation>
    </message>
    <message>
        <source>Top up {amount}: new balance {after}.</source>
        <translation>Aufladung {amount}: neues Guthaben {after}.</translation>
    </message>
    <message>
        <source>Card OK. Balance {balance}. Ring up the tray.</source>
        <translation>Karte OK. Guthaben {balance}. Tablett erfassen.</translation>
    </message>
    <message>
        <source>Pay {total}. Balance after {after}.</source>
        <translation>Zu zahlen: {total}. Guthaben danach {after}.</translation>
    </message>
</context>
</TS>
