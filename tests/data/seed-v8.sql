-- seed.sql — the rows every new book starts with: the chart of accounts, the kinds of journal
-- entry and the document number sequences. The company may rename accounts; the program finds
-- them by role.
INSERT INTO accounts (code, name, kind, role) VALUES
    ('1000', 'Cash', 'asset', 'cash'),
    ('1100', 'Accounts receivable', 'asset', 'receivable'),
    ('1150', 'Contract assets', 'asset', 'contract_asset'),
    ('2100', 'Deferred revenue', 'liability', 'deferred_revenue'),
    ('2200', 'Customer credit balances', 'liability', 'customer_credit'),
    ('2300', 'Customer deposits', 'liability', 'customer_deposits'),
    ('4000', 'Revenue', 'income', 'revenue'),
    ('4800', 'Credit breakage income', 'income', 'breakage'),
    ('4900', 'Sales discounts and credits', 'contra_income', 'discounts');

INSERT INTO entry_kinds (kind, description) VALUES
    ('invoice', 'invoice issued'),
    ('payment', 'payment received'),
    ('credit_grant', 'credit granted'),
    ('credit_apply', 'credit applied to an invoice'),
    ('credit_expire', 'credit expired'),
    ('credit_refund', 'credit refunded'),
    ('credit_adjust', 'credit adjusted'),
    ('credit_note', 'credit note issued'),
    ('recognition', 'revenue recognized'),
    ('deposit', 'deposit received for a contract that is not active'),
    ('deposit_apply', 'deposit applied to an invoice'),
    ('modification', 'cumulative catch-up of a contract modification');

INSERT INTO sequences (kind, prefix, next) VALUES
    ('invoice', 'INV-', 1),
    ('payment', 'PMT-', 1),
    ('credit_note', 'CN-', 1),
    ('memo', 'MOD-', 1);
