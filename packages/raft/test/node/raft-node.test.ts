import { runSchedule } from '../../src/sim/cluster';
import { Scheduler, NodeRuntime } from '../../src/sim/scheduler';

describe('node runtime', () => {
  test('after a stall, every missed tick is delivered (the simulated runtime holds timers while paused)', async () => {
    const sched = new Scheduler();
    const rt = new NodeRuntime(sched);
    const fired: number[] = [];
    rt.setTimer(10, () => fired.push(sched.now()));
    rt.pause(500);
    await sched.runUntil(1000);
    expect(fired).toEqual([500]);
  });
});

describe('RaftNode under the simulator', () => {
  test('a schedule replays identically for the same seed', async () => {
    const a = await runSchedule({ seed: 77, nodes: 3, mutations: new Set(), chaosMs: 1500 });
    const b = await runSchedule({ seed: 77, nodes: 3, mutations: new Set(), chaosMs: 1500 });
    expect(a.trace).toEqual(b.trace);
    expect(a.events).toBe(b.events);
    expect(a.stats).toEqual(b.stats);
    const c = await runSchedule({ seed: 78, nodes: 3, mutations: new Set(), chaosMs: 1500 });
    expect(c.trace).not.toEqual(a.trace);
  });
});
