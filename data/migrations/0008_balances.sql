-- 0008_balances.sql — version 8: what a customer owes is read from indexes alone. Forward only;
-- data/schema.sql shows the resulting shape.

-- The Customers list sums, for each customer on screen, the total of their issued invoices less
-- what settled them. Carrying the status and total in the index by customer, and the amount in
-- the index of payments by invoice, spares a read of the table row for each invoice and each
-- payment applied to it. The indexes keep their names and leading columns: nothing else reads
-- them differently, and a write updates the same two indexes as before.
DROP INDEX invoices_customer;
CREATE INDEX invoices_customer ON invoices(customer_id, issued_on, status, total);
DROP INDEX payment_applications_invoice;
CREATE INDEX payment_applications_invoice ON payment_applications(invoice_id, amount);
