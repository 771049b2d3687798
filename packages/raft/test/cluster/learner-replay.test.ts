// A learner that joins a cluster whose leader was added late in the log replays the log from index 1, its
// member book passing through old configurations without that leader. It must still be able to answer the
// leader (its connection to a current member is not dropped during the replay), catch up, be promoted and
// serve linearizable reads. With one message in flight per peer the leader needs an ack for every entry, so
// a learner unable to answer stays stuck deterministically.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ClusterNode, encodeKvCommand, KvStateMachine } from '../../src';

jest.setTimeout(240_000);

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'walraft-learner-'));
const nodes = new Map<number, ClusterNode>();
afterAll(async () => {
  await Promise.all([...nodes.values()].map((n) => n.close()));
  fs.rmSync(root, { recursive: true, force: true });
});

async function start(id: number, how: { bootstrap?: boolean; join?: string[] }): Promise<ClusterNode> {
  const dataDir = path.join(root, `n${id}`);
  const n = await ClusterNode.start({
    id,
    clusterId: 'learner',
    dataDir,
    listen: '127.0.0.1:0',
    tickMs: 20,
    raft: { maxInflightMsgs: 1, maxSizePerMsg: 1 },
    stateMachine: new KvStateMachine(path.join(dataDir, 'kv')),
    ...how,
  });
  nodes.set(id, n);
  return n;
}

async function until(what: string, fn: () => boolean | Promise<boolean>, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

it('a learner replaying old configurations still answers a leader added after them, and is promoted', async () => {
  const n1 = await start(1, { bootstrap: true });
  await n1.waitForLeader();
  const n2 = await start(2, { join: [n1.advertisedAddress] });
  await until('node 2 a voter', () => n1.status().members.filter((m) => m.voter).length === 2);
  const n3 = await start(3, { join: [n1.advertisedAddress] });
  await until('node 3 a voter', () => n1.status().members.filter((m) => m.voter).length === 3);
  // node 3 was added last: it leads from now on
  // (a transfer may time out on a loaded machine, e.g. while node 3 catches up: ask again)
  await until(
    'node 3 leading',
    async () => {
      if (n3.status().role === 'leader') return true;
      await n1.transferLeadership(3).catch(() => undefined);
      return n3.status().role === 'leader';
    },
    45_000,
  );
  for (let i = 0; i < 400; i += 50) {
    await Promise.all(
      Array.from({ length: 50 }, (_, j) => n3.propose(encodeKvCommand({ op: 'put', key: `k${i + j}`, value: 'v' }))),
    );
  }
  // the joiner goes through node 2; its replay starts with a book that holds node 1 only
  const n4 = await start(4, { join: [n2.advertisedAddress] });
  await until('node 4 promoted to voter', () => n3.status().members.some((m) => m.id === 4 && m.voter));
  await until('node 4 applying its own promotion', () => n4.status().members.some((m) => m.id === 4 && m.voter));
  const index = await n4.readIndex();
  expect(index).toBeGreaterThanOrEqual(400);
});
