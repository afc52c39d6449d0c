/*
 * stamp.c — the header block every report carries: company, book, when and by whom it was
 * generated, and the program version.
 */
#include "reports/reports.h"

#include <string.h>

int report_stamp(struct report *r, struct book *b, struct err *e)
{
    struct book_settings s;
    if (book_settings_get(b, &s, e) != ERR_OK)
        return e->code;
    char at[32];
    report_header(r, "Company", s.company);
    report_header(r, "Book", book_path(b));
    report_header(r, "Generated", book_timestamp(b, at, sizeof at));
    report_header(r, "By", book_user(b));
    report_header(r, "Program", "ratable " RATABLE_VERSION);
    return ERR_OK;
}
