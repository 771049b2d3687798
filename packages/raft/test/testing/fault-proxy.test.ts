import * as net from 'node:net';
import { seededRandom } from '../../src/core/rand';
import { FaultProxy } from '../../src/testing/fault-proxy';

// Node 1 dials node 2 through the proxy; node 2 is a TCP server that records what it receives and
// answers each chunk with "ack:<bytes>".

interface Sink {
  readonly port: number;
  readonly received: Buffer[];
  close(): Promise<void>;
}

async function sink(): Promise<Sink> {
  const received: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('data', (d: Buffer) => {
      received.push(d);
      s.write(`ack:${d.length};`);
    });
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    received,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => {
          r();
        });
      }),
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(): Promise<{ proxy: FaultProxy; target: Sink; client: net.Socket; acks: () => string }> {
  const target = await sink();
  const proxy = new FaultProxy({ random: seededRandom(7) });
  cleanups.push(
    () => target.close(),
    () => proxy.close(),
  );
  const addr = await proxy.link(1, 2, { host: '127.0.0.1', port: target.port });
  const client = net.connect(addr.port, addr.host);
  let acks = '';
  client.on('data', (d: Buffer) => (acks += d.toString()));
  await new Promise<void>((r) =>
    client.once('connect', () => {
      r();
    }),
  );
  cleanups.push(async () => {
    client.destroy();
    await Promise.resolve();
  });
  return { proxy, target, client, acks: () => acks };
}

async function until(what: string, cond: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const total = (bufs: Buffer[]): string => Buffer.concat(bufs).toString();

describe('FaultProxy', () => {
  it('pipes both ways', async () => {
    const { target, client, acks } = await setup();
    client.write('hello');
    await until('delivered', () => total(target.received) === 'hello');
    await until('answered', () => acks() === 'ack:5;');
  });

  it('a blocked direction stalls only that direction; heal delivers everything in order', async () => {
    const { proxy, target, client, acks } = await setup();
    proxy.block(1, 2);
    for (let i = 0; i < 50; i++) client.write(`m${i},`);
    await new Promise((r) => setTimeout(r, 100));
    expect(target.received).toEqual([]);
    proxy.heal(1, 2);
    const expected = Array.from({ length: 50 }, (_, i) => `m${i},`).join('');
    await until('delivered after heal', () => total(target.received) === expected);
    // now block only the answers: requests still arrive
    await until('answers before the block', () => acks().length > 0);
    const before = acks();
    proxy.block(2, 1);
    client.write('more');
    await until('request arrives', () => total(target.received).endsWith('more'));
    await new Promise((r) => setTimeout(r, 50));
    expect(acks()).toBe(before);
    proxy.healAll();
    await until('answer after heal', () => acks().endsWith('ack:4;'));
  });

  it('reset mode destroys the connection and refuses new ones until healed', async () => {
    const target = await sink();
    const proxy = new FaultProxy();
    cleanups.push(
      () => target.close(),
      () => proxy.close(),
    );
    const addr = await proxy.link(1, 2, { host: '127.0.0.1', port: target.port });
    const first = net.connect(addr.port, addr.host);
    await new Promise<void>((r) =>
      first.once('connect', () => {
        r();
      }),
    );
    const closed = new Promise<void>((r) =>
      first.once('close', () => {
        r();
      }),
    );
    first.on('error', () => undefined);
    proxy.block(2, 1, 'reset');
    await closed;
    const second = net.connect(addr.port, addr.host);
    second.on('error', () => undefined);
    await new Promise<void>((r) =>
      second.once('close', () => {
        r();
      }),
    );
    proxy.healAll();
    const third = net.connect(addr.port, addr.host);
    cleanups.push(async () => {
      third.destroy();
      await Promise.resolve();
    });
    await new Promise<void>((r) =>
      third.once('connect', () => {
        r();
      }),
    );
    third.write('x');
    await until('delivered after heal', () => total(target.received) === 'x');
  });

  it('delay adds latency and keeps order', async () => {
    const { proxy, target, client } = await setup();
    proxy.delay(1, 2, 60, 40);
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) client.write(`${i};`);
    const expected = Array.from({ length: 20 }, (_, i) => `${i};`).join('');
    await until('delivered', () => total(target.received) === expected);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(20);
  });

  it('loss holds some segments back but the stream stays intact', async () => {
    const { proxy, target, client } = await setup();
    proxy.loss(1, 2, 0.5, 30);
    let expected = '';
    for (let i = 0; i < 40; i++) {
      client.write(`<${i}>`);
      expected += `<${i}>`;
      await new Promise((r) => setTimeout(r, 2));
    }
    await until('delivered', () => total(target.received) === expected);
  });

  it('partition and isolate cut both directions between groups', async () => {
    const target = await sink();
    const proxy = new FaultProxy();
    cleanups.push(
      () => target.close(),
      () => proxy.close(),
    );
    proxy.isolate(1, [1, 2, 3]);
    expect(proxy.ruleFor(1, 2)?.block).toBe('stall');
    expect(proxy.ruleFor(3, 1)?.block).toBe('stall');
    expect(proxy.ruleFor(2, 3)).toBeUndefined();
    proxy.healAll();
    proxy.partition([1, 2], [3]);
    expect(proxy.ruleFor(2, 3)?.block).toBe('stall');
    expect(proxy.ruleFor(1, 2)).toBeUndefined();
  });
});
