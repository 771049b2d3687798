#!/usr/bin/env node
// The Raft gate: N seeded simulator schedules must report no violation, and every re-introduced bug
// (mutation) must be reported within N seeds. Usage: node scripts/sim-gate.js [seeds]
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const seeds = process.argv[2] ?? '2000';
const cli = path.join(__dirname, '..', 'packages', 'raft', 'dist', 'sim', 'cli.js');
const run = (args) => {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
};
const summary = (out) => (out.match(/schedules=\d+ violations=\d+/) ?? ['(no summary)'])[0];

let failed = false;
const clean = run(['--seeds', seeds]);
process.stdout.write(clean.out);
if (clean.code !== 0) failed = true;

const mutations = run(['--list-mutations']).out.trim().split('\n').filter(Boolean);
for (const m of mutations) {
  const r = run(['--seeds', seeds, '--mutate', m, '--stop-after', '1']);
  const found = /violations=[1-9]/.test(r.out);
  const first = (r.out.match(/^seed \d+ .*$/m) ?? [''])[0];
  console.log(`mutation ${m}: ${summary(r.out)} ${found ? `caught (${first})` : 'NOT CAUGHT'}`);
  if (!found) failed = true;
}
console.log(failed ? 'sim gate: FAILED' : 'sim gate: passed');
process.exit(failed ? 1 : 0);
