import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ClusterNode, DataDirLockedError, DataDirMismatchError, KvStateMachine, NotInitializedError } from '../../src';

const dirs: string[] = [];
const nodes: ClusterNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.close()));
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'walraft-datadir-'));
  dirs.push(d);
  return d;
}

const start = (dataDir: string, extra: Partial<Parameters<typeof ClusterNode.start>[0]> = {}) =>
  ClusterNode.start({
    id: 1,
    clusterId: 'c',
    dataDir,
    listen: '127.0.0.1:0',
    bootstrap: true,
    stateMachine: new KvStateMachine(path.join(dataDir, 'kv')),
    ...extra,
  });

describe('data directory', () => {
  it('is used by one node at a time; a lock left by a dead process is taken over', async () => {
    const dir = tempDir();
    const first = await start(dir);
    nodes.push(first);
    await expect(start(dir)).rejects.toBeInstanceOf(DataDirLockedError);
    await first.close();
    nodes.length = 0;
    // a process that held the lock and died without releasing it
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    fs.writeFileSync(path.join(dir, 'LOCK'), JSON.stringify({ pid: Number(dead.stdout), started: '1' }));
    const again = await start(dir);
    nodes.push(again);
    expect(await again.waitForLeader()).toBe(1);
  });

  it('refuses another cluster or node id, and a fresh directory without bootstrap or join', async () => {
    const dir = tempDir();
    const n = await start(dir);
    await n.close();
    await expect(start(dir, { clusterId: 'other' })).rejects.toBeInstanceOf(DataDirMismatchError);
    await expect(start(dir, { id: 2 })).rejects.toBeInstanceOf(DataDirMismatchError);
    await expect(start(tempDir(), { bootstrap: false })).rejects.toBeInstanceOf(NotInitializedError);
  });
});
