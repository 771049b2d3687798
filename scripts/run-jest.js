#!/usr/bin/env node
// Runs jest with the given arguments, then prints the plain "N passed, N failed" summary line
// (jest's own closing line is not in the form CI tools read). Keeps jest's exit code.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'walraft-jest-')), 'result.json');
const jestBin = require.resolve('jest/bin/jest');
const args = [jestBin, '--ci', '--json', `--outputFile=${out}`, ...process.argv.slice(2)];
const res = spawnSync(process.execPath, args, { stdio: 'inherit' });
let code = res.status ?? 1;
try {
  const r = JSON.parse(fs.readFileSync(out, 'utf8'));
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed`);
  if (r.numTotalTests === 0) code = code || 1;
} catch (err) {
  console.error(`could not read jest results: ${String(err)}`);
  code = code || 1;
} finally {
  fs.rmSync(path.dirname(out), { recursive: true, force: true });
}
process.exit(code);
