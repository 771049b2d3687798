/* Follower apply: append a committed transaction's pages to this node's WAL and publish them
 * through the wal-index exactly as SQLite's own writer does (research §6.7). */
#ifndef WALRAFT_APPLY_H
#define WALRAFT_APPLY_H

#include "common.h"

typedef struct ApplyConn {
  sqlite3 *db;
  u32 szPage;
  u64 nApplied;
  u64 nRestarts;
} ApplyConn;

typedef struct WalInfo {
  u32 mxFrame, nPage, nBackfill, iChange, salt1, salt2, pageSize;
} WalInfo;

/* Opens the native apply connection on an existing WAL-mode database. */
int wr_apply_open(const char *zPath, ApplyConn **out, char **pzErr);
void wr_apply_close(ApplyConn *c);
/* Appends n pages (pgno[i], data + i*szPage) as one committed transaction whose database
 * size afterwards is nTruncate pages. SQLITE_BUSY: the write lock is held elsewhere, retry. */
int wr_apply_frames(ApplyConn *c, u32 szPage, u32 nTruncate, u32 n, const u32 *pgno, const u8 *data, char **pzErr);
/* sqlite3_wal_checkpoint_v2 on the apply connection. */
int wr_apply_checkpoint(ApplyConn *c, int mode, int *pnLog, int *pnCkpt);
int wr_apply_wal_info(ApplyConn *c, WalInfo *out);

#endif
