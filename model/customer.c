/*
 * customer.c — the rules a customer's fields must follow.
 */
#include "model/customer.h"

#include <stdlib.h>
#include <string.h>

#include "model/text.h"

void customer_clear(struct customer *c)
{
    free(c->name);
    free(c->email);
    free(c->address);
    memset(c, 0, sizeof *c);
}

static int bad(enum customer_field *out, enum customer_field f, struct err *e, const char *msg)
{
    *out = f;
    return err_set(e, ERR_INPUT, "%s", msg);
}

int customer_validate(const struct customer_input *in, enum customer_field *field, struct err *e)
{
    *field = CUSTOMER_FIELD_NONE;
    if (!code_valid(in->code, CODE_MAX))
        return bad(field, CUSTOMER_FIELD_CODE, e,
                   "code: use 1 to 32 letters, digits, '.', '_' or '-' (e.g. ACME)");
    if (text_blank(in->name))
        return bad(field, CUSTOMER_FIELD_NAME, e, "name: is empty");
    if (!utf8_valid(in->name, strlen(in->name)))
        return bad(field, CUSTOMER_FIELD_NAME, e, "name: is not valid UTF-8");
    if (text_has_control(in->name, false))
        return bad(field, CUSTOMER_FIELD_NAME, e, "name: contains a control character");
    if (utf16_length(in->name) > TEXT_CELL_MAX)
        return bad(field, CUSTOMER_FIELD_NAME, e, "name: is longer than 32,767 characters");
    if (in->currency) {
        const char *c = in->currency;
        if (strlen(c) != 3 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' || c[2] < 'A' ||
            c[2] > 'Z')
            return bad(field, CUSTOMER_FIELD_CURRENCY, e,
                       "currency: use a three-letter ISO 4217 code such as USD");
    }
    if (in->email && *in->email) {
        const char *at = strchr(in->email, '@');
        if (!at || at == in->email || !at[1] || strchr(at + 1, '@') ||
            strpbrk(in->email, " \t,;<>") || !utf8_valid(in->email, strlen(in->email)) ||
            text_has_control(in->email, false))
            return bad(field, CUSTOMER_FIELD_EMAIL, e,
                       "email: is not an address such as billing@example.com");
    }
    if (in->terms_days != -1 && (in->terms_days < 0 || in->terms_days > 365))
        return bad(field, CUSTOMER_FIELD_TERMS, e, "terms: use 0 to 365 days");
    if (in->address && *in->address &&
        (!utf8_valid(in->address, strlen(in->address)) || text_has_control(in->address, true)))
        return bad(field, CUSTOMER_FIELD_ADDRESS, e,
                   "address: contains a control character or invalid UTF-8");
    if (in->address && utf16_length(in->address) > TEXT_CELL_MAX)
        return bad(field, CUSTOMER_FIELD_ADDRESS, e, "address: is longer than 32,767 characters");
    return ERR_OK;
}
