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
    created_at TEXT NOT NULL
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
