#include <string.h>
#include "shim.h"
#include "capture.h"
#include "guard.h"
#include "registry.h"

#define WR_CKPT_SLOT 1

typedef struct ShimFile {
  sqlite3_file base;
  ReplDb *db;
  int isWal;
  int holdsWriteLock;
  sqlite3_file *real; /* the unix file, stored right after this struct */
} ShimFile;

static sqlite3_vfs g_vfs;
static sqlite3_vfs *g_unix;
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static const sqlite3_io_methods g_methods;

#define REAL(f) (((ShimFile *)(f))->real)

sqlite3_file *wr_shim_unwrap(sqlite3_file *f) {
  if (f != NULL && f->pMethods == &g_methods) return REAL(f);
  return f;
}

static int shimClose(sqlite3_file *f) {
  ShimFile *p = (ShimFile *)f;
  int rc = REAL(f)->pMethods->xClose(REAL(f));
  if (p->holdsWriteLock) {
    p->holdsWriteLock = 0;
    wr_capture_write_lock(p->db, 0);
  }
  return rc;
}
static int shimRead(sqlite3_file *f, void *buf, int n, i64 off) { return REAL(f)->pMethods->xRead(REAL(f), buf, n, off); }
static int shimWrite(sqlite3_file *f, const void *buf, int n, i64 off) {
  ShimFile *p = (ShimFile *)f;
  int fault = p->db != NULL ? __atomic_load_n(&p->db->writeFault, __ATOMIC_ACQUIRE) : 0;
  if (fault != 0) return fault;
  if (p->isWal) {
    int handled = 0;
    int rc = wr_capture_write(p->db, REAL(f), buf, n, off, &handled);
    if (handled || rc != SQLITE_OK) return rc;
  }
  return REAL(f)->pMethods->xWrite(REAL(f), buf, n, off);
}
static int shimTruncate(sqlite3_file *f, i64 size) {
  ShimFile *p = (ShimFile *)f;
  if (p->isWal) wr_capture_truncated(p->db);
  return REAL(f)->pMethods->xTruncate(REAL(f), size);
}
static int shimSync(sqlite3_file *f, int flags) { return REAL(f)->pMethods->xSync(REAL(f), flags); }
static int shimFileSize(sqlite3_file *f, i64 *pSize) { return REAL(f)->pMethods->xFileSize(REAL(f), pSize); }
static int shimLock(sqlite3_file *f, int lock) { return REAL(f)->pMethods->xLock(REAL(f), lock); }
static int shimUnlock(sqlite3_file *f, int lock) { return REAL(f)->pMethods->xUnlock(REAL(f), lock); }
static int shimCheckReservedLock(sqlite3_file *f, int *pOut) {
  return REAL(f)->pMethods->xCheckReservedLock(REAL(f), pOut);
}
static int shimFileControl(sqlite3_file *f, int op, void *arg) {
  ShimFile *p = (ShimFile *)f;
  if (op == SQLITE_FCNTL_PRAGMA && !p->isWal) {
    int rc = wr_guard_pragma((char **)arg);
    if (rc != SQLITE_NOTFOUND) return rc;
  }
  return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}
static int shimSectorSize(sqlite3_file *f) { return REAL(f)->pMethods->xSectorSize(REAL(f)); }
/* passed through unchanged: unix reports POWERSAFE_OVERWRITE, so SQLite never pads the WAL */
static int shimDeviceCharacteristics(sqlite3_file *f) {
  return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}
static int shimShmMap(sqlite3_file *f, int iPg, int pgsz, int extend, void volatile **pp) {
  return REAL(f)->pMethods->xShmMap(REAL(f), iPg, pgsz, extend, pp);
}
/* Checkpoints of replicated databases run only through wr_shim_checkpoint_allowed(); every
 * other checkpoint attempt (automatic checkpoints, whatever the connection's settings) finds
 * WAL_CKPT_LOCK busy, which SQLite treats as "not now". Recovery takes CKPT together with
 * other locks and is not affected. */
static __thread int t_checkpoint_allowed = 0;

void wr_shim_checkpoint_allowed(int allowed) { t_checkpoint_allowed = allowed; }

static int shimShmLock(sqlite3_file *f, int ofst, int n, int flags) {
  ShimFile *p = (ShimFile *)f;
  int rc;
  if (ofst == WR_CKPT_SLOT && n == 1 && flags == (SQLITE_SHM_LOCK | SQLITE_SHM_EXCLUSIVE) && !t_checkpoint_allowed) {
    return SQLITE_BUSY;
  }
  rc = REAL(f)->pMethods->xShmLock(REAL(f), ofst, n, flags);
  if (rc == SQLITE_OK && ofst == 0 && (flags & SQLITE_SHM_EXCLUSIVE)) {
    if ((flags & SQLITE_SHM_LOCK) && !p->holdsWriteLock) {
      p->holdsWriteLock = 1;
      wr_capture_write_lock(p->db, 1);
    } else if ((flags & SQLITE_SHM_UNLOCK) && p->holdsWriteLock) {
      p->holdsWriteLock = 0;
      wr_capture_write_lock(p->db, 0);
    }
  }
  return rc;
}
static void shimShmBarrier(sqlite3_file *f) { REAL(f)->pMethods->xShmBarrier(REAL(f)); }
static int shimShmUnmap(sqlite3_file *f, int deleteFlag) { return REAL(f)->pMethods->xShmUnmap(REAL(f), deleteFlag); }
static int shimFetch(sqlite3_file *f, i64 off, int n, void **pp) {
  return REAL(f)->pMethods->xFetch(REAL(f), off, n, pp);
}
static int shimUnfetch(sqlite3_file *f, i64 off, void *p) { return REAL(f)->pMethods->xUnfetch(REAL(f), off, p); }

static const sqlite3_io_methods g_methods = {
    3,           shimClose,     shimRead,       shimWrite,     shimTruncate,
    shimSync,    shimFileSize,  shimLock,       shimUnlock,    shimCheckReservedLock,
    shimFileControl, shimSectorSize, shimDeviceCharacteristics, shimShmMap, shimShmLock,
    shimShmBarrier, shimShmUnmap, shimFetch,     shimUnfetch,
};

static int shimOpen(sqlite3_vfs *vfs, const char *zName, sqlite3_file *f, int flags, int *pOutFlags) {
  ShimFile *p = (ShimFile *)f;
  ReplDb *db = NULL;
  int rc;
  (void)vfs;
  if (flags & SQLITE_OPEN_MAIN_DB) db = wr_registry_find(zName, 0);
  else if (flags & SQLITE_OPEN_WAL) db = wr_registry_find(zName, 1);
  if (db == NULL) {
    /* not replicated: unix owns the whole file object, no wrapper in the way */
    return g_unix->xOpen(g_unix, zName, f, flags, pOutFlags);
  }
  memset(p, 0, sizeof(*p));
  p->db = db;
  p->isWal = (flags & SQLITE_OPEN_WAL) != 0;
  p->real = (sqlite3_file *)&p[1];
  /* a replicated database is created from its page-1 image, never implicitly by an open
   * (an empty file with a WAL would make SQLite delete the WAL) */
  if (!p->isWal) flags &= ~SQLITE_OPEN_CREATE;
  rc = g_unix->xOpen(g_unix, zName, p->real, flags, pOutFlags);
  if (rc != SQLITE_OK) {
    p->base.pMethods = NULL;
    return rc;
  }
  p->base.pMethods = &g_methods;
  return SQLITE_OK;
}

static int shimDelete(sqlite3_vfs *v, const char *z, int syncDir) { (void)v; return g_unix->xDelete(g_unix, z, syncDir); }
static int shimAccess(sqlite3_vfs *v, const char *z, int flags, int *pOut) {
  (void)v;
  return g_unix->xAccess(g_unix, z, flags, pOut);
}
static int shimFullPathname(sqlite3_vfs *v, const char *z, int n, char *out) {
  (void)v;
  return g_unix->xFullPathname(g_unix, z, n, out);
}
static void *shimDlOpen(sqlite3_vfs *v, const char *z) { (void)v; return g_unix->xDlOpen(g_unix, z); }
static void shimDlError(sqlite3_vfs *v, int n, char *z) { (void)v; g_unix->xDlError(g_unix, n, z); }
static void (*shimDlSym(sqlite3_vfs *v, void *h, const char *z))(void) { (void)v; return g_unix->xDlSym(g_unix, h, z); }
static void shimDlClose(sqlite3_vfs *v, void *h) { (void)v; g_unix->xDlClose(g_unix, h); }
static int shimRandomness(sqlite3_vfs *v, int n, char *z) { (void)v; return g_unix->xRandomness(g_unix, n, z); }
static int shimSleep(sqlite3_vfs *v, int us) { (void)v; return g_unix->xSleep(g_unix, us); }
static int shimCurrentTime(sqlite3_vfs *v, double *t) { (void)v; return g_unix->xCurrentTime(g_unix, t); }
static int shimGetLastError(sqlite3_vfs *v, int n, char *z) { (void)v; return g_unix->xGetLastError(g_unix, n, z); }
static int shimCurrentTimeInt64(sqlite3_vfs *v, i64 *t) { (void)v; return g_unix->xCurrentTimeInt64(g_unix, t); }
static int shimSetSystemCall(sqlite3_vfs *v, const char *z, sqlite3_syscall_ptr f) {
  (void)v;
  return g_unix->xSetSystemCall(g_unix, z, f);
}
static sqlite3_syscall_ptr shimGetSystemCall(sqlite3_vfs *v, const char *z) {
  (void)v;
  return g_unix->xGetSystemCall(g_unix, z);
}
static const char *shimNextSystemCall(sqlite3_vfs *v, const char *z) {
  (void)v;
  return g_unix->xNextSystemCall(g_unix, z);
}

int wr_shim_register(void) {
  int rc = SQLITE_OK;
  pthread_mutex_lock(&g_mu);
  if (g_unix == NULL) {
    sqlite3_vfs *unix = sqlite3_vfs_find("unix");
    if (unix == NULL || unix->iVersion < 3) {
      rc = SQLITE_ERROR;
    } else {
      memset(&g_vfs, 0, sizeof(g_vfs));
      g_vfs.iVersion = 3;
      g_vfs.szOsFile = (int)sizeof(ShimFile) + unix->szOsFile;
      g_vfs.mxPathname = unix->mxPathname;
      g_vfs.zName = "walraft";
      g_vfs.xOpen = shimOpen;
      g_vfs.xDelete = shimDelete;
      g_vfs.xAccess = shimAccess;
      g_vfs.xFullPathname = shimFullPathname;
      g_vfs.xDlOpen = shimDlOpen;
      g_vfs.xDlError = shimDlError;
      g_vfs.xDlSym = shimDlSym;
      g_vfs.xDlClose = shimDlClose;
      g_vfs.xRandomness = shimRandomness;
      g_vfs.xSleep = shimSleep;
      g_vfs.xCurrentTime = shimCurrentTime;
      g_vfs.xGetLastError = shimGetLastError;
      g_vfs.xCurrentTimeInt64 = shimCurrentTimeInt64;
      g_vfs.xSetSystemCall = shimSetSystemCall;
      g_vfs.xGetSystemCall = shimGetSystemCall;
      g_vfs.xNextSystemCall = shimNextSystemCall;
      g_unix = unix;
      rc = sqlite3_vfs_register(&g_vfs, 1);
      if (rc != SQLITE_OK) g_unix = NULL;
    }
  }
  pthread_mutex_unlock(&g_mu);
  return rc;
}
