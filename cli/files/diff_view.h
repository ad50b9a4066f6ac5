/* diff_view.h - what `malgopher diff` shares between its command
 * (cmd_diff.c), its text view (diff_text.c) and its JSON (diff_json.c). */
#ifndef MG_CLI_DIFF_VIEW_H
#define MG_CLI_DIFF_VIEW_H

#include "common/cli.h"

typedef struct diff_side {
    const char *path;   /* as given */
    const mg_image *im;
    char own[256];      /* the program's own prefix (mg_image_own_prefix), "" when unknown */
    size_t nown;
    bool inferred;      /* own was inferred: no main module in the build info */
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
/* diff_text.c: a package's group: the program's own (main, or under either
 * side's own prefix), another module's, the standard library's */
enum { CLASS_MAIN, CLASS_OTHER, CLASS_STD };
int diff_class_of(const mg_name *pkg, const diff_result *r);
/* diff_summary.c: --summary, at most 60 lines: identities, counts, and the
 * first dependency and package changes */
void diff_print_summary(FILE *o, const diff_result *r);

#endif
