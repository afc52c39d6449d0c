-- 0009_period_balances.sql — version 9: a closed month's journal lines are added up once.
-- Forward only; data/schema.sql shows the resulting shape.

-- What each closed month's journal lines add up to, by account and currency, kept when it
-- closed: a closed month takes no posting, so the balances through a day add these up for the
-- closed months and read the lines of the others only.
CREATE TABLE period_balances (
    period TEXT NOT NULL REFERENCES periods(period) ON DELETE CASCADE,
    account TEXT NOT NULL REFERENCES accounts(code),
    currency TEXT NOT NULL REFERENCES currencies(code),
    debit INTEGER NOT NULL,
    credit INTEGER NOT NULL,
    PRIMARY KEY (period, account, currency)
) STRICT, WITHOUT ROWID;

-- The months already closed, from their lines.
INSERT INTO period_balances (period, account, currency, debit, credit)
SELECT substr(e.entry_date, 1, 7), l.account, e.currency, sum(l.debit), sum(l.credit)
FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id
WHERE substr(e.entry_date, 1, 7) IN (SELECT period FROM periods)
GROUP BY substr(e.entry_date, 1, 7), l.account, e.currency;
