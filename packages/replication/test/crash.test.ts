// kill -9 of the leader while transactions commit: nothing acknowledged is lost, every unknown outcome is
// resolved by recover() to the truth, and every replica ends page-identical.
import * as path from 'node:path';
import type { NodeProcessError } from '@walraft/raft';
import { ProcessCluster } from '@walraft/raft';
import type { DumpResult } from '../src/testing/sqlite-node-main';
import { eventually, rng, sleep } from './helpers';

jest.setTimeout(180_000);

const script = path.join(__dirname, '..', 'dist', 'testing', 'sqlite-node-main.js');
const newTokenHex = (): string => {
  const t = Buffer.alloc(16);
  t.writeUIntBE(Date.now(), 0, 6);
  for (let i = 6; i < 16; i++) t[i] = Math.floor(Math.random() * 256);
  return t.toString('hex');
};

/** Writers outside the nodes: each insert goes to the current leader; outcomes are recorded. */
class Writers {
  readonly acked: string[] = [];
  readonly unknown = new Map<string, string>(); // token → value
  #next = 0;
  #stop = false;
  #running: Promise<void>[] = [];
  constructor(private readonly c: ProcessCluster) {}

  start(n: number): void {
    for (let i = 0; i < n; i++) this.#running.push(this.#loop());
  }

  async #loop(): Promise<void> {
    while (!this.#stop) {
      let leader: number;
      try {
        leader = await this.c.leader(5_000);
      } catch {
        continue;
      }
      const value = `v${String(this.#next++).padStart(6, '0')}`;
      const token = newTokenHex();
      try {
        await this.c.request(leader, { op: 'insert', db: 'app.db', table: 't', value, token });
        this.acked.push(value);
      } catch (err) {
        if (!(err as NodeProcessError).definite) this.unknown.set(token, value);
        else await sleep(20);
      }
    }
  }

  async stop(): Promise<void> {
    this.#stop = true;
    await Promise.all(this.#running);
  }
}

/** Resolves every unknown outcome on the leader, then checks every replica against the history. */
async function verify(c: ProcessCluster, w: Writers): Promise<void> {
  // recover on whichever node leads; a definite failure (leadership moved meanwhile) is retried
  const outcomes = await eventually('every unknown outcome recovered', async () => {
    const leader = await c.leader();
    try {
      return await c.request<Record<string, boolean>>(leader, {
        op: 'recover',
        db: 'app.db',
        tokens: [...w.unknown.keys()],
      });
    } catch (err) {
      if ((err as NodeProcessError).definite) return undefined;
      throw err;
    }
  });
  const dumps = await eventually(
    'replicas converge',
    async () => {
      const ds = await Promise.all(
        c.running().map((id) => c.request<DumpResult>(id, { op: 'dump', db: 'app.db', table: 't' })),
      );
      const hashes = new Set(ds.map((d) => d.hash));
      const applied = new Set(ds.map((d) => d.applied));
      return hashes.size === 1 && applied.size === 1 ? ds : undefined;
    },
    60_000,
  );
  expect(dumps).toHaveLength(3);
  for (const d of dumps) {
    expect(d.integrity).toBe('ok');
    const have = new Set(d.values);
    expect(w.acked.filter((v) => !have.has(v))).toEqual([]); // nothing acknowledged lost
    for (const [token, value] of w.unknown) expect([token, have.has(value)]).toEqual([token, outcomes[token]]);
    const expected = new Set([...w.acked, ...[...w.unknown].filter(([t]) => outcomes[t]).map(([, v]) => v)]);
    expect(d.values.filter((v) => !expected.has(v))).toEqual([]); // nothing phantom
  }
}

async function startThree(c: ProcessCluster): Promise<void> {
  await c.start(1, { bootstrap: true });
  await c.start(2, { join: [1] });
  await c.start(3, { join: [1] });
  await eventually('3 voters', async () => {
    const s = await c.request<{ conf: { voters: number[] } }>(await c.leader(), { op: 'status' });
    return s.conf.voters.length === 3 ? true : undefined;
  });
  const l0 = await c.leader();
  await c.request(l0, { op: 'createDatabase', db: 'app.db' });
  await c.request(l0, { op: 'exec', db: 'app.db', sql: 'CREATE TABLE t (v TEXT PRIMARY KEY)' });
}

describe('kill -9 at random points', () => {
  let c: ProcessCluster | undefined;
  afterEach(async () => {
    await c?.close();
    c = undefined;
  });

  it('of any node, during apply, checkpoints and snapshot installs: it converges, page-identical', async () => {
    const seed = Number(process.env.WALRAFT_SEED ?? Date.now() % 100_000);
    const random = rng(seed);
    const cl = new ProcessCluster({
      script,
      checkpointEvery: 40,
      tickMs: 20,
      extra: { checkpointWalFrames: 30 },
      verbose: process.env.WALRAFT_TEST_LOG !== undefined,
    });
    c = cl;
    await startThree(cl);
    const w = new Writers(cl);
    w.start(6);
    try {
      for (let round = 0; round < 5; round++) {
        await sleep(200 + random() * 500);
        const leader = await cl.leader();
        const others = cl.running().filter((id) => id !== leader);
        const victim = random() < 0.35 ? leader : (others[Math.floor(random() * others.length)] ?? leader);
        await cl.kill(victim);
        // long enough down that the log is compacted past it: it comes back through a snapshot
        await sleep(victim === leader ? 300 : 800 + random() * 700);
        await cl.start(victim);
        // and dies again, likely while installing it or replaying the log
        await sleep(random() * 250);
        await cl.kill(victim);
        await sleep(100);
        await cl.start(victim);
      }
      await sleep(500);
    } catch (err) {
      throw new Error(`seed ${seed}: ${(err as Error).message}`, { cause: err });
    } finally {
      await w.stop();
    }
    expect(w.acked.length).toBeGreaterThan(50);
    await verify(cl, w);
  });
});

describe('kill -9 of the leader during commits', () => {
  let c: ProcessCluster;
  afterAll(async () => {
    await c.close();
  });

  it('loses nothing acknowledged, resolves every unknown outcome, and converges page-identical', async () => {
    c = new ProcessCluster({ script, checkpointEvery: 150, tickMs: 20 });
    await startThree(c);

    const w = new Writers(c);
    w.start(8);
    for (let round = 0; round < 3; round++) {
      await sleep(700);
      const victim = await c.leader();
      await c.kill(victim);
      await sleep(300);
      await c.start(victim);
    }
    await sleep(500);
    await w.stop();
    expect(w.acked.length).toBeGreaterThan(50);
    if (process.env.WALRAFT_TEST_LOG) console.warn({ acked: w.acked.length, unknown: w.unknown.size });

    await verify(c, w);
  });
});
