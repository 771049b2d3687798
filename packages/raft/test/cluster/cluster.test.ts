// Real clusters: node processes talking gRPC on 127.0.0.1 (ports from port 0), durable storage in temp dirs.
import * as fs from 'node:fs';
import { AdminClient, ClusterMismatchError, FaultProxy, GrpcTransport } from '../../dist';
import type { Dump, PutManyResult, StatusView } from './helpers';
import { ProcessCluster, Writer, converged, eventually, missing, sleep, startCluster, throughProxy } from './helpers';

const T = 90_000;

let cluster: ProcessCluster | undefined;
let proxy: FaultProxy | undefined;

afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
  await proxy?.close();
  proxy = undefined;
});

function putMany(
  c: ProcessCluster,
  id: number,
  prefix: string,
  count: number,
  concurrency = 16,
): Promise<PutManyResult> {
  return c.request<PutManyResult>(id, { op: 'putMany', prefix, count, concurrency });
}

describe.each([3, 5])('%i nodes', (n) => {
  it(
    'elects one leader and replicates a concurrent load to every node',
    async () => {
      const c = (cluster = new ProcessCluster());
      await startCluster(c, n);
      const lead = await c.leader();
      const r = await putMany(c, lead, 'k', 1500, 32);
      expect(r.failed).toEqual([]);
      const dumps = await converged(c);
      for (const d of dumps) expect(missing(r.acked, d)).toEqual([]);
      const statuses = await Promise.all(c.running().map((id) => c.request<StatusView>(id, { op: 'status' })));
      expect(statuses.filter((s) => s.role === 'leader')).toHaveLength(1);
      expect(new Set(statuses.map((s) => s.lead))).toEqual(new Set([lead]));
    },
    T,
  );

  it(
    'kill -9 of the leader under load: a new leader, no acknowledged write lost, the old leader rejoins',
    async () => {
      const c = (cluster = new ProcessCluster());
      await startCluster(c, n);
      const old = await c.leader();
      const writer = new Writer(c, 'a', 8);
      await sleep(700);
      await c.kill(old);
      const lead = await c.leader(15_000);
      expect(lead).not.toBe(old);
      await sleep(700); // writes continue on the new leader
      await c.start(old);
      await writer.stop();
      expect(writer.acked.length).toBeGreaterThan(100);
      const dumps = await converged(c);
      expect(dumps).toHaveLength(n);
      for (const d of dumps) expect(missing(writer.acked, d)).toEqual([]);
      // nothing appears that no client wrote
      const written = new Set([...writer.acked, ...writer.unknown]);
      for (const d of dumps) expect(d.entries.filter(([k]) => !written.has(k))).toEqual([]);
      const s = await c.request<StatusView>(old, { op: 'status' });
      expect(s.role).toBe('follower');
      expect(s.lead).toBe(lead);
    },
    T,
  );
  it(
    'a leader on the minority side steps down (CheckQuorum), the majority continues; after healing it follows',
    async () => {
      const c = (cluster = new ProcessCluster());
      await startCluster(c, n);
      const p = (proxy = new FaultProxy());
      const all = Array.from({ length: n }, (_, i) => i + 1);
      await throughProxy(c, p, all);
      const old = await c.leader();
      const before = await putMany(c, old, 'p', 300, 8);
      expect(before.failed).toEqual([]);
      // 3 nodes: the leader alone; 5 nodes: the leader and one follower against the other three
      const minority = n === 3 ? [old] : [old, all.find((id) => id !== old) ?? 0];
      p.partition(
        minority,
        all.filter((id) => !minority.includes(id)),
      );
      const lead = await eventually('a leader on the majority side', async () => {
        const l = await c.leader(15_000, old);
        return minority.includes(l) ? undefined : l;
      });
      expect(lead).not.toBe(old);
      await eventually('the isolated leader steps down', async () => {
        const s = await c.request<StatusView>(old, { op: 'status' });
        return s.role !== 'leader' ? s : undefined;
      });
      const during = await putMany(c, lead, 'q', 300, 8);
      expect(during.failed).toEqual([]);
      // the isolated node cannot commit anything
      await expect(c.request(old, { op: 'put', key: 'isolated', value: 'x' })).rejects.toMatchObject({
        code: 'RAFT_NOT_LEADER',
      });
      p.healAll();
      const dumps = await converged(c);
      for (const d of dumps) {
        expect(missing(before.acked, d)).toEqual([]);
        expect(missing(during.acked, d)).toEqual([]);
        expect(d.entries.some(([k]) => k === 'isolated')).toBe(false);
      }
      const s = await c.request<StatusView>(old, { op: 'status' });
      expect(s.role).toBe('follower');
    },
    T,
  );
});

describe('3 nodes', () => {
  it(
    'restart of every node: the state comes back from disk',
    async () => {
      const c = (cluster = new ProcessCluster());
      await startCluster(c, 3);
      const lead = await c.leader();
      const r = await putMany(c, lead, 'r', 800, 16);
      expect(r.failed).toEqual([]);
      const before = await converged(c);
      await Promise.all([1, 2, 3].map((id) => c.kill(id)));
      await Promise.all([1, 2, 3].map((id) => c.start(id)));
      await c.leader();
      const after = await converged(c);
      for (const d of after) {
        expect(d.entries).toEqual(before[0]?.entries);
        expect(missing(r.acked, d)).toEqual([]);
      }
    },
    T,
  );

  it(
    'a node joining after the log was compacted catches up through a snapshot',
    async () => {
      const c = (cluster = new ProcessCluster({ checkpointEvery: 200 }));
      await startCluster(c, 3);
      const lead = await c.leader();
      const r = await putMany(c, lead, 's', 1500, 16);
      expect(r.failed).toEqual([]);
      await eventually('leader compacted its log', async () => {
        const s = await c.request<StatusView>(lead, { op: 'status' });
        return s.snapshotIndex > 100 ? s : undefined;
      });
      await c.start(4, { join: [lead] });
      const dumps = await converged(c);
      const four = await c.request<Dump>(4, { op: 'dump' });
      expect(missing(r.acked, four)).toEqual([]);
      expect(four.entries).toEqual(dumps[0]?.entries);
      await eventually('node 4 promoted to voter', async () => {
        const s = await c.request<StatusView>(lead, { op: 'status' });
        return s.conf.voters.includes(4) ? true : undefined;
      });
    },
    T,
  );

  it(
    'members are added and removed under load; removed ids are never reused',
    async () => {
      const c = (cluster = new ProcessCluster());
      await startCluster(c, 3);
      const lead = await c.leader();
      const load = putMany(c, lead, 'm', 3000, 8);
      await c.start(4, { join: [1] });
      const follower = [1, 2, 3].find((id) => id !== lead) ?? 0;
      await c.request(lead, { op: 'remove', id: follower });
      await c.kill(follower);
      const r = await load;
      expect(r.failed.filter((f) => !f.definite)).toEqual([]);
      await eventually('node 4 is a voter and the removed node is gone', async () => {
        const s = await c.request<StatusView>(await c.leader(), { op: 'status' });
        return s.conf.voters.includes(4) && !s.conf.voters.includes(follower) ? true : undefined;
      });
      const dumps = await converged(c);
      for (const d of dumps) expect(missing(r.acked, d)).toEqual([]);
      // the removed node's id cannot come back, even with fresh data
      const admin = new AdminClient(c.address(await c.leader()), { clusterId: c.clusterId });
      try {
        await expect(admin.join(follower, '127.0.0.1:9')).rejects.toMatchObject({ code: 'RAFT_NODE_ID_RETIRED' });
      } finally {
        admin.close();
      }
      fs.rmSync(c.dataDir(follower), { recursive: true, force: true });
      await expect(c.start(follower, { join: [4] })).rejects.toThrow(/exited/);
    },
    T,
  );

  it(
    'refuses to remove a voter when the voters left would have no reachable quorum, and removes the dead one',
    async () => {
      const c = (cluster = new ProcessCluster());
      await startCluster(c, 3);
      const lead = await c.leader();
      const [live, dead] = [1, 2, 3].filter((id) => id !== lead) as [number, number];
      await c.kill(dead);
      // the leader stops hearing from it after an election timeout (1 s by default)
      await eventually('the leader no longer hears from the killed node', async () => {
        const s = await c.request<StatusView & { lastContactMs: Record<string, number | null> }>(lead, {
          op: 'status',
        });
        return (s.lastContactMs[String(dead)] ?? Infinity) > 1_500 ? true : undefined;
      });
      const admin = new AdminClient(c.address(lead), { clusterId: c.clusterId });
      try {
        // removing the live follower would leave {leader, dead}: committing needs both
        await expect(admin.removeNode(live)).rejects.toMatchObject({ code: 'RAFT_QUORUM_LOSS' });
        const s = await c.request<StatusView>(lead, { op: 'status' });
        expect([...s.conf.voters].sort()).toEqual([1, 2, 3]);
        // removing the dead one leaves {leader, live}: both answer
        await admin.removeNode(dead);
      } finally {
        admin.close();
      }
      const after = await c.request<StatusView>(lead, { op: 'status' });
      expect(after.conf.voters).not.toContain(dead);
      await c.request(lead, { op: 'put', key: 'after-removal', value: 'v' });
    },
    T,
  );

  it(
    'leadership transfer under load keeps every acknowledged write',
    async () => {
      const c = (cluster = new ProcessCluster());
      await startCluster(c, 3);
      const lead = await c.leader();
      const target = [1, 2, 3].find((id) => id !== lead) ?? 0;
      const load = putMany(c, lead, 't', 100_000, 8);
      await sleep(500);
      const newLeader = await c.request<number>(lead, { op: 'transfer', to: target });
      // normally the target; on a starved machine an election may pick another node, never the old leader
      expect(newLeader).not.toBe(lead);
      const r = await load; // proposals after the transfer are refused by the old leader as definite failures
      expect(r.failed.filter((f) => !f.definite)).toEqual([]);
      expect(r.acked.length).toBeGreaterThan(0);
      expect(await c.leader()).not.toBe(lead);
      const dumps = await converged(c);
      for (const d of dumps) expect(missing(r.acked, d)).toEqual([]);
    },
    T,
  );

  it(
    'a node of another cluster can neither join nor disturb',
    async () => {
      const c = (cluster = new ProcessCluster());
      await startCluster(c, 3);
      const lead = await c.leader();
      const term = (await c.request<StatusView>(lead, { op: 'status' })).term;
      await expect(c.start(7, { join: [1], clusterId: 'another-cluster' })).rejects.toThrow(/exited/);
      // an admin call naming another cluster is refused
      const admin = new AdminClient(c.address(lead), { clusterId: 'another-cluster' });
      try {
        await expect(admin.status()).rejects.toBeInstanceOf(ClusterMismatchError);
      } finally {
        admin.close();
      }
      // a node of another cluster pointed at a member: its votes with a huge term never arrive
      const foreign = new GrpcTransport({
        id: 1,
        clusterId: 'another-cluster',
        listenHost: '127.0.0.1',
        listenPort: 0,
      });
      await foreign.listen();
      const unreachable: number[] = [];
      foreign.attach(
        { receive: () => undefined, reportUnreachable: (p) => unreachable.push(p), reportSnapshot: () => undefined },
        {
          join: () => Promise.reject(new Error('no')),
          removeNode: () => Promise.reject(new Error('no')),
          transferLeadership: () => Promise.reject(new Error('no')),
          status: () => ({}),
        },
      );
      foreign.setPeer(lead, c.address(lead));
      for (let i = 0; i < 20; i++) {
        foreign.send([
          { type: 'Vote', from: 1, to: lead, term: term + 1000, lastIndex: 1e9, lastTerm: 1e6, transfer: true },
        ]);
        await sleep(50);
      }
      await foreign.close();
      expect(unreachable.length).toBeGreaterThan(0);
      const s = await c.request<StatusView>(lead, { op: 'status' });
      expect(s.term).toBe(term);
      expect(s.conf.voters).toEqual([1, 2, 3]);
      expect(s.conf.learners).toEqual([]);
    },
    T,
  );
});
