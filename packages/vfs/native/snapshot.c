#include <stdlib.h>
#include <string.h>
#include "shim.h"
#include "snapshot.h"
#include "walfmt.h"

#define MAX_IO_BYTES 0x1ffffu /* unix caps one read or write at 128 KiB - 1 */

static int file_of(sqlite3 *db, sqlite3_file **out) {
  sqlite3_file *f = NULL;
  int rc = sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &f);
  if (rc != SQLITE_OK) return rc;
  if (f == NULL || f->pMethods == NULL) return SQLITE_MISUSE;
  *out = wr_shim_unwrap(f);
  return SQLITE_OK;
}

static int one_int(sqlite3 *db, const char *sql, int *out) {
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
  if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    *out = sqlite3_column_int(st, 0);
    rc = SQLITE_OK;
  }
  sqlite3_finalize(st);
  return rc;
}

int wr_snapshot_open(const char *zPath, SnapshotReader **out, char **pzErr) {
  SnapshotReader *s = calloc(1, sizeof(*s));
  int rc, pageSize = 0;
  i64 size = 0;
  u8 hdr[100];
  *out = NULL;
  if (s == NULL) return SQLITE_NOMEM;
  rc = sqlite3_open_v2(zPath, &s->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
  /* closing it must never checkpoint (and delete) the WAL */
  if (rc == SQLITE_OK) rc = sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)0);
  if (rc == SQLITE_OK) rc = sqlite3_wal_autocheckpoint(s->db, 0);
  /* a read opens the WAL and attaches the wal-index (xShmLock needs it) */
  if (rc == SQLITE_OK) rc = one_int(s->db, "SELECT count(*) FROM sqlite_schema", &pageSize);
  if (rc == SQLITE_OK) rc = one_int(s->db, "PRAGMA page_size", &pageSize);
  if (rc == SQLITE_OK) rc = file_of(s->db, &s->file);
  if (rc == SQLITE_OK) rc = s->file->pMethods->xShmLock(s->file, WR_LOCK_READ0, 1, SQLITE_SHM_LOCK | SQLITE_SHM_SHARED);
  if (rc != SQLITE_OK) {
    *pzErr = sqlite3_mprintf("cannot start the snapshot: %s", sqlite3_errstr(rc));
    goto fail;
  }
  s->locked = 1;
  s->szPage = (u32)pageSize;
  /* no checkpoint can write the file from here on. It holds a whole committed state only if
   * every frame in the WAL was copied into it. */
  {
    volatile void *pv = NULL;
    WiHdr h;
    rc = s->file->pMethods->xShmMap(s->file, 0, WI_REGION_SIZE, 0, &pv);
    if (rc == SQLITE_OK && (pv == NULL || !wr_hdr_read(pv, &h) ||
                            __atomic_load_n((volatile u32 *)((volatile u8 *)pv + WI_OFF_NBACKFILL),
                                            __ATOMIC_ACQUIRE) != h.mxFrame)) {
      *pzErr = sqlite3_mprintf("the database file is not fully checkpointed");
      rc = SQLITE_BUSY;
    }
    if (rc != SQLITE_OK) goto fail;
  }
  rc = s->file->pMethods->xFileSize(s->file, &size);
  if (rc == SQLITE_OK) rc = s->file->pMethods->xRead(s->file, hdr, sizeof(hdr), 0);
  if (rc == SQLITE_OK && (size % pageSize != 0 || wr_get4(hdr + 28) != (u32)(size / pageSize))) {
    /* a complete checkpoint leaves the file exactly as large as page 1 says */
    *pzErr = sqlite3_mprintf("the database file is not fully checkpointed");
    rc = SQLITE_BUSY;
  }
  if (rc != SQLITE_OK) goto fail;
  s->nPage = (u32)(size / pageSize);
  *out = s;
  return SQLITE_OK;
fail:
  wr_snapshot_close(s);
  return rc;
}

int wr_snapshot_read(SnapshotReader *s, u32 firstPage, u32 nPage, u8 *out) {
  u32 perRead = MAX_IO_BYTES / s->szPage;
  if (perRead == 0) perRead = 1;
  if (firstPage == 0 || firstPage - 1 + (u64)nPage > s->nPage) return SQLITE_RANGE;
  for (u32 i = 0; i < nPage; i += perRead) {
    u32 m = nPage - i < perRead ? nPage - i : perRead;
    int rc = s->file->pMethods->xRead(s->file, out + (size_t)i * s->szPage, (int)(m * s->szPage),
                                      (i64)(firstPage - 1 + i) * s->szPage);
    if (rc != SQLITE_OK) return rc;
  }
  return SQLITE_OK;
}

void wr_snapshot_close(SnapshotReader *s) {
  if (s == NULL) return;
  if (s->locked) s->file->pMethods->xShmLock(s->file, WR_LOCK_READ0, 1, SQLITE_SHM_UNLOCK | SQLITE_SHM_SHARED);
  sqlite3_close_v2(s->db);
  free(s);
}

int wr_snapshot_install(ApplyConn *c, u32 szPage, u32 nPage, const u8 *data, char **pzErr) {
  sqlite3_file *db = NULL, *wal = NULL;
  volatile void *pv = NULL;
  volatile u8 *r0;
  WiHdr h;
  u32 salt2, perWrite = MAX_IO_BYTES / szPage;
  int rc;
  if (szPage != c->szPage || nPage == 0 || wr_get4(data + 28) != nPage) {
    *pzErr = sqlite3_mprintf("the snapshot does not match the database (page size %u, %u pages)", szPage, nPage);
    return SQLITE_MISUSE;
  }
  rc = sqlite3_file_control(c->db, "main", SQLITE_FCNTL_FILE_POINTER, &db);
  if (rc == SQLITE_OK) rc = sqlite3_file_control(c->db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &wal);
  if (rc != SQLITE_OK || db == NULL || wal == NULL || wal->pMethods == NULL) return rc != SQLITE_OK ? rc : SQLITE_MISUSE;
  db = wr_shim_unwrap(db);
  wal = wr_shim_unwrap(wal);
  /* every lock: no reader, writer, checkpointer or recovery may run while the file changes */
  rc = db->pMethods->xShmLock(db, 0, WR_NLOCK, SQLITE_SHM_LOCK | SQLITE_SHM_EXCLUSIVE);
  if (rc != SQLITE_OK) return rc;
  rc = db->pMethods->xShmMap(db, 0, WI_REGION_SIZE, 1, &pv);
  if (rc == SQLITE_OK && pv == NULL) rc = SQLITE_IOERR_SHMMAP;
  if (rc != SQLITE_OK) goto out;
  r0 = pv;
  if (perWrite == 0) perWrite = 1;
  for (u32 i = 0; i < nPage && rc == SQLITE_OK; i += perWrite) {
    u32 m = nPage - i < perWrite ? nPage - i : perWrite;
    rc = db->pMethods->xWrite(db, data + (size_t)i * szPage, (int)(m * szPage), (i64)i * szPage);
  }
  if (rc == SQLITE_OK) rc = db->pMethods->xTruncate(db, (i64)nPage * szPage);
  if (rc == SQLITE_OK) rc = db->pMethods->xSync(db, SQLITE_SYNC_NORMAL);
  if (rc == SQLITE_OK) rc = wal->pMethods->xTruncate(wal, 0);
  if (rc == SQLITE_OK) rc = wal->pMethods->xSync(wal, SQLITE_SYNC_NORMAL);
  if (rc != SQLITE_OK) goto out;
  /* a valid fresh header with a new iChange: connections that cached the old header reset
   * their page caches (an invalidated header would let a stale cache survive) */
  if (!wr_hdr_read(r0, &h)) memset(&h, 0, sizeof(h));
  sqlite3_randomness(4, &salt2);
  wr_put4(h.aSalt, wr_get4(h.aSalt) + 1);
  memcpy(h.aSalt + 4, &salt2, 4);
  h.iChange++;
  h.mxFrame = 0;
  h.nPage = nPage;
  h.aFrameCksum[0] = h.aFrameCksum[1] = 0;
  h.bigEndCksum = (u8)wr_host_big_endian();
  h.szPage = wr_encode_page_size(szPage);
  wr_hdr_write(r0, &h);
  __atomic_store_n((volatile u32 *)(r0 + WI_OFF_NBACKFILL), 0, __ATOMIC_RELEASE);
  *(volatile u32 *)(r0 + WI_OFF_NBACKFILL_ATTEMPTED) = 0;
  *(volatile u32 *)(r0 + WI_OFF_READMARK) = 0;
  for (u32 i = 1; i < 5; i++) *(volatile u32 *)(r0 + WI_OFF_READMARK + 4 * i) = WI_READMARK_NOT_USED;
out:
  db->pMethods->xShmLock(db, 0, WR_NLOCK, SQLITE_SHM_UNLOCK | SQLITE_SHM_EXCLUSIVE);
  if (rc != SQLITE_OK && *pzErr == NULL) *pzErr = sqlite3_mprintf("snapshot install failed: %s", sqlite3_errstr(rc));
  return rc;
}
