/* Replicated databases known to the shim, keyed by their full path, with the per-database
 * leader capture and commit-gate state. */
#ifndef WALRAFT_REGISTRY_H
#define WALRAFT_REGISTRY_H

#include <node_api.h>
#include "common.h"

typedef enum { GATE_NONE = 0, GATE_PENDING, GATE_COMMIT, GATE_ABORT_DEFINITE, GATE_ABORT_UNKNOWN } GateVerdict;

/* How the last gate closed, kept so callers can tell outcomes apart even when the SQLite
 * error code is lost in translation. */
typedef enum {
  OUTCOME_NONE = 0,
  OUTCOME_COMMITTED,
  OUTCOME_ABORTED_DEFINITE,
  OUTCOME_ABORTED_UNKNOWN,
  OUTCOME_TIMED_OUT,
  OUTCOME_NO_GATE,
  OUTCOME_LOCAL_WRITE_FAILED
} GateOutcome;

typedef struct GatePayload {
  u64 seq;
  u32 pageSize;
  u32 dbSize;
  u32 nPage;
  u32 *aPgno; /* nPage entries, ascending */
  u8 *aData;  /* nPage * pageSize bytes */
} GatePayload;

typedef struct ReplDb {
  char *zPath;
  int refs; /* registrations; the entry stays allocated for the life of the process */
  pthread_mutex_t mu;
  pthread_cond_t cv;

  /* capture state: touched only by the thread holding WAL_WRITE_LOCK on this database */
  int writeLocked;
  int postCommit;  /* the commit frame is written: later writes are checksum rewrites */
  u32 txStart;     /* first frame of the open write transaction, 0 = none yet */
  u32 szPage;      /* from the WAL header, 0 = not read yet */
  u8 pendHdr[24];
  i64 pendOff;     /* offset of the withheld commit-frame header, -1 = none */

  /* gate, guarded by mu */
  napi_threadsafe_function tsfn;
  u32 timeoutMs;
  u64 seq;
  GateVerdict verdict;
  GateOutcome lastOutcome;
  u64 lastSeq;
  u64 nCommitted, nAborted, nTimedOut;

  /* an injected storage fault (SQLITE_FULL, SQLITE_IOERR_WRITE) every write to the database or
   * its WAL fails with, 0 = none; for fault tests. Read and written atomically. */
  int writeFault;
} ReplDb;

int wr_registry_add(const char *zPath);
int wr_registry_remove(const char *zPath);
/* Looks a path up; names ending in -wal are matched to their database when wal is set. */
ReplDb *wr_registry_find(const char *zPath, int wal);

#endif
