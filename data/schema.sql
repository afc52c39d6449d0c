-- schema.sql — the shape of a ratable book at the current version.
--
-- A new book is created from this file; an older book reaches the same shape through the numbered
-- migrations beside it (tests/unit/test_book_db.c proves the two agree). Every table is STRICT;
-- dates are YYYY-MM-DD text checked with `d IS date(d, '+0 days')`, which really refuses
-- 2025-02-30; amounts are INTEGER counts of the currency's minor unit; timestamps are UTC
-- YYYY-MM-DDTHH:MM:SSZ. Journal lines, credit movements and the change log are append-only:
-- triggers refuse to edit them, so a correction is always a new row.

-- Book settings: exactly one row.
CREATE TABLE book (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    company TEXT NOT NULL CHECK (length(trim(company)) > 0),     -- legal name on every report
    base_currency TEXT NOT NULL REFERENCES currencies(code),     -- default for new customers
    user TEXT NOT NULL CHECK (length(trim(user)) > 0),           -- who is working, unless --user
    created_at TEXT NOT NULL,                                    -- when `init` ran
    revision INTEGER NOT NULL DEFAULT 1,                         -- bumped on each settings edit
    convention TEXT NOT NULL DEFAULT 'monthly'
        CHECK (convention IN ('monthly', 'daily')),              -- how ratable terms spread
    recon_through TEXT                                           -- recognition compared through
) STRICT;

-- ISO 4217 currencies and the number of decimals of their minor unit.
CREATE TABLE currencies (
    code TEXT PRIMARY KEY CHECK (length(code) = 3 AND code GLOB '[A-Z][A-Z][A-Z]'), -- USD
    exponent INTEGER NOT NULL CHECK (exponent BETWEEN 0 AND 4), -- 2 for USD, 0 for JPY, 3 for KWD
    name TEXT NOT NULL                                           -- US Dollar
) STRICT;

-- The chart of accounts. The program finds an account by its role; the code and name are the
-- company's own and appear in the journal export.
CREATE TABLE accounts (
    code TEXT PRIMARY KEY CHECK (length(code) > 0),              -- 1100
    name TEXT NOT NULL CHECK (length(name) > 0),                 -- Accounts receivable
    kind TEXT NOT NULL CHECK (kind IN ('asset', 'liability', 'income', 'contra_income')),
    role TEXT NOT NULL UNIQUE CHECK (role IN ('cash', 'receivable', 'contract_asset',
        'deferred_revenue', 'customer_credit', 'customer_deposits', 'revenue', 'breakage',
        'discounts'))                                           -- what the program uses it for
) STRICT;

-- Customers. A customer has one currency; every document for it is in that currency.
CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE COLLATE NOCASE
        CHECK (length(code) BETWEEN 1 AND 32 AND code NOT GLOB '*[^A-Za-z0-9._-]*'), -- ACME
    name TEXT NOT NULL CHECK (length(trim(name)) > 0),           -- Acme Corporation
    currency TEXT NOT NULL REFERENCES currencies(code),          -- the customer's currency
    email TEXT CHECK (email IS NULL OR email GLOB '?*@?*'),      -- where statements go
    terms_days INTEGER NOT NULL DEFAULT 30 CHECK (terms_days BETWEEN 0 AND 365), -- net days
    address TEXT,                                                -- printed on statements
    archived INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)), -- hidden from lists
    revision INTEGER NOT NULL DEFAULT 1,                         -- bumped on every edit
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX customers_name ON customers(name COLLATE NOCASE, code); -- the list by name

-- Document numbering: the next number of each kind of document.
CREATE TABLE sequences (
    kind TEXT PRIMARY KEY CHECK (kind IN ('invoice', 'payment', 'credit_note', 'memo')),
    prefix TEXT NOT NULL,                                        -- INV-
    next INTEGER NOT NULL CHECK (next > 0)                       -- the next number to hand out
) STRICT;

-- Invoices. A draft neither uses nor shows credit; an issued invoice is never edited, only
-- settled (by credit, payments and credit notes) up to its total.
CREATE TABLE invoices (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE CHECK (length(number) BETWEEN 1 AND 32), -- INV-000001
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    status TEXT NOT NULL CHECK (status IN ('draft', 'issued')),
    issued_on TEXT NOT NULL CHECK (issued_on IS date(issued_on, '+0 days')), -- invoice date
    due_on TEXT NOT NULL CHECK (due_on IS date(due_on, '+0 days') AND due_on >= issued_on),
    total INTEGER NOT NULL CHECK (total >= 0),                   -- sum of the lines
    memo TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX invoices_customer ON invoices(customer_id, issued_on, status, total); -- owed
CREATE INDEX invoices_date ON invoices(issued_on);                -- the list, newest first

CREATE TABLE invoice_lines (
    id INTEGER PRIMARY KEY,
    invoice_id INTEGER NOT NULL REFERENCES invoices(id),
    line_no INTEGER NOT NULL CHECK (line_no > 0),
    description TEXT NOT NULL CHECK (length(trim(description)) > 0),
    amount INTEGER NOT NULL,                                     -- may be negative (a discount line)
    contract_id INTEGER REFERENCES contracts(id),                -- a billing of this contract
    obligation_id INTEGER REFERENCES obligations(id),            -- and of this obligation
    UNIQUE (invoice_id, line_no)
) STRICT;
CREATE INDEX invoice_lines_contract ON invoice_lines(contract_id) WHERE contract_id IS NOT NULL;

-- Credit notes reduce what an invoice asks for. What exceeds the invoice's open balance becomes
-- a refund credit grant for the customer.
CREATE TABLE credit_notes (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,                                 -- CN-000001
    invoice_id INTEGER NOT NULL REFERENCES invoices(id),
    issued_on TEXT NOT NULL CHECK (issued_on IS date(issued_on, '+0 days')),
    amount INTEGER NOT NULL CHECK (amount > 0),                  -- the whole credit note
    applied INTEGER NOT NULL CHECK (applied >= 0 AND applied <= amount), -- against the invoice
    reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    memo_id INTEGER REFERENCES memos(id)                         -- issued by a modification memo
) STRICT;
CREATE INDEX credit_notes_invoice ON credit_notes(invoice_id);

-- Payments received. What is not applied to invoices funds the customer's credit balance as a
-- prepaid grant that names the payment.
CREATE TABLE payments (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,                                 -- PMT-000001
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    received_on TEXT NOT NULL CHECK (received_on IS date(received_on, '+0 days')),
    amount INTEGER NOT NULL CHECK (amount > 0),
    reference TEXT,                                              -- cheque or transfer reference
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    contract_id INTEGER REFERENCES contracts(id)                 -- a deposit for this contract
) STRICT;
CREATE INDEX payments_customer ON payments(customer_id, received_on);

CREATE TABLE payment_applications (
    id INTEGER PRIMARY KEY,
    payment_id INTEGER NOT NULL REFERENCES payments(id),
    invoice_id INTEGER NOT NULL REFERENCES invoices(id),
    amount INTEGER NOT NULL CHECK (amount > 0),
    UNIQUE (payment_id, invoice_id)
) STRICT;
CREATE INDEX payment_applications_invoice ON payment_applications(invoice_id, amount);

-- Credit grants (ACCOUNTING.md §4). Prepaid and refund credit is the customer's money, a
-- liability in the customer-credit account; promotional and goodwill credit is a promise of a
-- discount that touches the ledger only when it is applied. A grant is never edited: its
-- remaining amount is the sum of its movements.
CREATE TABLE credit_grants (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    kind TEXT NOT NULL CHECK (kind IN ('prepaid', 'promotional', 'goodwill', 'refund')),
    amount INTEGER NOT NULL CHECK (amount > 0),                  -- as granted
    granted_on TEXT NOT NULL CHECK (granted_on IS date(granted_on, '+0 days')),
    expires_on TEXT CHECK (expires_on IS NULL OR (expires_on IS date(expires_on, '+0 days')
        AND expires_on >= granted_on)),                          -- last day it can be used
    reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    payment_id INTEGER REFERENCES payments(id),                  -- the payment that funded it
    credit_note_id INTEGER REFERENCES credit_notes(id),          -- the credit note that funded it
    granted_by TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX credit_grants_customer ON credit_grants(customer_id, expires_on);

-- The append-only credit movement ledger: every change of a grant's remaining amount.
CREATE TABLE credit_movements (
    id INTEGER PRIMARY KEY,
    grant_id INTEGER NOT NULL REFERENCES credit_grants(id),
    kind TEXT NOT NULL CHECK (kind IN ('granted', 'applied', 'expired', 'refunded', 'adjusted')),
    amount INTEGER NOT NULL CHECK (amount <> 0 AND CASE kind
        WHEN 'granted' THEN amount > 0
        WHEN 'adjusted' THEN 1
        ELSE amount < 0 END),                                    -- signed change of the grant
    on_date TEXT NOT NULL CHECK (on_date IS date(on_date, '+0 days')),
    invoice_id INTEGER REFERENCES invoices(id)
        CHECK ((kind = 'applied') = (invoice_id IS NOT NULL)),   -- the invoice credit went to
    reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),       -- why
    by_user TEXT NOT NULL,                                       -- who
    created_at TEXT NOT NULL                                     -- when it was recorded
) STRICT;
CREATE INDEX credit_movements_grant ON credit_movements(grant_id, on_date);
CREATE INDEX credit_movements_invoice ON credit_movements(invoice_id) WHERE invoice_id IS NOT NULL;
CREATE UNIQUE INDEX credit_movements_one_grant ON credit_movements(grant_id) WHERE kind = 'granted';

-- ---- Contracts under ASC 606 / IFRS 15 ------------------------------------------------------

CREATE TABLE contracts (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE COLLATE NOCASE
        CHECK (length(code) BETWEEN 1 AND 32 AND code NOT GLOB '*[^A-Za-z0-9._-]*'),
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    description TEXT,
    signed_on TEXT CHECK (signed_on IS NULL OR signed_on IS date(signed_on, '+0 days')),
    start_on TEXT NOT NULL CHECK (start_on IS date(start_on, '+0 days')),
    end_on TEXT NOT NULL CHECK (end_on IS date(end_on, '+0 days') AND end_on >= start_on),
    status TEXT NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'active', 'completed', 'terminated')),
    collectibility TEXT NOT NULL DEFAULT 'probable'
        CHECK (collectibility IN ('probable', 'not_probable')),
    commercial_substance INTEGER NOT NULL DEFAULT 1 CHECK (commercial_substance IN (0, 1)),
    payment_terms_days INTEGER CHECK (payment_terms_days IS NULL
        OR payment_terms_days BETWEEN 0 AND 365),              -- NULL: no payment terms yet
    trial_end TEXT CHECK (trial_end IS NULL OR trial_end IS date(trial_end, '+0 days')),
    price INTEGER NOT NULL DEFAULT 0 CHECK (price >= 0),       -- fixed consideration
    discount INTEGER NOT NULL DEFAULT 0 CHECK (discount >= 0),
    payable INTEGER NOT NULL DEFAULT 0 CHECK (payable >= 0),   -- consideration payable to customer
    variable INTEGER NOT NULL DEFAULT 0,                       -- constrained estimate included
    variable_method TEXT CHECK (variable_method IS NULL
        OR variable_method IN ('expected_value', 'most_likely')),
    variable_note TEXT,
    billing TEXT NOT NULL DEFAULT 'upfront'
        CHECK (billing IN ('upfront', 'monthly', 'quarterly', 'annual', 'milestone')),
    billed_through TEXT CHECK (billed_through IS NULL
        OR billed_through IS date(billed_through, '+0 days')), -- the plan has billed up to here
    activated_on TEXT,
    ended_on TEXT,                                             -- completed or terminated on
    parent_id INTEGER REFERENCES contracts(id),                -- split off by a modification
    revision INTEGER NOT NULL DEFAULT 1,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    modified INTEGER NOT NULL DEFAULT 0,                       -- price change by posted memos
    CHECK (variable = 0 OR variable_method IS NOT NULL)
) STRICT;
CREATE INDEX contracts_customer ON contracts(customer_id);
CREATE INDEX contracts_status ON contracts(status, code);     -- the list of one status

-- Performance obligations. An obligation that failed the distinct test holds the promises that
-- were combined into it and the reason.
CREATE TABLE obligations (
    id INTEGER PRIMARY KEY,
    contract_id INTEGER NOT NULL REFERENCES contracts(id),
    seq INTEGER NOT NULL CHECK (seq > 0),                      -- CODE/1, CODE/2, ...
    name TEXT NOT NULL CHECK (length(trim(name)) > 0),
    capable_distinct INTEGER NOT NULL DEFAULT 1 CHECK (capable_distinct IN (0, 1)),
    distinct_in_context INTEGER NOT NULL DEFAULT 1 CHECK (distinct_in_context IN (0, 1)),
    combined_reason TEXT,                                      -- why promises were combined
    pattern TEXT NOT NULL CHECK (pattern IN ('ratable', 'point', 'usage', 'progress')),
    ssp INTEGER NOT NULL DEFAULT 0 CHECK (ssp >= 0),
    ssp_method TEXT NOT NULL DEFAULT 'observable'
        CHECK (ssp_method IN ('observable', 'adjusted-market', 'cost-plus', 'residual')),
    ssp_evidence TEXT,
    residual_low INTEGER, residual_high INTEGER,               -- the residual one's price range
    discount_target INTEGER NOT NULL DEFAULT 0 CHECK (discount_target IN (0, 1)),
    start_on TEXT CHECK (start_on IS NULL OR start_on IS date(start_on, '+0 days')),
    end_on TEXT CHECK (end_on IS NULL OR (end_on IS date(end_on, '+0 days') AND end_on >= start_on)),
    due_on TEXT CHECK (due_on IS NULL OR due_on IS date(due_on, '+0 days')), -- expected delivery
    delivered_on TEXT CHECK (delivered_on IS NULL OR delivered_on IS date(delivered_on, '+0 days')),
    pause_start TEXT, pause_end TEXT,                          -- days not served
    allocated INTEGER NOT NULL DEFAULT 0,                      -- its share of the price
    schedule_version INTEGER NOT NULL DEFAULT 0,               -- current schedule_lines version
    initial_allocated INTEGER,                                 -- as first planned, once a
    initial_end TEXT,                                          -- modification changed them
    recon_version INTEGER,                                     -- schedule version posted in full
                                                               -- through book.recon_through
    replan_from TEXT,                                          -- the first month re-planning has
                                                               -- changed since then
    UNIQUE (contract_id, seq)
) STRICT;
CREATE INDEX obligations_unreconciled ON obligations(id) WHERE recon_version IS NOT schedule_version;

CREATE TABLE usage_records (
    id INTEGER PRIMARY KEY,
    obligation_id INTEGER NOT NULL REFERENCES obligations(id),
    on_date TEXT NOT NULL CHECK (on_date IS date(on_date, '+0 days')),
    quantity TEXT NOT NULL,                                    -- as recorded: 1500, 12.5
    amount INTEGER NOT NULL,                                   -- the consideration it earns
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    invoice_id INTEGER REFERENCES invoices(id)                 -- once billed
) STRICT;
CREATE INDEX usage_records_obligation ON usage_records(obligation_id, on_date);

CREATE TABLE progress_records (
    id INTEGER PRIMARY KEY,
    obligation_id INTEGER NOT NULL REFERENCES obligations(id),
    on_date TEXT NOT NULL CHECK (on_date IS date(on_date, '+0 days')),
    basis_points INTEGER NOT NULL CHECK (basis_points BETWEEN 0 AND 10000), -- percent x 100
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX progress_records_obligation ON progress_records(obligation_id, on_date);

-- Recognition schedules: revenue by month per obligation, one version per re-plan. The current
-- version is obligations.schedule_version; older versions stay as history.
CREATE TABLE schedule_lines (
    obligation_id INTEGER NOT NULL REFERENCES obligations(id),
    version INTEGER NOT NULL,
    period TEXT NOT NULL CHECK (period GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]'),
    amount INTEGER NOT NULL,
    PRIMARY KEY (obligation_id, version, period)
) STRICT, WITHOUT ROWID;

-- What recognition entries posted, per obligation and month: the link from the journal to the
-- schedule lines it carried out.
CREATE TABLE recognition_postings (
    id INTEGER PRIMARY KEY,
    entry_id INTEGER NOT NULL REFERENCES journal_entries(id),
    obligation_id INTEGER NOT NULL REFERENCES obligations(id),
    period TEXT NOT NULL,                                      -- the schedule month carried out
    version INTEGER NOT NULL,                                  -- of the schedule
    amount INTEGER NOT NULL
) STRICT;
CREATE INDEX recognition_postings_obligation ON recognition_postings(obligation_id, period);
CREATE INDEX recognition_postings_entry ON recognition_postings(entry_id);

-- Billing milestones of a contract billed on milestones.
CREATE TABLE billing_milestones (
    id INTEGER PRIMARY KEY,
    contract_id INTEGER NOT NULL REFERENCES contracts(id),
    obligation_id INTEGER REFERENCES obligations(id),
    due_on TEXT NOT NULL CHECK (due_on IS date(due_on, '+0 days')),
    amount INTEGER NOT NULL CHECK (amount > 0),
    description TEXT NOT NULL,
    invoice_id INTEGER REFERENCES invoices(id)                 -- once billed
) STRICT;

-- Cash received for a contract that is not active: a customer deposit (a liability), applied to
-- the contract's invoices once it is billed.
CREATE TABLE deposits (
    id INTEGER PRIMARY KEY,
    contract_id INTEGER NOT NULL REFERENCES contracts(id),
    payment_id INTEGER NOT NULL REFERENCES payments(id),
    amount INTEGER NOT NULL CHECK (amount > 0)
) STRICT;
CREATE TABLE deposit_applications (
    id INTEGER PRIMARY KEY,
    deposit_id INTEGER NOT NULL REFERENCES deposits(id),
    invoice_id INTEGER NOT NULL REFERENCES invoices(id),
    on_date TEXT NOT NULL CHECK (on_date IS date(on_date, '+0 days')),
    amount INTEGER NOT NULL CHECK (amount > 0)
) STRICT;
CREATE INDEX deposits_contract ON deposits(contract_id);
CREATE INDEX deposit_applications_invoice ON deposit_applications(invoice_id);
CREATE INDEX deposit_applications_deposit ON deposit_applications(deposit_id);

-- What kinds of journal entry exist; a lookup table so later versions can add kinds.
CREATE TABLE entry_kinds (
    kind TEXT PRIMARY KEY,
    description TEXT NOT NULL
) STRICT;

-- Journal entries (ACCOUNTING.md §3). An entry is written with posted = 0, its lines are added,
-- and setting posted = 1 checks that debits equal credits; a posted entry and its lines can never
-- change. `open_guard` refers to a table that is always empty through a deferred foreign key, so
-- a transaction that leaves an entry unposted cannot commit.
CREATE TABLE journal_guard (id INTEGER PRIMARY KEY) STRICT;
CREATE TABLE journal_entries (
    id INTEGER PRIMARY KEY,
    entry_date TEXT NOT NULL CHECK (entry_date IS date(entry_date, '+0 days')),
    kind TEXT NOT NULL REFERENCES entry_kinds(kind),
    currency TEXT NOT NULL REFERENCES currencies(code),          -- one currency per entry
    memo TEXT NOT NULL,
    source_type TEXT NOT NULL,                                   -- invoice, payment, credit_grant, ...
    source_id INTEGER NOT NULL,                                  -- the id within that table
    customer_id INTEGER REFERENCES customers(id),
    posted INTEGER NOT NULL DEFAULT 0 CHECK (posted IN (0, 1)),
    open_guard INTEGER REFERENCES journal_guard(id) DEFERRABLE INITIALLY DEFERRED
        CHECK ((posted = 0) = (open_guard IS NOT NULL)),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX journal_entries_date ON journal_entries(entry_date);

CREATE TABLE journal_lines (
    id INTEGER PRIMARY KEY,
    entry_id INTEGER NOT NULL REFERENCES journal_entries(id),
    account TEXT NOT NULL REFERENCES accounts(code),
    debit INTEGER NOT NULL DEFAULT 0 CHECK (debit >= 0),
    credit INTEGER NOT NULL DEFAULT 0 CHECK (credit >= 0),
    customer_id INTEGER REFERENCES customers(id),                -- subledger link
    invoice_id INTEGER REFERENCES invoices(id),                  -- subledger link
    memo TEXT,
    contract_id INTEGER REFERENCES contracts(id),                -- subledger link
    CHECK ((debit > 0) <> (credit > 0))                          -- one side, never both
) STRICT;
CREATE INDEX journal_lines_entry ON journal_lines(entry_id);
CREATE INDEX journal_lines_account ON journal_lines(account);
CREATE INDEX journal_lines_contract ON journal_lines(contract_id) WHERE contract_id IS NOT NULL;

-- The append-only change log: who did what, when, with the row before and after (JSON).
CREATE TABLE change_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,                                            -- UTC timestamp
    user TEXT NOT NULL,                                          -- who
    action TEXT NOT NULL,                                        -- customer.add, invoice.issue, ...
    entity TEXT NOT NULL,                                        -- customer, invoice, ...
    entity_id INTEGER,
    before TEXT CHECK (before IS NULL OR json_valid(before)),
    after TEXT CHECK (after IS NULL OR json_valid(after)),
    refused INTEGER NOT NULL DEFAULT 0 CHECK (refused IN (0, 1)), -- 1: the write was refused
    detail TEXT,                                                 -- why it was refused, or a note
    prev_hash TEXT,                                              -- the row before's hash
    hash TEXT                                                    -- SHA-256 of this row and prev
) STRICT;
CREATE INDEX change_log_entity ON change_log(entity, entity_id);
-- Rows not yet chained (a book migrated from version 2 or older, until it is opened).
CREATE INDEX change_log_unchained ON change_log(id) WHERE hash IS NULL;

-- What an invoice still asks for, from what has been applied to it.
CREATE VIEW invoice_balances AS
SELECT i.id AS invoice_id,
       i.total,
       coalesce((SELECT -sum(m.amount) FROM credit_movements m
                 WHERE m.invoice_id = i.id AND m.kind = 'applied'), 0) AS credit_applied,
       coalesce((SELECT sum(a.amount) FROM payment_applications a
                 WHERE a.invoice_id = i.id), 0) AS paid,
       coalesce((SELECT sum(c.applied) FROM credit_notes c WHERE c.invoice_id = i.id), 0) AS credited,
       coalesce((SELECT sum(d.amount) FROM deposit_applications d WHERE d.invoice_id = i.id), 0)
         AS deposits,
       i.total
         - coalesce((SELECT -sum(m.amount) FROM credit_movements m
                     WHERE m.invoice_id = i.id AND m.kind = 'applied'), 0)
         - coalesce((SELECT sum(a.amount) FROM payment_applications a WHERE a.invoice_id = i.id), 0)
         - coalesce((SELECT sum(c.applied) FROM credit_notes c WHERE c.invoice_id = i.id), 0)
         - coalesce((SELECT sum(d.amount) FROM deposit_applications d WHERE d.invoice_id = i.id), 0)
         AS open
FROM invoices i
WHERE i.status = 'issued';

-- A grant's remaining amount.
CREATE VIEW grant_balances AS
SELECT g.id AS grant_id, g.customer_id, g.kind,
       coalesce((SELECT sum(m.amount) FROM credit_movements m WHERE m.grant_id = g.id), 0) AS remaining
FROM credit_grants g;

-- The documents as JSON, for the change log's before and after.
CREATE VIEW json_customer AS
SELECT id, json_object('code', code, 'name', name, 'currency', currency, 'email', email,
    'terms_days', terms_days, 'address', address, 'archived', archived, 'revision', revision) AS doc
FROM customers;
CREATE VIEW json_invoice AS
SELECT i.id, json_object('number', i.number, 'customer', c.code, 'status', i.status,
    'issued_on', i.issued_on, 'due_on', i.due_on, 'total', i.total, 'memo', i.memo,
    'lines', (SELECT json_group_array(json_object('description', l.description, 'amount', l.amount))
              FROM (SELECT * FROM invoice_lines WHERE invoice_id = i.id ORDER BY line_no) l)) AS doc
FROM invoices i JOIN customers c ON c.id = i.customer_id;
CREATE VIEW json_payment AS
SELECT p.id, json_object('number', p.number, 'customer', c.code, 'received_on', p.received_on,
    'amount', p.amount, 'reference', p.reference,
    'applied', (SELECT json_group_array(json_object('invoice', i.number, 'amount', a.amount))
                FROM payment_applications a JOIN invoices i ON i.id = a.invoice_id
                WHERE a.payment_id = p.id)) AS doc
FROM payments p JOIN customers c ON c.id = p.customer_id;
CREATE VIEW json_credit_grant AS
SELECT g.id, json_object('customer', c.code, 'kind', g.kind, 'amount', g.amount,
    'granted_on', g.granted_on, 'expires_on', g.expires_on, 'reason', g.reason,
    'remaining', (SELECT remaining FROM grant_balances b WHERE b.grant_id = g.id)) AS doc
FROM credit_grants g JOIN customers c ON c.id = g.customer_id;
CREATE VIEW json_credit_note AS
SELECT n.id, json_object('number', n.number, 'invoice', i.number, 'issued_on', n.issued_on,
    'amount', n.amount, 'applied', n.applied, 'reason', n.reason) AS doc
FROM credit_notes n JOIN invoices i ON i.id = n.invoice_id;
CREATE VIEW json_contract AS
SELECT k.id, json_object('code', k.code, 'customer', c.code, 'status', k.status,
    'signed_on', k.signed_on, 'start_on', k.start_on, 'end_on', k.end_on,
    'collectibility', k.collectibility, 'payment_terms_days', k.payment_terms_days,
    'trial_end', k.trial_end, 'price', k.price, 'discount', k.discount, 'payable', k.payable,
    'variable', k.variable, 'variable_method', k.variable_method, 'billing', k.billing,
    'revision', k.revision,
    'obligations', (SELECT json_group_array(json_object('seq', o.seq, 'name', o.name,
        'pattern', o.pattern, 'ssp', o.ssp, 'allocated', o.allocated))
        FROM (SELECT * FROM obligations WHERE contract_id = k.id ORDER BY seq) o)) AS doc
FROM contracts k JOIN customers c ON c.id = k.customer_id;
CREATE VIEW json_obligation AS
SELECT o.id, json_object('ref', k.code || '/' || o.seq, 'name', o.name, 'pattern', o.pattern,
    'capable_distinct', o.capable_distinct, 'distinct_in_context', o.distinct_in_context,
    'combined_reason', o.combined_reason, 'ssp', o.ssp, 'ssp_method', o.ssp_method,
    'start_on', o.start_on, 'end_on', o.end_on, 'delivered_on', o.delivered_on,
    'allocated', o.allocated, 'schedule_version', o.schedule_version,
    'usage', (SELECT coalesce(sum(amount), 0) FROM usage_records WHERE obligation_id = o.id),
    'progress', (SELECT basis_points FROM progress_records WHERE obligation_id = o.id
                 ORDER BY on_date DESC, id DESC LIMIT 1)) AS doc
FROM obligations o JOIN contracts k ON k.id = o.contract_id;
CREATE VIEW json_book AS
SELECT id, json_object('company', company, 'base_currency', base_currency, 'user', user,
    'convention', convention, 'revision', revision) AS doc
FROM book;

-- ---- Guards -------------------------------------------------------------------------------

-- A customer's currency is fixed once it has documents.
CREATE TRIGGER customers_currency_fixed BEFORE UPDATE OF currency ON customers
WHEN NEW.currency <> OLD.currency AND (
    EXISTS (SELECT 1 FROM invoices WHERE customer_id = OLD.id) OR
    EXISTS (SELECT 1 FROM credit_grants WHERE customer_id = OLD.id) OR
    EXISTS (SELECT 1 FROM payments WHERE customer_id = OLD.id))
BEGIN
    SELECT RAISE(ABORT, 'the customer''s currency cannot change once it has documents');
END;
CREATE TRIGGER customers_no_delete BEFORE DELETE ON customers
BEGIN
    SELECT RAISE(ABORT, 'customers are archived, never deleted');
END;

-- An issued invoice is never edited or deleted; its lines are fixed once it is issued.
CREATE TRIGGER invoices_issued_fixed BEFORE UPDATE ON invoices WHEN OLD.status = 'issued'
BEGIN
    SELECT RAISE(ABORT, 'an issued invoice cannot be changed');
END;
CREATE TRIGGER invoices_issued_no_delete BEFORE DELETE ON invoices WHEN OLD.status = 'issued'
BEGIN
    SELECT RAISE(ABORT, 'an issued invoice cannot be deleted');
END;
CREATE TRIGGER invoices_issue_total BEFORE UPDATE OF status ON invoices
WHEN NEW.status = 'issued' AND
     NEW.total IS NOT (SELECT coalesce(sum(amount), 0) FROM invoice_lines WHERE invoice_id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'the invoice total is not the sum of its lines');
END;
CREATE TRIGGER invoices_insert_issued BEFORE INSERT ON invoices WHEN NEW.status = 'issued'
BEGIN
    SELECT RAISE(ABORT, 'an invoice is written as a draft and then issued');
END;
CREATE TRIGGER invoice_lines_fixed_insert BEFORE INSERT ON invoice_lines
WHEN (SELECT status FROM invoices WHERE id = NEW.invoice_id) = 'issued'
BEGIN
    SELECT RAISE(ABORT, 'an issued invoice cannot be changed');
END;
CREATE TRIGGER invoice_lines_fixed_update BEFORE UPDATE ON invoice_lines
WHEN (SELECT status FROM invoices WHERE id = OLD.invoice_id) = 'issued'
BEGIN
    SELECT RAISE(ABORT, 'an issued invoice cannot be changed');
END;
CREATE TRIGGER invoice_lines_fixed_delete BEFORE DELETE ON invoice_lines
WHEN (SELECT status FROM invoices WHERE id = OLD.invoice_id) = 'issued'
BEGIN
    SELECT RAISE(ABORT, 'an issued invoice cannot be changed');
END;

-- Nothing settles more than an invoice's total, and only issued invoices are settled.
CREATE TRIGGER payment_applications_check AFTER INSERT ON payment_applications
BEGIN
    SELECT RAISE(ABORT, 'a payment can only be applied to an issued invoice of the same customer')
    WHERE NOT EXISTS (SELECT 1 FROM invoices i JOIN payments p ON p.customer_id = i.customer_id
                      WHERE i.id = NEW.invoice_id AND p.id = NEW.payment_id AND i.status = 'issued');
    SELECT RAISE(ABORT, 'the invoice would be settled beyond its total')
    WHERE (SELECT open FROM invoice_balances WHERE invoice_id = NEW.invoice_id) < 0;
    SELECT RAISE(ABORT, 'the payment is applied beyond its amount')
    WHERE (SELECT sum(amount) FROM payment_applications WHERE payment_id = NEW.payment_id)
        > (SELECT amount FROM payments WHERE id = NEW.payment_id);
END;
CREATE TRIGGER credit_notes_check AFTER INSERT ON credit_notes
BEGIN
    SELECT RAISE(ABORT, 'a credit note can only be issued against an issued invoice')
    WHERE (SELECT status FROM invoices WHERE id = NEW.invoice_id) IS NOT 'issued';
    SELECT RAISE(ABORT, 'the invoice would be settled beyond its total')
    WHERE (SELECT open FROM invoice_balances WHERE invoice_id = NEW.invoice_id) < 0;
END;

-- The credit ledger: grants and movements are never edited; a grant never goes below zero;
-- credit is used only while the grant is alive, on issued invoices of the same customer.
CREATE TRIGGER credit_grants_fixed BEFORE UPDATE ON credit_grants
BEGIN
    SELECT RAISE(ABORT, 'credit grants are never edited; record a movement');
END;
CREATE TRIGGER credit_grants_no_delete BEFORE DELETE ON credit_grants
BEGIN
    SELECT RAISE(ABORT, 'credit grants are never deleted');
END;
CREATE TRIGGER credit_movements_fixed BEFORE UPDATE ON credit_movements
BEGIN
    SELECT RAISE(ABORT, 'the credit ledger is append-only');
END;
CREATE TRIGGER credit_movements_no_delete BEFORE DELETE ON credit_movements
BEGIN
    SELECT RAISE(ABORT, 'the credit ledger is append-only');
END;
CREATE TRIGGER credit_movements_check AFTER INSERT ON credit_movements
BEGIN
    SELECT RAISE(ABORT, 'a movement cannot be dated before its grant')
    WHERE NEW.on_date < (SELECT granted_on FROM credit_grants WHERE id = NEW.grant_id);
    SELECT RAISE(ABORT, 'a grant''s first movement is its grant, for its whole amount')
    WHERE NEW.kind = 'granted'
      AND NEW.amount IS NOT (SELECT amount FROM credit_grants WHERE id = NEW.grant_id);
    SELECT RAISE(ABORT, 'the grant has expired')
    WHERE NEW.kind IN ('applied', 'refunded', 'adjusted')
      AND (NEW.on_date > (SELECT expires_on FROM credit_grants WHERE id = NEW.grant_id)
           OR EXISTS (SELECT 1 FROM credit_movements
                      WHERE grant_id = NEW.grant_id AND kind = 'expired'));
    SELECT RAISE(ABORT, 'a grant expires the day after its expiry date')
    WHERE NEW.kind = 'expired' AND NEW.on_date IS NOT
        (SELECT date(expires_on, '+1 day') FROM credit_grants WHERE id = NEW.grant_id);
    SELECT RAISE(ABORT, 'the credit grant would go below zero')
    WHERE (SELECT sum(amount) FROM credit_movements WHERE grant_id = NEW.grant_id) < 0;
    SELECT RAISE(ABORT, 'credit can only be applied to an issued invoice of the same customer')
    WHERE NEW.kind = 'applied' AND NOT EXISTS (
        SELECT 1 FROM invoices i JOIN credit_grants g ON g.customer_id = i.customer_id
        WHERE i.id = NEW.invoice_id AND g.id = NEW.grant_id AND i.status = 'issued'
          AND i.issued_on <= NEW.on_date);
    SELECT RAISE(ABORT, 'the invoice would be settled beyond its total')
    WHERE NEW.kind = 'applied' AND (SELECT open FROM invoice_balances WHERE invoice_id = NEW.invoice_id) < 0;
END;

-- The journal: balanced when posted, untouchable after.
CREATE TRIGGER journal_guard_empty BEFORE INSERT ON journal_guard
BEGIN
    SELECT RAISE(ABORT, 'journal_guard stays empty');
END;
CREATE TRIGGER journal_entries_post BEFORE UPDATE OF posted ON journal_entries
WHEN OLD.posted = 0 AND NEW.posted = 1
BEGIN
    SELECT RAISE(ABORT, 'a journal entry needs at least two lines')
    WHERE (SELECT count(*) FROM journal_lines WHERE entry_id = NEW.id) < 2;
    SELECT RAISE(ABORT, 'journal entry does not balance: debits differ from credits')
    WHERE (SELECT sum(debit) - sum(credit) FROM journal_lines WHERE entry_id = NEW.id) <> 0;
END;
CREATE TRIGGER journal_entries_fixed BEFORE UPDATE ON journal_entries WHEN OLD.posted = 1
BEGIN
    SELECT RAISE(ABORT, 'a posted journal entry cannot be changed');
END;
CREATE TRIGGER journal_entries_no_delete BEFORE DELETE ON journal_entries WHEN OLD.posted = 1
BEGIN
    SELECT RAISE(ABORT, 'a posted journal entry cannot be deleted');
END;
CREATE TRIGGER journal_lines_insert BEFORE INSERT ON journal_lines
WHEN (SELECT posted FROM journal_entries WHERE id = NEW.entry_id) IS NOT 0
BEGIN
    SELECT RAISE(ABORT, 'lines can only be added to an unposted journal entry');
END;
CREATE TRIGGER journal_lines_fixed BEFORE UPDATE ON journal_lines
BEGIN
    SELECT RAISE(ABORT, 'journal lines are append-only');
END;
CREATE TRIGGER journal_lines_no_delete BEFORE DELETE ON journal_lines
WHEN (SELECT posted FROM journal_entries WHERE id = OLD.entry_id) IS NOT 0
BEGIN
    SELECT RAISE(ABORT, 'journal lines are append-only');
END;

-- The change log is append-only; a row's hash is set once (rows of books older than the chain).
CREATE TRIGGER change_log_fixed BEFORE UPDATE ON change_log
WHEN OLD.hash IS NOT NULL OR NEW.hash IS NULL OR NEW.id IS NOT OLD.id OR NEW.at IS NOT OLD.at
    OR NEW.user IS NOT OLD.user OR NEW.action IS NOT OLD.action OR NEW.entity IS NOT OLD.entity
    OR NEW.entity_id IS NOT OLD.entity_id OR NEW.before IS NOT OLD.before
    OR NEW.after IS NOT OLD.after OR NEW.refused IS NOT OLD.refused OR NEW.detail IS NOT OLD.detail
BEGIN
    SELECT RAISE(ABORT, 'the change log is append-only');
END;
CREATE TRIGGER change_log_no_delete BEFORE DELETE ON change_log
BEGIN
    SELECT RAISE(ABORT, 'the change log is append-only');
END;

-- Contracts: recognition records and deposits are append-only; obligations change
-- only while their contract is a draft (later, through a modification memo); deposits are
-- never applied beyond what was received or what an invoice asks.
CREATE TRIGGER recognition_postings_fixed BEFORE UPDATE ON recognition_postings
BEGIN
    SELECT RAISE(ABORT, 'recognition postings are append-only');
END;
CREATE TRIGGER recognition_postings_no_delete BEFORE DELETE ON recognition_postings
BEGIN
    SELECT RAISE(ABORT, 'recognition postings are append-only');
END;
CREATE TRIGGER schedule_lines_fixed BEFORE UPDATE ON schedule_lines
BEGIN
    SELECT RAISE(ABORT, 'a schedule version is never edited; re-plan to write a new one');
END;
CREATE TRIGGER schedule_lines_no_delete BEFORE DELETE ON schedule_lines
BEGIN
    SELECT RAISE(ABORT, 'schedule versions are kept as history');
END;
CREATE TRIGGER obligations_no_delete BEFORE DELETE ON obligations
WHEN (SELECT status FROM contracts WHERE id = OLD.contract_id) <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'an obligation of a contract that is not a draft is never deleted');
END;
CREATE TRIGGER deposits_fixed BEFORE UPDATE ON deposits
BEGIN
    SELECT RAISE(ABORT, 'deposits are append-only');
END;
CREATE TRIGGER deposit_applications_fixed BEFORE UPDATE ON deposit_applications
BEGIN
    SELECT RAISE(ABORT, 'deposit applications are append-only');
END;
CREATE TRIGGER deposit_applications_check AFTER INSERT ON deposit_applications
BEGIN
    SELECT RAISE(ABORT, 'a deposit is applied beyond what was received')
    WHERE (SELECT sum(amount) FROM deposit_applications WHERE deposit_id = NEW.deposit_id)
        > (SELECT amount FROM deposits WHERE id = NEW.deposit_id);
    SELECT RAISE(ABORT, 'the invoice would be settled beyond its total')
    WHERE (SELECT open FROM invoice_balances WHERE invoice_id = NEW.invoice_id) < 0;
END;

-- ---- Contract modifications ------------------------------------------------------------

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
