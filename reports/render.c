/*
 * render.c — choosing a renderer by file extension and writing files safely: to a temporary
 * file in the target's directory, mode 0600, flushed to disk, then renamed into place. An
 * interrupted or failed export never leaves a partial file, and never touches an existing one.
 */
#include "reports/render.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/xalloc.h"

int render_format_of(const char *path, enum render_format *out, struct err *e)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (dot && (!slash || dot > slash)) {
        if (strcasecmp(dot, ".xlsx") == 0) {
            *out = RENDER_XLSX;
            return ERR_OK;
        }
        if (strcasecmp(dot, ".csv") == 0) {
            *out = RENDER_CSV;
            return ERR_OK;
        }
        if (strcasecmp(dot, ".txt") == 0) {
            *out = RENDER_TEXT;
            return ERR_OK;
        }
    }
    return err_set(e, ERR_INPUT, "%s: name the file .xlsx, .csv or .txt", path);
}

/* A temporary name beside path; the caller frees it and removes the file. */
static char *temp_beside(const char *path, int *fd, struct err *e)
{
    const char *slash = strrchr(path, '/');
    char *tmpl;
    if (slash)
        tmpl = xasprintf("%.*s/.%s.XXXXXX", (int)(slash - path), path, slash + 1);
    else
        tmpl = xasprintf(".%s.XXXXXX", path);
    *fd = mkstemp(tmpl);
    if (*fd < 0) {
        err_set(e, ERR_IO, "cannot write beside %s: %s", path, strerror(errno));
        free(tmpl);
        return NULL;
    }
    fchmod(*fd, 0600);
    return tmpl;
}

/* The temporary file being written, for render_abandon (a signal handler). */
static char *volatile in_flight;

void render_abandon(void)
{
    char *p = in_flight;
    if (p)
        unlink(p); /* async-signal-safe */
}

int render_file(struct report *const *reports, int n, const char *path, struct err *e)
{
    struct report_source src = report_source_of(reports, n);
    return render_file_from(&src, path, e);
}

int render_text(struct report *const *reports, int n, FILE *out, int width, struct err *e)
{
    struct report_source src = report_source_of(reports, n);
    return render_text_from(&src, out, width, e);
}

int render_csv(struct report *const *reports, int n, FILE *out, struct err *e)
{
    struct report_source src = report_source_of(reports, n);
    return render_csv_from(&src, out, e);
}

int render_xlsx(struct report *const *reports, int n, const char *path, struct err *e)
{
    struct report_source src = report_source_of(reports, n);
    return render_xlsx_from(&src, path, e);
}

int render_file_from(struct report_source *src, const char *path, struct err *e)
{
    enum render_format fmt;
    if (render_format_of(path, &fmt, e) != ERR_OK)
        return e->code;
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return err_set(e, ERR_IO, "%s is a directory", path);
    int fd;
    char *tmp = temp_beside(path, &fd, e);
    if (!tmp)
        return e->code;
    in_flight = tmp;
    int rc;
    if (fmt == RENDER_XLSX) {
        close(fd);
        rc = render_xlsx_from(src, tmp, e);
        if (rc == ERR_OK) {
            int sync = open(tmp, O_RDONLY);
            if (sync >= 0) {
                fsync(sync);
                close(sync);
            }
        }
    } else {
        FILE *f = fdopen(fd, "w");
        if (!f) {
            close(fd);
            rc = err_set(e, ERR_IO, "cannot write %s: %s", path, strerror(errno));
        } else {
            /* Large blocks: an export of millions of cells makes few write calls. */
            setvbuf(f, NULL, _IOFBF, 1 << 16);
            rc = fmt == RENDER_CSV ? render_csv_from(src, f, e) : render_text_from(src, f, 0, e);
            if (fflush(f) != 0 || fsync(fileno(f)) != 0)
                rc = rc ? rc : err_set(e, ERR_IO, "cannot write %s: %s", path, strerror(errno));
            if (fclose(f) != 0 && rc == ERR_OK)
                rc = err_set(e, ERR_IO, "cannot write %s: %s", path, strerror(errno));
        }
    }
    if (rc == ERR_OK && report_failure()) {
        *e = *report_failure();
        rc = e->code;
    } else if (rc == ERR_OK && report_cancelled()) {
        rc = err_set(e, ERR_CANCELLED, "the export was cancelled; %s was not written", path);
    }
    if (rc == ERR_OK && rename(tmp, path) != 0)
        rc = err_set(e, ERR_IO, "cannot write %s: %s", path, strerror(errno));
    if (rc != ERR_OK)
        unlink(tmp);
    in_flight = NULL;
    free(tmp);
    return rc;
}
