#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "capture.h"
#include "walfmt.h"

void wr_capture_write_lock(ReplDb *db, int locked) {
  db->writeLocked = locked;
  db->postCommit = 0;
  db->txStart = 0;
  db->pendOff = -1;
}

void wr_capture_truncated(ReplDb *db) {
  db->txStart = 0;
  db->postCommit = 0;
  db->pendOff = -1;
}

void wr_payload_free(GatePayload *p) {
  if (p == NULL) return;
  free(p->aPgno);
  free(p->aData);
  free(p);
}

static int read_page_size(ReplDb *db, sqlite3_file *wal) {
  u8 hdr[WAL_HDR_SIZE];
  int rc = wal->pMethods->xRead(wal, hdr, WAL_HDR_SIZE, 0);
  if (rc != SQLITE_OK) return rc;
  db->szPage = wr_get4(hdr + 8);
  return db->szPage >= 512 && db->szPage <= 65536 ? SQLITE_OK : SQLITE_CORRUPT;
}

static int cmp_u32(const void *a, const void *b) {
  u32 x = *(const u32 *)a, y = *(const u32 *)b;
  return x < y ? -1 : x > y;
}

/* Builds the transaction's page set: frames txStart..iCommit-1 read back from the WAL plus
 * the withheld commit frame. The last image of a page wins and pages past the new database
 * size are dropped, which covers cache spills, in-place rewrites and savepoint rewinds. */
static int build_payload(ReplDb *db, sqlite3_file *wal, u32 iCommit, const u8 *commitPage, GatePayload **out) {
  const u32 szPage = db->szPage;
  const u32 commitPgno = wr_get4(db->pendHdr);
  const u32 dbSize = wr_get4(db->pendHdr + 4);
  const u32 nEarlier = iCommit - db->txStart;
  u32 nSlot = 16, nUnique = 0;
  u32 *slotPgno = NULL, *slotFrame = NULL;
  GatePayload *p = NULL;
  int rc = SQLITE_OK;

  while (nSlot < 2 * (nEarlier + 1)) nSlot <<= 1;
  slotPgno = calloc(nSlot, sizeof(u32));
  slotFrame = calloc(nSlot, sizeof(u32));
  p = calloc(1, sizeof(*p));
  if (slotPgno == NULL || slotFrame == NULL || p == NULL) {
    rc = SQLITE_IOERR_NOMEM;
    goto done;
  }
  /* pgno -> latest frame (frame 0 stands for the withheld commit frame) */
  for (u32 i = 0; i <= nEarlier && rc == SQLITE_OK; i++) {
    u32 pgno, frame, h;
    if (i < nEarlier) {
      u8 fh[WAL_FRAME_HDR_SIZE];
      frame = db->txStart + i;
      rc = wal->pMethods->xRead(wal, fh, WAL_FRAME_HDR_SIZE, wr_frame_offset(frame, szPage));
      pgno = wr_get4(fh);
      if (rc == SQLITE_OK && pgno == 0) rc = SQLITE_CORRUPT;
    } else {
      frame = 0;
      pgno = commitPgno;
    }
    if (rc != SQLITE_OK || pgno > dbSize) continue;
    for (h = (pgno * WI_HASH_MUL) & (nSlot - 1); slotPgno[h] != 0 && slotPgno[h] != pgno; h = (h + 1) & (nSlot - 1)) {
    }
    if (slotPgno[h] == 0) nUnique++;
    slotPgno[h] = pgno;
    slotFrame[h] = frame;
  }
  if (rc != SQLITE_OK) goto done;

  p->pageSize = szPage;
  p->dbSize = dbSize;
  p->nPage = nUnique;
  p->aPgno = malloc((size_t)nUnique * sizeof(u32) + 1);
  p->aData = malloc((size_t)nUnique * szPage + 1);
  if (p->aPgno == NULL || p->aData == NULL) {
    rc = SQLITE_IOERR_NOMEM;
    goto done;
  }
  for (u32 h = 0, j = 0; h < nSlot; h++) {
    if (slotPgno[h] != 0) p->aPgno[j++] = slotPgno[h];
  }
  qsort(p->aPgno, nUnique, sizeof(u32), cmp_u32);
  for (u32 j = 0; j < nUnique && rc == SQLITE_OK; j++) {
    u32 pgno = p->aPgno[j], h;
    u8 *dst = p->aData + (size_t)j * szPage;
    for (h = (pgno * WI_HASH_MUL) & (nSlot - 1); slotPgno[h] != pgno; h = (h + 1) & (nSlot - 1)) {
    }
    if (slotFrame[h] == 0) {
      memcpy(dst, commitPage, szPage);
    } else {
      rc = wal->pMethods->xRead(wal, dst, (int)szPage, wr_frame_offset(slotFrame[h], szPage) + WAL_FRAME_HDR_SIZE);
    }
  }

done:
  free(slotPgno);
  free(slotFrame);
  if (rc != SQLITE_OK) {
    wr_payload_free(p);
    p = NULL;
  }
  *out = p;
  return rc;
}

static void deadline_after(struct timespec *ts, u32 ms) {
  clock_gettime(CLOCK_MONOTONIC, ts);
  ts->tv_sec += ms / 1000;
  ts->tv_nsec += (long)(ms % 1000) * 1000000L;
  if (ts->tv_nsec >= 1000000000L) {
    ts->tv_sec += 1;
    ts->tv_nsec -= 1000000000L;
  }
}

/* Hands the payload to the gate's JavaScript callback and parks this (writer) thread until
 * the verdict or the timeout. Takes ownership of the payload. */
static GateVerdict gate_wait(ReplDb *db, GatePayload *payload) {
  GateVerdict v;
  struct timespec deadline;
  int timedOut = 0;
  pthread_mutex_lock(&db->mu);
  if (db->tsfn == NULL) {
    db->lastOutcome = OUTCOME_NO_GATE;
    db->nAborted++;
    pthread_mutex_unlock(&db->mu);
    wr_payload_free(payload);
    return GATE_ABORT_DEFINITE;
  }
  payload->seq = ++db->seq;
  db->verdict = GATE_PENDING;
  if (napi_call_threadsafe_function(db->tsfn, payload, napi_tsfn_nonblocking) != napi_ok) {
    db->verdict = GATE_NONE;
    db->lastOutcome = OUTCOME_NO_GATE;
    db->lastSeq = payload->seq;
    db->nAborted++;
    pthread_mutex_unlock(&db->mu);
    wr_payload_free(payload);
    return GATE_ABORT_DEFINITE;
  }
  deadline_after(&deadline, db->timeoutMs);
  while (db->verdict == GATE_PENDING) {
    if (pthread_cond_timedwait(&db->cv, &db->mu, &deadline) == ETIMEDOUT && db->verdict == GATE_PENDING) {
      db->verdict = GATE_ABORT_UNKNOWN;
      timedOut = 1;
      db->nTimedOut++;
    }
  }
  v = db->verdict;
  db->verdict = GATE_NONE;
  db->lastSeq = db->seq;
  db->lastOutcome = timedOut              ? OUTCOME_TIMED_OUT
                    : v == GATE_COMMIT    ? OUTCOME_COMMITTED
                    : v == GATE_ABORT_DEFINITE ? OUTCOME_ABORTED_DEFINITE
                                               : OUTCOME_ABORTED_UNKNOWN;
  if (v != GATE_COMMIT) db->nAborted++;
  pthread_mutex_unlock(&db->mu);
  return v;
}

int wr_capture_write(ReplDb *db, sqlite3_file *wal, const void *buf, int n, i64 off, int *handled) {
  const u8 *b = buf;
  *handled = 0;
  /* only the holder of WAL_WRITE_LOCK writes frames; after the commit frame, the remaining
   * writes are SQLite's checksum rewrites of earlier headers: let them through */
  if (!db->writeLocked || db->postCommit) return SQLITE_OK;
  if (off == 0 && n == WAL_HDR_SIZE) {
    db->txStart = 0;
    db->szPage = wr_get4(b + 8);
    return SQLITE_OK;
  }
  if (n == WAL_FRAME_HDR_SIZE && off >= WAL_HDR_SIZE) {
    int rc = db->szPage == 0 ? read_page_size(db, wal) : SQLITE_OK;
    if (rc != SQLITE_OK) return rc;
    if ((off - WAL_HDR_SIZE) % (db->szPage + WAL_FRAME_HDR_SIZE) != 0) return SQLITE_OK;
    if (db->txStart == 0) db->txStart = (u32)((off - WAL_HDR_SIZE) / (db->szPage + WAL_FRAME_HDR_SIZE)) + 1;
    if (wr_get4(b + 4) != 0) {
      /* the commit frame: withhold its header until the verdict */
      memcpy(db->pendHdr, b, WAL_FRAME_HDR_SIZE);
      db->pendOff = off;
      *handled = 1;
    }
    return SQLITE_OK;
  }
  if (db->pendOff >= 0 && off == db->pendOff + WAL_FRAME_HDR_SIZE && (u32)n == db->szPage) {
    GatePayload *payload = NULL;
    u32 iCommit = (u32)((db->pendOff - WAL_HDR_SIZE) / (db->szPage + WAL_FRAME_HDR_SIZE)) + 1;
    i64 hdrOff = db->pendOff;
    int rc;
    GateVerdict v;
    *handled = 1;
    db->pendOff = -1;
    if (db->txStart == 0 || db->txStart > iCommit) return SQLITE_CORRUPT;
    rc = build_payload(db, wal, iCommit, b, &payload);
    if (rc != SQLITE_OK) return rc;
    v = gate_wait(db, payload);
    if (v == GATE_ABORT_DEFINITE) return WR_IOERR_NOT_COMMITTED;
    if (v != GATE_COMMIT) return WR_IOERR_OUTCOME_UNKNOWN;
    rc = wal->pMethods->xWrite(wal, db->pendHdr, WAL_FRAME_HDR_SIZE, hdrOff);
    if (rc == SQLITE_OK) rc = wal->pMethods->xWrite(wal, buf, n, off);
    if (rc != SQLITE_OK) {
      /* committed through the gate but not locally: the caller must apply it as a follower */
      pthread_mutex_lock(&db->mu);
      db->lastOutcome = OUTCOME_LOCAL_WRITE_FAILED;
      pthread_mutex_unlock(&db->mu);
      return rc;
    }
    pthread_mutex_lock(&db->mu);
    db->nCommitted++;
    pthread_mutex_unlock(&db->mu);
    db->postCommit = 1;
    return SQLITE_OK;
  }
  return SQLITE_OK;
}

int wr_gate_open(ReplDb *db, napi_threadsafe_function tsfn, u32 timeoutMs, napi_threadsafe_function *old) {
  pthread_mutex_lock(&db->mu);
  *old = db->tsfn;
  if (db->verdict == GATE_PENDING) {
    db->verdict = GATE_ABORT_UNKNOWN;
    pthread_cond_broadcast(&db->cv);
  }
  db->tsfn = tsfn;
  db->timeoutMs = timeoutMs;
  pthread_mutex_unlock(&db->mu);
  return SQLITE_OK;
}

napi_threadsafe_function wr_gate_close(ReplDb *db) {
  napi_threadsafe_function old;
  pthread_mutex_lock(&db->mu);
  old = db->tsfn;
  db->tsfn = NULL;
  /* a parked writer must never outlive its gate: its proposal may be in flight */
  if (db->verdict == GATE_PENDING) {
    db->verdict = GATE_ABORT_UNKNOWN;
    pthread_cond_broadcast(&db->cv);
  }
  pthread_mutex_unlock(&db->mu);
  return old;
}

int wr_gate_resolve(ReplDb *db, u64 seq, GateVerdict verdict) {
  int ok = 0;
  pthread_mutex_lock(&db->mu);
  if (db->verdict == GATE_PENDING && db->seq == seq) {
    db->verdict = verdict;
    pthread_cond_broadcast(&db->cv);
    ok = 1;
  }
  pthread_mutex_unlock(&db->mu);
  return ok;
}
