/* diff_view.h - what `malgopher diff` shares between its command
 * (cmd_diff.c), its text view (diff_text.c) and its JSON (diff_json.c). */
#ifndef MG_CLI_DIFF_VIEW_H
#define MG_CLI_DIFF_VIEW_H

#include "common/cli.h"

typedef struct diff_side {
    const char *path;   /* as given */
    const mg_image *im;
} diff_side;

typedef struct diff_result {
    diff_side a, b;
    mg_diff d;
    int fuzzy;          /* gimpfuzzy score 0-100, -1 when not computable */
    int set;            /* gimpset score 0-100 (mg_gimpset_compare), -1 when not computable */
    bool same_hash;
} diff_result;

/* true when anything differs (the exit status 1 of diff(1)) */
bool diff_differs(const diff_result *r);
/* all: list the standard library's packages too (else one summary line) */
void diff_print_text(FILE *o, const diff_result *r, bool all);
void diff_print_json(FILE *o, const diff_result *r);

#endif
