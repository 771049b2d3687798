/* Guard rails for replicated databases (research §6.3, P10/P11/P19). */
#ifndef WALRAFT_GUARD_H
#define WALRAFT_GUARD_H

#include "common.h"

/* SQLITE_FCNTL_PRAGMA on a replicated database file: SQLITE_NOTFOUND lets the pragma run,
 * SQLITE_ERROR (with aArg[0] set) refuses it. */
int wr_guard_pragma(char **aArg);
/* Applies the connection settings to a connection whose main database is replicated:
 * no checkpoint on close, no automatic checkpoints, synchronous=NORMAL, an authorizer that
 * refuses ATTACH of files, setting writable_schema and (unless the connection's internal
 * writes are on) any write, DDL or new object on the reserved names "_walraft_*", and the
 * SQL function walraft_internal(key, on). A no-op for other connections. */
int wr_guard_connection(sqlite3 *db, char **pzErr);

#define WR_SECRET_BYTES 16
/* The process-wide key of walraft_internal(), random, made once; NULL without randomness. */
const u8 *wr_guard_secret(void);

#endif
