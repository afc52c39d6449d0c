-- 0005_lists.sql — version 5: indexes for a large book's workstation. The long lists page by their
-- sort key (keyset paging), so each needs an index in its order; every invoice's balance looks up
-- the deposits applied to it; opening a book asks whether any change log row still lacks its hash,
-- which without an index reads the whole log. Forward only; data/schema.sql shows the resulting
-- shape.

-- Customers by name (the code breaks ties, as in the list).
CREATE INDEX customers_name ON customers(name COLLATE NOCASE, code);
-- Contracts of one status in code order (the Contracts screen's f filter).
CREATE INDEX contracts_status ON contracts(status, code);
-- Invoices by date (the Invoices screen lists them newest first; the id is in every index).
CREATE INDEX invoices_date ON invoices(issued_on);
-- What deposits settled an invoice: every invoice's balance asks (invoice_balances).
CREATE INDEX deposit_applications_invoice ON deposit_applications(invoice_id);
-- Change log rows not yet chained (only in a book being migrated from version 2 or older).
CREATE INDEX change_log_unchained ON change_log(id) WHERE hash IS NULL;
