<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="da_DK">
<context>
    <name>messages</name>
    <message>
        <source>Cannot save sales: {reason}. Selling is stopped until it is fixed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Card not read ({reason}). Ask the customer to tap again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Press F8 again to void receipt {receipt_no}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Printing a copy of receipt {receipt_no}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Printing receipt {receipt_no}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reprinting receipt {receipt_no} (copy).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Card {card_id}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{level}  ·  Balance {balance}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Offer an autoload of {amount} from the cardholder&apos;s bank account.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Balance now {now}. After this sale: {after_with} with the autoload, {without}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{after} without.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>too little without it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TOPPED UP +{total}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>VOIDED {total}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ARREARS PAID {total}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PAID OFFLINE {total}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PAID {total}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Balance now {balance}.  Receipt {receipt_no}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Autoload +{amount} credited.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Offline: {used} of the {limit} offline limit used on this card.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Student price</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Staff price</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Guest price</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Guest price: membership expired {day} ({level} no longer applies).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refused: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Topped up +{amount} (receipt {receipt_no}). Now charge the tray.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The arrears are {owed}: no more than that.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Arrears paid {amount}. Left to pay {left}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Receipt not printed: {error}. Reprint (F5)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Receipt {receipt_no} not printed: {error}. Reprint (F5)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Printing receipt {receipt_no} (its original never printed).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Top up {amount}: new balance {after}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pay {amount} of the arrears: {left} left to pay.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pay arrears {owed} in cash  F4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The top-up of receipt {receipt_no} ({amount}) is spent: the balance of {balance} no longer covers it, so it cannot be voided.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No sale or top-up to void yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Top-up voided: take the cash back out.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The last receipt holds no sale or top-up that can be voided.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cash: tap the card first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sale voided.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Autoload declined by the cardholder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Receipts print by themselves; F5 reprints a copy.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No receipt yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No receipt to reprint yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tap a card</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ring up the tray, then tap the card</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>or tap the card first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CANNOT SELL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown card</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PHOTO UNREADABLE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NO PHOTO ON FILE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check identity another way</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Autoload will be offered at payment.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Yes  F1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No  F2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cash top-up</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Arrears in cash</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Take the cash, then Enter.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check before charging:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sale voided</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last sale voided</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Does the cardholder agree?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No photo on file: check identity another way.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Photo not on this till yet: check identity another way.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Finish the cash entry first (Enter, Esc)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Answer the autoload question first (F1 yes, F2 no)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ring up the tray</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No products on the menu yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tap the card</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checked? Enter charges, Esc cancels</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No arrears on this card.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type the amount.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CHECK, THEN CHARGE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>AUTOLOAD?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No products on the menu yet: the menu comes from the office.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>receipt</name>
    <message>
        <source>Card</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cash</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bank card</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Direct debit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Autoload</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RECEIPT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TOP-UP</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>AUTOLOAD</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>VOID</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ARREARS PAYMENT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>*** COPY ***</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>VOID OF TOP-UP</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Void of receipt {number}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Voids {entry}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refund to {tender}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Collected by {tender}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>later</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paid by {tender}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Arrears left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Balance after</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Arrears paid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Top-up taken back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Top-up</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>VAT no. {number}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Receipt no.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Till</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Date</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{price} each</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TOTAL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>* APPROVED OFFLINE *</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Net</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>VAT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gross</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stored value: no VAT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Entry</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Thank you</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>APPROVED OFFLINE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Entry {entry}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>screen</name>
    <message>
        <source>not started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ready</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>receipt not printed ({error}); F5 reprints</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> · synced {age} ago</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>● Online</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>● Offline: selling from the local copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>⚠ 1 change from the server not readable: reported</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>⚠ {count} changes from the server not readable: reported</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All entries sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unsent {count} · oldest {age}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>⚠ {text}: sync stuck</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{seconds} s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{minutes} min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{hours} h {minutes} min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tray</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Qty</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Item</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Amount</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Total {amount}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reprint
F5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Back  Esc</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OK  ⏎</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Take the cash  ⏎</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>canteen-till · customer display</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Welcome</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Balance after: {amount}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Balance: {amount}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel sale
Esc</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Void line
Del</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cash top-up
F7</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Void last sale
F8</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Print receipt  F6</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Charge card  ⏎</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reader: {state}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Printer: {state}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for the scheme data from the server …</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Till {till} is enrolled with {server}. It sells as soon as its unit, menu and cardholders have arrived; nothing needs to be done here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>● The server answers: receiving the scheme …</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>● The server has not answered yet: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>● The server has not answered yet; trying again …</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>verdict</name>
    <message>
        <source>Unknown card here: not registered for this unit (it may be for other units).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ok</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown card</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>card blocked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>replaced by a newer card</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not allowed at this unit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>payment blocked for arrears</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>product category blocked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>daily limit reached</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>insufficient balance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>offline limit reached</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>over the balance cap</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>top-up amount outside the scheme&apos;s bounds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>wrong currency</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Offer autoload.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>REFUSED: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>APPROVED OFFLINE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>APPROVED</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This card was replaced by a newer card (new card ends {end}). Keep it back.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This card was replaced by a newer card. Keep it back.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Card blocked by the cardholder or the office. Do not accept it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Account is in {account}, this till sells in {till}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Payment blocked after a returned direct debit. Arrears {arrears} can be paid at a cash till or service point.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>nowhere</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not allowed at a {unit}; the cardholder allows: {allowed}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not allowed for this card: {blocked}. Remove it from the tray.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Daily limit {limit} reached: {left} left today.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Insufficient balance: {short} short.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Insufficient balance: no balance left.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Offline limit {limit} per card reached: {spent} already spent here unsynced.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Autoload stopped: the last collection failed. Top up by hand.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Autoload active from {day}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Autoload already used today (once a day).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Autoload would take the balance over the {cap} cap.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This card was replaced by a newer card: top up the new one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Card blocked: no top-up.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A top-up here is {low} to {high}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Over the {cap} balance cap: at most {room}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Top up {amount}: new balance {after}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Card OK. Balance {balance}. Ring up the tray.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pay {total}. Balance after {after}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
