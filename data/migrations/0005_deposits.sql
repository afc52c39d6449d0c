-- 0005_deposits.sql — version 5: deposits looked up by what they belong to. Forward only;
-- data/schema.sql shows the resulting shape.

-- What an invoice still asks for (invoice_balances, the aging, the customer list, statements)
-- subtracts the deposits applied to it; what a deposit has left is checked on every application;
-- a customer's statement finds deposits by contract. Without these indexes each of those read
-- every deposit application of the book, for every invoice.
CREATE INDEX deposit_applications_invoice ON deposit_applications(invoice_id);
CREATE INDEX deposit_applications_deposit ON deposit_applications(deposit_id);
CREATE INDEX deposits_contract ON deposits(contract_id);
