/* labels.c - owns the path -> label table used to colour and score
 * families: a `path<TAB>label` TSV or the corpus MANIFEST (`file` and
 * `family` columns), looked up by the sample's file path or any suffix of it
 * that starts after a '/' (so relative manifest paths match absolute ones). */
#include "families/families.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
    char *key;
    uint32_t label;
} entry;

struct labels {
    entry *e;
    size_t n, cap;
    char **names;
    size_t nnames;
    uint32_t *htab; /* entry index + 1 */
    size_t hmask;
};

static uint64_t str_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return h;
}

static uint32_t intern(labels *l, const char *name)
{
    for (size_t i = 0; i < l->nnames; i++) /* few labels */
        if (!strcmp(l->names[i], name))
            return (uint32_t)i;
    char **v = realloc(l->names, (l->nnames + 1) * sizeof *v);
    if (!v)
        return UINT32_MAX;
    l->names = v;
    if (!(v[l->nnames] = strdup(name)))
        return UINT32_MAX;
    return (uint32_t)l->nnames++;
}

static bool add(labels *l, const char *key, const char *label)
{
    entry *v = grow_array(l->e, l->n, &l->cap, sizeof *v);
    if (!v)
        return false;
    l->e = v;
    while (key[0] == '.' && key[1] == '/')
        key += 2;
    uint32_t id = intern(l, label);
    if (id == UINT32_MAX || !(l->e[l->n].key = strdup(key)))
        return false;
    l->e[l->n++].label = id;
    return true;
}

/* split line (modified) on tabs into at most max fields */
static size_t split(char *line, char **f, size_t max)
{
    size_t n = 0;
    line[strcspn(line, "\r\n")] = 0;
    for (char *p = line; n < max;) {
        f[n++] = p;
        char *t = strchr(p, '\t');
        if (!t)
            break;
        *t = 0;
        p = t + 1;
    }
    return n;
}

labels *labels_load(const char *file)
{
    FILE *in = fopen(file, "r");
    if (!in) {
        report_error(file, strerror(errno));
        return NULL;
    }
    labels *l = calloc(1, sizeof *l);
    char *line = NULL, *f[64];
    size_t cap = 0, lineno = 0;
    int col_file = -1, col_family = -1;
    bool ok = l != NULL;
    while (ok && getline(&line, &cap, in) >= 0) {
        lineno++;
        size_t nf = split(line, f, 64);
        if (lineno == 1)
            for (size_t i = 0; i < nf; i++) {
                if (!strcmp(f[i], "file"))
                    col_file = (int)i;
                if (!strcmp(f[i], "family"))
                    col_family = (int)i;
            }
        if (lineno == 1 && col_file >= 0 && col_family >= 0)
            continue; /* the MANIFEST header */
        if (!f[0][0] || f[0][0] == '#')
            continue;
        if (col_file >= 0 && col_family >= 0) {
            if ((size_t)col_file < nf && (size_t)col_family < nf)
                ok = add(l, f[col_file], f[col_family]);
        } else if (nf >= 2)
            ok = add(l, f[0], f[1]);
        else {
            text_line(stderr, "malgopher: %s:%zu: want PATH<TAB>LABEL", file, lineno);
            ok = false;
        }
    }
    free(line);
    fclose(in);
    size_t hcap = 16;
    while (ok && hcap < 2 * l->n)
        hcap *= 2;
    if (ok && !(l->htab = calloc(hcap, sizeof *l->htab)))
        ok = false;
    if (!ok) {
        if (l)
            labels_free(l);
        else
            report_error(file, mg_status_reason(MG_ERR_NOMEM));
        return NULL;
    }
    l->hmask = hcap - 1;
    for (size_t i = 0; i < l->n; i++) {
        size_t k = str_hash(l->e[i].key, strlen(l->e[i].key)) & l->hmask;
        while (l->htab[k] && strcmp(l->e[l->htab[k] - 1].key, l->e[i].key))
            k = (k + 1) & l->hmask;
        if (!l->htab[k])
            l->htab[k] = (uint32_t)i + 1; /* first entry of a path wins */
    }
    return l;
}

static uint32_t lookup(const labels *l, const char *s, size_t n)
{
    size_t k = str_hash(s, n) & l->hmask;
    for (; l->htab[k]; k = (k + 1) & l->hmask) {
        const entry *e = &l->e[l->htab[k] - 1];
        if (strlen(e->key) == n && !memcmp(e->key, s, n))
            return e->label;
    }
    return UINT32_MAX;
}

uint32_t labels_find(const labels *l, const char *path)
{
    size_t n = strlen(path);
    for (size_t i = 0; i < n; i++)
        if (i == 0 || path[i - 1] == '/') {
            uint32_t id = lookup(l, path + i, n - i);
            if (id != UINT32_MAX)
                return id;
        }
    return UINT32_MAX;
}

size_t labels_count(const labels *l)
{
    return l->nnames;
}

const char *labels_name(const labels *l, uint32_t id)
{
    return id < l->nnames ? l->names[id] : "";
}

void labels_free(labels *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        free(l->e[i].key);
    for (size_t i = 0; i < l->nnames; i++)
        free(l->names[i]);
    free(l->e);
    free(l->names);
    free(l->htab);
    free(l);
}
