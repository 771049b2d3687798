#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "shim.h"
#include "snapshot.h"
#include "walfmt.h"

#define MAX_IO_BYTES 0x1ffffu /* unix caps one read or write at 128 KiB - 1 */
#define FILE_CHUNK_BYTES (1u << 20) /* what a file source reads at once */

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

/* ---- install ---- */

/* strerror() is not thread-safe, and each database has a writer thread of its own */
static char *file_error(const char *what, const char *zFile, int err) {
  char buf[128];
  return sqlite3_mprintf("%s%s%s: %s", what, zFile != NULL ? " " : "", zFile != NULL ? zFile : "",
                         strerror_r(err, buf, sizeof(buf)));
}

/* Where the pages of a snapshot come from. xPages points *out at pages first..first+n-1
 * (1-based, n <= maxPages), valid until the next call. */
typedef struct PageSource PageSource;
struct PageSource {
  int (*xPages)(PageSource *src, u32 first, u32 n, const u8 **out, char **pzErr);
  u32 maxPages;
};

typedef struct MemSource {
  PageSource base;
  const u8 *data;
  u32 szPage;
} MemSource;

static int mem_pages(PageSource *src, u32 first, u32 n, const u8 **out, char **pzErr) {
  MemSource *m = (MemSource *)src;
  (void)n;
  (void)pzErr;
  *out = m->data + (size_t)(first - 1) * m->szPage;
  return SQLITE_OK;
}

typedef struct FileSource {
  PageSource base;
  int fd;
  i64 offset; /* of page 1 */
  u32 szPage;
  u8 *buf;    /* maxPages pages */
} FileSource;

static int file_pages(PageSource *src, u32 first, u32 n, const u8 **out, char **pzErr) {
  FileSource *f = (FileSource *)src;
  size_t want = (size_t)n * f->szPage, got = 0;
  off_t at = (off_t)(f->offset + (i64)(first - 1) * f->szPage);
  while (got < want) {
    ssize_t r = pread(f->fd, f->buf + got, want - got, at + (off_t)got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      *pzErr = r < 0 ? file_error("cannot read the snapshot file", NULL, errno)
                     : sqlite3_mprintf("cannot read the snapshot file: unexpected end of file");
      return SQLITE_IOERR_READ;
    }
    got += (size_t)r;
  }
  *out = f->buf;
  return SQLITE_OK;
}

static int invalid(char **pzErr, const char *why, u32 szPage, u32 nPage) {
  *pzErr = sqlite3_mprintf("invalid snapshot (page size %u, %u pages): %s", szPage, nPage, why);
  return WR_SNAPSHOT_INVALID;
}

/* Everything that can be checked before anything is locked or written. */
static int validate(ApplyConn *c, u32 szPage, u32 nPage, PageSource *src, char **pzErr) {
  static const char magic[16] = "SQLite format 3";
  const u8 *p1 = NULL;
  u32 hdrPageSize;
  int rc;
  if (szPage != c->szPage) return invalid(pzErr, "the database's page size differs", szPage, nPage);
  if (nPage == 0) return invalid(pzErr, "no pages", szPage, nPage);
  rc = src->xPages(src, 1, 1, &p1, pzErr);
  if (rc != SQLITE_OK) return rc;
  if (memcmp(p1, magic, sizeof(magic)) != 0) return invalid(pzErr, "page 1 is not a database header", szPage, nPage);
  hdrPageSize = (u32)p1[16] << 8 | p1[17];
  if ((hdrPageSize == 1 ? 65536 : hdrPageSize) != szPage) {
    return invalid(pzErr, "page 1 declares another page size", szPage, nPage);
  }
  /* a rollback-journal header would take the database out of WAL mode on the next open */
  if (p1[18] != 2 || p1[19] != 2) return invalid(pzErr, "page 1 is not in WAL mode", szPage, nPage);
  if (wr_get4(p1 + 28) != nPage) return invalid(pzErr, "page 1 declares another page count", szPage, nPage);
  return SQLITE_OK;
}

/* The pages go to the unix file in writes unix accepts whole (see MAX_IO_BYTES). */
static int copy_pages(sqlite3_file *db, u32 szPage, u32 nPage, PageSource *src, char **pzErr) {
  u32 perWrite = MAX_IO_BYTES / szPage;
  int rc = SQLITE_OK;
  if (perWrite == 0) perWrite = 1;
  for (u32 i = 0; i < nPage && rc == SQLITE_OK; i += src->maxPages) {
    u32 m = nPage - i < src->maxPages ? nPage - i : src->maxPages;
    const u8 *p = NULL;
    rc = src->xPages(src, i + 1, m, &p, pzErr);
    for (u32 j = 0; j < m && rc == SQLITE_OK; j += perWrite) {
      u32 w = m - j < perWrite ? m - j : perWrite;
      rc = db->pMethods->xWrite(db, p + (size_t)j * szPage, (int)(w * szPage), (i64)(i + j) * szPage);
    }
  }
  return rc;
}

/* A valid fresh header with a new iChange: connections that cached the old header reset
 * their page caches (an invalidated header would let a stale cache survive). */
static void reset_wal_index(volatile u8 *r0, u32 szPage, u32 nPage) {
  WiHdr h;
  u32 salt2;
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
}

static int install(ApplyConn *c, u32 szPage, u32 nPage, PageSource *src, char **pzErr) {
  sqlite3_file *db = NULL, *wal = NULL;
  volatile void *pv = NULL;
  int rc = validate(c, szPage, nPage, src, pzErr);
  if (rc != SQLITE_OK) return rc;
  rc = sqlite3_file_control(c->db, "main", SQLITE_FCNTL_FILE_POINTER, &db);
  if (rc == SQLITE_OK) rc = sqlite3_file_control(c->db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &wal);
  if (rc != SQLITE_OK) return rc;
  if (db == NULL || wal == NULL || wal->pMethods == NULL) return SQLITE_MISUSE;
  db = wr_shim_unwrap(db);
  wal = wr_shim_unwrap(wal);
  /* every lock: no reader, writer, checkpointer or recovery may run while the file changes */
  rc = db->pMethods->xShmLock(db, 0, WR_NLOCK, SQLITE_SHM_LOCK | SQLITE_SHM_EXCLUSIVE);
  if (rc != SQLITE_OK) return rc;
  rc = db->pMethods->xShmMap(db, 0, WI_REGION_SIZE, 1, &pv);
  if (rc == SQLITE_OK && pv == NULL) rc = SQLITE_IOERR_SHMMAP;
  if (rc == SQLITE_OK) rc = copy_pages(db, szPage, nPage, src, pzErr);
  if (rc == SQLITE_OK) rc = db->pMethods->xTruncate(db, (i64)nPage * szPage);
  if (rc == SQLITE_OK) rc = db->pMethods->xSync(db, SQLITE_SYNC_NORMAL);
  if (rc == SQLITE_OK) rc = wal->pMethods->xTruncate(wal, 0);
  if (rc == SQLITE_OK) rc = wal->pMethods->xSync(wal, SQLITE_SYNC_NORMAL);
  if (rc == SQLITE_OK) reset_wal_index(pv, szPage, nPage);
  db->pMethods->xShmLock(db, 0, WR_NLOCK, SQLITE_SHM_UNLOCK | SQLITE_SHM_EXCLUSIVE);
  return rc;
}

static int finish(int rc, char **pzErr) {
  if (rc != SQLITE_OK && *pzErr == NULL) *pzErr = sqlite3_mprintf("snapshot install failed: %s", sqlite3_errstr(rc));
  return rc;
}

int wr_snapshot_install(ApplyConn *c, u32 szPage, u32 nPage, const u8 *data, char **pzErr) {
  MemSource m = {{mem_pages, nPage > 0 ? nPage : 1}, data, szPage};
  return finish(install(c, szPage, nPage, &m.base, pzErr), pzErr);
}

/* Closing any descriptor of a file drops every POSIX lock this process holds on it, the
 * locks unix keeps for SQLite included: the source must be none of the database's files. */
static int is_database_file(ApplyConn *c, const struct stat *src) {
  const char *zDb = sqlite3_db_filename(c->db, "main");
  const char *zWal = zDb != NULL ? sqlite3_filename_wal(zDb) : NULL;
  struct stat st;
  char *zShm;
  int same = 0;
  if (zDb == NULL) return 0;
  if (stat(zDb, &st) == 0 && st.st_dev == src->st_dev && st.st_ino == src->st_ino) same = 1;
  if (zWal != NULL && stat(zWal, &st) == 0 && st.st_dev == src->st_dev && st.st_ino == src->st_ino) same = 1;
  zShm = sqlite3_mprintf("%s-shm", zDb);
  if (zShm != NULL && stat(zShm, &st) == 0 && st.st_dev == src->st_dev && st.st_ino == src->st_ino) same = 1;
  sqlite3_free(zShm);
  return same;
}

static int open_source(ApplyConn *c, const char *zFile, i64 offset, u32 szPage, u32 nPage, FileSource *f,
                       char **pzErr) {
  struct stat st, fst;
  if (stat(zFile, &st) != 0) {
    *pzErr = file_error("cannot open the snapshot file", zFile, errno);
    return WR_SNAPSHOT_INVALID;
  }
  if (!S_ISREG(st.st_mode)) return invalid(pzErr, "the snapshot file is not a regular file", szPage, nPage);
  if (is_database_file(c, &st)) {
    return invalid(pzErr, "the snapshot file is one of the database's own files", szPage, nPage);
  }
  if (offset < 0 || st.st_size < offset || (u64)(st.st_size - offset) < (u64)nPage * szPage) {
    return invalid(pzErr, "the snapshot file is too short", szPage, nPage);
  }
  f->fd = open(zFile, O_RDONLY | O_CLOEXEC);
  if (f->fd < 0) {
    *pzErr = file_error("cannot open the snapshot file", zFile, errno);
    return WR_SNAPSHOT_INVALID;
  }
  /* the file checked above, not one swapped in since */
  if (fstat(f->fd, &fst) != 0 || fst.st_dev != st.st_dev || fst.st_ino != st.st_ino) {
    return invalid(pzErr, "the snapshot file changed while it was opened", szPage, nPage);
  }
  f->base.xPages = file_pages;
  f->base.maxPages = FILE_CHUNK_BYTES / szPage > 0 ? FILE_CHUNK_BYTES / szPage : 1;
  if (f->base.maxPages > nPage) f->base.maxPages = nPage;
  f->offset = offset;
  f->szPage = szPage;
  f->buf = malloc((size_t)f->base.maxPages * szPage);
  return f->buf != NULL ? SQLITE_OK : SQLITE_NOMEM;
}

int wr_snapshot_install_file(ApplyConn *c, u32 szPage, const char *zFile, i64 offset, u32 nPage, char **pzErr) {
  FileSource f = {{NULL, 0}, -1, 0, 0, NULL};
  int rc;
  if (szPage < 512 || szPage > 65536 || (szPage & (szPage - 1)) != 0 || nPage == 0) {
    rc = invalid(pzErr, "not a valid page size and page count", szPage, nPage);
  } else {
    rc = open_source(c, zFile, offset, szPage, nPage, &f, pzErr);
  }
  if (rc == SQLITE_OK) rc = install(c, szPage, nPage, &f.base, pzErr);
  free(f.buf);
  if (f.fd >= 0) close(f.fd);
  return finish(rc, pzErr);
}
