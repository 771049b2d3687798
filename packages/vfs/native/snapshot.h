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

/* Replaces the database's content in place with nPage pages, under all eight shm locks,
 * empties the WAL and writes a fresh valid wal-index header. SQLITE_BUSY: readers remain. */
int wr_snapshot_install(ApplyConn *c, u32 szPage, u32 nPage, const u8 *data, char **pzErr);

#endif
