# Bad input is refused with a message naming the field, and nothing is written.
B=e.ratable
r -b $B init --company "Errors Ltd" --currency USD
r -b $B customer add ACME --name "Acme"
r -b $B customer add ACME --name "Acme again"
r -b $B customer add "BAD CODE" --name "x"
r -b $B customer add JP --name "Japan KK" --currency JPY --terms 400
r -b $B customer add JP --name "Japan KK" --currency XYZ
r -b $B customer add JP --name "Japan KK" --currency JPY
r -b $B credit grant ACME 10.005 --date 2026-01-01 --reason x
r -b $B credit grant JP 10.5 --date 2026-01-01 --reason x
r -b $B credit grant ACME 10 --date 2025-02-30 --reason x
r -b $B credit grant ACME 10 --date 2026-01-01 --expires 2025-12-31 --reason x
r -b $B credit grant ACME 10 --date 2026-01-01 --reason "  "
r -b $B credit grant ACME 10 --date 2026-01-01 --kind loyalty --reason x
r -b $B credit grant NOBODY 10 --date 2026-01-01 --reason x
r -b $B invoice issue ACME --date 2026-01-05 --line "no amount"
r -b $B invoice issue ACME --date 2026-01-05 --line "=5.00"
r -b $B invoice issue ACME --date 2026-01-05 --line "Plan=99999999999999999.00"
r -b $B invoice issue ACME --date 2026-01-05 --due 2026-01-01 --line "Plan=5.00"
r -b $B payment record ACME 0 --date 2026-01-06
r -b $B payment record ACME 5 --date 2026-01-06 --invoice INV-999
r -b $B frobnicate
r -b $B customer
r -b $B customer add
r -b $B report statement --customer ACME --from 2026-02-01 --to 2026-01-01
r -b nonexistent.ratable check
echo "not a book" > plain.txt
r -b plain.txt check
r -b $B customer list
r -b $B check
