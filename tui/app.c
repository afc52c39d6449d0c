/*
 * app.c — the workstation: the app loop, the screen stack and the status line.
 */
#include <stdio.h>

#include "tui/cli.h"

int workstation_run(struct cli *c);

int workstation_run(struct cli *c)
{
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    fprintf(stderr, "ratable: the workstation is not built yet\n");
    return EXIT_FAIL;
}
