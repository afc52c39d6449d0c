-- 0004_scale.sql — version 4: indexes a book of 100,000 contracts needs. Billing a contract sums
-- what its invoice lines billed so far; without an index on the contract that is a scan of every
-- invoice line of the book, for every contract billed. Forward only; data/schema.sql shows the
-- resulting shape.

CREATE INDEX invoice_lines_contract ON invoice_lines(contract_id) WHERE contract_id IS NOT NULL;
