// Replication workloads run whole transactions through a writer thread: allow them time.
jest.setTimeout(240_000);
