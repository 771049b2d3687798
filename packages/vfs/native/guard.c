#include <errno.h>
#include <string.h>
#include <sys/random.h>
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

/* ---- reserved tables ---- */

#define RESERVED_PREFIX "_walraft_"
#define CLIENTDATA_NAME "walraft"

/* Per-connection state, owned by the connection (client data, freed when it closes). */
/* What SQL the connection may run: user SQL (the default), the replication layer's own writes,
 * or user SQL inside a transaction the replication layer manages (it must not end it). */
typedef enum { MODE_USER = 0, MODE_INTERNAL = 1, MODE_MANAGED_TX = 2 } GuardMode;

typedef struct GuardState {
  int mode; /* a GuardMode */
} GuardState;

static u8 g_secret[WR_SECRET_BYTES];
static int g_secretOk = 0;
static pthread_once_t g_secretOnce = PTHREAD_ONCE_INIT;

static void make_secret(void) {
  size_t got = 0;
  while (got < sizeof(g_secret)) {
    ssize_t r = getrandom(g_secret + got, sizeof(g_secret) - got, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return; /* no randomness: g_secretOk stays 0 and every key is refused */
    got += (size_t)r;
  }
  g_secretOk = 1;
}

const u8 *wr_guard_secret(void) {
  pthread_once(&g_secretOnce, make_secret);
  return g_secretOk ? g_secret : NULL;
}

/* Constant time: how much of the key matched must not show in the timing. */
static int key_matches(const u8 *key, int n) {
  const u8 *secret = wr_guard_secret();
  u8 diff = 0;
  if (secret == NULL || key == NULL || n != WR_SECRET_BYTES) return 0;
  for (int i = 0; i < WR_SECRET_BYTES; i++) diff |= (u8)(key[i] ^ secret[i]);
  return diff == 0;
}

/* walraft_internal(key, mode): sets the connection's GuardMode; returns the previous one.
 * Only callers holding the process's secret (JavaScript, through the addon) can name the
 * key, so no SQL text alone can change it. */
static void fn_internal(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  GuardState *g = sqlite3_user_data(ctx);
  const u8 *key = sqlite3_value_type(argv[0]) == SQLITE_BLOB ? sqlite3_value_blob(argv[0]) : NULL;
  int previous = g->mode, mode = sqlite3_value_int(argv[1]);
  (void)argc;
  if (!key_matches(key, sqlite3_value_bytes(argv[0]))) {
    sqlite3_result_error(ctx, "walraft: not authorized", -1);
    return;
  }
  if (mode < MODE_USER || mode > MODE_MANAGED_TX) {
    sqlite3_result_error(ctx, "walraft: unknown mode", -1);
    return;
  }
  g->mode = mode;
  sqlite3_result_int(ctx, previous);
}

static int reserved(const char *name) {
  return name != NULL && sqlite3_strnicmp(name, RESERVED_PREFIX, (int)sizeof(RESERVED_PREFIX) - 1) == 0;
}

/* Whether an action writes, alters or creates a reserved object. The table's name is the
 * first argument for row writes, tables, views and virtual tables, the second for ALTER
 * TABLE (the first is the schema), indexes and triggers (the first is the index or trigger
 * name, refused too: index names share the tables' namespace). */
static int touches_reserved(int action, const char *a1, const char *a2) {
  switch (action) {
    case SQLITE_INSERT:
    case SQLITE_UPDATE:
    case SQLITE_DELETE:
    case SQLITE_CREATE_TABLE:
    case SQLITE_CREATE_TEMP_TABLE:
    case SQLITE_DROP_TABLE:
    case SQLITE_DROP_TEMP_TABLE:
    case SQLITE_CREATE_VIEW:
    case SQLITE_CREATE_TEMP_VIEW:
    case SQLITE_DROP_VIEW:
    case SQLITE_DROP_TEMP_VIEW:
    case SQLITE_CREATE_VTABLE:
    case SQLITE_DROP_VTABLE:
      return reserved(a1);
    case SQLITE_ALTER_TABLE:
      return reserved(a2);
    case SQLITE_CREATE_INDEX:
    case SQLITE_CREATE_TEMP_INDEX:
    case SQLITE_DROP_INDEX:
    case SQLITE_DROP_TEMP_INDEX:
    case SQLITE_CREATE_TRIGGER:
    case SQLITE_CREATE_TEMP_TRIGGER:
    case SQLITE_DROP_TRIGGER:
    case SQLITE_DROP_TEMP_TRIGGER:
      return reserved(a1) || reserved(a2);
    default:
      return 0;
  }
}

/* Runs at prepare time (and on every automatic re-prepare), never at step time. */
static int authorize(void *ctx, int action, const char *a1, const char *a2, const char *a3, const char *a4) {
  const GuardState *g = ctx;
  (void)a3;
  (void)a4;
  /* only temporary databases may be attached: a second file would make commits non-atomic
   * and writes to it would bypass replication */
  if (action == SQLITE_ATTACH && a1 != NULL && a1[0] != '\0' && strcmp(a1, ":memory:") != 0) return SQLITE_DENY;
  /* writable_schema would let plain UPDATEs of sqlite_schema rename or drop reserved tables
   * (the authorizer sees pragmas whatever schema they name, the shim's file control does not) */
  if (action == SQLITE_PRAGMA && a2 != NULL && is(a1, "writable_schema")) return SQLITE_DENY;
  if (g->mode != MODE_INTERNAL && touches_reserved(action, a1, a2)) return SQLITE_DENY;
  /* BEGIN, COMMIT, END or ROLLBACK in a request would end the transaction that groups it */
  if (g->mode == MODE_MANAGED_TX && action == SQLITE_TRANSACTION) return SQLITE_DENY;
  return SQLITE_OK;
}

/* The connection's state, created on its first guard (the extension init and the automatic
 * extension both guard a connection that openDatabase() opens). */
static int guard_state(sqlite3 *db, GuardState **out, int *fresh) {
  GuardState *g = sqlite3_get_clientdata(db, CLIENTDATA_NAME);
  int rc;
  *fresh = g == NULL;
  if (g == NULL) {
    g = sqlite3_malloc(sizeof(*g));
    if (g == NULL) return SQLITE_NOMEM;
    memset(g, 0, sizeof(*g));
    rc = sqlite3_set_clientdata(db, CLIENTDATA_NAME, g, sqlite3_free);
    if (rc != SQLITE_OK) return rc; /* set_clientdata frees g on failure */
  }
  *out = g;
  return SQLITE_OK;
}

int wr_guard_connection(sqlite3 *db, char **pzErr) {
  const char *zPath = sqlite3_db_filename(db, "main");
  GuardState *g = NULL;
  int rc, fresh = 0;
  if (zPath == NULL || wr_registry_find(zPath, 0) == NULL) return SQLITE_OK;
  rc = sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)0);
  if (rc == SQLITE_OK) rc = sqlite3_wal_autocheckpoint(db, 0);
  if (rc == SQLITE_OK) rc = sqlite3_exec(db, "PRAGMA synchronous=NORMAL", NULL, NULL, pzErr);
  if (rc == SQLITE_OK) rc = guard_state(db, &g, &fresh);
  if (rc == SQLITE_OK) rc = sqlite3_set_authorizer(db, authorize, g);
  /* DIRECTONLY: no trigger or view in the (user-written) schema can call it */
  if (rc == SQLITE_OK && fresh) {
    rc = sqlite3_create_function_v2(db, "walraft_internal", 2, SQLITE_UTF8 | SQLITE_DIRECTONLY, g, fn_internal, NULL,
                                    NULL, NULL);
  }
  return rc;
}
