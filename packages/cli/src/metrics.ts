import * as client from 'prom-client';
import type { Node } from 'walraft';

/**
 * The node's Prometheus metrics. Raft state is read from the node at scrape time; commits are counted as the
 * node reports them; the process metrics (event-loop delay, memory, CPU) come from prom-client.
 */
export class NodeMetrics {
  readonly registry = new client.Registry();
  readonly #commits: client.Counter;
  readonly #commitFailures: client.Counter;
  readonly #commitLatency: client.Histogram;
  readonly #fsync: client.Histogram;

  constructor(node: () => Node | undefined) {
    const r = this.registry;
    client.collectDefaultMetrics({ register: r });
    const gauge = (name: string, help: string, read: (n: Node) => number): void => {
      new client.Gauge({
        name,
        help,
        registers: [r],
        collect() {
          const n = node();
          if (n) this.set(read(n));
        },
      });
    };
    new client.Gauge({
      name: 'walraft_role',
      help: 'The node role (1 for the current one)',
      labelNames: ['role'],
      registers: [r],
      collect() {
        const n = node();
        if (!n) return;
        const role = n.status().role;
        for (const x of ['follower', 'candidate', 'precandidate', 'leader']) this.set({ role: x }, x === role ? 1 : 0);
      },
    });
    gauge('walraft_term', 'Current Raft term', (n) => n.status().term);
    gauge('walraft_leader_id', 'Id of the leader this node knows (0: none)', (n) => n.status().lead);
    gauge('walraft_commit_index', 'Highest log index known committed', (n) => n.status().commit);
    gauge('walraft_applied_index', 'Highest log index applied to the databases', (n) => n.status().appliedIndex);
    gauge('walraft_last_index', 'Highest log index in the local log', (n) => n.status().lastIndex);
    gauge(
      'walraft_snapshot_index',
      'Index of the latest snapshot (log compacted up to it)',
      (n) => n.status().snapshotIndex,
    );
    gauge('walraft_apply_lag_entries', 'Committed entries not yet applied here', (n) => {
      const s = n.status();
      return Math.max(0, s.commit - s.appliedIndex);
    });
    new client.Gauge({
      name: 'walraft_peer_replication_lag_entries',
      help: 'On the leader: entries each peer is behind the leader log',
      labelNames: ['peer'],
      registers: [r],
      collect() {
        this.reset();
        const s = node()?.status();
        if (!s || s.role !== 'leader') return;
        for (const p of s.peers)
          if (p.id !== s.id) this.set({ peer: String(p.id) }, Math.max(0, s.lastIndex - p.match));
      },
    });
    new client.Gauge({
      name: 'walraft_peer_last_contact_seconds',
      help: 'Seconds since a message last arrived from each peer',
      labelNames: ['peer'],
      registers: [r],
      collect() {
        this.reset();
        const s = node()?.status();
        if (!s) return;
        for (const [peer, ms] of s.lastContactMs) if (ms !== undefined) this.set({ peer: String(peer) }, ms / 1000);
      },
    });
    const counter = (name: string, help: string, read: (n: Node) => number): void => {
      new client.Counter({
        name,
        help,
        registers: [r],
        collect() {
          const n = node();
          if (n) {
            this.reset();
            this.inc(read(n));
          }
        },
      });
    };
    counter(
      'walraft_checkpoints_total',
      'State machine checkpoints (every database checkpointed into its file)',
      (n) => n.stats().checkpoints,
    );
    counter('walraft_log_compactions_total', 'Raft log compactions after a checkpoint', (n) => n.stats().compactions);
    counter('walraft_snapshots_sent_total', 'Snapshots sent to lagging or new members', (n) => n.stats().snapshotsSent);
    counter(
      'walraft_snapshots_installed_total',
      'Snapshots received and installed',
      (n) => n.stats().snapshotsInstalled,
    );
    this.#fsync = new client.Histogram({
      name: 'walraft_fsync_seconds',
      help: 'Duration of each fdatasync of the Raft log',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [r],
    });
    this.#commits = new client.Counter({
      name: 'walraft_commits_total',
      help: 'Write transactions this node committed as the leader',
      registers: [r],
    });
    this.#commitFailures = new client.Counter({
      name: 'walraft_commit_failures_total',
      help: 'Write requests this node ran as the leader that did not commit (or whose outcome is unknown)',
      registers: [r],
    });
    this.#commitLatency = new client.Histogram({
      name: 'walraft_commit_latency_seconds',
      help: 'Time from a write request reaching the leader to its acknowledgement',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
      registers: [r],
    });
  }

  /** Called by the node for every write it ran as the leader. */
  observeWrite(ms: number, ok: boolean): void {
    if (ok) {
      this.#commits.inc();
      this.#commitLatency.observe(ms / 1000);
    } else this.#commitFailures.inc();
  }

  /** Called by the node for every fdatasync of its Raft log. */
  observeFsync(ms: number): void {
    this.#fsync.observe(ms / 1000);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
