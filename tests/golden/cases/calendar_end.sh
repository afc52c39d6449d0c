# A contract in the last year of the calendar bills, shows and reports like any other: looking
# 12 months ahead of 9999-06-01 or for the instalment after 9999-12 used to abort.
B=z.ratable
r -b $B init --company "Northwind Ltd" --currency USD
r -b $B customer add ACME --name "Acme"
r -b $B contract add FAR --customer ACME --signed 2026-01-01 --start 9999-01-01 --end 9999-12-31 \
    --price 1200.00 --billing monthly
r -b $B obligation add FAR --name Platform --pattern ratable --ssp 1200.00 --ssp-method observable
r -b $B contract activate FAR
r -b $B bill FAR --through 9999-12-31
r -b $B report rpo --as-of 9999-06-01
r -b $B contract show FAR --as-of 9999-06-01
r -b $B check
