# Reports written as CSV, and an import whose bad rows are reported FILE:ROW:COLUMN.
B=c.ratable
r -b $B init --company "Northwind Ltd" --currency USD
cat > customers.csv <<'CSV'
code,name,currency,terms,email
ACME,Acme Corporation,USD,30,billing@acme.example
ZOE,"Zoë Åberg Studio, Stockholm",EUR,14,
EVIL,"=HYPERLINK(""http://x"",""y"")",USD,30,
CSV
r -b $B import customers customers.csv
cat > bad.csv <<'CSV'
customer,amount,date,reason,kind
ACME,100.005,2026-01-01,promo,promotional
ZOE,50,2026-02-30,promo,promotional
NOBODY,5,2026-01-01,promo,promotional
ACME,5,2026-01-01,,prepaid
ACME,5,2026-01-01,promo,loyalty
CSV
r -b $B import credits bad.csv
r -b $B credit grant ACME 600.00 --date 2026-01-10 --expires 2026-03-31 --reason "Prepaid pack"
r -b $B credit grant ZOE 60 --date 2026-02-01 --kind promotional --reason "Partner"
r -b $B invoice issue ACME --date 2026-02-01 --line "Plan=1,000.00"
r -b $B invoice issue ZOE --date 2026-02-01 --line "Studio=240.00"
r -b $B invoice issue EVIL --date 2026-02-01 --line "@SUM(1+1)=10.00"
r -b $B payment record ACME 250.00 --date 2026-02-20 --invoice INV-000001
r -b $B report statement --customer ACME --from 2026-01-01 --to 2026-03-31 -o acme.csv
cat acme.csv
r -b $B report credits --as-of 2026-03-31 -o credits.csv
cat credits.csv
r -b $B report aging --as-of 2026-04-15 -o aging.csv
cat aging.csv
r -b $B customer list -o customers-out.csv
cat customers-out.csv
r -b $B report statement --customer EVIL --from 2026-01-01 --to 2026-03-31
