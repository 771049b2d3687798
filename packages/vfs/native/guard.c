#include <string.h>
#include "guard.h"
#include "registry.h"

static int is(const char *a, const char *b) { return a != NULL && sqlite3_stricmp(a, b) == 0; }

static int refuse(char **aArg, const char *why) {
  aArg[0] = sqlite3_mprintf("walraft: %s on a replicated database is not allowed", why);
  return SQLITE_ERROR;
}

int wr_guard_pragma(char **aArg) {
  const char *name = aArg[1];
  const char *value = aArg[2];
  if (is(name, "wal_checkpoint")) return refuse(aArg, "PRAGMA wal_checkpoint");
  if (value == NULL) return SQLITE_NOTFOUND; /* reading a setting is always fine */
  if (is(name, "journal_mode") && !is(value, "wal")) return refuse(aArg, "changing journal_mode");
  if (is(name, "locking_mode") && !is(value, "normal")) return refuse(aArg, "changing locking_mode");
  if (is(name, "page_size")) return refuse(aArg, "changing page_size");
  if (is(name, "wal_autocheckpoint") && !is(value, "0")) return refuse(aArg, "enabling wal_autocheckpoint");
  if (is(name, "synchronous") && !is(value, "normal") && !is(value, "1")) {
    return refuse(aArg, "changing synchronous");
  }
  return SQLITE_NOTFOUND;
}

static int authorize(void *ctx, int action, const char *a1, const char *a2, const char *a3, const char *a4) {
  (void)ctx;
  (void)a2;
  (void)a3;
  (void)a4;
  /* only temporary databases may be attached: a second file would make commits non-atomic
   * and writes to it would bypass replication */
  if (action == SQLITE_ATTACH && a1 != NULL && a1[0] != '\0' && strcmp(a1, ":memory:") != 0) return SQLITE_DENY;
  return SQLITE_OK;
}

int wr_guard_connection(sqlite3 *db, char **pzErr) {
  const char *zPath = sqlite3_db_filename(db, "main");
  int rc;
  if (zPath == NULL || wr_registry_find(zPath, 0) == NULL) return SQLITE_OK;
  rc = sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)0);
  if (rc == SQLITE_OK) rc = sqlite3_wal_autocheckpoint(db, 0);
  if (rc == SQLITE_OK) rc = sqlite3_exec(db, "PRAGMA synchronous=NORMAL", NULL, NULL, pzErr);
  if (rc == SQLITE_OK) rc = sqlite3_set_authorizer(db, authorize, NULL);
  return rc;
}
