-- 0004_lists.sql — version 4: indexes for large books. The workstation's lists page by their sort
-- key (keyset paging), so each needs an index in its order; opening a book asks whether any
-- change log row still lacks its hash, which without an index reads the whole log; a contract's
-- position sums the invoice lines that billed it. Forward only; data/schema.sql shows the
-- resulting shape.

-- Customers by name (the code breaks ties, as in the list).
CREATE INDEX customers_name ON customers(name COLLATE NOCASE, code);
-- Contracts of one status in code order (the Contracts screen's f filter).
CREATE INDEX contracts_status ON contracts(status, code);
-- The invoice lines that billed a contract.
CREATE INDEX invoice_lines_contract ON invoice_lines(contract_id) WHERE contract_id IS NOT NULL;
-- Change log rows not yet chained (only in a book being migrated from version 2 or older).
CREATE INDEX change_log_unchained ON change_log(id) WHERE hash IS NULL;
