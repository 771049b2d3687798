import { bootstrapLog } from '../core/bootstrap';
import type { Mutation } from '../core/mutations';
import type { RandomSource } from '../core/rand';
import { seededRandom } from '../core/rand';
import type { RaftConfig } from '../core/raft';
import { defaultRaftConfig } from '../core/raft';
import type { NodeId } from '../core/types';
import { ConfChangeType } from '../core/types';
import type { RaftNodeError } from '../node/errors';
import { RaftNode } from '../node/raft-node';
import type { DurableImage } from './disk';
import { SimDisk, SimStorage } from './disk';
import type { KvCommand } from './kv';
import { KvStateMachine, encodeCommand } from './kv';
import type { Operation, RegisterInput } from './linearizability';
import { checkLinearizable } from './linearizability';
import { SimNetwork } from './network';
import type { ObservedNode } from './oracle';
import { Oracle } from './oracle';
import { NodeRuntime, Scheduler } from './scheduler';
import { bytesSnapshot } from '../node/snapshot';

export interface ScheduleOptions {
  readonly seed: number;
  /** Initial number of voters (3 or 5). */
  readonly nodes: number;
  readonly mutations: ReadonlySet<Mutation>;
  /** Virtual milliseconds of faults before healing. */
  readonly chaosMs?: number;
  /** Keep a readable event trace (printed for failing seeds). */
  readonly trace?: boolean;
}

export interface ScheduleResult {
  readonly seed: number;
  readonly nodes: number;
  readonly violations: readonly string[];
  readonly trace: readonly string[];
  readonly events: number;
  readonly stats: {
    readonly opsOk: number;
    readonly opsUnknown: number;
    readonly opsFailed: number;
    readonly crashes: number;
    readonly leaders: number;
    readonly snapshotsInstalled: number;
    readonly confChanges: number;
  };
}

const TICK_MS = 10;
const ELECTION_TICKS = 10;
const ELECTION_MS = TICK_MS * ELECTION_TICKS;
const REQUEST_TIMEOUT_MS = 10 * ELECTION_MS;

interface Slot {
  readonly id: NodeId;
  disk: SimDisk;
  rt: NodeRuntime | undefined;
  storage: SimStorage | undefined;
  sm: KvStateMachine | undefined;
  node: RaftNode | undefined;
  /** Removed from the configuration and shut down for good. */
  retired: boolean;
}

/** One seeded simulation schedule: a cluster, clients, faults, then healing and final checks. */
export class SimCluster {
  private readonly sched = new Scheduler((err) => {
    this.oracle.fail(`exception: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  });
  private readonly rand: RandomSource;
  private readonly net: SimNetwork;
  private readonly oracle: Oracle;
  private readonly slots = new Map<NodeId, Slot>();
  private readonly traceLines: string[] = [];
  private readonly history: Operation[] = [];
  private readonly keys = ['a', 'b', 'c'];
  private nextNodeId: NodeId;
  private opId = 0;
  private valueSeq = 0;
  private clientsRunning = true;
  private outstanding = 0;
  private readonly stats = {
    opsOk: 0,
    opsUnknown: 0,
    opsFailed: 0,
    crashes: 0,
    leaders: 0,
    snapshotsInstalled: 0,
    confChanges: 0,
  };
  private readonly preVote: boolean;
  private readonly checkQuorum: boolean;
  /** Sampled per schedule: small messages and windows make replication interleave in more ways. */
  private readonly maxSizePerMsg: number;
  private readonly maxInflightMsgs: number;
  /** Probability that a client sends to a random node rather than the newest leader. */
  private readonly randomTarget: number;
  private membershipBusy = false;

  constructor(private readonly opts: ScheduleOptions) {
    this.rand = seededRandom(opts.seed, 0);
    this.preVote = this.rand() < 0.75;
    this.checkQuorum = this.rand() < 0.75;
    this.maxSizePerMsg = this.pick([1, 256, 4096]) ?? 4096;
    this.maxInflightMsgs = this.pick([1, 4, 16]) ?? 4;
    this.randomTarget = this.pick([0.1, 0.5]) ?? 0.1;
    this.oracle = new Oracle(() => this.sched.now());
    this.net = new SimNetwork(
      this.sched,
      seededRandom(opts.seed, 1),
      (m) => {
        this.oracle.checkSend(this.observed(m.from), m);
      },
      { latency: 0.5, jitter: 2 },
    );
    const voters = Array.from({ length: opts.nodes }, (_, i) => i + 1);
    this.nextNodeId = opts.nodes + 1;
    const boot = bootstrapLog(voters);
    for (const id of voters) {
      this.addSlot(id, {
        snapshot: emptySnapshot,
        entries: boot.entries,
        hardState: boot.hardState,
        smCheckpoint: undefined,
      });
    }
  }

  async run(): Promise<ScheduleResult> {
    const chaosMs = this.opts.chaosMs ?? 4000;
    this.trace(
      `seed ${this.opts.seed}: ${this.opts.nodes} nodes, preVote=${this.preVote} checkQuorum=${this.checkQuorum} ` +
        `maxSizePerMsg=${this.maxSizePerMsg} (apply bounds ${this.maxSizePerMsg}/${4 * this.maxSizePerMsg}) ` +
        `maxInflightMsgs=${this.maxInflightMsgs}` +
        (this.opts.mutations.size ? ` mutations=${[...this.opts.mutations].join(',')}` : ''),
    );
    for (const slot of this.slots.values()) this.startNode(slot);
    for (let c = 1; c <= 3; c++)
      this.sched.after(this.rand() * 50, () => {
        this.clientLoop(c);
      });
    this.scheduleNemesis(chaosMs);

    let events = 0;
    const afterEach = (): void => {
      events++;
      this.observeAll(events % 32 === 0);
    };
    await this.sched.runUntil(chaosMs, afterEach);
    if (this.oracle.violations.length === 0) {
      this.heal();
      this.clientsRunning = false;
      await this.sched.runUntil(chaosMs + REQUEST_TIMEOUT_MS + 4 * ELECTION_MS, afterEach);
    }
    if (this.oracle.violations.length === 0) await this.finalChecks(afterEach);
    for (const s of this.slots.values()) s.node?.stop('end of schedule');
    return {
      seed: this.opts.seed,
      nodes: this.opts.nodes,
      violations: this.oracle.violations,
      trace: this.traceLines,
      events: this.sched.eventsRun(),
      stats: this.stats,
    };
  }

  // ---------------------------------------------------------------- nodes

  private addSlot(id: NodeId, image: DurableImage): Slot {
    const diskRand = seededRandom(this.opts.seed, 2, id);
    const disk = new SimDisk(
      this.sched,
      {
        // Mostly fast; now and then an fsync stalls for a while.
        syncLatency: () => (diskRand() < 0.01 ? 20 + diskRand() * 3 * ELECTION_MS : 0.1 + diskRand() * 2),
      },
      image,
    );
    const slot: Slot = { id, disk, rt: undefined, storage: undefined, sm: undefined, node: undefined, retired: false };
    this.slots.set(id, slot);
    return slot;
  }

  private startNode(slot: Slot): void {
    const rt = new NodeRuntime(this.sched);
    // this incarnation's view of the disk: after a crash, its leftover async work cannot write or sync
    const io = slot.disk.session();
    const storage = new SimStorage(io);
    const sm: KvStateMachine = new KvStateMachine(io, (index, digest) => {
      if (slot.sm === sm) this.oracle.observeApply(slot.id, index, digest);
    });
    const config: RaftConfig = {
      ...defaultRaftConfig,
      id: slot.id,
      electionTicks: ELECTION_TICKS,
      heartbeatTicks: 1,
      preVote: this.preVote,
      checkQuorum: this.checkQuorum,
      maxSizePerMsg: this.maxSizePerMsg,
      maxInflightMsgs: this.maxInflightMsgs,
      // small apply bounds too, so committed entries are often held back until earlier ones are applied
      maxApplyBytesPerReady: this.maxSizePerMsg,
      maxApplyingBytes: 4 * this.maxSizePerMsg,
      random: seededRandom(this.opts.seed, 3, slot.id, this.stats.crashes),
      mutations: this.opts.mutations,
    };
    const transport = this.net.transport(slot.id);
    const node = new RaftNode({
      config,
      storage,
      stateMachine: sm,
      transport,
      runtime: rt,
      tickMs: TICK_MS,
      checkpointEvery: 20,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      applyBatch: 16,
      onFatal: (err) => {
        this.oracle.fail(`node ${slot.id} fatal error: ${err.message}`);
      },
      onRoleChange: (st) => {
        if (st.role === 'leader') {
          this.stats.leaders++;
          this.trace(`node ${slot.id} became leader of term ${st.term}`);
          this.oracle.becameLeader(this.observed(slot.id) as ObservedNode);
          if (this.sched.now() < (this.opts.chaosMs ?? 4000)) {
            const r = this.rand();
            if (r < 0.3) {
              // Change membership right away: a new leader must hold such a change back until it has
              // committed an entry of its own term.
              this.sched.after(0, () => {
                this.membershipChange();
              });
            } else if (r < 0.6) {
              // Cut or thin out a fresh leader's links at once (its first appends included): earlier
              // terms' entries and its own reach only some nodes, the setting of the paper's Figure 8.
              const loss = this.rand() < 0.5 ? 1 : 0.5 + this.rand() * 0.45;
              const peers = [...this.slots.keys()].filter((p) => p !== slot.id);
              for (const p of peers) this.net.link(slot.id, p).loss = loss;
              this.trace(`fresh leader ${slot.id}: outgoing loss ${loss.toFixed(2)}`);
              this.sched.after(20 + this.rand() * 300, () => {
                for (const p of peers) this.net.link(slot.id, p).loss = 0;
              });
            } else if (r < 0.75) {
              // Kill a fresh leader while it is still replicating earlier terms' entries (Figure 8).
              this.sched.after(this.rand() * 4, () => {
                if (slot.node === node) {
                  this.trace(`crash fresh leader ${slot.id}`);
                  this.crash(slot);
                  this.sched.after(20 + this.rand() * 200, () => {
                    if (!slot.node && !slot.retired) {
                      this.trace(`restart node ${slot.id}`);
                      this.startNode(slot);
                    }
                  });
                }
              });
            }
          }
        }
      },
    });
    slot.rt = rt;
    slot.storage = storage;
    slot.sm = sm;
    slot.node = node;
    this.oracle.nodeStarted(slot.id, storage);
    this.net.attach(slot.id, {
      receive: (m, data) => {
        rt.run(() => {
          if (m.type === 'Snap' && data) this.stats.snapshotsInstalled++;
          node.receive(m, data ? bytesSnapshot(data) : undefined);
        });
      },
      reportSnapshot: (peer, ok) => {
        rt.run(() => {
          node.reportSnapshot(peer, ok);
        });
      },
      reportUnreachable: (peer) => {
        rt.run(() => {
          node.reportUnreachable(peer);
        });
      },
    });
    node.start();
  }

  private crash(slot: Slot): void {
    if (!slot.node) return;
    this.stats.crashes++;
    slot.node.stop('crashed');
    slot.rt?.kill();
    this.net.attach(slot.id, undefined);
    slot.disk.crash(seededRandom(this.opts.seed, 4, slot.id, this.stats.crashes));
    slot.node = undefined;
    slot.rt = undefined;
    slot.storage = undefined;
    slot.sm = undefined;
  }

  private observed(id: NodeId): ObservedNode | undefined {
    const slot = this.slots.get(id);
    const node = slot?.node;
    const storage = slot?.storage;
    if (!slot || !node || !storage) return undefined;
    return { id, status: () => node.status(), storage, durable: () => slot.disk.image() };
  }

  private liveNodes(): ObservedNode[] {
    const out: ObservedNode[] = [];
    for (const id of [...this.slots.keys()].sort((a, b) => a - b)) {
      const o = this.observed(id);
      if (o) out.push(o);
    }
    return out;
  }

  private observeAll(withLogMatching: boolean): void {
    if (this.oracle.violations.length > 0) return;
    const live = this.liveNodes();
    for (const n of live) this.oracle.observeCommits(n);
    for (const n of live) this.oracle.observeLeaderAppends(n);
    if (withLogMatching) this.oracle.checkLogMatching(live);
  }

  private leader(): Slot | undefined {
    let best: Slot | undefined;
    let bestTerm = -1;
    for (const s of this.slots.values()) {
      const st = s.node?.status();
      if (st?.role === 'leader' && st.term > bestTerm && !s.rt?.isPaused()) {
        best = s;
        bestTerm = st.term;
      }
    }
    return best;
  }

  private activeSlots(): Slot[] {
    return [...this.slots.values()].filter((s) => !s.retired).sort((a, b) => a.id - b.id);
  }

  private pick<T>(xs: readonly T[]): T | undefined {
    return xs[Math.floor(this.rand() * xs.length)];
  }

  // ---------------------------------------------------------------- clients

  private clientLoop(client: number): void {
    if (!this.clientsRunning) return;
    const live = this.activeSlots().filter((s) => s.node);
    const leader = this.leader();
    const target = leader && this.rand() >= this.randomTarget ? leader : this.pick(live);
    const key = this.pick(this.keys) ?? 'a';
    const r = this.rand();
    const next = (): void => {
      this.sched.after(this.rand() * 20, () => {
        this.clientLoop(client);
      });
    };
    if (!target?.node) {
      next();
      return;
    }
    const node = target.node;
    const call = this.sched.now();
    const id = ++this.opId;
    this.outstanding++;
    if (r < 0.35) {
      const committedAtCall = this.oracle.maxCommitted;
      const sm = target.sm;
      node
        .readIndex()
        .then(
          (index) => {
            this.oracle.checkRead(target.id, index, committedAtCall);
            const value = sm?.get(key) ?? null;
            this.record({ id, client, key, input: { op: 'get' }, output: value, call, ret: this.sched.now() });
          },
          () => {
            this.stats.opsFailed++;
          },
        )
        .finally(() => {
          this.outstanding--;
          next();
        });
      return;
    }
    const value = `v${++this.valueSeq}`;
    let input: RegisterInput;
    let cmd: KvCommand;
    if (r < 0.8) {
      input = { op: 'put', value };
      cmd = { op: 'put', key, value };
    } else {
      const expected = this.rand() < 0.3 ? null : `v${Math.max(1, this.valueSeq - 1 - Math.floor(this.rand() * 3))}`;
      input = { op: 'cas', expected, value };
      cmd = { op: 'cas', key, expected, value };
    }
    node
      .propose(encodeCommand(cmd))
      .then(
        (result) => {
          this.record({
            id,
            client,
            key,
            input,
            output: input.op === 'cas' ? result === true : null,
            call,
            ret: this.sched.now(),
          });
        },
        (err: unknown) => {
          if ((err as RaftNodeError).definite) {
            this.stats.opsFailed++;
          } else {
            this.stats.opsUnknown++;
            this.history.push({ id, client, key, input, output: undefined, call, ret: Infinity });
          }
        },
      )
      .finally(() => {
        this.outstanding--;
        next();
      });
  }

  private record(op: Operation): void {
    this.stats.opsOk++;
    this.history.push(op);
  }

  // ---------------------------------------------------------------- faults

  private scheduleNemesis(chaosMs: number): void {
    const step = (): void => {
      if (this.sched.now() >= chaosMs) return;
      this.nemesisAction();
      this.sched.after(50 + this.rand() * 400, step);
    };
    this.sched.after(200 + this.rand() * 200, step);
  }

  private nemesisAction(): void {
    const r = this.rand();
    const active = this.activeSlots();
    const ids = active.map((s) => s.id);
    const leader = this.leader();
    if (r < 0.16) {
      const victim = leader && this.rand() < 0.5 ? leader : this.pick(active.filter((s) => s.node));
      if (!victim?.node) return;
      this.trace(`crash node ${victim.id}`);
      this.crash(victim);
      this.sched.after(20 + this.rand() * 1500, () => {
        if (!victim.node && !victim.retired) {
          this.trace(`restart node ${victim.id}`);
          this.startNode(victim);
        }
      });
    } else if (r < 0.24) {
      const victim = this.pick(active.filter((s) => s.rt));
      if (!victim?.rt) return;
      const ms = 20 + this.rand() * 4 * ELECTION_MS;
      this.trace(`pause node ${victim.id} for ${ms.toFixed(0)}ms`);
      victim.rt.pause(ms);
    } else if (r < 0.44) {
      const kind = this.pick(['isolate', 'isolate-leader', 'split', 'ring', 'one-way', 'bridge'] as const) ?? 'split';
      const shuffled = this.shuffle(ids);
      if (kind === 'isolate' || (kind === 'isolate-leader' && !leader)) {
        const [x, ...rest] = shuffled;
        if (x !== undefined) this.net.partition([x], rest);
      } else if (kind === 'isolate-leader' && leader) {
        this.net.partition(
          [leader.id],
          ids.filter((i) => i !== leader.id),
        );
      } else if (kind === 'split') {
        const k = 1 + Math.floor(this.rand() * (ids.length - 1));
        this.net.partition(shuffled.slice(0, k), shuffled.slice(k));
      } else if (kind === 'ring') {
        // Each node hears only its ring neighbours.
        for (let i = 0; i < shuffled.length; i++) {
          for (let j = 0; j < shuffled.length; j++) {
            const d = Math.abs(i - j);
            if (d > 1 && d < shuffled.length - 1) this.net.link(shuffled[i] ?? 0, shuffled[j] ?? 0).up = false;
          }
        }
      } else if (kind === 'one-way') {
        const [x, y] = shuffled;
        if (x !== undefined && y !== undefined) this.net.link(x, y).up = false;
      } else {
        // Bridge: two halves that only one node connects.
        const [bridge, ...rest] = shuffled;
        const half = Math.floor(rest.length / 2);
        if (bridge !== undefined) this.net.partition(rest.slice(0, half), rest.slice(half));
      }
      this.trace(`partition ${kind} (${shuffled.join(',')})`);
      this.sched.after(100 + this.rand() * 10 * ELECTION_MS, () => {
        this.trace('heal network');
        this.net.healAll();
      });
    } else if (r < 0.54) {
      const [x, y] = this.shuffle(ids);
      if (x === undefined || y === undefined) return;
      const l = this.net.link(x, y);
      l.loss = this.rand() * 0.3;
      l.duplicate = this.rand() * 0.1;
      l.latency = this.rand() * 20;
      l.jitter = this.rand() * 30;
      if (this.rand() < 0.4) l.stallUntil = this.sched.now() + this.rand() * 3 * ELECTION_MS;
      this.trace(
        `link ${x}>${y}: loss ${l.loss.toFixed(2)} dup ${l.duplicate.toFixed(2)} latency ${l.latency.toFixed(0)}±${l.jitter.toFixed(0)}ms${l.stallUntil ? ' stalled' : ''}`,
      );
    } else if (r < 0.62) {
      if (!leader?.node) return;
      const to = this.pick(leader.node.status().conf.voters.filter((v) => v !== leader.id));
      if (to === undefined) return;
      this.trace(`transfer leadership ${leader.id} -> ${to}`);
      leader.node.transferLeadership(to);
    } else if (r < 0.72) {
      this.membershipChange();
    }
  }

  private shuffle(xs: readonly NodeId[]): NodeId[] {
    const a = [...xs];
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.rand() * (i + 1));
      const t = a[i] as NodeId;
      a[i] = a[j] as NodeId;
      a[j] = t;
    }
    return a;
  }

  /** Replaces a member: remove a voter, add a new node (never reusing an id) as learner, then promote it. */
  private membershipChange(): void {
    const leader = this.leader();
    if (this.membershipBusy || !leader?.node) return;
    const conf = leader.node.status().conf;
    const learner = conf.learners[0];
    if (learner !== undefined) {
      this.proposeConf(leader, ConfChangeType.AddVoter, learner, `promote ${learner}`);
      return;
    }
    if (conf.voters.length >= this.opts.nodes) {
      const victim = this.pick(conf.voters);
      if (victim === undefined) return;
      this.proposeConf(leader, ConfChangeType.RemoveNode, victim, `remove ${victim}`, () => {
        // Shut the removed node down once its removal is committed, as an operator would.
        const slot = this.slots.get(victim);
        if (slot && !slot.retired) {
          slot.retired = true;
          this.trace(`retire node ${victim}`);
          this.crash(slot);
        }
      });
    } else {
      const id = this.nextNodeId++;
      this.addSlot(id, {
        snapshot: emptySnapshot,
        entries: [],
        hardState: { term: 0, vote: 0, commit: 0 },
        smCheckpoint: undefined,
      });
      const slot = this.slots.get(id);
      if (slot) this.startNode(slot);
      this.proposeConf(leader, ConfChangeType.AddLearner, id, `add learner ${id}`);
    }
  }

  private proposeConf(leader: Slot, type: ConfChangeType, node: NodeId, what: string, onCommit?: () => void): void {
    if (!leader.node) return;
    this.membershipBusy = true;
    this.trace(`propose ${what} on ${leader.id}`);
    leader.node
      .proposeConfChange({ type, node })
      .then(
        () => {
          this.stats.confChanges++;
          this.trace(`committed ${what}`);
          onCommit?.();
        },
        (err: unknown) => {
          this.trace(`${what} failed: ${(err as Error).message}`);
          // An outcome-unknown removal may still commit: find out later from the configuration.
        },
      )
      .finally(() => {
        this.membershipBusy = false;
      });
  }

  private heal(): void {
    this.trace('heal: restart crashed nodes, resume paused ones, repair the network');
    this.net.healAll();
    for (const s of this.slots.values()) {
      if (!s.node && !s.retired) this.startNode(s);
    }
  }

  // ---------------------------------------------------------------- final checks

  private async finalChecks(afterEach: () => void): Promise<void> {
    const start = this.sched.now();
    // Liveness: a leader within a bound after healing, and a write through it commits.
    let leader = this.leader();
    for (let t = 0; !leader && t < 40; t++) {
      await this.sched.runUntil(this.sched.now() + ELECTION_MS, afterEach);
      leader = this.leader();
    }
    if (!leader?.node) {
      this.oracle.fail(`liveness: no leader ${this.sched.now() - start}ms after healing`);
      return;
    }
    // A leader elected just before the heal may still be deposed: a probe that certainly did not commit
    // (definite failure) is retried on the then leader, as a client would; an unknown outcome is not.
    let probeDone = false;
    let probeError: string | undefined;
    let probeNode = leader.node;
    const probeStart = this.sched.now();
    const deadline = probeStart + REQUEST_TIMEOUT_MS + 4 * ELECTION_MS;
    while (!probeDone && this.sched.now() < deadline) {
      const node = this.leader()?.node;
      if (!node) {
        await this.sched.runUntil(this.sched.now() + ELECTION_MS / 4, afterEach);
        continue;
      }
      let settled = false;
      let definite = false;
      const probeCall = this.sched.now();
      node.propose(encodeCommand({ op: 'put', key: 'probe', value: 'done' })).then(
        () => {
          probeDone = true;
          settled = true;
          probeNode = node;
          this.history.push({
            id: ++this.opId,
            client: 0,
            key: 'probe',
            input: { op: 'put', value: 'done' },
            output: null,
            call: probeCall,
            ret: this.sched.now(),
          });
        },
        (err: unknown) => {
          settled = true;
          definite = (err as { definite?: unknown }).definite === true;
          probeError = (err as Error).message;
        },
      );
      const attemptEnd = this.sched.now() + REQUEST_TIMEOUT_MS + ELECTION_MS;
      while (!settled && this.sched.now() < attemptEnd) {
        await this.sched.runUntil(this.sched.now() + ELECTION_MS / 4, afterEach);
      }
      if (this.oracle.violations.length > 0) return;
      if (!probeDone && !definite) break; // unknown outcome: the probe cannot be retried blindly
    }
    if (!probeDone) {
      this.oracle.fail(`liveness: a write after healing did not commit (${probeError ?? 'no answer'})`);
      return;
    }
    // give every outstanding client operation at least a full request timeout to finish
    const settleUntil = probeStart + REQUEST_TIMEOUT_MS + ELECTION_MS;
    if (this.sched.now() < settleUntil) await this.sched.runUntil(settleUntil, afterEach);
    if (this.oracle.violations.length > 0) return;
    // The probe committed, so the leader has applied every earlier membership change: nodes outside its
    // configuration (an add that never committed, a removal whose outcome was unknown) are retired now.
    const conf = probeNode.status().conf;
    for (const s of this.slots.values()) {
      if (!s.retired && !conf.voters.includes(s.id) && !conf.learners.includes(s.id)) {
        s.retired = true;
        this.crash(s);
      }
    }
    if (this.outstanding > 0) {
      this.oracle.fail(`liveness: ${this.outstanding} client operations never completed`);
      return;
    }
    // Final linearizable reads of every key through the leader.
    const reader = this.leader();
    if (reader?.node && reader.sm) {
      for (const key of this.keys) {
        const call = this.sched.now();
        const sm = reader.sm;
        reader.node.readIndex().then(
          () => {
            this.history.push({
              id: ++this.opId,
              client: 0,
              key,
              input: { op: 'get' },
              output: sm.get(key),
              call,
              ret: this.sched.now(),
            });
          },
          () => undefined,
        );
      }
      await this.sched.runUntil(this.sched.now() + 4 * ELECTION_MS, afterEach);
    }
    // Convergence: every member applied the same log.
    const live = this.activeSlots().filter((s) => s.node && s.sm);
    const applied = new Set(live.map((s) => s.node?.appliedIndex()));
    const digests = new Set(live.map((s) => s.sm?.digest()));
    if (applied.size > 1 || digests.size > 1) {
      this.oracle.fail(
        `convergence: members applied ${[...live].map((s) => `${s.id}@${s.node?.appliedIndex()}`).join(' ')} with ${digests.size} distinct states`,
      );
      return;
    }
    const lin = checkLinearizable(this.history);
    if (lin.ok === false) this.oracle.fail(`linearizability (key ${lin.key}): ${lin.detail}`);
    else if (lin.ok === 'unknown') this.trace(`linearizability check of key ${lin.key} ran out of budget`);
  }

  private trace(line: string): void {
    if (this.opts.trace ?? true) this.traceLines.push(`${this.sched.now().toFixed(1).padStart(8)}ms  ${line}`);
  }
}

const emptySnapshot = Object.freeze({ index: 0, term: 0, conf: Object.freeze({ voters: [], learners: [] }) });

export function runSchedule(opts: ScheduleOptions): Promise<ScheduleResult> {
  return new SimCluster(opts).run();
}
