# Contracts through the command line and every deferred revenue report on them.
B=k.ratable
r -b $B init --company "Northwind Ltd" --currency USD
r -b $B customer add ACME --name "Acme Corporation" --terms 30
r -b $B customer add EURO --name "Euro GmbH" --currency EUR --terms 30
# The $25,000 bundle of ACCOUNTING.md §2, billed quarterly.
r -b $B contract add BUNDLE --customer ACME --signed 2025-12-20 --start 2026-01-01 --end 2026-12-31 --price 25,000 --billing quarterly
r -b $B obligation add BUNDLE --name "SaaS, 1 year" --pattern ratable --ssp 24,000 --ssp-method observable --evidence "price book"
r -b $B obligation add BUNDLE --name "Implementation" --pattern point --ssp 6,000 --ssp-method cost-plus --due 2026-03-31
r -b $B contract activate BUNDLE --date 2026-01-01
r -b $B obligation deliver BUNDLE/2 --date 2026-03-20
# 10% off a $300,000 licence delivered at once: a transaction price of $270,000.
r -b $B contract add LICENCE --customer ACME --signed 2026-02-01 --start 2026-02-01 --end 2026-02-01 --price 300,000 --discount 30,000
r -b $B obligation add LICENCE --name "Perpetual licence" --pattern point --ssp 300,000 --ssp-method observable
r -b $B contract activate LICENCE --date 2026-02-01
r -b $B obligation deliver LICENCE/1 --date 2026-02-15
# The residual approach that does not fit: A 40, B+C 60, price 105, D sold for 15..45.
r -b $B contract add RESID --customer ACME --signed 2026-01-01 --start 2026-01-01 --end 2026-12-31 --price 105
r -b $B obligation add RESID --name "A" --pattern point --ssp 40 --ssp-method observable --due 2026-01-15
r -b $B obligation add RESID --name "B and C" --pattern ratable --ssp 60 --ssp-method adjusted-market
r -b $B obligation add RESID --name "D" --pattern point --ssp-method residual --range 15..45 --due 2026-02-01
r -b $B contract activate RESID --date 2026-01-01
# Two years prepaid, in euros.
r -b $B contract add TWOYEAR --customer EURO --signed 2025-12-15 --start 2026-01-01 --end 2027-12-31 --price 24,000 --billing upfront
r -b $B obligation add TWOYEAR --name "Platform, 24 months" --pattern ratable --ssp 24,000 --ssp-method observable
r -b $B contract activate TWOYEAR --date 2026-01-01
# A usage plan: recognized as used, billed in arrears.
r -b $B contract add USAGE --customer ACME --signed 2025-12-20 --start 2026-01-01 --end 2026-12-31 --billing monthly
r -b $B obligation add USAGE --name "API calls" --pattern usage --ssp-method observable
r -b $B contract activate USAGE --date 2026-01-01
r -b $B usage record USAGE/1 --date 2026-01-31 --quantity 1200000 --amount 1,200.00
r -b $B usage record USAGE/1 --date 2026-02-28 --quantity 900000 --amount 900.00
r -b $B bill --all --through 2026-03-31
r -b $B recognize --through 2026-03
r -b $B recognize --through 2026-03
r -b $B contract show BUNDLE --as-of 2026-03-31
r -b $B contract list --as-of 2026-03-31
r -b $B report waterfall --from 2026-01 --to 2026-06
r -b $B report rollforward --from 2026-01 --to 2026-03
r -b $B report rpo --as-of 2026-03-31
r -b $B report revenue --from 2026-01 --to 2026-03 --by pattern
r -b $B report revenue --from 2026-01 --to 2026-03 --by customer
r -b $B report journal --from 2026-01-01 --to 2026-01-31 -o journal.csv
cat journal.csv
r -b $B check
