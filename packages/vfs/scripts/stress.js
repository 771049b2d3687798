#!/usr/bin/env node
// Runs the replication and concurrent-reader suites over and over with random seeds and
// longer workloads until the time is up (default 5 minutes; WALRAFT_STRESS_MINUTES or argv[2]).
// A failing round prints its seed; rerun it with WALRAFT_VFS_SEED=<seed> npm test.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..', '..', '..');
const minutes = Number(process.argv[2] ?? process.env.WALRAFT_STRESS_MINUTES ?? '5');
const scale = process.env.WALRAFT_VFS_STEPS ?? '3';
const deadline = Date.now() + minutes * 60_000;
let round = 0;

while (Date.now() < deadline) {
  const seed = Math.floor(Math.random() * 2 ** 31);
  round++;
  console.log(`== round ${round}, seed ${seed}, step scale ${scale}`);
  const res = spawnSync(
    process.execPath,
    [path.join(root, 'scripts', 'run-jest.js'), '--selectProjects', 'vfs', '--testPathPatterns', 'replication|readers'],
    { cwd: root, stdio: 'inherit', env: { ...process.env, WALRAFT_VFS_SEED: String(seed), WALRAFT_VFS_STEPS: scale } },
  );
  if (res.status !== 0) {
    console.error(
      `stress: round ${round} failed with seed ${seed} (WALRAFT_VFS_SEED=${seed} WALRAFT_VFS_STEPS=${scale})`,
    );
    process.exit(1);
  }
}
console.log(`stress: ${round} rounds passed`);
