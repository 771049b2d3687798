/* Leader capture: the commit gate on the WAL's commit-frame page write (research §6.4). */
#ifndef WALRAFT_CAPTURE_H
#define WALRAFT_CAPTURE_H

#include "registry.h"

/* Called for every xWrite on a replicated database's WAL. Returns SQLITE_OK with *handled
 * set when the write was consumed (withheld or written by the gate), otherwise leaves the
 * write to the caller. */
int wr_capture_write(ReplDb *db, sqlite3_file *wal, const void *buf, int n, i64 off, int *handled);
/* WAL_WRITE_LOCK was taken (locked=1) or released (locked=0) by a connection's shim file. */
void wr_capture_write_lock(ReplDb *db, int locked);
/* The WAL was truncated: frames start again at 1. */
void wr_capture_truncated(ReplDb *db);

/* Gate API used by the N-API side. */
int wr_gate_open(ReplDb *db, napi_threadsafe_function tsfn, u32 timeoutMs, napi_threadsafe_function *old);
napi_threadsafe_function wr_gate_close(ReplDb *db);
int wr_gate_resolve(ReplDb *db, u64 seq, GateVerdict verdict);
void wr_payload_free(GatePayload *p);

#endif
