/* error.h - filling an mg_error with a status and a one-line reason. */
#ifndef MG_UTIL_ERROR_H
#define MG_UTIL_ERROR_H

#include "malgopher.h"

/* Set *err (may be NULL) and return code.  The message is printf-style. */
mg_status mg_fail(mg_error *err, mg_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
