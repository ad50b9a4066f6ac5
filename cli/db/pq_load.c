/* pq_load.c - owns loading libpq at first use.  The CLI does not link
 * libpq: loading it and the ~20 libraries it needs (Kerberos, LDAP, GnuTLS,
 * ...) cost every run of every command about 11 ms and 260 page faults, a
 * tenth of `hash` over the whole corpus, and only `db` on PostgreSQL uses
 * it.  Each PQ function the db backends call is defined here with libpq's
 * own prototype (from libpq-fe.h) and forwards to libpq.so.5's, looked up
 * once, on the first call.  Without libpq.so.5 (where a linked binary would
 * not start at all) the first call ends the run with one line naming it.
 * A PQ function used in cli/db and missing here is a link error. */
#include <dlfcn.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define PQ_FUNCS(X)                                                                                   \
    X(PQclear) X(PQconnectdbParams) X(PQconninfoFree) X(PQconninfoParse) X(PQdb) X(PQerrorMessage)   \
    X(PQenterPipelineMode) X(PQexitPipelineMode) X(PQpipelineSync)                                    \
    X(PQescapeIdentifier) X(PQescapeLiteral) X(PQexec) X(PQfinish) X(PQfreemem) X(PQftype) X(PQgetlength) X(PQgetResult) X(PQgetisnull) X(PQgetvalue) \
    X(PQhost) X(PQnfields) X(PQntuples) X(PQpingParams) X(PQport) X(PQprepare) X(PQputCopyData) X(PQputCopyEnd)     \
    X(PQresultErrorField) X(PQresultErrorMessage) X(PQresultStatus) X(PQsendQueryParams)              \
    X(PQsendQueryPrepared) X(PQserverVersion) X(PQsetNoticeProcessor) X(PQsetSingleRowMode)         \
    X(PQstatus) X(PQuser)

/* one pointer per function, typed from libpq's declaration */
#define PQ_SLOT(f) __typeof__(&f) f;
static struct {
    PQ_FUNCS(PQ_SLOT)
} pq;
#undef PQ_SLOT

static void pq_fail(const char *what)
{
    fprintf(stderr, "malgopher: PostgreSQL: cannot load the client library libpq.so.5: %s\n", what);
    exit(1);
}

/* every slot filled or the run ends: a call never reaches a NULL pointer */
static void pq_load_once(void)
{
    void *h = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (!h)
        pq_fail(dlerror());
#define PQ_SYM(f)                                                                                     \
    {                                                                                                 \
        void *s = dlsym(h, #f);                                                                       \
        if (!s)                                                                                       \
            pq_fail("no " #f);                                                                        \
        *(void **)&pq.f = s;                                                                          \
    }
    PQ_FUNCS(PQ_SYM)
#undef PQ_SYM
}

static void pq_load(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    (void)pthread_once(&once, pq_load_once);
}

void PQclear(PGresult *res)
{
    pq_load();
    pq.PQclear(res);
}
PGconn *PQconnectdbParams(const char *const *keywords, const char *const *values, int expand_dbname)
{
    pq_load();
    return pq.PQconnectdbParams(keywords, values, expand_dbname);
}
void PQconninfoFree(PQconninfoOption *connOptions)
{
    pq_load();
    pq.PQconninfoFree(connOptions);
}
PQconninfoOption *PQconninfoParse(const char *conninfo, char **errmsg)
{
    pq_load();
    return pq.PQconninfoParse(conninfo, errmsg);
}
char *PQdb(const PGconn *conn)
{
    pq_load();
    return pq.PQdb(conn);
}
char *PQerrorMessage(const PGconn *conn)
{
    pq_load();
    return pq.PQerrorMessage(conn);
}
char *PQescapeIdentifier(PGconn *conn, const char *str, size_t len)
{
    pq_load();
    return pq.PQescapeIdentifier(conn, str, len);
}
char *PQescapeLiteral(PGconn *conn, const char *str, size_t len)
{
    pq_load();
    return pq.PQescapeLiteral(conn, str, len);
}
PGresult *PQexec(PGconn *conn, const char *query)
{
    pq_load();
    return pq.PQexec(conn, query);
}
void PQfinish(PGconn *conn)
{
    pq_load();
    pq.PQfinish(conn);
}
void PQfreemem(void *ptr)
{
    pq_load();
    pq.PQfreemem(ptr);
}
PGresult *PQgetResult(PGconn *conn)
{
    pq_load();
    return pq.PQgetResult(conn);
}
Oid PQftype(const PGresult *res, int field_num)
{
    pq_load();
    return pq.PQftype(res, field_num);
}
int PQgetlength(const PGresult *res, int tup_num, int field_num)
{
    pq_load();
    return pq.PQgetlength(res, tup_num, field_num);
}
int PQgetisnull(const PGresult *res, int tup_num, int field_num)
{
    pq_load();
    return pq.PQgetisnull(res, tup_num, field_num);
}
char *PQgetvalue(const PGresult *res, int tup_num, int field_num)
{
    pq_load();
    return pq.PQgetvalue(res, tup_num, field_num);
}
char *PQhost(const PGconn *conn)
{
    pq_load();
    return pq.PQhost(conn);
}
int PQnfields(const PGresult *res)
{
    pq_load();
    return pq.PQnfields(res);
}
PGPing PQpingParams(const char *const *keywords, const char *const *values, int expand_dbname)
{
    pq_load();
    return pq.PQpingParams(keywords, values, expand_dbname);
}
char *PQport(const PGconn *conn)
{
    pq_load();
    return pq.PQport(conn);
}
PGresult *PQprepare(PGconn *conn, const char *stmtName, const char *query, int nParams,
                    const Oid *paramTypes)
{
    pq_load();
    return pq.PQprepare(conn, stmtName, query, nParams, paramTypes);
}
int PQenterPipelineMode(PGconn *conn)
{
    pq_load();
    return pq.PQenterPipelineMode(conn);
}
int PQexitPipelineMode(PGconn *conn)
{
    pq_load();
    return pq.PQexitPipelineMode(conn);
}
int PQpipelineSync(PGconn *conn)
{
    pq_load();
    return pq.PQpipelineSync(conn);
}
int PQntuples(const PGresult *res)
{
    pq_load();
    return pq.PQntuples(res);
}
int PQputCopyData(PGconn *conn, const char *buffer, int nbytes)
{
    pq_load();
    return pq.PQputCopyData(conn, buffer, nbytes);
}
int PQputCopyEnd(PGconn *conn, const char *errormsg)
{
    pq_load();
    return pq.PQputCopyEnd(conn, errormsg);
}
char *PQresultErrorField(const PGresult *res, int fieldcode)
{
    pq_load();
    return pq.PQresultErrorField(res, fieldcode);
}
char *PQresultErrorMessage(const PGresult *res)
{
    pq_load();
    return pq.PQresultErrorMessage(res);
}
ExecStatusType PQresultStatus(const PGresult *res)
{
    pq_load();
    return pq.PQresultStatus(res);
}
int PQsendQueryParams(PGconn *conn, const char *command, int nParams, const Oid *paramTypes,
                      const char *const *paramValues, const int *paramLengths, const int *paramFormats,
                      int resultFormat)
{
    pq_load();
    return pq.PQsendQueryParams(conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats,
                                resultFormat);
}
int PQsendQueryPrepared(PGconn *conn, const char *stmtName, int nParams, const char *const *paramValues,
                        const int *paramLengths, const int *paramFormats, int resultFormat)
{
    pq_load();
    return pq.PQsendQueryPrepared(conn, stmtName, nParams, paramValues, paramLengths, paramFormats,
                                  resultFormat);
}
int PQserverVersion(const PGconn *conn)
{
    pq_load();
    return pq.PQserverVersion(conn);
}
PQnoticeProcessor PQsetNoticeProcessor(PGconn *conn, PQnoticeProcessor proc, void *arg)
{
    pq_load();
    return pq.PQsetNoticeProcessor(conn, proc, arg);
}
int PQsetSingleRowMode(PGconn *conn)
{
    pq_load();
    return pq.PQsetSingleRowMode(conn);
}
ConnStatusType PQstatus(const PGconn *conn)
{
    pq_load();
    return pq.PQstatus(conn);
}
char *PQuser(const PGconn *conn)
{
    pq_load();
    return pq.PQuser(conn);
}
