// A leader whose Raft backlog is full refuses new proposals; the state machine turns that into a definite
// ClusterUnavailableError, which the driver retries with backoff like any other transient unavailability.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ProposalOverloadedError } from '@walraft/raft';
import { ClusterUnavailableError, ReplicatedSqlite } from '../src';

describe('an overloaded leader', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walraft-overload-'));
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a write with a definite ClusterUnavailableError, naming the cause', async () => {
    const sm = await ReplicatedSqlite.open({ dir });
    try {
      const proposed: number[] = [];
      // the Raft node under it: leader of term 1, committing its barrier, then at its backlog bound
      sm.attach({
        status: () => ({ role: 'leader', term: 1, lead: 1 }),
        propose: (data) => {
          proposed.push(data.length);
          return proposed.length === 1 ? Promise.resolve(undefined) : Promise.reject(new ProposalOverloadedError());
        },
      });
      sm.onRoleChange({ role: 'leader', term: 1, lead: 1 });
      const err: unknown = await sm.createDatabase('app.db').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ClusterUnavailableError);
      expect((err as ClusterUnavailableError).definite).toBe(true);
      expect((err as Error).message).toMatch(/too much proposed data/);
      expect(proposed).toHaveLength(2);
      expect(sm.hasDatabase('app.db')).toBe(false);
    } finally {
      await sm.close();
    }
  });
});
