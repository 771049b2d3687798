/* Shared declarations of the walraft native addon.
 *
 * The addon is one shared object with two faces: an N-API module (addon.c) and a SQLite
 * loadable extension (extension.c). Every SQLite call goes through the sqlite3_api_routines
 * that better-sqlite3's SQLite hands to the extension, so there is only ever one SQLite in
 * the process (two copies would break POSIX locking). */
#ifndef WALRAFT_COMMON_H
#define WALRAFT_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT3

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef sqlite3_int64 i64;

/* The SQLite release whose WAL and wal-index layout this code was validated against. */
#define WR_SQLITE_VERSION_MIN 3053000
#define WR_SQLITE_VERSION_MAX 3053999

/* Commit-gate failures. Neither may be SQLITE_BUSY: a COMMIT failing with BUSY leaves the
 * transaction open, an IOERR makes SQLite roll it back by itself. */
#define WR_IOERR_NOT_COMMITTED (SQLITE_IOERR | (40 << 8))    /* definite: never committed */
#define WR_IOERR_OUTCOME_UNKNOWN (SQLITE_IOERR | (41 << 8))  /* may still commit through Raft */

/* Set once the extension entry point has run (the VFS is registered). */
int wr_extension_ready(void);

#endif
