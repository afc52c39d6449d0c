-- 0006_deposits.sql — version 6: deposits looked up by what they belong to. Forward only;
-- data/schema.sql shows the resulting shape.

-- What a deposit has left is checked on every application, and a customer's statement finds
-- deposits by contract: without these indexes each read every deposit application (or deposit)
-- of the book. (Deposit applications by invoice came with version 5.)
CREATE INDEX deposit_applications_deposit ON deposit_applications(deposit_id);
CREATE INDEX deposits_contract ON deposits(contract_id);
