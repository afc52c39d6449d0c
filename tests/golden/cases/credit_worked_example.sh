# ACCOUNTING.md §4's worked example, both dates, through the command line.
B=acme.ratable
r -b $B init --company "Northwind Ltd" --currency USD
r -b $B customer add ACME --name "Acme Corporation" --terms 30
r -b $B credit grant ACME 600.00 --date 2026-01-10 --expires 2026-03-31 --reason "Prepaid pack"
r -b $B credit grant ACME 500 --date 2026-02-01 --reason "Top-up"
cp $B march.ratable
r -b march.ratable invoice issue ACME --date 2026-03-15 --line "Analytics Pro=1,000.00"
r -b march.ratable report credits --as-of 2026-03-15
r -b $B invoice issue ACME --date 2026-04-02 --line "Analytics Pro=1,000.00"
r -b $B report credits --as-of 2026-04-02
r -b $B invoice list
r -b $B check
