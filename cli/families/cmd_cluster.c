/* cmd_cluster.c - `malgopher cluster`: sort samples into families (the
 * connected components of the pairs whose gimpfuzzy scores reach the
 * threshold) and print them as text, JSON Lines or CSV, optionally with the
 * HTML report. */
#include "families/families.h"
#include "common/options.h"

#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: malgopher cluster [-r] [-q] [-j N] [--measure set|fuzzy] [--threshold T]\n"
    "                         [--json | --csv | --summary] [--labels FILE] [--html FILE]\n"
    "                         [--files-from FILE [-0]] (PATH... | --from HASHES.jsonl)\n"
    "\n"
    "Sort Go executables into families: two samples are linked when their\n"
    "digests score at least T (0-100: gimpset by default, or gimpfuzzy); a\n"
    "family is a connected component of those links.  Every family is printed\n"
    "(largest first) with its name, its size, its most central member (the\n"
    "largest sum of its links' scores) and its members.  A family's name is its\n"
    "members' most common known program (docs/known.md: rclone, ngrok, ...), else\n"
    "their most common main module path (build info), else their most common\n"
    "own-package prefix (host/owner/repo of non-standard packages), else their\n"
    "most common label (--labels), else family-N.\n"
    "\n"
    "  -r, --recursive     descend into directories\n"
    "  -q, --quiet         no line for a file that is not a Go executable\n"
    "  -j, --jobs N        hash with N threads (default: the number of CPUs)\n"
    "  --no-known          names without the known-programs reference (not read)\n"
    HELP_FILES_FROM
    "  --from FILE         read precomputed `malgopher hash --json` lines (- = stdin)\n"
    "                      instead of hashing files\n"
    "  --measure M         set (default): gimpset, the estimated Jaccard similarity\n"
    "                      of the programs' own function-name sets (docs/spec/gimpset.md);\n"
    "                      fuzzy: gimpfuzzy, libfuzzy's fuzzy_compare (the published method)\n"
    "  -t, --threshold T   link pairs scoring >= T (default 35 for set, 66 for fuzzy)\n"
    "  --json              one JSON object per family (\"name\", \"name_from\": known,\n"
    "                      module, packages, labels or none)\n"
    "  --csv               family,size,central,path,label,name rows\n"
    "  --summary           one line per family, no member list\n"
    "  --labels FILE       PATH<TAB>LABEL lines or the corpus MANIFEST.tsv: shows\n"
    "                      each family's labels and colours the report\n"
    "  --html FILE         write a self-contained HTML report (map, table, sweep)\n"
    "\n"
    "Samples whose gimphash keeps no name are families of their own.\n"
    HELP_ESCAPES
    "exit status: 0 every file hashed, 1 some could not be, 2 usage error or wrong\n"
    "input (--from not `hash --json` output, --labels matching no sample).\n";

/* "esbuild:40 fzf:2" style tally of the labels of one family */
static void label_tally(FILE *o, const labels *l, const uint32_t *label_of, const uint32_t *mem, size_t n,
                        uint32_t *count, bool json)
{
    size_t nl = labels_count(l);
    for (size_t k = 0; k < n; k++)
        if (label_of[mem[k]] != UINT32_MAX)
            count[label_of[mem[k]]]++;
    bool first = true;
    if (json)
        fputs(",\"labels\":{", o);
    for (;;) { /* largest count first */
        uint32_t best = UINT32_MAX;
        for (uint32_t id = 0; id < nl; id++)
            if (count[id] && (best == UINT32_MAX || count[id] > count[best]))
                best = id;
        if (best == UINT32_MAX)
            break;
        if (json) {
            fputs(first ? "" : ",", o);
            json_cstr(o, labels_name(l, best));
            fprintf(o, ":%u", count[best]);
        } else
            fprintf(o, "%s%s:%u", first ? "  labels " : " ", labels_name(l, best), count[best]);
        count[best] = 0;
        first = false;
    }
    if (json)
        fputc('}', o);
}

static void print_families(const cli_opts *o, const sampleset *s, const families *f, const labels *l,
                           const uint32_t *label_of, const uint32_t *start, const uint32_t *mem)
{
    uint32_t *count = l ? calloc(labels_count(l) + 1, sizeof *count) : NULL;
    if (o->fmt == OUT_TEXT)
        printf("# %zu samples in %zu families at threshold %d\n", s->n, f->nfam, o->threshold);
    if (o->fmt == OUT_CSV)
        puts("family,size,central,path,label,name");
    for (size_t k = 0; k < f->nfam; k++) {
        const uint32_t *m = mem + start[k];
        size_t n = start[k + 1] - start[k];
        const char *central = s->v[f->central[k]].path, *src;
        char name[256];
        family_name(s, m, n, l, label_of, k, name, sizeof name, &src);
        switch (o->fmt) {
        case OUT_TEXT: { /* paths and labels escaped as text_line does */
            char *buf = NULL;
            size_t len = 0;
            FILE *mem = open_memstream(&buf, &len);
            if (mem) {
                fprintf(mem, "family %zu  %s  size %zu  central %s", k + 1, name, n, central);
                if (count)
                    label_tally(mem, l, label_of, m, n, count, false);
                fclose(mem);
                text_line_n(stdout, buf, len);
                free(buf);
            }
            for (size_t i = 0; !o->summary && i < n; i++)
                text_line(stdout, "  %s", s->v[m[i]].path);
            break;
        }
        case OUT_JSON:
            printf("{\"family\":%zu,\"name\":", k + 1);
            json_cstr(stdout, name);
            printf(",\"name_from\":\"%s\",\"size\":%zu,\"central\":", src, n);
            json_cstr(stdout, central);
            fputs(",\"members\":[", stdout);
            for (size_t i = 0; i < n; i++) {
                fputs(i ? "," : "", stdout);
                json_cstr(stdout, s->v[m[i]].path);
            }
            putchar(']');
            if (count)
                label_tally(stdout, l, label_of, m, n, count, true);
            puts("}");
            break;
        case OUT_CSV:
            for (size_t i = 0; i < n; i++) {
                printf("%zu,%zu,", k + 1, n);
                csv_field(stdout, central);
                putchar(',');
                csv_field(stdout, s->v[m[i]].path);
                putchar(',');
                csv_field(stdout, l && label_of[m[i]] != UINT32_MAX ? labels_name(l, label_of[m[i]]) : "");
                putchar(',');
                csv_field(stdout, name);
                putchar('\n');
            }
            break;
        }
    }
    free(count);
}

/* the families of the samples o names */
static int cluster(const cli_opts *o)
{
    if (!cli_paths_or_from(o))
        return EXIT_USAGE;
    sampleset s = {0};
    size_t failed = 0;
    if (o->from) {
        if (!samples_from_jsonl(&s, o->from)) {
            samples_free(&s);
            return EXIT_USAGE;
        }
    } else
        failed = samples_from_paths(&s, o->args, o->nargs, o->recursive, o->jobs, o->quiet);
    labels *l = o->labels ? labels_load(o->labels) : NULL;
    size_t nlabelled = 0;
    uint32_t *label_of = (o->labels && !l) ? NULL : label_samples(&s, l, &nlabelled);
    graph g;
    families f;
    uint32_t *start = NULL, *mem = NULL;
    score_row *sweep = NULL;
    size_t nsweep = 0;
    int rc = EXIT_SOME_FAILED;
    if (o->labels && (!l || (label_of && s.n && !nlabelled))) { /* wrong input */
        if (l)
            report_error(o->labels, "labels match no sample");
        rc = EXIT_USAGE;
        goto out;
    }
    if (!label_of || !graph_build(&g, &s, o->measure == MEASURE_SET ? SRC_GIMPSET : SRC_GIMPFUZZY, o->jobs, o->html && o->labels ? 5 : o->threshold))
        goto out;
    if (!families_at(&f, &g, o->threshold))
        goto out_graph;
    if (families_members(&f, &start, &mem)) {
        print_families(o, &s, &f, l, label_of, start, mem);
        rc = failed ? EXIT_SOME_FAILED : EXIT_ALL_OK;
        bool ok = true;
        score_row at = {.threshold = o->threshold, .nfam = f.nfam};
        if (o->html && l && nlabelled)
            ok = score_sweep(&g, label_of, 5, 100, 5, &sweep, &nsweep) &&
                 score_grouping(f.family_of, label_of, s.n, &at.m);
        report r = {&s, &g, &f, o->threshold, l, label_of, sweep, nsweep, NULL, 0, NULL, nsweep ? &at : NULL,
                    o->measure == MEASURE_SET ? "gimpset" : "gimpfuzzy", NULL, 0, NULL};
        if (o->html && ok)
            ok = report_html_write(o->html, &r);
        if (!ok)
            rc = EXIT_SOME_FAILED;
    }
    free(start);
    free(mem);
    free(sweep);
    families_free(&f);
out_graph:
    graph_free(&g);
out:
    out_flush(stdout);
    free(label_of);
    labels_free(l);
    samples_free(&s);
    return rc;
}

int cmd_cluster(int argc, char **argv)
{
    return cli_run("cluster", CMD_CLUSTER, help, argc, argv, cluster);
}
