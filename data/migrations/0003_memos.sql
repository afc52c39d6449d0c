-- 0003_memos.sql — version 3: contract modification memos (ACCOUNTING.md §6), the segments by
-- which a posted memo re-plans an obligation's revenue, the link from a credit note to the memo
-- that issued it; closed months and their locks (§7); the hash-chained change log. Forward
-- only; data/schema.sql shows the resulting shape.

ALTER TABLE contracts ADD COLUMN modified INTEGER NOT NULL DEFAULT 0; -- price change by memos
ALTER TABLE credit_notes ADD COLUMN memo_id INTEGER REFERENCES memos(id);
-- An obligation's allocation and end as first planned, once a modification has changed them.
ALTER TABLE obligations ADD COLUMN initial_allocated INTEGER;
ALTER TABLE obligations ADD COLUMN initial_end TEXT;

-- A modification memo: the change, the classification answers, the suggested and the chosen
-- treatment, its effect, and who prepared, approved and posted it. `original` and `terms` keep
-- the contract's terms, allocation and schedule before and after (JSON): its version history.
CREATE TABLE memos (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,                                 -- MOD-000001
    contract_id INTEGER NOT NULL REFERENCES contracts(id),
    effective_on TEXT NOT NULL CHECK (effective_on IS date(effective_on, '+0 days')),
    type TEXT NOT NULL CHECK (type IN ('upgrade', 'seat_expansion', 'downgrade', 'price_change',
        'extension', 'termination', 'pause', 'cancellation')),
    description TEXT NOT NULL CHECK (length(trim(description)) > 0),
    consideration INTEGER NOT NULL DEFAULT 0,                    -- change in the price, signed
    new_end TEXT CHECK (new_end IS NULL OR new_end IS date(new_end, '+0 days')),
    refund INTEGER NOT NULL DEFAULT 0 CHECK (refund >= 0),
    refund_invoice_id INTEGER REFERENCES invoices(id),
    pause_from TEXT CHECK (pause_from IS NULL OR pause_from IS date(pause_from, '+0 days')),
    pause_to TEXT CHECK (pause_to IS NULL OR (pause_to IS date(pause_to, '+0 days')
        AND pause_to >= pause_from)),
    new_code TEXT,                                               -- a separate contract's code
    distinct_added INTEGER NOT NULL CHECK (distinct_added IN (0, 1)),
    at_ssp INTEGER NOT NULL CHECK (at_ssp IN (0, 1)),
    remaining_distinct INTEGER NOT NULL CHECK (remaining_distinct IN (0, 1)),
    ssp_analysis TEXT,
    suggested TEXT NOT NULL CHECK (suggested IN ('separate', 'prospective', 'catch_up', 'pause')),
    treatment TEXT NOT NULL CHECK (treatment IN ('separate', 'prospective', 'catch_up', 'pause')),
    rationale TEXT,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'approved', 'posted')),
    original TEXT NOT NULL CHECK (json_valid(original)),        -- terms before
    terms TEXT CHECK (terms IS NULL OR json_valid(terms)),       -- terms after (once posted)
    revenue_before INTEGER NOT NULL DEFAULT 0,                   -- to the effective date
    revenue_after INTEGER NOT NULL DEFAULT 0,
    catch_up INTEGER NOT NULL DEFAULT 0,
    catch_up_period TEXT,
    deferred_before INTEGER NOT NULL DEFAULT 0,
    deferred_after INTEGER NOT NULL DEFAULT 0,
    rpo_before INTEGER NOT NULL DEFAULT 0,
    rpo_after INTEGER NOT NULL DEFAULT 0,
    prepared_by TEXT NOT NULL,
    prepared_at TEXT NOT NULL,
    approved_by TEXT,
    approved_at TEXT,
    posted_by TEXT,
    posted_at TEXT,
    new_contract_id INTEGER REFERENCES contracts(id),
    supersedes_id INTEGER REFERENCES memos(id),                  -- the posted memo it follows
    revision INTEGER NOT NULL DEFAULT 1,
    CHECK (treatment = suggested OR length(trim(coalesce(rationale, ''))) > 0),
    CHECK ((status = 'draft') = (approved_by IS NULL)),
    CHECK ((status = 'posted') = (posted_by IS NOT NULL))
) STRICT;
CREATE INDEX memos_contract ON memos(contract_id);

-- Obligations a memo adds.
CREATE TABLE memo_additions (
    memo_id INTEGER NOT NULL REFERENCES memos(id),
    seq INTEGER NOT NULL,
    name TEXT NOT NULL CHECK (length(trim(name)) > 0),
    pattern TEXT NOT NULL CHECK (pattern IN ('ratable', 'point', 'progress')),
    ssp INTEGER NOT NULL CHECK (ssp >= 0),
    ssp_method TEXT NOT NULL
        CHECK (ssp_method IN ('observable', 'adjusted-market', 'cost-plus', 'residual')),
    ssp_evidence TEXT,
    start_on TEXT, end_on TEXT, due_on TEXT,
    obligation_id INTEGER REFERENCES obligations(id),            -- once posted
    PRIMARY KEY (memo_id, seq)
) STRICT;

-- Obligations a memo removes, or whose standalone price it restates.
CREATE TABLE memo_changes (
    memo_id INTEGER NOT NULL REFERENCES memos(id),
    obligation_id INTEGER NOT NULL REFERENCES obligations(id),
    action TEXT NOT NULL CHECK (action IN ('remove', 'ssp')),
    ssp INTEGER CHECK (ssp IS NULL OR ssp >= 0),
    PRIMARY KEY (memo_id, obligation_id, action)
) STRICT;

-- Each obligation's terms before and after a memo: its version history.
CREATE TABLE memo_lines (
    memo_id INTEGER NOT NULL REFERENCES memos(id),
    seq INTEGER NOT NULL,
    ref TEXT NOT NULL,                                           -- CODE/N, or "new" when added
    name TEXT NOT NULL,
    pattern TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('kept', 'changed', 'removed', 'added')),
    ssp INTEGER NOT NULL,
    remaining_ssp INTEGER NOT NULL,                              -- the weight it was given
    allocated_before INTEGER NOT NULL,
    allocated_after INTEGER NOT NULL,
    recognized_before INTEGER NOT NULL,                          -- to the day before
    catch_up INTEGER NOT NULL,
    end_before TEXT, end_after TEXT,
    PRIMARY KEY (memo_id, seq)
) STRICT;
CREATE TRIGGER memo_lines_fixed BEFORE UPDATE ON memo_lines
WHEN (SELECT status FROM memos WHERE id = OLD.memo_id) = 'posted'
BEGIN
    SELECT RAISE(ABORT, 'a posted memo is never edited');
END;
CREATE TRIGGER memo_lines_no_delete BEFORE DELETE ON memo_lines
WHEN (SELECT status FROM memos WHERE id = OLD.memo_id) = 'posted'
BEGIN
    SELECT RAISE(ABORT, 'a posted memo is never edited');
END;

-- The effect: the contract's revenue by month before and after the memo.
CREATE TABLE memo_effect (
    memo_id INTEGER NOT NULL REFERENCES memos(id),
    period TEXT NOT NULL CHECK (period GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]'),
    before INTEGER NOT NULL,
    after INTEGER NOT NULL,
    PRIMARY KEY (memo_id, period)
) STRICT, WITHOUT ROWID;

-- How a posted memo governs an obligation's revenue from a day on (recognition.h).
CREATE TABLE obligation_segments (
    id INTEGER PRIMARY KEY,
    obligation_id INTEGER NOT NULL REFERENCES obligations(id),
    memo_id INTEGER NOT NULL REFERENCES memos(id),
    from_on TEXT NOT NULL CHECK (from_on IS date(from_on, '+0 days')),
    base INTEGER NOT NULL,
    allocated INTEGER NOT NULL,
    start_on TEXT, end_on TEXT,
    progress_base INTEGER NOT NULL DEFAULT 0 CHECK (progress_base BETWEEN 0 AND 10000)
) STRICT;
CREATE INDEX obligation_segments_obligation ON obligation_segments(obligation_id, from_on);

CREATE VIEW json_memo AS
SELECT m.id, json_object('number', m.number, 'contract', k.code, 'effective_on', m.effective_on,
    'type', m.type, 'status', m.status, 'consideration', m.consideration, 'new_end', m.new_end,
    'refund', m.refund, 'suggested', m.suggested, 'treatment', m.treatment,
    'rationale', m.rationale, 'catch_up', m.catch_up, 'approved_by', m.approved_by,
    'posted_by', m.posted_by, 'revision', m.revision) AS doc
FROM memos m JOIN contracts k ON k.id = m.contract_id;

-- A posted memo is never edited (a later memo supersedes it), nor is what it decided.
CREATE TRIGGER memos_posted_fixed BEFORE UPDATE ON memos WHEN OLD.status = 'posted'
BEGIN
    SELECT RAISE(ABORT, 'a posted memo is never edited: write a later memo');
END;
CREATE TRIGGER memos_no_delete BEFORE DELETE ON memos WHEN OLD.status <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'an approved or posted memo cannot be deleted');
END;
CREATE TRIGGER memo_effect_fixed BEFORE UPDATE ON memo_effect
WHEN (SELECT status FROM memos WHERE id = OLD.memo_id) = 'posted'
BEGIN
    SELECT RAISE(ABORT, 'a posted memo is never edited');
END;
CREATE TRIGGER memo_effect_no_delete BEFORE DELETE ON memo_effect
WHEN (SELECT status FROM memos WHERE id = OLD.memo_id) = 'posted'
BEGIN
    SELECT RAISE(ABORT, 'a posted memo is never edited');
END;
CREATE TRIGGER obligation_segments_no_update BEFORE UPDATE ON obligation_segments
BEGIN
    SELECT RAISE(ABORT, 'a posted modification cannot change');
END;
CREATE TRIGGER obligation_segments_no_delete BEFORE DELETE ON obligation_segments
BEGIN
    SELECT RAISE(ABORT, 'a posted modification cannot change');
END;

INSERT INTO entry_kinds (kind, description) VALUES
    ('modification', 'cumulative catch-up of a contract modification');
-- Memo numbers: the sequence kinds are a CHECK, so the table is rebuilt with the new kind.
CREATE TABLE sequences_v3 (
    kind TEXT PRIMARY KEY CHECK (kind IN ('invoice', 'payment', 'credit_note', 'memo')),
    prefix TEXT NOT NULL,
    next INTEGER NOT NULL CHECK (next > 0)
) STRICT;
INSERT INTO sequences_v3 (kind, prefix, next) SELECT kind, prefix, next FROM sequences;
DROP TABLE sequences;
ALTER TABLE sequences_v3 RENAME TO sequences;
INSERT INTO sequences (kind, prefix, next) VALUES ('memo', 'MOD-', 1);

-- The change log is hash-chained: each row carries the SHA-256 of its content and of the row
-- before, so an edit by hand anywhere breaks the chain from there on. Rows written before this
-- version are chained when the book is first opened by it (their hash is set once).
ALTER TABLE change_log ADD COLUMN prev_hash TEXT;
ALTER TABLE change_log ADD COLUMN hash TEXT;
DROP TRIGGER change_log_fixed;
CREATE TRIGGER change_log_fixed BEFORE UPDATE ON change_log
WHEN OLD.hash IS NOT NULL OR NEW.hash IS NULL OR NEW.id IS NOT OLD.id OR NEW.at IS NOT OLD.at
    OR NEW.user IS NOT OLD.user OR NEW.action IS NOT OLD.action OR NEW.entity IS NOT OLD.entity
    OR NEW.entity_id IS NOT OLD.entity_id OR NEW.before IS NOT OLD.before
    OR NEW.after IS NOT OLD.after OR NEW.refused IS NOT OLD.refused OR NEW.detail IS NOT OLD.detail
BEGIN
    SELECT RAISE(ABORT, 'the change log is append-only');
END;

-- ---- Month-end close ----------------------------------------------------------------------

-- Closed months. A closed month refuses every posting dated in it (the triggers below); the
-- change log's head when it closed is kept, and the verified backup taken before.
CREATE TABLE periods (
    period TEXT PRIMARY KEY CHECK (period GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]'),
    closed_at TEXT NOT NULL,
    closed_by TEXT NOT NULL,
    chain_head TEXT NOT NULL,                                    -- change log hash at the close
    backup TEXT,                                                 -- verified backup taken before
    checks TEXT NOT NULL CHECK (json_valid(checks))              -- each check's result
) STRICT, WITHOUT ROWID;

-- What each contract's plans put in the twelve months after a month, as they stood when it
-- closed: the current part of deferred revenue at that month's end, kept as it was reported.
CREATE TABLE period_next12 (
    period TEXT NOT NULL REFERENCES periods(period) ON DELETE CASCADE,
    contract_id INTEGER NOT NULL REFERENCES contracts(id),
    amount INTEGER NOT NULL,
    PRIMARY KEY (period, contract_id)
) STRICT, WITHOUT ROWID;

-- Every close and reopen, with the reason for a reopen. Append-only.
CREATE TABLE period_events (
    id INTEGER PRIMARY KEY,
    period TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('close', 'reopen')),
    at TEXT NOT NULL,
    user TEXT NOT NULL,
    reason TEXT CHECK (action = 'close' OR length(trim(reason)) > 0),
    chain_head TEXT
) STRICT;

CREATE TRIGGER journal_entries_closed_month BEFORE INSERT ON journal_entries
WHEN EXISTS (SELECT 1 FROM periods WHERE period = substr(NEW.entry_date, 1, 7))
BEGIN
    SELECT RAISE(ABORT, 'the month of this posting is closed; post it in the first open month');
END;
CREATE TRIGGER credit_movements_closed_month BEFORE INSERT ON credit_movements
WHEN EXISTS (SELECT 1 FROM periods WHERE period = substr(NEW.on_date, 1, 7))
BEGIN
    SELECT RAISE(ABORT, 'the month of this credit movement is closed');
END;
CREATE TRIGGER period_events_fixed BEFORE UPDATE ON period_events
BEGIN
    SELECT RAISE(ABORT, 'the close history is append-only');
END;
CREATE TRIGGER period_events_no_delete BEFORE DELETE ON period_events
BEGIN
    SELECT RAISE(ABORT, 'the close history is append-only');
END;

