/* db_write.c - owns the write transaction of the db subcommands that store
 * records (db add, db import): begin, the caller's writes, commit, and on
 * a busy database or a broken deadlock, rollback and another try. */
#include "db/db.h"

#include <unistd.h>

/* 1 committed, 0 failed but worth another try, -1 failed for good */
static int attempt(db *d, bool (*write)(db *d, db_batch *b), db_batch *b)
{
    b->added = b->known = 0;
    d->retry = false; /* set again by this try's failure, if worth another */
    if (db_begin(d) && write(d, b) && db_commit(d))
        return 1;
    db_rollback(d);
    return d->retry ? 0 : -1;
}

bool db_write(db *d, bool (*write)(db *d, db_batch *b), db_batch *b)
{
    int rc = 0;
    for (int k = 0; k < 20 && rc == 0; k++)
        if ((rc = attempt(d, write, b)) == 0)
            usleep(50000u * (unsigned)(k + 1));
    if (rc != 1) {
        db_report(d);
        return false;
    }
    return true;
}
