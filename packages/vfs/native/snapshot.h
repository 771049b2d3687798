/* Snapshot primitives (research §6.10): stream a consistent copy of the database file while
 * writes continue, and install a received copy in place. */
#ifndef WALRAFT_SNAPSHOT_H
#define WALRAFT_SNAPSHOT_H

#include "apply.h"

typedef struct SnapshotReader {
  sqlite3 *db;        /* a connection of its own: it runs no SQL while holding the lock */
  sqlite3_file *file; /* its database file (unix) */
  u32 szPage;
  u32 nPage;
  int locked;
} SnapshotReader;

/* Takes READ_LOCK(0) shared, which keeps every checkpoint from writing the database file.
 * The caller ran a complete checkpoint just before, on the writer thread. */
int wr_snapshot_open(const char *zPath, SnapshotReader **out, char **pzErr);
int wr_snapshot_read(SnapshotReader *s, u32 firstPage, u32 nPage, u8 *out);
void wr_snapshot_close(SnapshotReader *s);

/* The snapshot does not fit the database (page size, page count, page 1, a short or missing
 * file): found before anything was locked or written. */
#define WR_SNAPSHOT_INVALID (SQLITE_MISUSE | (40 << 8))

/* Replaces the database's content in place with nPage pages, under all eight shm locks,
 * empties the WAL and writes a fresh valid wal-index header. SQLITE_BUSY: readers remain.
 * Any other failure after the checks leaves the content undefined until an install succeeds. */
int wr_snapshot_install(ApplyConn *c, u32 szPage, u32 nPage, const u8 *data, char **pzErr);
/* The same, with the pages read from a plain file (not one SQLite has open: see the source)
 * at offset, FILE_CHUNK_BYTES at a time. */
int wr_snapshot_install_file(ApplyConn *c, u32 szPage, const char *zFile, i64 offset, u32 nPage, char **pzErr);

#endif
