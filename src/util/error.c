/* error.c - mg_error filling and the stable reason vocabulary. */
#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>

mg_status mg_fail(mg_error *err, mg_status code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

const char *mg_status_reason(mg_status s)
{
    switch (s) {
    case MG_OK: return "ok";
    case MG_ERR_IO: return "cannot read file";
    case MG_ERR_NOMEM: return "out of memory";
    case MG_ERR_EMPTY: return "empty file";
    case MG_ERR_MALFORMED: return "malformed container";
    case MG_ERR_UNSUPPORTED: return "unsupported container";
    case MG_ERR_NOT_GO: return "not a Go executable";
    case MG_ERR_ARG: return "bad argument";
    case MG_ERR_TOO_COSTLY: return "too costly";
    }
    return "unknown error";
}
