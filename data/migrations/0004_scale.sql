-- 0004_scale.sql — version 4: what a book of 100,000 contracts needs. Forward only;
-- data/schema.sql shows the resulting shape.

-- Billing a contract sums what its invoice lines billed so far; without an index on the contract
-- that is a scan of every invoice line of the book, for every contract billed.
CREATE INDEX invoice_lines_contract ON invoice_lines(contract_id) WHERE contract_id IS NOT NULL;

-- Recognition compares schedules with postings. An obligation whose schedule has not changed
-- since the last run (recon_version = schedule_version) has every line through
-- book.recon_through posted, so only the months after it are compared; the others (new,
-- re-planned, or given postings by a memo) are compared in full. A book migrated from version 3
-- has every obligation compared in full once.
ALTER TABLE obligations ADD COLUMN recon_version INTEGER;
ALTER TABLE book ADD COLUMN recon_through TEXT;
CREATE INDEX obligations_unreconciled ON obligations(id) WHERE recon_version IS NOT schedule_version;
