-- 0002_contracts.sql — version 2: contracts under ASC 606 / IFRS 15, their performance
-- obligations, usage and progress, recognition schedules, deposits, and the links from invoice
-- lines and journal entries to them. Forward only; data/schema.sql shows the resulting shape.

ALTER TABLE book ADD COLUMN convention TEXT NOT NULL DEFAULT 'monthly'
    CHECK (convention IN ('monthly', 'daily'));

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
    CHECK (variable = 0 OR variable_method IS NOT NULL)
) STRICT;
CREATE INDEX contracts_customer ON contracts(customer_id);

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
    UNIQUE (contract_id, seq)
) STRICT;

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

-- Invoice lines and journal lines can name the contract and obligation they belong to.
ALTER TABLE invoice_lines ADD COLUMN contract_id INTEGER REFERENCES contracts(id);
ALTER TABLE invoice_lines ADD COLUMN obligation_id INTEGER REFERENCES obligations(id);
ALTER TABLE journal_lines ADD COLUMN contract_id INTEGER REFERENCES contracts(id);
CREATE INDEX journal_lines_contract ON journal_lines(contract_id) WHERE contract_id IS NOT NULL;
ALTER TABLE payments ADD COLUMN contract_id INTEGER REFERENCES contracts(id);

INSERT INTO entry_kinds (kind, description) VALUES
    ('recognition', 'revenue recognized'),
    ('deposit', 'deposit received for a contract that is not active'),
    ('deposit_apply', 'deposit applied to an invoice');

-- What an invoice still asks for now counts deposits applied to it.
DROP VIEW invoice_balances;
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

DROP VIEW json_book;
CREATE VIEW json_book AS
SELECT id, json_object('company', company, 'base_currency', base_currency, 'user', user,
    'convention', convention, 'revision', revision) AS doc
FROM book;

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

-- Guards of version 2: recognition records and deposits are append-only; obligations change
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
