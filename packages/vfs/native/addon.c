/* The N-API face of the shared object. It shares the shim's static state, so JavaScript can
 * register replicated databases, run the commit gate and apply frames on the SQLite instance
 * better-sqlite3 uses. Every SQLite call needs the extension loaded first (ensureLoaded()
 * in the TypeScript loader does that). */
#include <stdlib.h>
#include <string.h>
#include <node_api.h>
#include "apply.h"
#include "capture.h"
#include "guard.h"
#include "registry.h"
#include "snapshot.h"

#define NAPI_CALL(env, call)                                   \
  do {                                                         \
    if ((call) != napi_ok) {                                   \
      throw_last(env, #call);                                  \
      return NULL;                                             \
    }                                                          \
  } while (0)

static void throw_last(napi_env env, const char *what) {
  const napi_extended_error_info *info = NULL;
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) return;
  napi_get_last_error_info(env, &info);
  napi_throw_error(env, "ERR_WALRAFT_NAPI", info != NULL && info->error_message ? info->error_message : what);
}

/* Throws an Error carrying SQLite's extended result code as `errcode`. */
static napi_value throw_sqlite(napi_env env, int rc, const char *msg) {
  napi_value err, text, code;
  if (napi_create_string_utf8(env, msg != NULL ? msg : sqlite3_errstr(rc), NAPI_AUTO_LENGTH, &text) != napi_ok ||
      napi_create_error(env, NULL, text, &err) != napi_ok || napi_create_int32(env, rc, &code) != napi_ok ||
      napi_set_named_property(env, err, "errcode", code) != napi_ok) {
    napi_throw_error(env, NULL, "walraft: cannot build an error");
    return NULL;
  }
  napi_throw(env, err);
  return NULL;
}

static int require_loaded(napi_env env) {
  if (wr_extension_ready()) return 1;
  napi_throw_error(env, "ERR_WALRAFT_NOT_LOADED", "the walraft extension is not loaded into SQLite yet");
  return 0;
}

static napi_value get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  napi_value self;
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  if (argc < want) {
    napi_throw_type_error(env, "ERR_INVALID_ARG", "missing arguments");
    return NULL;
  }
  return self;
}

/* Caller frees. */
static char *get_string(napi_env env, napi_value v) {
  size_t n = 0;
  char *s;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &n) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG", "expected a string");
    return NULL;
  }
  s = malloc(n + 1);
  if (s == NULL || napi_get_value_string_utf8(env, v, s, n + 1, &n) != napi_ok) {
    free(s);
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  return s;
}

static int get_u32(napi_env env, napi_value v, u32 *out) {
  if (napi_get_value_uint32(env, v, out) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG", "expected a number");
    return 0;
  }
  return 1;
}

static ReplDb *get_db(napi_env env, napi_value v) {
  char *path = get_string(env, v);
  ReplDb *db;
  if (path == NULL) return NULL;
  db = wr_registry_find(path, 0);
  free(path);
  if (db == NULL) napi_throw_error(env, "ERR_WALRAFT_NOT_REPLICATED", "the database is not registered as replicated");
  return db;
}

static napi_value set_u32(napi_env env, napi_value obj, const char *name, double v) {
  napi_value x;
  NAPI_CALL(env, napi_create_double(env, v, &x));
  NAPI_CALL(env, napi_set_named_property(env, obj, name, x));
  return obj;
}

static napi_value js_extension_ready(napi_env env, napi_callback_info info) {
  napi_value r;
  (void)info;
  NAPI_CALL(env, napi_get_boolean(env, wr_extension_ready(), &r));
  return r;
}

static napi_value js_sqlite_version(napi_env env, napi_callback_info info) {
  napi_value obj, s;
  (void)info;
  if (!require_loaded(env)) return NULL;
  NAPI_CALL(env, napi_create_object(env, &obj));
  if (set_u32(env, obj, "number", sqlite3_libversion_number()) == NULL) return NULL;
  NAPI_CALL(env, napi_create_string_utf8(env, sqlite3_libversion(), NAPI_AUTO_LENGTH, &s));
  NAPI_CALL(env, napi_set_named_property(env, obj, "text", s));
  NAPI_CALL(env, napi_create_string_utf8(env, sqlite3_sourceid(), NAPI_AUTO_LENGTH, &s));
  NAPI_CALL(env, napi_set_named_property(env, obj, "sourceId", s));
  return obj;
}

static napi_value js_register(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  char *path;
  int rc;
  if (get_args(env, info, 1, argv) == NULL || (path = get_string(env, argv[0])) == NULL) return NULL;
  rc = wr_registry_add(path);
  free(path);
  if (rc != SQLITE_OK) return throw_sqlite(env, rc, "cannot register the database");
  return NULL;
}

static napi_value js_unregister(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  char *path;
  if (get_args(env, info, 1, argv) == NULL || (path = get_string(env, argv[0])) == NULL) return NULL;
  wr_registry_remove(path);
  free(path);
  return NULL;
}

static napi_value js_is_registered(napi_env env, napi_callback_info info) {
  napi_value argv[1], r;
  char *path;
  ReplDb *db;
  if (get_args(env, info, 1, argv) == NULL || (path = get_string(env, argv[0])) == NULL) return NULL;
  db = wr_registry_find(path, 0);
  free(path);
  NAPI_CALL(env, napi_get_boolean(env, db != NULL, &r));
  return r;
}

/* setWriteFault(path, code): every later write to the database or its WAL fails with SQLite
 * result `code` (e.g. SQLITE_FULL) until it is called with 0. For fault tests. */
static napi_value js_set_write_fault(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  char *path;
  int32_t code = 0;
  ReplDb *db;
  if (get_args(env, info, 2, argv) == NULL || (path = get_string(env, argv[0])) == NULL) return NULL;
  db = wr_registry_find(path, 0);
  free(path);
  NAPI_CALL(env, napi_get_value_int32(env, argv[1], &code));
  if (db == NULL) {
    napi_throw_error(env, "ERR_WALRAFT_NOT_REGISTERED", "the database is not registered as replicated");
    return NULL;
  }
  __atomic_store_n(&db->writeFault, code, __ATOMIC_RELEASE);
  return NULL;
}

/* ---- commit gate ---- */

static void free_payload_data(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  free(data);
}

static void gate_call_js(napi_env env, napi_value cb, void *context, void *data) {
  GatePayload *p = data;
  napi_value obj, pgnos, pgnoBuf, pages, undef;
  void *pgnoMem = NULL;
  (void)context;
  if (env == NULL || cb == NULL) {
    wr_payload_free(p);
    return;
  }
  if (napi_create_object(env, &obj) != napi_ok || set_u32(env, obj, "seq", (double)p->seq) == NULL ||
      set_u32(env, obj, "pageSize", p->pageSize) == NULL || set_u32(env, obj, "dbSize", p->dbSize) == NULL ||
      napi_create_arraybuffer(env, (size_t)p->nPage * 4, &pgnoMem, &pgnoBuf) != napi_ok) {
    wr_payload_free(p);
    return;
  }
  if (p->nPage > 0) memcpy(pgnoMem, p->aPgno, (size_t)p->nPage * 4);
  if (napi_create_typedarray(env, napi_uint32_array, p->nPage, pgnoBuf, 0, &pgnos) != napi_ok ||
      napi_set_named_property(env, obj, "pgnos", pgnos) != napi_ok) {
    wr_payload_free(p);
    return;
  }
  if (napi_create_external_buffer(env, (size_t)p->nPage * p->pageSize, p->aData, free_payload_data, NULL, &pages) ==
      napi_ok) {
    p->aData = NULL; /* now owned by the Buffer */
  } else if (napi_create_buffer_copy(env, (size_t)p->nPage * p->pageSize, p->aData, NULL, &pages) != napi_ok) {
    wr_payload_free(p);
    return;
  }
  wr_payload_free(p);
  if (napi_set_named_property(env, obj, "data", pages) != napi_ok || napi_get_undefined(env, &undef) != napi_ok) return;
  napi_call_function(env, undef, cb, 1, &obj, NULL);
}

static napi_value js_gate_open(napi_env env, napi_callback_info info) {
  napi_value argv[3], name;
  napi_threadsafe_function tsfn, old = NULL;
  ReplDb *db;
  u32 timeoutMs;
  if (get_args(env, info, 3, argv) == NULL || (db = get_db(env, argv[0])) == NULL) return NULL;
  if (!get_u32(env, argv[2], &timeoutMs)) return NULL;
  NAPI_CALL(env, napi_create_string_utf8(env, "walraft-commit-gate", NAPI_AUTO_LENGTH, &name));
  NAPI_CALL(env, napi_create_threadsafe_function(env, argv[1], NULL, name, 0, 1, NULL, NULL, NULL, gate_call_js, &tsfn));
  /* a gate alone must not keep the process alive */
  NAPI_CALL(env, napi_unref_threadsafe_function(env, tsfn));
  wr_gate_open(db, tsfn, timeoutMs, &old);
  if (old != NULL) napi_release_threadsafe_function(old, napi_tsfn_release);
  return NULL;
}

static napi_value js_gate_close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  ReplDb *db;
  napi_threadsafe_function old;
  if (get_args(env, info, 1, argv) == NULL || (db = get_db(env, argv[0])) == NULL) return NULL;
  old = wr_gate_close(db);
  if (old != NULL) napi_release_threadsafe_function(old, napi_tsfn_release);
  return NULL;
}

static napi_value js_gate_resolve(napi_env env, napi_callback_info info) {
  napi_value argv[3], r;
  ReplDb *db;
  double seq;
  u32 verdict;
  if (get_args(env, info, 3, argv) == NULL || (db = get_db(env, argv[0])) == NULL) return NULL;
  NAPI_CALL(env, napi_get_value_double(env, argv[1], &seq));
  if (!get_u32(env, argv[2], &verdict)) return NULL;
  if (verdict != GATE_COMMIT && verdict != GATE_ABORT_DEFINITE && verdict != GATE_ABORT_UNKNOWN) {
    napi_throw_range_error(env, "ERR_INVALID_ARG", "unknown verdict");
    return NULL;
  }
  NAPI_CALL(env, napi_get_boolean(env, wr_gate_resolve(db, (u64)seq, (GateVerdict)verdict), &r));
  return r;
}

static napi_value js_gate_stats(napi_env env, napi_callback_info info) {
  napi_value argv[1], obj;
  ReplDb *db;
  double committed, aborted, timedOut, lastSeq, outcome;
  if (get_args(env, info, 1, argv) == NULL || (db = get_db(env, argv[0])) == NULL) return NULL;
  pthread_mutex_lock(&db->mu);
  committed = (double)db->nCommitted;
  aborted = (double)db->nAborted;
  timedOut = (double)db->nTimedOut;
  lastSeq = (double)db->lastSeq;
  outcome = db->lastOutcome;
  pthread_mutex_unlock(&db->mu);
  NAPI_CALL(env, napi_create_object(env, &obj));
  if (set_u32(env, obj, "committed", committed) == NULL || set_u32(env, obj, "aborted", aborted) == NULL ||
      set_u32(env, obj, "timedOut", timedOut) == NULL || set_u32(env, obj, "lastSeq", lastSeq) == NULL ||
      set_u32(env, obj, "lastOutcome", outcome) == NULL) {
    return NULL;
  }
  return obj;
}

/* ---- follower apply ---- */

#define APPLY_MAGIC 0x77616c61u

typedef struct ApplyHandle {
  u32 magic;
  ApplyConn *conn;
} ApplyHandle;

static void apply_finalize(napi_env env, void *data, void *hint) {
  ApplyHandle *h = data;
  (void)env;
  (void)hint;
  wr_apply_close(h->conn);
  h->magic = 0;
  free(h);
}

static ApplyConn *get_conn(napi_env env, napi_value v) {
  ApplyHandle *h = NULL;
  if (napi_get_value_external(env, v, (void **)&h) != napi_ok || h == NULL || h->magic != APPLY_MAGIC) {
    napi_throw_type_error(env, "ERR_INVALID_ARG", "not an apply connection");
    return NULL;
  }
  if (h->conn == NULL) {
    napi_throw_error(env, "ERR_WALRAFT_CLOSED", "the apply connection is closed");
    return NULL;
  }
  return h->conn;
}

static napi_value js_apply_open(napi_env env, napi_callback_info info) {
  napi_value argv[1], ext;
  char *path, *err = NULL;
  ApplyConn *conn = NULL;
  ApplyHandle *h;
  int rc;
  if (!require_loaded(env)) return NULL;
  if (get_args(env, info, 1, argv) == NULL || (path = get_string(env, argv[0])) == NULL) return NULL;
  rc = wr_apply_open(path, &conn, &err);
  free(path);
  if (rc != SQLITE_OK) {
    throw_sqlite(env, rc, err);
    sqlite3_free(err);
    return NULL;
  }
  h = malloc(sizeof(*h));
  if (h == NULL) {
    wr_apply_close(conn);
    return throw_sqlite(env, SQLITE_NOMEM, NULL);
  }
  h->magic = APPLY_MAGIC;
  h->conn = conn;
  if (napi_create_external(env, h, apply_finalize, NULL, &ext) != napi_ok) {
    wr_apply_close(conn);
    free(h);
    throw_last(env, "napi_create_external");
    return NULL;
  }
  return ext;
}

static napi_value js_apply_close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  ApplyHandle *h = NULL;
  if (get_args(env, info, 1, argv) == NULL) return NULL;
  if (napi_get_value_external(env, argv[0], (void **)&h) != napi_ok || h == NULL || h->magic != APPLY_MAGIC) {
    napi_throw_type_error(env, "ERR_INVALID_ARG", "not an apply connection");
    return NULL;
  }
  wr_apply_close(h->conn);
  h->conn = NULL;
  return NULL;
}

static napi_value js_apply_frames(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  ApplyConn *conn;
  u32 pageSize, dbSize;
  napi_typedarray_type type;
  size_t nPgno, nData;
  void *pgnos, *data;
  char *err = NULL;
  int rc;
  if (get_args(env, info, 5, argv) == NULL || (conn = get_conn(env, argv[0])) == NULL) return NULL;
  if (!get_u32(env, argv[1], &pageSize) || !get_u32(env, argv[2], &dbSize)) return NULL;
  if (napi_get_typedarray_info(env, argv[3], &type, &nPgno, &pgnos, NULL, NULL) != napi_ok ||
      type != napi_uint32_array) {
    napi_throw_type_error(env, "ERR_INVALID_ARG", "pgnos must be a Uint32Array");
    return NULL;
  }
  if (napi_get_typedarray_info(env, argv[4], &type, &nData, &data, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, "ERR_INVALID_ARG", "data must be a Uint8Array");
    return NULL;
  }
  if (nData != nPgno * (size_t)pageSize) {
    napi_throw_range_error(env, "ERR_INVALID_ARG", "data length must be pgnos.length * pageSize");
    return NULL;
  }
  rc = wr_apply_frames(conn, pageSize, dbSize, (u32)nPgno, pgnos, data, &err);
  if (rc != SQLITE_OK) throw_sqlite(env, rc, err);
  sqlite3_free(err);
  return NULL;
}

static napi_value js_checkpoint(napi_env env, napi_callback_info info) {
  napi_value argv[2], obj, busy;
  ApplyConn *conn;
  u32 mode;
  int nLog = -1, nCkpt = -1, rc;
  if (get_args(env, info, 2, argv) == NULL || (conn = get_conn(env, argv[0])) == NULL) return NULL;
  if (!get_u32(env, argv[1], &mode)) return NULL;
  rc = wr_apply_checkpoint(conn, (int)mode, &nLog, &nCkpt);
  if (rc != SQLITE_OK && rc != SQLITE_BUSY) return throw_sqlite(env, rc, sqlite3_errmsg(conn->db));
  NAPI_CALL(env, napi_create_object(env, &obj));
  NAPI_CALL(env, napi_get_boolean(env, rc == SQLITE_BUSY, &busy));
  NAPI_CALL(env, napi_set_named_property(env, obj, "busy", busy));
  if (set_u32(env, obj, "log", nLog) == NULL || set_u32(env, obj, "checkpointed", nCkpt) == NULL) return NULL;
  return obj;
}

static napi_value js_wal_info(napi_env env, napi_callback_info info) {
  napi_value argv[1], obj;
  ApplyConn *conn;
  WalInfo w;
  int rc;
  if (get_args(env, info, 1, argv) == NULL || (conn = get_conn(env, argv[0])) == NULL) return NULL;
  rc = wr_apply_wal_info(conn, &w);
  if (rc != SQLITE_OK) return throw_sqlite(env, rc, "cannot read the wal-index header");
  NAPI_CALL(env, napi_create_object(env, &obj));
  if (set_u32(env, obj, "mxFrame", w.mxFrame) == NULL || set_u32(env, obj, "nPage", w.nPage) == NULL ||
      set_u32(env, obj, "nBackfill", w.nBackfill) == NULL || set_u32(env, obj, "iChange", w.iChange) == NULL ||
      set_u32(env, obj, "salt1", w.salt1) == NULL || set_u32(env, obj, "salt2", w.salt2) == NULL ||
      set_u32(env, obj, "pageSize", w.pageSize) == NULL || set_u32(env, obj, "applied", (double)conn->nApplied) == NULL ||
      set_u32(env, obj, "restarts", (double)conn->nRestarts) == NULL) {
    return NULL;
  }
  return obj;
}

/* ---- snapshots ---- */

#define SNAPSHOT_MAGIC 0x736e6170u

typedef struct SnapshotHandle {
  u32 magic;
  SnapshotReader *reader;
} SnapshotHandle;

static void snapshot_finalize(napi_env env, void *data, void *hint) {
  SnapshotHandle *h = data;
  (void)env;
  (void)hint;
  wr_snapshot_close(h->reader);
  h->magic = 0;
  free(h);
}

static SnapshotHandle *get_snapshot(napi_env env, napi_value v) {
  SnapshotHandle *h = NULL;
  if (napi_get_value_external(env, v, (void **)&h) != napi_ok || h == NULL || h->magic != SNAPSHOT_MAGIC) {
    napi_throw_type_error(env, "ERR_INVALID_ARG", "not a snapshot reader");
    return NULL;
  }
  return h;
}

static napi_value js_snapshot_open(napi_env env, napi_callback_info info) {
  napi_value argv[1], ext, obj;
  char *path, *err = NULL;
  SnapshotReader *reader = NULL;
  SnapshotHandle *h;
  int rc;
  if (!require_loaded(env)) return NULL;
  if (get_args(env, info, 1, argv) == NULL || (path = get_string(env, argv[0])) == NULL) return NULL;
  rc = wr_snapshot_open(path, &reader, &err);
  free(path);
  if (rc != SQLITE_OK) {
    throw_sqlite(env, rc, err);
    sqlite3_free(err);
    return NULL;
  }
  h = malloc(sizeof(*h));
  if (h == NULL) {
    wr_snapshot_close(reader);
    return throw_sqlite(env, SQLITE_NOMEM, NULL);
  }
  h->magic = SNAPSHOT_MAGIC;
  h->reader = reader;
  if (napi_create_external(env, h, snapshot_finalize, NULL, &ext) != napi_ok) {
    wr_snapshot_close(reader);
    free(h);
    throw_last(env, "napi_create_external");
    return NULL;
  }
  NAPI_CALL(env, napi_create_object(env, &obj));
  NAPI_CALL(env, napi_set_named_property(env, obj, "handle", ext));
  if (set_u32(env, obj, "pageSize", reader->szPage) == NULL || set_u32(env, obj, "pageCount", reader->nPage) == NULL) {
    return NULL;
  }
  return obj;
}

static napi_value js_snapshot_read(napi_env env, napi_callback_info info) {
  napi_value argv[3], buf;
  SnapshotHandle *h;
  u32 first, count;
  void *mem = NULL;
  int rc;
  if (get_args(env, info, 3, argv) == NULL || (h = get_snapshot(env, argv[0])) == NULL) return NULL;
  if (!get_u32(env, argv[1], &first) || !get_u32(env, argv[2], &count)) return NULL;
  if (h->reader == NULL) {
    napi_throw_error(env, "ERR_WALRAFT_CLOSED", "the snapshot reader is closed");
    return NULL;
  }
  NAPI_CALL(env, napi_create_buffer(env, (size_t)count * h->reader->szPage, &mem, &buf));
  rc = wr_snapshot_read(h->reader, first, count, mem);
  if (rc != SQLITE_OK) return throw_sqlite(env, rc, "cannot read the snapshot");
  return buf;
}

static napi_value js_snapshot_close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  SnapshotHandle *h;
  if (get_args(env, info, 1, argv) == NULL || (h = get_snapshot(env, argv[0])) == NULL) return NULL;
  wr_snapshot_close(h->reader);
  h->reader = NULL;
  return NULL;
}

/* Invalid input gets a code of its own: the caller's snapshot is wrong, the database is untouched. */
static void throw_install(napi_env env, int rc, const char *err) {
  if (rc == SQLITE_OK) return;
  if (rc == WR_SNAPSHOT_INVALID) {
    napi_throw_error(env, "ERR_WALRAFT_INVALID_SNAPSHOT", err != NULL ? err : "invalid snapshot");
    return;
  }
  throw_sqlite(env, rc, err);
}

static napi_value js_install_snapshot(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  ApplyConn *conn;
  u32 pageSize;
  napi_typedarray_type type;
  size_t n;
  void *data;
  char *err = NULL;
  int rc;
  if (get_args(env, info, 3, argv) == NULL || (conn = get_conn(env, argv[0])) == NULL) return NULL;
  if (!get_u32(env, argv[1], &pageSize)) return NULL;
  if (napi_get_typedarray_info(env, argv[2], &type, &n, &data, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, "ERR_INVALID_ARG", "data must be a Uint8Array");
    return NULL;
  }
  if (pageSize < 512 || n == 0 || n % pageSize != 0) {
    napi_throw_range_error(env, "ERR_INVALID_ARG", "data must be whole pages");
    return NULL;
  }
  rc = wr_snapshot_install(conn, pageSize, (u32)(n / pageSize), data, &err);
  throw_install(env, rc, err);
  sqlite3_free(err);
  return NULL;
}

static napi_value js_install_snapshot_file(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  ApplyConn *conn;
  u32 pageSize, pageCount;
  int64_t offset;
  char *file, *err = NULL;
  int rc;
  if (get_args(env, info, 5, argv) == NULL || (conn = get_conn(env, argv[0])) == NULL) return NULL;
  if (!get_u32(env, argv[1], &pageSize) || !get_u32(env, argv[4], &pageCount)) return NULL;
  if (napi_get_value_int64(env, argv[3], &offset) != napi_ok || offset < 0) {
    napi_throw_range_error(env, "ERR_INVALID_ARG", "offset must be a non-negative integer");
    return NULL;
  }
  if ((file = get_string(env, argv[2])) == NULL) return NULL;
  rc = wr_snapshot_install_file(conn, pageSize, file, offset, pageCount, &err);
  free(file);
  throw_install(env, rc, err);
  sqlite3_free(err);
  return NULL;
}

/* ---- reserved tables ---- */

static napi_value js_internal_key(napi_env env, napi_callback_info info) {
  napi_value buf;
  const u8 *key = wr_guard_secret();
  (void)info;
  if (key == NULL) {
    napi_throw_error(env, "ERR_WALRAFT_NO_RANDOMNESS", "no random source for the internal-writes key");
    return NULL;
  }
  NAPI_CALL(env, napi_create_buffer_copy(env, WR_SECRET_BYTES, key, NULL, &buf));
  return buf;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"extensionReady", NULL, js_extension_ready, NULL, NULL, NULL, napi_default, NULL},
      {"sqliteVersion", NULL, js_sqlite_version, NULL, NULL, NULL, napi_default, NULL},
      {"register", NULL, js_register, NULL, NULL, NULL, napi_default, NULL},
      {"unregister", NULL, js_unregister, NULL, NULL, NULL, napi_default, NULL},
      {"isRegistered", NULL, js_is_registered, NULL, NULL, NULL, napi_default, NULL},
      {"setWriteFault", NULL, js_set_write_fault, NULL, NULL, NULL, napi_default, NULL},
      {"gateOpen", NULL, js_gate_open, NULL, NULL, NULL, napi_default, NULL},
      {"gateClose", NULL, js_gate_close, NULL, NULL, NULL, napi_default, NULL},
      {"gateResolve", NULL, js_gate_resolve, NULL, NULL, NULL, napi_default, NULL},
      {"gateStats", NULL, js_gate_stats, NULL, NULL, NULL, napi_default, NULL},
      {"applyOpen", NULL, js_apply_open, NULL, NULL, NULL, napi_default, NULL},
      {"applyClose", NULL, js_apply_close, NULL, NULL, NULL, napi_default, NULL},
      {"applyFrames", NULL, js_apply_frames, NULL, NULL, NULL, napi_default, NULL},
      {"checkpoint", NULL, js_checkpoint, NULL, NULL, NULL, napi_default, NULL},
      {"walInfo", NULL, js_wal_info, NULL, NULL, NULL, napi_default, NULL},
      {"snapshotOpen", NULL, js_snapshot_open, NULL, NULL, NULL, napi_default, NULL},
      {"snapshotRead", NULL, js_snapshot_read, NULL, NULL, NULL, napi_default, NULL},
      {"snapshotClose", NULL, js_snapshot_close, NULL, NULL, NULL, napi_default, NULL},
      {"installSnapshot", NULL, js_install_snapshot, NULL, NULL, NULL, napi_default, NULL},
      {"installSnapshotFile", NULL, js_install_snapshot_file, NULL, NULL, NULL, napi_default, NULL},
      {"internalKey", NULL, js_internal_key, NULL, NULL, NULL, napi_default, NULL},
  };
  /* the key exists from load on, whichever face is used first */
  (void)wr_guard_secret();
  if (napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props) != napi_ok) return NULL;
  return exports;
}
