/* The SQLite face of the shared object: better-sqlite3's db.loadExtension() calls
 * sqlite3_extension_init, which registers the shim VFS (once) and applies the guard rails
 * to the loading connection. */
#include "common.h"
#include "guard.h"
#include "shim.h"

SQLITE_EXTENSION_INIT1

static int g_ready = 0;

/* Runs for every connection opened after the first load, however it was opened: connections
 * on replicated databases get the guard rails without anyone having to ask. */
static int guard_new_connection(sqlite3 *db, char **pzErrMsg, const sqlite3_api_routines *pApi) {
  (void)pApi;
  return wr_guard_connection(db, pzErrMsg);
}

int wr_extension_ready(void) { return __atomic_load_n(&g_ready, __ATOMIC_ACQUIRE); }

__attribute__((visibility("default"))) int sqlite3_extension_init(sqlite3 *db, char **pzErrMsg,
                                                                   const sqlite3_api_routines *pApi) {
  int rc, version;
  SQLITE_EXTENSION_INIT2(pApi);
  version = sqlite3_libversion_number();
  if (version < WR_SQLITE_VERSION_MIN || version > WR_SQLITE_VERSION_MAX) {
    *pzErrMsg = sqlite3_mprintf("walraft: SQLite %s is not supported (the wal-index code was validated against 3.53)",
                                sqlite3_libversion());
    return SQLITE_ERROR;
  }
  rc = wr_shim_register();
  if (rc != SQLITE_OK) {
    *pzErrMsg = sqlite3_mprintf("walraft: cannot register the shim VFS (%d)", rc);
    return rc;
  }
  if (!wr_extension_ready()) {
    rc = sqlite3_auto_extension((void (*)(void))guard_new_connection);
    if (rc != SQLITE_OK) return rc;
  }
  if (wr_guard_secret() == NULL) {
    *pzErrMsg = sqlite3_mprintf("walraft: no random source for the internal-writes key");
    return SQLITE_ERROR;
  }
  __atomic_store_n(&g_ready, 1, __ATOMIC_RELEASE);
  rc = wr_guard_connection(db, pzErrMsg);
  if (rc != SQLITE_OK) return rc;
  /* keep the library loaded after the loading connection closes: the VFS lives in it */
  return SQLITE_OK_LOAD_PERMANENTLY;
}
