/* The shim VFS: registered as the default VFS over "unix". Files of databases that are not
 * replicated are opened by unix itself (no indirection at all); files of replicated
 * databases get wrapping methods that track WAL_WRITE_LOCK, run the commit gate on the WAL
 * and refuse the pragmas that would make replicas diverge. */
#ifndef WALRAFT_SHIM_H
#define WALRAFT_SHIM_H

#include "common.h"

int wr_shim_register(void);
/* The unix file behind a (possibly wrapped) file, for code that must bypass the shim. */
sqlite3_file *wr_shim_unwrap(sqlite3_file *f);
/* Lets the calling thread checkpoint replicated databases (1) or not (0, the default). */
void wr_shim_checkpoint_allowed(int allowed);

#endif
