import { StorageFatalError } from '../../src/storage/errors';
import { LogStore } from '../../src/storage/log-store';
import { CapturingLogger, FaultyFs, entries, entry, removeDir, tempDir } from './helpers';

let dir: string;
let faulty: FaultyFs;
const open: LogStore[] = [];

beforeEach(() => {
  dir = tempDir();
  faulty = new FaultyFs();
});

afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  removeDir(dir);
});

async function openStore(withFaults: boolean): Promise<LogStore> {
  const s = await LogStore.open(dir, {
    logger: new CapturingLogger(),
    segmentBytes: 1024,
    ...(withFaults ? { fs: faulty } : {}),
  });
  open.push(s);
  return s;
}

/** After a failure every call fails with the same fatal error and nothing more is acknowledged. */
async function expectStopped(s: LogStore, fatal: StorageFatalError): Promise<void> {
  expect(fatal.code).toBe('ERR_WALRAFT_STORAGE_FATAL');
  expect(() => s.lastIndex()).toThrow(fatal);
  expect(() => s.term(1)).toThrow(fatal);
  expect(() => s.entries(1, 2, 100)).toThrow(fatal);
  expect(() => {
    s.append([entry(100, 1)]);
  }).toThrow(fatal);
  expect(() => {
    s.setHardState({ term: 9, vote: 1, commit: 0 });
  }).toThrow(fatal);
  await expect(s.sync()).rejects.toBe(fatal);
  await expect(s.installSnapshot({ index: 50, term: 1, conf: { voters: [1], learners: [] } })).rejects.toBe(fatal);
  await expect(s.compact({ index: 1, term: 1, conf: { voters: [1], learners: [] } })).rejects.toBe(fatal);
}

async function fatalOf(p: Promise<void>): Promise<StorageFatalError> {
  const err: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StorageFatalError);
  return err as StorageFatalError;
}

describe('storage faults are fatal', () => {
  it.each(['EIO', 'ENOSPC'])('%s from fdatasync: sync rejects, the storage stops', async (code) => {
    const s = await openStore(true);
    s.append(entries(1, 5, 1));
    await s.sync();
    faulty.failOn('fdatasync', code);
    s.append(entries(6, 8, 1));
    const fatal = await fatalOf(s.sync());
    expect(fatal.message).toContain(code);
    expect((fatal.cause as NodeJS.ErrnoException).code).toBe(code);
    await expectStopped(s, fatal);
    // what was acknowledged before the failure survives
    await s.close();
    const again = await openStore(false);
    expect(again.entries(1, 6, Infinity)).toEqual(entries(1, 5, 1));
  });

  it.each(['EIO', 'ENOSPC'])('%s from a log write: every sync waiting on it rejects', async (code) => {
    const s = await openStore(true);
    s.append([entry(1, 1)]);
    faulty.failNextRecordWrite(code);
    const first = fatalOf(s.sync());
    s.append([entry(2, 1)]);
    const second = fatalOf(s.sync());
    const [a, b] = await Promise.all([first, second]);
    expect(b).toBe(a);
    await expectStopped(s, a);
  });

  it.each(['EIO', 'ENOSPC'])('%s from a large batch written as its records: the sync rejects', async (code) => {
    const s = await LogStore.open(dir, { logger: new CapturingLogger(), segmentBytes: 4 << 20, fs: faulty });
    open.push(s);
    s.append(entries(1, 5, 1));
    await s.sync();
    faulty.failNextRecordWrite(code);
    s.append(entries(6, 400, 1, 1024));
    const fatal = await fatalOf(s.sync());
    expect((fatal.cause as NodeJS.ErrnoException).code).toBe(code);
    await expectStopped(s, fatal);
  });

  it('a failure creating the next segment stops the storage', async () => {
    const s = await openStore(true);
    faulty.failOn('rename', 'EIO');
    s.append(entries(1, 60, 1)); // more than one segment's worth
    const fatal = await fatalOf(s.sync());
    await expectStopped(s, fatal);
  });

  it('a failure deleting compacted segments stops the storage', async () => {
    const s = await openStore(true);
    s.append(entries(1, 60, 1));
    await s.sync();
    faulty.failOn('unlink', 'EIO');
    const fatal = await fatalOf(s.compact({ index: 55, term: 1, conf: { voters: [1], learners: [] } }));
    await expectStopped(s, fatal);
  });
});
