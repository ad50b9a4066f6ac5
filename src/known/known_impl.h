/* known_impl.h - the insides of a reference, shared by known_load.c (which
 * fills them) and known_match.c (which reads them). */
#ifndef MG_KNOWN_KNOWN_IMPL_H
#define MG_KNOWN_KNOWN_IMPL_H

#include "known/known.h"

struct mg_known {
    mg_known_rec *recs;
    size_t n, cap;
    char **texts;         /* the files' text, which the records point into */
    size_t ntexts;
    const char **sets;    /* per record: its gimpset or NULL (the index points into them) */
    mg_setindex *set;
    uint32_t *by_sha, *by_gimp; /* records with a sha256 / gimphash, sorted on it */
    size_t nsha, ngimp;
};

#endif
