// @ts-check
const fs = require('node:fs');
const path = require('node:path');

/** @type {[string, Record<string, unknown>]} */
const swc = [
  '@swc/jest',
  {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2023' },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];
const common = { testEnvironment: 'node', transform: { '^.+\\.ts$': swc } };

// One jest project per package under packages/ (those that have a test/ directory).
const packages = fs
  .readdirSync(path.join(__dirname, 'packages'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && fs.existsSync(path.join(__dirname, 'packages', d.name, 'test')))
  .map((d) => d.name);

/** @type {import('jest').Config} */
module.exports = {
  // global only: jest-circus ignores a project-level testTimeout; slow projects call jest.setTimeout in a setup file
  testTimeout: 30_000,
  projects: [
    ...packages.map((name) => {
      const setup = path.join(__dirname, 'packages', name, 'test', 'jest.setup.js');
      return {
        ...common,
        displayName: name,
        rootDir: `<rootDir>/packages/${name}`,
        testMatch: ['<rootDir>/test/**/*.test.ts'],
        // tests import sibling packages' sources: unit tests need no prior build
        moduleNameMapper: { '^@walraft/([^/]+)$': '<rootDir>/../$1/src/index.ts' },
        ...(fs.existsSync(setup) ? { setupFilesAfterEnv: [setup] } : {}),
      };
    }),
    // the fault harness and the benchmark suite (scripts/faults, scripts/bench)
    ...['faults', 'bench'].map((name) => ({
      ...common,
      displayName: name,
      rootDir: `<rootDir>/scripts/${name}`,
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      moduleNameMapper: {
        '^@walraft/([^/]+)$': '<rootDir>/../../packages/$1/src/index.ts',
        '^walraft$': '<rootDir>/../../packages/driver/src/index.ts',
      },
    })),
  ],
};
