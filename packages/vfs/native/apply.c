#include <stdlib.h>
#include <string.h>
#include "apply.h"
#include "registry.h"
#include "shim.h"
#include "walfmt.h"

/* frames are written in batches; unix silently caps one write at 128 KiB - 1 (seekAndWriteFd) */
#define MAX_WRITE_BYTES 0x1ffffu

static int exec_read(sqlite3 *db, const char *sql, int *out) {
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
  if (rc == SQLITE_OK) {
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
      if (out != NULL) *out = sqlite3_column_int(st, 0);
      rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
      rc = SQLITE_OK;
    }
  }
  sqlite3_finalize(st);
  return rc;
}

static int set_err(char **pzErr, sqlite3 *db, const char *what) {
  if (pzErr != NULL) *pzErr = sqlite3_mprintf("%s: %s", what, db != NULL ? sqlite3_errmsg(db) : "out of memory");
  return db != NULL ? sqlite3_extended_errcode(db) : SQLITE_NOMEM;
}

int wr_apply_open(const char *zPath, ApplyConn **out, char **pzErr) {
  ApplyConn *c = calloc(1, sizeof(*c));
  int rc, pageSize = 0, walMode = 0;
  *out = NULL;
  if (c == NULL) return SQLITE_NOMEM;
  rc = sqlite3_open_v2(zPath, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK) {
    rc = set_err(pzErr, c->db, "cannot open the apply connection");
    goto fail;
  }
  sqlite3_extended_result_codes(c->db, 1);
  /* no busy handler: a checkpoint that readers block reports BUSY instead of stalling applies */
  sqlite3_busy_timeout(c->db, 0);
  rc = sqlite3_db_config(c->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)0);
  if (rc == SQLITE_OK) rc = sqlite3_wal_autocheckpoint(c->db, 0);
  if (rc == SQLITE_OK) rc = sqlite3_exec(c->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
  /* any read opens the WAL and attaches the wal-index; without it xShmLock fails */
  if (rc == SQLITE_OK) rc = exec_read(c->db, "SELECT count(*) FROM sqlite_schema", NULL);
  if (rc == SQLITE_OK) rc = exec_read(c->db, "SELECT journal_mode = 'wal' FROM pragma_journal_mode", &walMode);
  if (rc == SQLITE_OK) rc = exec_read(c->db, "PRAGMA page_size", &pageSize);
  if (rc != SQLITE_OK) {
    rc = set_err(pzErr, c->db, "cannot set up the apply connection");
    goto fail;
  }
  if (!walMode) {
    if (pzErr != NULL) *pzErr = sqlite3_mprintf("the database is not in WAL mode");
    rc = SQLITE_MISUSE;
    goto fail;
  }
  c->szPage = (u32)pageSize;
  *out = c;
  return SQLITE_OK;
fail:
  sqlite3_close_v2(c->db);
  free(c);
  return rc;
}

void wr_apply_close(ApplyConn *c) {
  if (c == NULL) return;
  sqlite3_close_v2(c->db);
  free(c);
}

typedef struct Files {
  sqlite3_file *db;  /* main database file (unix) */
  sqlite3_file *wal; /* WAL file (unix) */
} Files;

static int get_files(ApplyConn *c, Files *f) {
  sqlite3_file *db = NULL, *wal = NULL;
  int rc = sqlite3_file_control(c->db, "main", SQLITE_FCNTL_FILE_POINTER, &db);
  /* in WAL mode the pager's journal pointer is the WAL file */
  if (rc == SQLITE_OK) rc = sqlite3_file_control(c->db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &wal);
  if (rc != SQLITE_OK) return rc;
  if (db == NULL || wal == NULL || db->pMethods == NULL || wal->pMethods == NULL) return SQLITE_MISUSE;
  /* bypass the shim: these writes are the follower's own and must not meet the gate */
  f->db = wr_shim_unwrap(db);
  f->wal = wr_shim_unwrap(wal);
  return SQLITE_OK;
}

static int map_region(void *ctx, u32 iRegion, volatile u8 **pp) {
  sqlite3_file *db = ctx;
  volatile void *p = NULL;
  int rc = db->pMethods->xShmMap(db, (int)iRegion, WI_REGION_SIZE, 1, &p);
  *pp = p;
  return rc;
}

static volatile u32 *ckpt_u32(volatile u8 *r0, u32 off) { return (volatile u32 *)(r0 + off); }

/* walRestartHdr semantics: everything in the WAL is in the database file and no reader
 * uses it, so frames may start again at 1 with new salts. */
static int maybe_restart(ApplyConn *c, sqlite3_file *db, volatile u8 *r0, WiHdr *h, int *restarted) {
  u32 salt2;
  *restarted = 0;
  if (h->mxFrame == 0 || __atomic_load_n(ckpt_u32(r0, WI_OFF_NBACKFILL), __ATOMIC_ACQUIRE) != h->mxFrame) {
    return SQLITE_OK;
  }
  /* READ_LOCK(1..4): a reader holding one of them may be reading frames */
  if (db->pMethods->xShmLock(db, WR_LOCK_READ0 + 1, 4, SQLITE_SHM_LOCK | SQLITE_SHM_EXCLUSIVE) != SQLITE_OK) {
    return SQLITE_OK; /* busy: append instead */
  }
  sqlite3_randomness(4, &salt2);
  wr_put4(h->aSalt, wr_get4(h->aSalt) + 1);
  memcpy(h->aSalt + 4, &salt2, 4);
  h->mxFrame = 0;
  wr_hdr_write(r0, h);
  __atomic_store_n(ckpt_u32(r0, WI_OFF_NBACKFILL), 0, __ATOMIC_RELEASE);
  *ckpt_u32(r0, WI_OFF_NBACKFILL_ATTEMPTED) = 0;
  *ckpt_u32(r0, WI_OFF_READMARK + 4) = 0;
  for (u32 i = 2; i < 5; i++) *ckpt_u32(r0, WI_OFF_READMARK + 4 * i) = WI_READMARK_NOT_USED;
  db->pMethods->xShmLock(db, WR_LOCK_READ0 + 1, 4, SQLITE_SHM_UNLOCK | SQLITE_SHM_EXCLUSIVE);
  *restarted = 1;
  c->nRestarts++;
  return SQLITE_OK;
}

/* A fresh WAL header for frames starting at 1; returns the checksum seed in s. */
static int write_wal_header(sqlite3_file *wal, u32 szPage, WiHdr *h, int restarted, u32 s[2]) {
  u8 w[WAL_HDR_SIZE], old[WAL_HDR_SIZE];
  u32 ckptSeq = 0;
  int rc;
  if (wal->pMethods->xRead(wal, old, WAL_HDR_SIZE, 0) == SQLITE_OK && wr_get4(old + 4) == WAL_VERSION) {
    ckptSeq = wr_get4(old + 12) + 1;
  }
  if (!restarted) {
    /* never reuse the salts of frames that may still be in the file */
    u32 salt2;
    sqlite3_randomness(4, &salt2);
    wr_put4(h->aSalt, wr_get4(h->aSalt) + 1);
    memcpy(h->aSalt + 4, &salt2, 4);
  }
  wr_put4(w, WAL_MAGIC | (u32)wr_host_big_endian());
  wr_put4(w + 4, WAL_VERSION);
  wr_put4(w + 8, szPage);
  wr_put4(w + 12, ckptSeq);
  memcpy(w + 16, h->aSalt, 8);
  s[0] = s[1] = 0;
  wr_checksum(1, w, 24, s);
  wr_put4(w + 24, s[0]);
  wr_put4(w + 28, s[1]);
  rc = wal->pMethods->xWrite(wal, w, WAL_HDR_SIZE, 0);
  /* SQLite syncs a rewritten header so that stale frames can never match the new salts */
  if (rc == SQLITE_OK) rc = wal->pMethods->xSync(wal, SQLITE_SYNC_NORMAL);
  h->bigEndCksum = (u8)wr_host_big_endian();
  h->szPage = wr_encode_page_size(szPage);
  return rc;
}

static int write_frames(sqlite3_file *wal, const WiHdr *h, u32 szPage, u32 nTruncate, u32 n, const u32 *pgno,
                        const u8 *data, u32 s[2]) {
  const u32 szFrame = szPage + WAL_FRAME_HDR_SIZE;
  const int native = h->bigEndCksum == wr_host_big_endian();
  u32 perBatch = MAX_WRITE_BYTES / szFrame;
  u8 *buf;
  int rc = SQLITE_OK;
  if (perBatch == 0) perBatch = 1;
  if (perBatch > n) perBatch = n;
  buf = malloc((size_t)perBatch * szFrame);
  if (buf == NULL) return SQLITE_IOERR_NOMEM;
  for (u32 i = 0; i < n && rc == SQLITE_OK; i += perBatch) {
    u32 m = n - i < perBatch ? n - i : perBatch;
    for (u32 j = 0; j < m; j++) {
      u8 *f = buf + (size_t)j * szFrame;
      const u8 *page = data + (size_t)(i + j) * szPage;
      wr_put4(f, pgno[i + j]);
      wr_put4(f + 4, i + j == n - 1 ? nTruncate : 0);
      memcpy(f + 8, h->aSalt, 8);
      wr_checksum(native, f, 8, s);
      wr_checksum(native, page, szPage, s);
      wr_put4(f + 16, s[0]);
      wr_put4(f + 20, s[1]);
      memcpy(f + WAL_FRAME_HDR_SIZE, page, szPage);
    }
    rc = wal->pMethods->xWrite(wal, buf, (int)((size_t)m * szFrame), wr_frame_offset(h->mxFrame + 1 + i, szPage));
  }
  free(buf);
  return rc;
}

static int validate_input(u32 szPage, u32 nTruncate, u32 n, const u32 *pgno) {
  if (szPage < 512 || szPage > 65536 || (szPage & (szPage - 1)) != 0) return 0;
  if (n == 0 || nTruncate == 0) return 0;
  for (u32 i = 0; i < n; i++) {
    if (pgno[i] == 0 || pgno[i] > nTruncate) return 0;
  }
  return 1;
}

int wr_apply_frames(ApplyConn *c, u32 szPage, u32 nTruncate, u32 n, const u32 *pgno, const u8 *data, char **pzErr) {
  Files f;
  volatile u8 *r0 = NULL;
  WiHdr h;
  u32 s[2];
  int rc, restarted = 0;
  if (!validate_input(szPage, nTruncate, n, pgno)) {
    *pzErr = sqlite3_mprintf("invalid frame set (page size %u, %u pages, db size %u)", szPage, n, nTruncate);
    return SQLITE_MISUSE;
  }
  if (szPage != c->szPage) {
    *pzErr = sqlite3_mprintf("page size %u does not match the database's %u", szPage, c->szPage);
    return SQLITE_MISUSE;
  }
  {
    /* these writes bypass the shim, so an injected fault is checked here (nothing is written) */
    ReplDb *repl = wr_registry_find(sqlite3_db_filename(c->db, "main"), 0);
    int fault = repl != NULL ? __atomic_load_n(&repl->writeFault, __ATOMIC_ACQUIRE) : 0;
    if (fault != 0) {
      *pzErr = sqlite3_mprintf("cannot append to the WAL: %s", sqlite3_errstr(fault));
      return fault;
    }
  }
  if (!sqlite3_get_autocommit(c->db) || sqlite3_txn_state(c->db, NULL) != SQLITE_TXN_NONE) {
    *pzErr = sqlite3_mprintf("the apply connection is inside a transaction");
    return SQLITE_MISUSE;
  }
  for (int attempt = 0;; attempt++) {
    rc = get_files(c, &f);
    if (rc != SQLITE_OK) {
      *pzErr = sqlite3_mprintf("cannot reach the database and WAL files");
      return rc;
    }
    rc = f.db->pMethods->xShmLock(f.db, WR_LOCK_WRITE, 1, SQLITE_SHM_LOCK | SQLITE_SHM_EXCLUSIVE);
    if (rc != SQLITE_OK) return rc; /* SQLITE_BUSY: another writer or a recovery; retry later */
    rc = map_region(f.db, 0, &r0);
    if (rc == SQLITE_OK && r0 == NULL) rc = SQLITE_IOERR_SHMMAP;
    if (rc != SQLITE_OK) goto out;
    if (wr_hdr_read(r0, &h)) break;
    /* the wal-index needs recovery: let SQLite run it through a read, then try again */
    f.db->pMethods->xShmLock(f.db, WR_LOCK_WRITE, 1, SQLITE_SHM_UNLOCK | SQLITE_SHM_EXCLUSIVE);
    if (attempt == 1) {
      *pzErr = sqlite3_mprintf("the wal-index header stays invalid after recovery");
      return SQLITE_PROTOCOL;
    }
    rc = exec_read(c->db, "SELECT count(*) FROM sqlite_schema", NULL);
    if (rc != SQLITE_OK) return rc;
  }

  rc = maybe_restart(c, f.db, r0, &h, &restarted);
  if (rc == SQLITE_OK && h.mxFrame == 0) {
    rc = write_wal_header(f.wal, szPage, &h, restarted, s);
  } else if (rc == SQLITE_OK) {
    if (wr_decode_page_size(h.szPage) != szPage) {
      *pzErr = sqlite3_mprintf("page size %u does not match the WAL's", szPage);
      rc = SQLITE_MISUSE;
      goto out;
    }
    s[0] = h.aFrameCksum[0];
    s[1] = h.aFrameCksum[1];
  }
  if (rc == SQLITE_OK) rc = write_frames(f.wal, &h, szPage, nTruncate, n, pgno, data, s);
  for (u32 i = 0; i < n && rc == SQLITE_OK; i++) {
    rc = wr_index_append(map_region, f.db, h.mxFrame + 1 + i, pgno[i], h.mxFrame);
  }
  if (rc == SQLITE_OK) {
    /* publish: from here on every new read transaction sees the whole transaction */
    h.mxFrame += n;
    h.nPage = nTruncate;
    h.aFrameCksum[0] = s[0];
    h.aFrameCksum[1] = s[1];
    h.iChange++;
    wr_hdr_write(r0, &h);
    c->nApplied++;
  }
out:
  f.db->pMethods->xShmLock(f.db, WR_LOCK_WRITE, 1, SQLITE_SHM_UNLOCK | SQLITE_SHM_EXCLUSIVE);
  if (rc != SQLITE_OK && *pzErr == NULL) *pzErr = sqlite3_mprintf("apply failed: %s", sqlite3_errstr(rc));
  return rc;
}

int wr_apply_checkpoint(ApplyConn *c, int mode, int *pnLog, int *pnCkpt) {
  int rc;
  wr_shim_checkpoint_allowed(1);
  rc = sqlite3_wal_checkpoint_v2(c->db, "main", mode, pnLog, pnCkpt);
  wr_shim_checkpoint_allowed(0);
  return rc;
}

int wr_apply_wal_info(ApplyConn *c, WalInfo *out) {
  Files f;
  volatile u8 *r0 = NULL;
  WiHdr h;
  int rc = get_files(c, &f);
  if (rc == SQLITE_OK) rc = map_region(f.db, 0, &r0);
  if (rc == SQLITE_OK && r0 == NULL) rc = SQLITE_IOERR_SHMMAP;
  if (rc != SQLITE_OK) return rc;
  if (!wr_hdr_read(r0, &h)) return SQLITE_BUSY;
  out->mxFrame = h.mxFrame;
  out->nPage = h.nPage;
  out->iChange = h.iChange;
  out->salt1 = wr_get4(h.aSalt);
  out->salt2 = wr_get4(h.aSalt + 4);
  out->pageSize = wr_decode_page_size(h.szPage);
  out->nBackfill = __atomic_load_n(ckpt_u32(r0, WI_OFF_NBACKFILL), __ATOMIC_ACQUIRE);
  return SQLITE_OK;
}
