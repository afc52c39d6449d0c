/*
 * cli_docs.c — commands for customers, credit, invoices and payments.
 *
 * Each parses its arguments, reads amounts in the customer's currency, calls one model
 * operation (one transaction) and prints a one-line result a person can check at a glance.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/credit.h"
#include "model/customer.h"
#include "model/date.h"
#include "model/invoice.h"
#include "model/payment.h"
#include "model/xalloc.h"
#include "reports/render.h"
#include "reports/report.h"
#include "tui/cli.h"

/* Formats an amount with grouping into one of a few rotating buffers, for printf lines. */
static const char *amt(struct money m, int exponent)
{
    static char bufs[6][MONEY_BUF];
    static int next;
    char *b = bufs[next++ % 6];
    return money_format(m, exponent, MONEY_GROUP, b, MONEY_BUF);
}

/* Parses an amount option in the customer's currency, naming the option. */
static int parse_amount(const char *opt, const char *text, int exponent, struct money *out,
                        struct err *e)
{
    if (money_parse(text, exponent, out, e) != ERR_OK) {
        err_prefix(e, "%s '%s'", opt, text);
        return e->code;
    }
    return ERR_OK;
}

static int parse_terms(const char *text, int *out, struct err *e)
{
    char *end;
    long v = strtol(text, &end, 10);
    if (!*text || *end || v < 0 || v > 365)
        return err_set(e, ERR_INPUT, "--terms: '%s' is not a number of days from 0 to 365", text);
    *out = (int)v;
    return ERR_OK;
}

/* ---- customer --------------------------------------------------------------------------- */

int cmd_customer_add(struct cli *c, int argc, char **argv)
{
    static const char usage[] = "customer add CODE --name NAME [--currency CUR] [--email ADDR]"
                                " [--terms DAYS] [--address TEXT]";
    static const struct opt_spec specs[] = {{"name", true, false},    {"currency", true, false},
                                            {"email", true, false},   {"terms", true, false},
                                            {"address", true, false}, {0}};
    struct args a;
    struct err e = {0};
    if (args_parse(argc, argv, specs, &a, &e) != ERR_OK)
        return cli_usage(usage, "%s", e.msg);
    if (a.npos != 1 || !args_has(&a, "name"))
        return cli_usage(usage, "customer add needs a CODE and --name");
    struct customer_input in = {
        .code = a.pos[0],
        .name = args_get(&a, "name"),
        .currency = args_get(&a, "currency"),
        .email = args_get(&a, "email"),
        .address = args_get(&a, "address"),
        .terms_days = -1,
    };
    if (args_has(&a, "terms") && parse_terms(args_get(&a, "terms"), &in.terms_days, &e) != ERR_OK)
        return cli_fail(&e);
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    int64_t id;
    if (customer_add(b, &in, &id, &e) != ERR_OK)
        return cli_fail(&e);
    struct customer cu;
    if (customer_get(b, id, &cu, &e) != ERR_OK)
        return cli_fail(&e);
    fprintf(c->out, "customer %s added: %s (%s, net %d days)\n", cu.code, cu.name, cu.currency,
            cu.terms_days);
    customer_clear(&cu);
    return EXIT_OK;
}

int cmd_customer_edit(struct cli *c, int argc, char **argv)
{
    static const char usage[] = "customer edit CODE [--code NEW] [--name NAME] [--currency CUR]"
                                " [--email ADDR] [--terms DAYS] [--address TEXT]";
    static const struct opt_spec specs[] = {{"code", true, false},
                                            {"name", true, false},
                                            {"currency", true, false},
                                            {"email", true, false},
                                            {"terms", true, false},
                                            {"address", true, false},
                                            {0}};
    struct args a;
    struct err e = {0};
    if (args_parse(argc, argv, specs, &a, &e) != ERR_OK)
        return cli_usage(usage, "%s", e.msg);
    if (a.npos != 1 || a.nopt == 0)
        return cli_usage(usage, "customer edit needs a CODE and something to change");
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    struct customer cu;
    if (customer_find(b, a.pos[0], &cu, &e) != ERR_OK)
        return cli_fail(&e);
    struct customer_input in = {
        .code = args_has(&a, "code") ? args_get(&a, "code") : cu.code,
        .name = args_has(&a, "name") ? args_get(&a, "name") : cu.name,
        .currency = args_has(&a, "currency") ? args_get(&a, "currency") : cu.currency,
        .email = args_has(&a, "email") ? args_get(&a, "email") : cu.email,
        .address = args_has(&a, "address") ? args_get(&a, "address") : cu.address,
        .terms_days = cu.terms_days,
    };
    int rc = EXIT_OK;
    if (args_has(&a, "terms") && parse_terms(args_get(&a, "terms"), &in.terms_days, &e) != ERR_OK)
        rc = cli_fail(&e);
    else if (customer_update(b, cu.id, cu.revision, &in, &e) != ERR_OK)
        rc = cli_fail(&e);
    else
        fprintf(c->out, "customer %s saved\n", in.code);
    customer_clear(&cu);
    return rc;
}

static int set_archived(struct cli *c, int argc, char **argv, bool archived)
{
    if (argc != 1)
        return cli_usage(archived ? "customer archive CODE" : "customer unarchive CODE",
                         "name one customer");
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    struct err e = {0};
    struct customer cu;
    if (customer_find(b, argv[0], &cu, &e) != ERR_OK)
        return cli_fail(&e);
    int rc = EXIT_OK;
    if (customer_set_archived(b, cu.id, cu.revision, archived, &e) != ERR_OK)
        rc = cli_fail(&e);
    else
        fprintf(c->out, "customer %s %s\n", cu.code, archived ? "archived" : "restored");
    customer_clear(&cu);
    return rc;
}

int cmd_customer_archive(struct cli *c, int argc, char **argv)
{
    return set_archived(c, argc, argv, true);
}

int cmd_customer_unarchive(struct cli *c, int argc, char **argv)
{
    return set_archived(c, argc, argv, false);
}

/* The customer list's rows, made one at a time from the loaded list as the renderer asks: the
 * report never holds a table of every customer's cells. */
struct customer_rows {
    struct customer_list list;
    size_t next;
    struct cell cells[6];
};

static int customer_rows_next(struct report_table *t, struct report_row *row)
{
    struct customer_rows *s = t->state;
    if (s->next >= s->list.n)
        return 0;
    const struct customer_row *cr = &s->list.rows[s->next++];
    struct cell *c = s->cells;
    c[0] = (struct cell){.type = CELL_TEXT, .text = cr->code};
    c[1] = (struct cell){.type = cr->name ? CELL_TEXT : CELL_EMPTY, .text = cr->name};
    c[2] = (struct cell){.type = CELL_TEXT, .text = cr->currency};
    c[3] = (struct cell){.type = CELL_MONEY, .v = cr->owed.minor, .exponent = cr->exponent};
    c[4] = (struct cell){.type = CELL_MONEY, .v = cr->credit.minor, .exponent = cr->exponent};
    c[5] = (struct cell){.type = CELL_TEXT, .text = cr->archived ? "archived" : "active"};
    row->style = ROW_DATA;
    row->cells = c;
    return 1;
}

static void customer_rows_rewind(struct report_table *t)
{
    ((struct customer_rows *)t->state)->next = 0;
}

static void customer_rows_free(void *state)
{
    struct customer_rows *s = state;
    if (!s)
        return;
    customer_list_free(&s->list);
    free(s);
}

int cmd_customer_list(struct cli *c, int argc, char **argv)
{
    static const char usage[] =
        "customer list [--filter TEXT] [--sort code|name|owed|credit] [--all] [-o FILE]";
    static const struct opt_spec specs[] = {{"filter", true, false},
                                            {"sort", true, false},
                                            {"all", false, false},
                                            {"output", true, false},
                                            {0}};
    struct args a;
    struct err e = {0};
    if (args_parse(argc, argv, specs, &a, &e) != ERR_OK)
        return cli_usage(usage, "%s", e.msg);
    struct customer_query q = {.filter = args_get(&a, "filter"),
                               .include_archived = args_has(&a, "all")};
    const char *sort = args_get(&a, "sort");
    if (sort) {
        static const char *const sorts[] = {"code", "name", "owed", "credit"};
        int k = -1;
        for (int i = 0; i < 4; i++)
            if (strcmp(sort, sorts[i]) == 0)
                k = i;
        if (k < 0)
            return cli_usage(usage, "--sort: '%s' is not code, name, owed or credit", sort);
        q.sort = (enum customer_sort)k;
        q.descending = k >= 2; /* the largest amounts first */
    }
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    struct customer_rows *l = xcalloc(1, sizeof *l);
    if (customer_list(b, &q, 0, (size_t)-1 >> 1, &l->list, &e) != ERR_OK) {
        free(l);
        return cli_fail(&e);
    }
    static const struct report_col cols[] = {
        {"code", "Code", COL_TEXT, 0},      {"name", "Name", COL_TEXT, 0},
        {"currency", "Cur", COL_TEXT, 0},   {"owed", "Owed", COL_MONEY, 0},
        {"credit", "Credit", COL_MONEY, 0}, {"status", "Status", COL_TEXT, 0},
    };
    struct report *r = report_new("Customers", NULL);
    struct report_table *t = report_add_table(r, "customers", NULL, cols, 6);
    t->freeze_cols = 1;
    t->next = customer_rows_next;
    t->rewind = customer_rows_rewind;
    t->free_state = customer_rows_free;
    t->state = l;
    return cli_emit(c, r, args_get(&a, "output"));
}

/* ---- credit ----------------------------------------------------------------------------- */

int cmd_credit_grant(struct cli *c, int argc, char **argv)
{
    static const char usage[] = "credit grant CODE AMOUNT --date D [--expires D]"
                                " [--kind prepaid|promotional|goodwill|refund] --reason TEXT";
    static const struct opt_spec specs[] = {{"date", true, false},
                                            {"expires", true, false},
                                            {"kind", true, false},
                                            {"reason", true, false},
                                            {0}};
    struct args a;
    struct err e = {0};
    if (args_parse(argc, argv, specs, &a, &e) != ERR_OK)
        return cli_usage(usage, "%s", e.msg);
    if (a.npos != 2 || !args_has(&a, "date") || !args_has(&a, "reason"))
        return cli_usage(usage, "credit grant needs CODE AMOUNT --date and --reason");
    struct grant_input in = {.customer = a.pos[0],
                             .kind = CREDIT_PREPAID,
                             .expires_on = DATE_NONE,
                             .reason = args_get(&a, "reason")};
    if (cli_date("--date", args_get(&a, "date"), &in.granted_on, &e) != ERR_OK ||
        (args_has(&a, "expires") &&
         cli_date("--expires", args_get(&a, "expires"), &in.expires_on, &e) != ERR_OK) ||
        (args_has(&a, "kind") && credit_kind_parse(args_get(&a, "kind"), &in.kind, &e) != ERR_OK))
        return cli_fail(&e);
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    struct customer cu;
    if (customer_find(b, a.pos[0], &cu, &e) != ERR_OK)
        return cli_fail(&e);
    int rc = EXIT_OK;
    int64_t id;
    if (parse_amount("AMOUNT", a.pos[1], cu.exponent, &in.amount, &e) != ERR_OK ||
        credit_grant(b, &in, &id, &e) != ERR_OK) {
        rc = cli_fail(&e);
    } else {
        char exp[DATE_BUF];
        fprintf(c->out, "credit grant %lld: %s %s %s credit to %s%s%s\n", (long long)id,
                amt(in.amount, cu.exponent), cu.currency, credit_kind_name(in.kind), cu.code,
                in.expires_on == DATE_NONE ? "" : ", expires ",
                in.expires_on == DATE_NONE ? "" : date_format(in.expires_on, exp, sizeof exp));
    }
    customer_clear(&cu);
    return rc;
}

int cmd_credit_expire(struct cli *c, int argc, char **argv)
{
    static const char usage[] = "credit expire --as-of D";
    static const struct opt_spec specs[] = {{"as-of", true, false}, {0}};
    struct args a;
    struct err e = {0};
    if (args_parse(argc, argv, specs, &a, &e) != ERR_OK)
        return cli_usage(usage, "%s", e.msg);
    if (a.npos || !args_has(&a, "as-of"))
        return cli_usage(usage, "credit expire needs --as-of");
    int32_t day;
    if (cli_date("--as-of", args_get(&a, "as-of"), &day, &e) != ERR_OK)
        return cli_fail(&e);
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    int n;
    if (credit_expire(b, day, &n, &e) != ERR_OK)
        return cli_fail(&e);
    fprintf(c->out, "%d grant%s expired\n", n, n == 1 ? "" : "s");
    return EXIT_OK;
}

int cmd_credit_refund(struct cli *c, int argc, char **argv)
{
    static const char usage[] = "credit refund CODE AMOUNT --date D --reason TEXT [--grant ID]";
    static const struct opt_spec specs[] = {
        {"date", true, false}, {"reason", true, false}, {"grant", true, false}, {0}};
    struct args a;
    struct err e = {0};
    if (args_parse(argc, argv, specs, &a, &e) != ERR_OK)
        return cli_usage(usage, "%s", e.msg);
    if (a.npos != 2 || !args_has(&a, "date") || !args_has(&a, "reason"))
        return cli_usage(usage, "credit refund needs CODE AMOUNT --date and --reason");
    int32_t day;
    if (cli_date("--date", args_get(&a, "date"), &day, &e) != ERR_OK)
        return cli_fail(&e);
    long long grant = 0;
    if (args_has(&a, "grant")) {
        char *end;
        grant = strtoll(args_get(&a, "grant"), &end, 10);
        if (*end || grant <= 0)
            return cli_usage(usage, "--grant: '%s' is not a grant number", args_get(&a, "grant"));
    }
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    struct customer cu;
    if (customer_find(b, a.pos[0], &cu, &e) != ERR_OK)
        return cli_fail(&e);
    struct money m;
    int rc = EXIT_OK;
    if (parse_amount("AMOUNT", a.pos[1], cu.exponent, &m, &e) != ERR_OK ||
        credit_refund(b, cu.code, m, day, args_get(&a, "reason"), grant, &e) != ERR_OK)
        rc = cli_fail(&e);
    else
        fprintf(c->out, "refunded %s %s of credit to %s\n", amt(m, cu.exponent), cu.currency,
                cu.code);
    customer_clear(&cu);
    return rc;
}

int cmd_credit_adjust(struct cli *c, int argc, char **argv)
{
    static const char usage[] = "credit adjust GRANT AMOUNT --date D --reason TEXT";
    static const struct opt_spec specs[] = {{"date", true, false}, {"reason", true, false}, {0}};
    struct args a;
    struct err e = {0};
    /* A negative AMOUNT ("-50.00") is a positional, not an option. */
    if (args_parse(argc, argv, specs, &a, &e) != ERR_OK)
        return cli_usage(usage, "%s", e.msg);
    if (a.npos != 2 || !args_has(&a, "date") || !args_has(&a, "reason"))
        return cli_usage(usage, "credit adjust needs GRANT AMOUNT --date and --reason");
    char *end;
    long long grant = strtoll(a.pos[0], &end, 10);
    if (*end || grant <= 0)
        return cli_usage(usage, "GRANT: '%s' is not a grant number", a.pos[0]);
    int32_t day;
    if (cli_date("--date", args_get(&a, "date"), &day, &e) != ERR_OK)
        return cli_fail(&e);
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    /* The grant's customer gives the currency of the amount. */
    struct customer cu;
    if (credit_grant_customer(b, grant, &cu, &e) != ERR_OK)
        return cli_fail(&e);
    struct money m;
    int rc = EXIT_OK;
    if (parse_amount("AMOUNT", a.pos[1], cu.exponent, &m, &e) != ERR_OK ||
        credit_adjust(b, grant, m, day, args_get(&a, "reason"), &e) != ERR_OK)
        rc = cli_fail(&e);
    else
        fprintf(c->out, "credit grant %lld of %s adjusted by %s %s\n", grant, cu.code,
                amt(m, cu.exponent), cu.currency);
    customer_clear(&cu);
    return rc;
}

int cmd_credit_apply(struct cli *c, int argc, char **argv)
{
    static const char usage[] = "credit apply CODE --date D";
    static const struct opt_spec specs[] = {{"date", true, false}, {0}};
    struct args a;
    struct err e = {0};
    if (args_parse(argc, argv, specs, &a, &e) != ERR_OK)
        return cli_usage(usage, "%s", e.msg);
    if (a.npos != 1 || !args_has(&a, "date"))
        return cli_usage(usage, "credit apply needs CODE and --date");
    int32_t day;
    if (cli_date("--date", args_get(&a, "date"), &day, &e) != ERR_OK)
        return cli_fail(&e);
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    struct customer cu;
    if (customer_find(b, a.pos[0], &cu, &e) != ERR_OK)
        return cli_fail(&e);
    struct money applied;
    int rc = EXIT_OK;
    if (credit_apply_open(b, cu.code, day, &applied, &e) != ERR_OK)
        rc = cli_fail(&e);
    else
        fprintf(c->out, "applied %s %s of credit to open invoices of %s\n",
                amt(applied, cu.exponent), cu.currency, cu.code);
    customer_clear(&cu);
    return rc;
}

/* ---- invoice ---------------------------------------------------------------------------- */

static void print_issued(struct cli *c, const struct invoice_result *r, const char *customer)
{
    fprintf(c->out,
            "%s issued to %s: total %s %s; credit applied %s (prepaid %s, free %s); due %s\n",
            r->number, customer, amt(r->total, r->exponent), r->currency,
            amt(money_of(r->credit_paid.minor + r->credit_free.minor), r->exponent),
            amt(r->credit_paid, r->exponent), amt(r->credit_free, r->exponent),
            amt(r->due, r->exponent));
}

static int invoice_new(struct cli *c, int argc, char **argv, bool draft)
{
    const char *usage = draft
                            ? "invoice draft CODE --date D [--due D] --line \"DESCRIPTION=AMOUNT\""
                              " [--line ...] [--number N] [--memo TEXT]"
                            : "invoice issue CODE --date D [--due D] --line"
                              " \"DESCRIPTION=AMOUNT\" [--line ...] [--number N] [--memo TEXT]";
    static const struct opt_spec specs[] = {{"date", true, false}, {"due", true, false},
                                            {"line", true, true},  {"number", true, false},
                                            {"memo", true, false}, {0}};
    struct args a;
    struct err e = {0};
    if (args_parse(argc, argv, specs, &a, &e) != ERR_OK)
        return cli_usage(usage, "%s", e.msg);
    if (a.npos != 1)
        return cli_usage(usage, "name one customer");
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    if (!draft && !args_has(&a, "line")) {
        /* `invoice issue NUMBER` issues a draft written earlier. */
        int32_t day = DATE_NONE;
        if (args_has(&a, "date") && cli_date("--date", args_get(&a, "date"), &day, &e) != ERR_OK)
            return cli_fail(&e);
        struct invoice_result r;
        if (invoice_issue_draft(b, a.pos[0], day, &r, &e) != ERR_OK)
            return cli_fail(&e);
        struct invoice_detail d;
        if (invoice_get(b, r.number, &d, &e) != ERR_OK)
            return cli_fail(&e);
        print_issued(c, &r, d.head.customer);
        invoice_detail_free(&d);
        return EXIT_OK;
    }
    if (!args_has(&a, "date") || !args_has(&a, "line"))
        return cli_usage(usage, "an invoice needs --date and at least one --line");
    struct invoice_input in = {.customer = a.pos[0],
                               .number = args_get(&a, "number"),
                               .due_on = DATE_NONE,
                               .memo = args_get(&a, "memo"),
                               .draft = draft};
    if (cli_date("--date", args_get(&a, "date"), &in.issued_on, &e) != ERR_OK ||
        (args_has(&a, "due") && cli_date("--due", args_get(&a, "due"), &in.due_on, &e) != ERR_OK))
        return cli_fail(&e);
    struct customer cu;
    if (customer_find(b, a.pos[0], &cu, &e) != ERR_OK)
        return cli_fail(&e);
    struct invoice_line_input lines[ARGS_MAX] = {{0}};
    char *descs[ARGS_MAX] = {0};
    size_t n = 0;
    int rc = EXIT_OK;
    for (const char *spec; (spec = args_get_nth(&a, "line", (int)n)) != NULL; n++) {
        if (invoice_line_parse(spec, cu.exponent, &descs[n], &lines[n].amount, &e) != ERR_OK) {
            err_prefix(&e, "--line %zu", n + 1);
            rc = cli_fail(&e);
            goto out;
        }
        lines[n].description = descs[n];
    }
    in.lines = lines;
    in.nlines = n;
    struct invoice_result r;
    if (invoice_create(b, &in, &r, &e) != ERR_OK)
        rc = cli_fail(&e);
    else if (draft)
        fprintf(c->out, "%s drafted for %s: total %s %s (not issued)\n", r.number, cu.code,
                amt(r.total, r.exponent), r.currency);
    else
        print_issued(c, &r, cu.code);
out:
    for (size_t i = 0; i < n; i++)
        free(descs[i]);
    customer_clear(&cu);
    return rc;
}

int cmd_invoice_issue(struct cli *c, int argc, char **argv)
{
    return invoice_new(c, argc, argv, false);
}

int cmd_invoice_draft(struct cli *c, int argc, char **argv)
{
    return invoice_new(c, argc, argv, true);
}

int cmd_invoice_credit_note(struct cli *c, int argc, char **argv)
{
    static const char usage[] = "invoice credit-note NUMBER AMOUNT --date D --reason TEXT";
    static const struct opt_spec specs[] = {{"date", true, false}, {"reason", true, false}, {0}};
    struct args a;
    struct err e = {0};
    if (args_parse(argc, argv, specs, &a, &e) != ERR_OK)
        return cli_usage(usage, "%s", e.msg);
    if (a.npos != 2 || !args_has(&a, "date") || !args_has(&a, "reason"))
        return cli_usage(usage, "a credit note needs NUMBER AMOUNT --date and --reason");
    int32_t day;
    if (cli_date("--date", args_get(&a, "date"), &day, &e) != ERR_OK)
        return cli_fail(&e);
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    struct invoice_detail d;
    if (invoice_get(b, a.pos[0], &d, &e) != ERR_OK)
        return cli_fail(&e);
    struct money m;
    struct credit_note_result r;
    int rc = EXIT_OK;
    if (parse_amount("AMOUNT", a.pos[1], d.head.exponent, &m, &e) != ERR_OK ||
        invoice_credit_note(b, d.head.number, m, day, args_get(&a, "reason"), &r, &e) != ERR_OK)
        rc = cli_fail(&e);
    else
        fprintf(c->out, "%s on %s: %s %s; against the invoice %s; to credit %s\n", r.number,
                d.head.number, amt(m, d.head.exponent), d.head.currency,
                amt(r.applied, d.head.exponent), amt(r.to_credit, d.head.exponent));
    invoice_detail_free(&d);
    return rc;
}

int cmd_invoice_list(struct cli *c, int argc, char **argv)
{
    static const char usage[] = "invoice list [--customer CODE] [--open] [--drafts] [-o FILE]";
    static const struct opt_spec specs[] = {{"customer", true, false},
                                            {"open", false, false},
                                            {"drafts", false, false},
                                            {"output", true, false},
                                            {0}};
    struct args a;
    struct err e = {0};
    if (args_parse(argc, argv, specs, &a, &e) != ERR_OK)
        return cli_usage(usage, "%s", e.msg);
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    struct invoice_query q = {.open_only = args_has(&a, "open"),
                              .include_drafts = args_has(&a, "drafts")};
    if (args_has(&a, "customer")) {
        struct customer cu;
        if (customer_find(b, args_get(&a, "customer"), &cu, &e) != ERR_OK)
            return cli_fail(&e);
        q.customer_id = cu.id;
        customer_clear(&cu);
    }
    struct invoice_rows rows = {0};
    if (invoice_list(b, &q, &rows, &e) != ERR_OK)
        return cli_fail(&e);
    static const struct report_col cols[] = {
        {"number", "Invoice", COL_TEXT, 0}, {"customer", "Customer", COL_TEXT, 0},
        {"currency", "Cur", COL_TEXT, 0},   {"issued", "Date", COL_DATE, 0},
        {"due", "Due", COL_DATE, 0},        {"status", "Status", COL_TEXT, 0},
        {"total", "Total", COL_MONEY, 0},   {"credit", "Credit applied", COL_MONEY, 0},
        {"paid", "Paid", COL_MONEY, 0},     {"credited", "Credit notes", COL_MONEY, 0},
        {"open", "Open", COL_MONEY, 0},
    };
    struct report *r = report_new("Invoices", NULL);
    struct report_table *t = report_add_table(r, "invoices", NULL, cols, 11);
    t->freeze_cols = 1;
    for (size_t i = 0; i < rows.n; i++) {
        const struct invoice_row *ir = &rows.v[i];
        struct report_row *row = report_row_add(t, ROW_DATA);
        cell_text(t, row, "number", ir->number);
        cell_text(t, row, "customer", ir->customer);
        cell_text(t, row, "currency", ir->currency);
        cell_date(row, t, "issued", ir->issued_on);
        cell_date(row, t, "due", ir->due_on);
        cell_text(t, row, "status", ir->draft ? "draft" : ir->open.minor ? "open" : "settled");
        cell_money(row, t, "total", ir->total, ir->exponent);
        cell_money(row, t, "credit", ir->credit_applied, ir->exponent);
        cell_money(row, t, "paid", ir->paid, ir->exponent);
        cell_money(row, t, "credited", ir->credited, ir->exponent);
        cell_money(row, t, "open", ir->open, ir->exponent);
    }
    invoice_rows_free(&rows);
    return cli_emit(c, r, args_get(&a, "output"));
}

int cmd_invoice_show(struct cli *c, int argc, char **argv)
{
    if (argc != 1)
        return cli_usage("invoice show NUMBER", "name one invoice");
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    struct err e = {0};
    struct invoice_detail d;
    if (invoice_get(b, argv[0], &d, &e) != ERR_OK)
        return cli_fail(&e);
    const struct invoice_row *h = &d.head;
    char d1[DATE_BUF], d2[DATE_BUF];
    fprintf(c->out, "%s  %s  %s  date %s  due %s  %s\n", h->number, h->customer, h->currency,
            date_format(h->issued_on, d1, sizeof d1), date_format(h->due_on, d2, sizeof d2),
            h->draft ? "draft" : "issued");
    if (d.memo)
        fprintf(c->out, "memo: %s\n", d.memo);
    for (size_t i = 0; i < d.nlines; i++)
        fprintf(c->out, "  %2d  %-50s %16s\n", d.lines[i].line_no, d.lines[i].description,
                amt(d.lines[i].amount, h->exponent));
    fprintf(c->out, "  total %s; credit applied %s; paid %s; credit notes %s; open %s\n",
            amt(h->total, h->exponent), amt(h->credit_applied, h->exponent),
            amt(h->paid, h->exponent), amt(h->credited, h->exponent), amt(h->open, h->exponent));
    invoice_detail_free(&d);
    return EXIT_OK;
}

/* ---- payment ---------------------------------------------------------------------------- */

int cmd_payment_record(struct cli *c, int argc, char **argv)
{
    static const char usage[] = "payment record CODE AMOUNT --date D [--invoice NUMBER |"
                                " --apply-open | --contract CONTRACT] [--reference TEXT]"
                                " [--number N]";
    static const struct opt_spec specs[] = {{"date", true, false},
                                            {"invoice", true, false},
                                            {"reference", true, false},
                                            {"number", true, false},
                                            {"contract", true, false},
                                            {"apply-open", false, false},
                                            {0}};
    struct args a;
    struct err e = {0};
    if (args_parse(argc, argv, specs, &a, &e) != ERR_OK)
        return cli_usage(usage, "%s", e.msg);
    if (a.npos != 2 || !args_has(&a, "date"))
        return cli_usage(usage, "payment record needs CODE AMOUNT and --date");
    struct payment_input in = {.customer = a.pos[0],
                               .invoice = args_get(&a, "invoice"),
                               .reference = args_get(&a, "reference"),
                               .number = args_get(&a, "number"),
                               .contract = args_get(&a, "contract"),
                               .apply_open = args_has(&a, "apply-open")};
    if (cli_date("--date", args_get(&a, "date"), &in.received_on, &e) != ERR_OK)
        return cli_fail(&e);
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    struct customer cu;
    if (customer_find(b, a.pos[0], &cu, &e) != ERR_OK)
        return cli_fail(&e);
    struct payment_result r;
    int rc = EXIT_OK;
    if (parse_amount("AMOUNT", a.pos[1], cu.exponent, &in.amount, &e) != ERR_OK ||
        payment_record(b, &in, &r, &e) != ERR_OK)
        rc = cli_fail(&e);
    else if (r.deposit.minor)
        fprintf(c->out, "%s from %s: %s %s held as a deposit for contract %s (not active yet)\n",
                r.number, cu.code, amt(in.amount, cu.exponent), cu.currency, in.contract);
    else
        fprintf(c->out, "%s from %s: %s %s; applied %s%s%s; to credit balance %s\n", r.number,
                cu.code, amt(in.amount, cu.exponent), cu.currency, amt(r.applied, cu.exponent),
                in.invoice      ? " to "
                : in.apply_open ? " to open invoices"
                                : "",
                in.invoice ? in.invoice : "", amt(r.to_credit, cu.exponent));
    customer_clear(&cu);
    return rc;
}
