#!/usr/bin/python3
"""
crash.py — a book survives ratable being killed at any moment.

For each operation (a large import, a billing run, a recognition run) the starting book is built
once, the operation is run uninterrupted on a copy to learn what it writes ("all") and how long
it takes, and then, on fresh copies, it is started and sent SIGKILL after a random delay drawn
uniformly from [0, that duration]. After every kill:

  * `sqlite3 BOOK 'PRAGMA integrity_check'` prints ok,
  * `ratable -b BOOK check` passes,
  * the book holds either none or all of the operation: every table equals, row count and contents,
    the starting book's ("none") or the uninterrupted run's ("all"), nothing in between.

The sweep then kills deterministically, on small books: an LD_PRELOAD shim (killshim.c) sends SIGKILL just before
the Nth write or sync of the book's files, for N = 1, 2, 3 ... until the operation completes
unkilled, with the same checks after each N; when a kill left nothing written, running the
operation again must give exactly the uninterrupted result.

A SIGKILL loses no write the process had made (the kernel keeps them), so this shows that each
operation is one transaction and that SQLite recovers the book cleanly from any point; losing the
writes not yet synced is a power cut, which synchronous=FULL is for and which is not simulated.

An operation is one function in OPERATIONS that builds its starting book and returns it with the
command line; a month-end close or a memo posting is added the same way.

    crash.py [--smoke] [--seed N] [--kills N] [--only NAME] [--no-random] [--no-sweep] [-v]

Environment: RATABLE (the binary, default ./ratable), RATABLE_KILLSHIM (the shim,
default build/tests/killshim.so), STRESS_SEED (the seed when --seed is not given).
"""
import argparse
import hashlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEFAULT_SEED = 20260522

ENV = dict(os.environ)
ENV.update(RATABLE_NOW="1795348800", RATABLE_TODAY="2026-11-22", RATABLE_USER="stress",
           LC_ALL="C.UTF-8")
for k in ("RATABLE_BOOK", "XDG_DATA_HOME", "LD_PRELOAD", "RATABLE_KILL_AT", "RATABLE_KILL_FILE",
          "RATABLE_KILL_COUNT"):
    ENV.pop(k, None)


class Failure(Exception):
    pass


def binary(var, default):
    path = os.environ.get(var, default)
    return path if os.path.isabs(path) else os.path.join(TOP, path)


RATABLE = binary("RATABLE", "ratable")
SHIM = binary("RATABLE_KILLSHIM", "build/tests/killshim.so")


def ratable(book, *args, check=True):
    p = subprocess.run([RATABLE, "-b", book, *args], env=ENV, capture_output=True, text=True)
    if check and p.returncode != 0:
        raise Failure("ratable %s failed (%d): %s" % (" ".join(args), p.returncode,
                                                      p.stderr.strip()))
    return p


# ---- scales ---------------------------------------------------------------------------------


class Scale:
    def __init__(self, name, customers, credits, contracts, months):
        self.name = name
        self.customers = customers  # rows of the customer import (and customers in other books)
        self.credits = credits  # rows of the credit import
        self.contracts = contracts  # active contracts, billed monthly through 2026
        self.months = months  # the billing and recognition runs go through month `months`


LONG = Scale("long", customers=2000, credits=5000, contracts=1000, months=9)
SMOKE = Scale("smoke", customers=600, credits=1500, contracts=150, months=3)
SWEEP = Scale("sweep", customers=12, credits=20, contracts=3, months=2)


# ---- the starting books ---------------------------------------------------------------------


class Work:
    """A scratch directory; starting books are built once per scale and copied for each run."""

    def __init__(self, root):
        self.root = root
        self.cache = {}

    def path(self, name):
        return os.path.join(self.root, name)

    def csv(self, name, header, rows):
        p = self.path(name)
        with open(p, "w") as f:
            f.write(header + "\n")
            for r in rows:
                f.write(r + "\n")
        return p

    def book(self, key, build):
        """The starting book `key`, built by build(path) the first time."""
        if key not in self.cache:
            p = self.path(key + ".ratable")
            ratable(p, "init", "--company", "Stress Ltd", "--currency", "USD")
            build(p)
            self.cache[key] = p
        return self.cache[key]


def customer_rows(n):
    return ["C%05d,Customer %d,USD,c%d@example.com,30" % (i, i, i) for i in range(n)]


def credit_rows(n, customers):
    return ["C%05d,%d.%02d,2026-01-%02d,prepaid pack %d" % (i % customers, i % 97 + 1, i % 100,
                                                            i % 28 + 1, i)
            for i in range(n)]


def customers_book(w, s):
    def build(p):
        ratable(p, "import", "customers",
                w.csv("customers-%s.csv" % s.name, "code,name,currency,email,terms",
                      customer_rows(s.customers)))
    return w.book("customers-" + s.name, build)


def contracts_book(w, s, billed_months=0):
    """Active contracts, each with one ratable obligation over 2026, billed monthly; billed
    through month `billed_months` when it is not 0."""
    def build(p):
        ratable(p, "import", "customers",
                w.csv("customers-%s.csv" % s.name, "code,name,currency,email,terms",
                      customer_rows(s.customers)))
        n = s.contracts
        ratable(p, "import", "contracts",
                w.csv("contracts-%s.csv" % s.name, "code,customer,start,end,signed,price,billing",
                      ["K%05d,C%05d,2026-01-01,2026-12-31,2025-12-15,%d.%02d,monthly"
                       % (i, i % s.customers, 1200 + i, i % 100) for i in range(n)]))
        ratable(p, "import", "obligations",
                w.csv("obligations-%s.csv" % s.name, "contract,name,pattern,ssp,ssp_method",
                      ["K%05d,Platform,ratable,%d.00,observable" % (i, 1000 + i)
                       for i in range(n)]))
        ratable(p, "contract", "activate", "--all", "--date", "2026-01-01")
        if billed_months:
            ratable(p, "bill", "--all", "--through", month_end(billed_months))
    return w.book("contracts-%s-%d" % (s.name, billed_months), build)


def month_end(m):
    return "2026-%02d-%02d" % (m, [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1])


# ---- the operations -------------------------------------------------------------------------
# Each takes the scratch directory and a scale, and returns (starting book, arguments).


def import_customers(w, s):
    """A large customer import into an empty book."""
    book = w.book("empty-" + s.name, lambda p: None)
    csv = w.csv("import-customers-%s.csv" % s.name, "code,name,currency,email,terms",
                ["N%05d,New customer %d,USD,n%d@example.com,%d" % (i, i, i, i % 60)
                 for i in range(s.customers)])
    return book, ["import", "customers", csv]


def import_credits(w, s):
    """A large credit import for existing customers."""
    book = customers_book(w, s)
    csv = w.csv("import-credits-%s.csv" % s.name, "customer,amount,date,reason",
                credit_rows(s.credits, s.customers))
    return book, ["import", "credits", csv]


def billing_run(w, s):
    """`bill --all` over every active contract: the invoices of `months` months each."""
    return contracts_book(w, s), ["bill", "--all", "--through", month_end(s.months)]


def recognition_run(w, s):
    """`recognize` over every active contract, on a book already billed."""
    return contracts_book(w, s, billed_months=1), ["recognize", "--through", "2026-%02d" % s.months]


def month_end_close(w, s):
    """`close 2026-01` on a billed book: expiry, recognition, every check, the lock, in one
    transaction. (The backup before it writes another file under a temporary name and renames
    it once verified; it is left out so that two uninterrupted runs write the same book.)"""
    return contracts_book(w, s, billed_months=1), ["close", "2026-01", "--no-backup"]


def memo_posting(w, s):
    """`memo post` of an approved seat expansion on one contract (a new obligation, a segment,
    re-planned schedules), on a billed book."""
    base = contracts_book(w, s, billed_months=1)

    def build(p):
        copy_book(base, p)
        ratable(p, "memo", "new", "K00001", "--effective", "2026-07-01", "--type",
                "seat_expansion", "--description", "More seats", "--add", "More seats",
                "--ssp", "600.00", "--consideration", "450.00")
        ratable(p, "memo", "approve", "MOD-000001", "--by", "Approver")
    return w.book("memo-" + s.name, build), ["memo", "post", "MOD-000001"]


OPERATIONS = [import_customers, import_credits, billing_run, recognition_run, month_end_close,
              memo_posting]
SWEPT_IN_SMOKE = [import_credits, billing_run]  # the long form sweeps every operation
# The short form kills at random in these; the long form in every operation.
KILLED_IN_SMOKE = [import_customers, import_credits, billing_run, recognition_run, memo_posting]


def op_name(op):
    return op.__name__.replace("_", "-")


# ---- the checks -----------------------------------------------------------------------------


def census(book):
    """Every table of the book: its row count and a digest of its rows. The runs are
    deterministic (pinned clock and user), so equal digests mean equal contents."""
    db = sqlite3.connect(book)
    try:
        tables = [r[0] for r in db.execute(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name")]
        out = {}
        for t in tables:
            h = hashlib.sha256()
            n = 0
            for row in db.execute('SELECT * FROM "%s" ORDER BY 1' % t):
                h.update(repr(row).encode())
                n += 1
            out[t] = (n, h.hexdigest()[:16])
        return out
    finally:
        db.close()


def difference(a, b):
    """The tables that differ, as `table now/then`, with `(rows differ)` when only the contents
    do."""
    out = []
    for t in sorted(set(a) | set(b)):
        x, y = a.get(t, (0, "")), b.get(t, (0, ""))
        if x == y:
            continue
        out.append("%s %d/%d" % (t, x[0], y[0]) if x[0] != y[0] else "%s (rows differ)" % t)
    return ", ".join(out)


def verify(book, none, full, what):
    """Checks a book after a kill; returns 'none' or 'all'."""
    p = subprocess.run(["sqlite3", book, "PRAGMA integrity_check"], capture_output=True,
                       text=True)
    if p.returncode != 0 or p.stdout.strip() != "ok":
        raise Failure("%s: integrity_check says: %s %s" % (what, p.stdout.strip()[:300],
                                                            p.stderr.strip()))
    p = ratable(book, "check", check=False)
    if p.returncode != 0:
        failed = [l for l in p.stdout.splitlines() if not l.startswith("ok")]
        raise Failure("%s: ratable check failed: %s %s" % (what, "; ".join(failed)[:600],
                                                           p.stderr.strip()))
    now = census(book)
    if now == none:
        return "none"
    if now == full:
        return "all"
    raise Failure("%s: the book holds part of the operation (table now/all: %s; now/none: %s)"
                  % (what, difference(now, full), difference(now, none)))


def copy_book(src, dst):
    for suffix in ("-wal", "-shm"):
        if os.path.exists(dst + suffix):
            os.remove(dst + suffix)
    shutil.copyfile(src, dst)
    for suffix in ("-wal", "-shm"):
        if os.path.exists(src + suffix):
            shutil.copyfile(src + suffix, dst + suffix)


class Prepared:
    """An operation with its starting book, its census before and after, and its duration."""

    def __init__(self, w, op, scale):
        self.name = op_name(op)
        self.base, self.args = op(w, scale)
        self.scratch = w.path("run-%s-%s.ratable" % (self.name, scale.name))
        self.none = census(self.base)
        # Two uninterrupted runs: they must write the same (the census compares contents), and
        # the shorter, with warm caches, is the duration the kills are drawn from.
        runs = []
        for k in range(2):
            full = w.path("full-%s-%s-%d.ratable" % (self.name, scale.name, k))
            copy_book(self.base, full)
            t0 = time.monotonic()
            p = subprocess.run([RATABLE, "-b", full, *self.args], env=ENV, capture_output=True,
                               text=True)
            elapsed = time.monotonic() - t0
            if p.returncode != 0:
                raise Failure("%s: the uninterrupted run failed: %s" % (self.name,
                                                                        p.stderr.strip()))
            runs.append((elapsed, census(full)))
            os.remove(full)
        self.duration = min(r[0] for r in runs)
        self.full = runs[0][1]
        if runs[1][1] != self.full:
            raise Failure("%s: two uninterrupted runs wrote different books (%s)" % (
                self.name, difference(runs[1][1], self.full)))
        if self.full == self.none:
            raise Failure("%s: the uninterrupted run wrote nothing" % self.name)
        self.headline = difference(self.full, self.none)

    def fresh(self):
        copy_book(self.base, self.scratch)
        return self.scratch

    def command(self, book):
        return [RATABLE, "-b", book, *self.args]


# ---- random kills ---------------------------------------------------------------------------


def random_kills(w, ops, scale, kills, seed, verbose):
    rng = random.Random(seed)
    prepared = [Prepared(w, op, scale) for op in ops]
    for p in prepared:
        print("  %-18s %.3f s uninterrupted; all = none + (%s)" % (p.name, p.duration,
                                                                    short(p.headline)))
    stats = {p.name: {"none": 0, "all": 0, "finished": 0} for p in prepared}
    for i in range(kills):
        p = prepared[i % len(prepared)]
        delay = rng.uniform(0, p.duration)
        book = p.fresh()
        proc = subprocess.Popen(p.command(book), env=ENV, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        time.sleep(delay)
        finished = proc.poll() is not None
        if not finished:
            proc.send_signal(signal.SIGKILL)
        _, err = proc.communicate()
        what = "%s killed after %.4f s (kill %d)" % (p.name, delay, i + 1)
        if proc.returncode not in (0, -signal.SIGKILL):
            raise Failure("%s: exited %d: %s" % (what, proc.returncode, err.decode().strip()))
        state = verify(book, p.none, p.full, what)
        if proc.returncode == 0 and state != "all":
            raise Failure("%s: it finished but the book does not hold it all" % what)
        stats[p.name]["finished" if proc.returncode == 0 else state] += 1
        if verbose:
            print("    %s: %s" % (what, "finished" if proc.returncode == 0 else state))
    for name, s in stats.items():
        print("  %-18s %3d kills: %3d left nothing, %3d left everything, %d came after it had"
              " finished" % (name, s["none"] + s["all"] + s["finished"], s["none"], s["all"],
                             s["finished"]))
    return sum(s["none"] + s["all"] + s["finished"] for s in stats.values())


def short(text, n=110):
    return text if len(text) <= n else text[:n] + "..."


# ---- the deterministic sweep ----------------------------------------------------------------


def sweep(w, op, scale, verbose):
    p = Prepared(w, op, scale)
    env = dict(ENV, LD_PRELOAD=SHIM)
    counted = w.path("count")
    book = p.fresh()
    env_count = dict(env, RATABLE_KILL_FILE=os.path.realpath(book), RATABLE_KILL_COUNT=counted)
    if subprocess.run(p.command(book), env=env_count, capture_output=True).returncode != 0:
        raise Failure("%s: the run under the shim failed" % p.name)
    with open(counted) as f:
        total = int(f.read())
    states = {"none": 0, "all": 0}
    n = 0
    while True:
        n += 1
        if n > total + 1:
            raise Failure("%s: still killed at write %d of %d" % (p.name, n, total))
        book = p.fresh()
        e = dict(env, RATABLE_KILL_AT=str(n), RATABLE_KILL_FILE=os.path.realpath(book))
        proc = subprocess.run(p.command(book), env=e, capture_output=True, text=True)
        what = "%s killed before write %d of %d" % (p.name, n, total)
        if proc.returncode == 0:
            if verify(book, p.none, p.full, "%s completing at write %d" % (p.name, n)) != "all":
                raise Failure("%s: completed but the book does not hold it all" % p.name)
            break
        if proc.returncode != -signal.SIGKILL:
            raise Failure("%s: exited %d: %s" % (what, proc.returncode, proc.stderr.strip()))
        state = verify(book, p.none, p.full, what)
        states[state] += 1
        if state == "none":
            # Nothing was written: the operation runs again on the recovered book as if new.
            again = subprocess.run(p.command(book), env=ENV, capture_output=True, text=True)
            if again.returncode != 0 or census(book) != p.full:
                raise Failure("%s: running it again after the kill %s" % (
                    what, "failed: " + again.stderr.strip() if again.returncode else
                    "did not give the uninterrupted result"))
        if verbose:
            print("    %s: %s" % (what, state))
    print("  %-18s %d writes and syncs of the book: killed before each, %d left nothing,"
          " %d left everything; completed at write %d" % (p.name, total, states["none"],
                                                           states["all"], n))
    return n - 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--smoke", action="store_true", help="the short form for make check")
    ap.add_argument("--seed", type=int,
                    default=int(os.environ.get("STRESS_SEED", DEFAULT_SEED)))
    ap.add_argument("--kills", type=int, help="random kills (long 240, smoke 10)")
    ap.add_argument("--only", help="run only this operation (e.g. billing-run)")
    ap.add_argument("--no-random", action="store_true")
    ap.add_argument("--no-sweep", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the scratch directory")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    scale = SMOKE if a.smoke else LONG
    kills = a.kills if a.kills is not None else (10 if a.smoke else 240)
    ops = [op for op in (KILLED_IN_SMOKE if a.smoke and not a.only else OPERATIONS)
           if not a.only or op_name(op) == a.only]
    swept = [op for op in (SWEPT_IN_SMOKE if a.smoke else OPERATIONS)
             if not a.only or op_name(op) == a.only]
    if not ops:
        sys.exit("crash.py: no operation named %s" % a.only)
    root = tempfile.mkdtemp(prefix="ratable-crash-")
    t0 = time.monotonic()
    try:
        w = Work(root)
        if not a.no_random and kills:
            print("crash: %d random kills over %d operations (%s scale), seed %d"
                  % (kills, len(ops), scale.name, a.seed))
            random_kills(w, ops, scale, kills, a.seed, a.verbose)
        if not a.no_sweep and swept:
            if not os.path.exists(SHIM):
                raise Failure("no kill shim at %s (make %s)" % (SHIM, os.path.relpath(SHIM, TOP)))
            print("crash: sweep, killed before the Nth write of the book for N = 1, 2, ...")
            for op in swept:
                sweep(w, op, SWEEP, a.verbose)
    except Failure as f:
        print("FAIL crash: %s" % f)
        print("crash: seed %d; scratch books kept in %s" % (a.seed, root))
        sys.exit(1)
    if not a.keep:
        shutil.rmtree(root)
    print("crash: all passed in %.1f s (seed %d)" % (time.monotonic() - t0, a.seed))


if __name__ == "__main__":
    main()
