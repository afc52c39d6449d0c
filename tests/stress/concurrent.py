#!/usr/bin/python3
"""
concurrent.py — two people, one book.

Two worker processes, started at the same moment, each run ratable commands in a loop on the
same book:

  edits    customer edit, credit grant and credit adjust on the same three customers and their
           grants, interleaved. No command may fail because the book is busy (the waiting side
           retries within its busy timeout); a customer edit may be refused only because the
           customer changed since it was read. Nothing is lost: each customer's credit balance is
           its opening grant plus every grant and adjustment that succeeded, and its revision and
           change log count exactly the edits that succeeded.
  billing  both bill the same contracts, one command per contract and month, in the same order.
           No invoice is issued twice: the book ends with exactly the plan's invoices.
  settle   both issue credit notes and record payments against the same invoices. No invoice is
           settled beyond its total: what a document finds already settled goes to the
           customer's credit balance, and every cent of every document is accounted for.
  lock     another connection holds the write lock for a moment: a command waits for it and
           succeeds. In the long form it holds the lock past the busy timeout: the command gives
           up and says plainly that the book is busy, and writes nothing.

`ratable check` and `PRAGMA integrity_check` pass at the end of each.

    concurrent.py [--smoke] [--steps N] [--only edits|billing|settle|lock]

Environment: RATABLE (the binary, default ./ratable).
"""
import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RATABLE = os.environ.get("RATABLE", "ratable")
if not os.path.isabs(RATABLE):
    RATABLE = os.path.join(TOP, RATABLE)
BUSY_TIMEOUT = 5.0  # model/book_db.c BUSY_TIMEOUT_MS

ENV = dict(os.environ)
ENV.update(RATABLE_NOW="1795348800", RATABLE_TODAY="2026-11-22", LC_ALL="C.UTF-8")
for k in ("RATABLE_BOOK", "XDG_DATA_HOME", "LD_PRELOAD", "RATABLE_USER"):
    ENV.pop(k, None)

CUSTOMERS = ["P1", "P2", "P3"]
OPENING = 100000  # each customer's opening grant, in cents
CONFLICT = "changed since you opened it"


class Failure(Exception):
    pass


def run(book, *args, user="stress"):
    return subprocess.run([RATABLE, "-b", book, "--user", user, *args], env=ENV,
                          capture_output=True, text=True)


def must(book, *args):
    p = run(book, *args)
    if p.returncode != 0:
        raise Failure("ratable %s: %s" % (" ".join(args), p.stderr.strip()))
    return p


def cents(v):
    return "%s%d.%02d" % ("-" if v < 0 else "", abs(v) // 100, abs(v) % 100)


def month_end(m):
    return "2026-%02d-%02d" % (m, [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1])


# ---- the workers ----------------------------------------------------------------------------
# A worker is this script run with --worker: it prints "ready", waits for "go" on standard input,
# runs its commands and prints one JSON line per command.


def edit_steps(worker, steps):
    """(kind, customer index, value, arguments) for each step of a worker."""
    out = []
    for i in range(steps):
        c = (i + worker) % len(CUSTOMERS)
        code = CUSTOMERS[c]
        tag = "w%d-%d" % (worker, i)
        kind = ("edit", "grant", "adjust")[i % 3]
        if kind == "edit":
            if (i // 3) % 2:
                value = "%s@example.com" % tag
                args = ["customer", "edit", code, "--email", value]
            else:
                value = "Name %s" % tag
                args = ["customer", "edit", code, "--name", value]
        elif kind == "grant":
            value = 100 + (i * 37 + worker * 11) % 1000
            args = ["credit", "grant", code, cents(value), "--date",
                    "2026-02-%02d" % (i % 28 + 1), "--reason", "grant " + tag]
        else:
            value = (i * 53 + worker * 7) % 99 + 1
            if i % 2:
                value = -value
            args = ["credit", "adjust", str(c + 1), cents(value), "--date", "2026-03-01",
                    "--reason", "adjust " + tag]
        out.append((kind, c, value, args))
    return out


def billing_steps(contracts, months):
    return [("bill", k, m, ["bill", "K%03d" % k, "--through", month_end(m)])
            for m in range(1, months + 1) for k in range(contracts)]


def settle_steps(worker, invoices):
    out = []
    for i in range(invoices):
        number = "S%03d" % i
        tag = "w%d-%d" % (worker, i)
        out.append(("note", i, 6000, ["invoice", "credit-note", number, "60.00", "--date",
                                      "2026-03-10", "--reason", "credit " + tag]))
        out.append(("payment", i, 3000, ["payment", "record", "ACME", "30.00", "--date",
                                         "2026-03-11", "--invoice", number, "--reference",
                                         tag]))
    return out


def worker_main(a):
    if a.scenario == "edits":
        steps = edit_steps(a.worker, a.steps)
    elif a.scenario == "settle":
        steps = settle_steps(a.worker, a.contracts)
    else:
        steps = billing_steps(a.contracts, a.months)
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        sys.exit(1)
    for kind, c, value, args in steps:
        p = run(a.book, *args, user="worker%d" % a.worker)
        print(json.dumps({"kind": kind, "c": c, "value": value, "args": args,
                          "rc": p.returncode, "err": p.stderr.strip()}), flush=True)


def race(book, scenario, extra):
    """Starts two workers together; returns the results of both."""
    procs = []
    for w in (0, 1):
        procs.append(subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--worker", str(w), "--book", book,
             "--scenario", scenario, *extra],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True))
    for p in procs:
        if p.stdout.readline().strip() != "ready":
            raise Failure("a worker did not start")
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    results = []
    for w, p in enumerate(procs):
        out, _ = p.communicate()
        if p.returncode != 0:
            raise Failure("worker %d exited %d" % (w, p.returncode))
        results.append([json.loads(l) for l in out.splitlines()])
    return results


def book_checks(book, what):
    p = subprocess.run(["sqlite3", book, "PRAGMA integrity_check"], capture_output=True,
                       text=True)
    if p.stdout.strip() != "ok":
        raise Failure("%s: integrity_check says %s %s" % (what, p.stdout.strip(),
                                                          p.stderr.strip()))
    p = run(book, "check")
    if p.returncode != 0:
        raise Failure("%s: ratable check failed: %s" % (what, "; ".join(
            l for l in p.stdout.splitlines() if not l.startswith("ok"))))


def refused(results, allowed):
    """Fails on any command that failed other than for a reason in `allowed`; returns the number
    of allowed refusals."""
    n = 0
    for w, rs in enumerate(results):
        for r in rs:
            if r["rc"] == 0:
                continue
            if any(a in r["err"] for a in allowed.get(r["kind"], ())):
                n += 1
                continue
            busy = "busy" in r["err"] or "locked" in r["err"]
            raise Failure("worker %d: `ratable %s` %s (exit %d): %s" % (
                w, " ".join(r["args"]), "failed because the book was busy" if busy else "failed",
                r["rc"], r["err"]))
    return n


# ---- the scenarios --------------------------------------------------------------------------


def scenario_edits(root, steps):
    book = os.path.join(root, "edits.ratable")
    must(book, "init", "--company", "Two People Ltd", "--currency", "USD")
    for code in CUSTOMERS:
        must(book, "customer", "add", code, "--name", "Customer " + code)
        must(book, "credit", "grant", code, cents(OPENING), "--date", "2026-01-01", "--reason",
             "opening balance")
    t0 = time.monotonic()
    results = race(book, "edits", ["--steps", str(steps)])
    elapsed = time.monotonic() - t0
    conflicts = refused(results, {"edit": (CONFLICT,)})
    done = [r for rs in results for r in rs if r["rc"] == 0]
    db = sqlite3.connect(book)
    try:
        for c, code in enumerate(CUSTOMERS):
            mine = [r for r in done if r["c"] == c]
            want = OPENING + sum(r["value"] for r in mine if r["kind"] in ("grant", "adjust"))
            have = db.execute("SELECT coalesce(sum(m.amount), 0) FROM credit_movements m JOIN"
                              " credit_grants g ON g.id = m.grant_id JOIN customers c ON c.id ="
                              " g.customer_id WHERE c.code = ?", (code,)).fetchone()[0]
            if have != want:
                raise Failure("edits: %s holds %s of credit; the commands that succeeded add up"
                              " to %s (an update was lost)" % (code, cents(have), cents(want)))
            grants = db.execute("SELECT count(*) FROM credit_grants g JOIN customers c ON c.id ="
                                " g.customer_id WHERE c.code = ?", (code,)).fetchone()[0]
            if grants != 1 + sum(r["kind"] == "grant" for r in mine):
                raise Failure("edits: %s has %d grants, not 1 + the grants that succeeded"
                              % (code, grants))
            edits = [r for r in mine if r["kind"] == "edit"]
            revision, logged = db.execute(
                "SELECT c.revision, (SELECT count(*) FROM change_log l WHERE l.entity ="
                " 'customer' AND l.entity_id = c.id AND l.action = 'customer.edit') FROM"
                " customers c WHERE c.code = ?", (code,)).fetchone()
            after = {v for row in db.execute(
                "SELECT json_extract(l.after, '$.name'), json_extract(l.after, '$.email') FROM"
                " change_log l JOIN customers c ON c.id = l.entity_id WHERE l.entity ="
                " 'customer' AND l.action = 'customer.edit' AND c.code = ?", (code,))
                for v in row}
            if logged != len(edits) or revision != 1 + len(edits):
                raise Failure("edits: %s was saved %d times but has revision %d and %d logged"
                              " edits" % (code, len(edits), revision, logged))
            lost = [r["value"] for r in edits if r["value"] not in after]
            if lost:
                raise Failure("edits: %s lost the saved edits %s" % (code, lost[:3]))
    finally:
        db.close()
    book_checks(book, "edits")
    kinds = {k: sum(r["kind"] == k for r in done) for k in ("edit", "grant", "adjust")}
    print("  edits: 2 x %d commands in %.1f s: %d customer edits, %d grants, %d adjustments"
          " saved; %d edits refused as changed since read; balances and revisions add up"
          % (steps, elapsed, kinds["edit"], kinds["grant"], kinds["adjust"], conflicts))


def scenario_billing(root, contracts, months):
    book = os.path.join(root, "billing.ratable")
    must(book, "init", "--company", "Two People Ltd", "--currency", "USD")
    must(book, "customer", "add", "ACME", "--name", "Acme")
    for k in range(contracts):
        code = "K%03d" % k
        must(book, "contract", "add", code, "--customer", "ACME", "--signed", "2025-12-15",
             "--start", "2026-01-01", "--end", "2026-12-31", "--price", "%d.00" % (1200 + k),
             "--billing", "monthly")
        must(book, "obligation", "add", code, "--name", "Platform", "--pattern", "ratable",
             "--ssp", "%d.00" % (1200 + k), "--ssp-method", "observable")
    must(book, "contract", "activate", "--all", "--date", "2026-01-01")
    t0 = time.monotonic()
    results = race(book, "billing", ["--contracts", str(contracts), "--months", str(months)])
    elapsed = time.monotonic() - t0
    refused(results, {})
    db = sqlite3.connect(book)
    try:
        invoices = db.execute("SELECT count(*) FROM invoices").fetchone()[0]
        twice = db.execute("SELECT count(*) FROM (SELECT l.contract_id, i.issued_on FROM"
                           " invoice_lines l JOIN invoices i ON i.id = l.invoice_id GROUP BY 1, 2"
                           " HAVING count(DISTINCT i.id) > 1)").fetchone()[0]
    finally:
        db.close()
    if invoices != contracts * months or twice:
        raise Failure("billing: %d invoices for %d contracts x %d months (%d instalments billed"
                      " twice)" % (invoices, contracts, months, twice))
    book_checks(book, "billing")
    print("  billing: 2 x %d bill commands in %.1f s: %d invoices, none twice"
          % (contracts * months, elapsed, invoices))


def scenario_settle(root, invoices):
    book = os.path.join(root, "settle.ratable")
    must(book, "init", "--company", "Two People Ltd", "--currency", "USD")
    must(book, "customer", "add", "ACME", "--name", "Acme")
    for i in range(invoices):
        must(book, "invoice", "issue", "ACME", "--date", "2026-03-01", "--number", "S%03d" % i,
             "--line", "Service=100.00")
    t0 = time.monotonic()
    results = race(book, "settle", ["--contracts", str(invoices)])
    elapsed = time.monotonic() - t0
    refused(results, {})
    db = sqlite3.connect(book)
    try:
        over = db.execute("SELECT count(*) FROM invoice_balances WHERE open < 0").fetchone()[0]
        notes, applied = db.execute("SELECT count(*), coalesce(sum(applied), 0) FROM"
                                    " credit_notes").fetchone()
        paid = db.execute("SELECT coalesce(sum(amount), 0) FROM payment_applications"
                          ).fetchone()[0]
        credit = db.execute("SELECT coalesce(sum(amount), 0) FROM credit_movements").fetchone()[0]
        still_open = db.execute("SELECT coalesce(sum(open), 0) FROM invoice_balances"
                                ).fetchone()[0]
    finally:
        db.close()
    documents = sum(r["value"] for rs in results for r in rs if r["rc"] == 0)
    if over:
        raise Failure("settle: %d invoices settled beyond their totals" % over)
    if applied + paid + still_open != invoices * 10000 or documents != applied + paid + credit:
        raise Failure("settle: invoices %s, settled %s + %s, open %s; documents %s, credit %s"
                      % (cents(invoices * 10000), cents(applied), cents(paid),
                         cents(still_open), cents(documents), cents(credit)))
    book_checks(book, "settle")
    print("  settle: 2 x %d credit notes and payments on the same invoices in %.1f s: none"
          " settled beyond its total; %s went to credit" % (invoices, elapsed, cents(credit)))


def scenario_lock(root, past_timeout):
    book = os.path.join(root, "lock.ratable")
    must(book, "init", "--company", "Two People Ltd", "--currency", "USD")
    must(book, "customer", "add", "ACME", "--name", "Acme")
    holds = [1.0] + ([BUSY_TIMEOUT + 1.5] if past_timeout else [])
    for hold in holds:
        db = sqlite3.connect(book, isolation_level=None)
        db.execute("BEGIN IMMEDIATE")
        t0 = time.monotonic()
        p = subprocess.Popen([RATABLE, "-b", book, "credit", "grant", "ACME", "1.00", "--date",
                              "2026-01-01", "--reason", "waits for the lock"], env=ENV,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        while p.poll() is None and time.monotonic() - t0 < hold:
            time.sleep(0.01)
        gave_up = p.poll() is not None
        gave_up_after = time.monotonic() - t0
        db.execute("ROLLBACK")
        db.close()
        out, err = p.communicate()
        waited = time.monotonic() - t0
        if hold < BUSY_TIMEOUT:
            if gave_up or p.returncode != 0:
                raise Failure("lock: with the lock held %.1f s the command %s (exit %d): %s"
                              % (hold, "did not wait" if gave_up else "failed", p.returncode,
                                 err.strip()))
            print("  lock: held %.1f s by another connection: the command waited %.1f s and"
                  " saved" % (hold, waited))
        else:
            want = "ratable: the book is busy"
            if p.returncode != 1 or not err.startswith(want):
                raise Failure("lock: held past the busy timeout, the command exited %d saying"
                              " %r (want exit 1 and %r...)" % (p.returncode, err.strip(), want))
            if not gave_up or gave_up_after < BUSY_TIMEOUT - 0.5:
                raise Failure("lock: the command gave up after %.1f s, not after the %.0f s busy"
                              " timeout" % (gave_up_after, BUSY_TIMEOUT))
            print("  lock: held %.1f s: the command gave up after %.1f s saying %r"
                  % (hold, gave_up_after, err.strip()))
    db = sqlite3.connect(book)
    grants = db.execute("SELECT count(*) FROM credit_grants").fetchone()[0]
    db.close()
    if grants != 1:
        raise Failure("lock: %d grants written, want 1" % grants)
    book_checks(book, "lock")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--smoke", action="store_true", help="the short form for make check")
    ap.add_argument("--steps", type=int, help="commands per worker (long 500, smoke 45)")
    ap.add_argument("--only", choices=("edits", "billing", "settle", "lock"))
    ap.add_argument("--keep", action="store_true", help="keep the scratch directory")
    ap.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--book", help=argparse.SUPPRESS)
    ap.add_argument("--scenario", help=argparse.SUPPRESS)
    ap.add_argument("--contracts", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--months", type=int, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker is not None:
        worker_main(a)
        return
    steps = a.steps or (45 if a.smoke else 500)
    root = tempfile.mkdtemp(prefix="ratable-concurrent-")
    t0 = time.monotonic()
    print("concurrent: two processes on one book (%s form)" % ("smoke" if a.smoke else "long"))
    try:
        if a.only in (None, "edits"):
            scenario_edits(root, steps)
        if a.only in (None, "billing"):
            scenario_billing(root, 6 if a.smoke else 20, 2 if a.smoke else 6)
        if a.only in (None, "settle"):
            scenario_settle(root, 8 if a.smoke else 40)
        if a.only in (None, "lock"):
            scenario_lock(root, past_timeout=not a.smoke)
    except Failure as f:
        print("FAIL concurrent: %s" % f)
        print("concurrent: books kept in %s" % root)
        sys.exit(1)
    if not a.keep:
        shutil.rmtree(root)
    print("concurrent: all passed in %.1f s" % (time.monotonic() - t0))


if __name__ == "__main__":
    main()
