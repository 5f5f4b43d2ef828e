/**
 * Backend, infrastructure and end-to-end suites, one Jest project per test tier (ESM mode, SWC transform):
 * `npm run test:unit | test:medium | test:e2e | test:infra | test:chaos | rehearse` run one tier, `npm run test:jest`
 * runs them all (`npm run chaos` is the long chaos run).
 */
const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2022',
  },
  module: { type: 'es6' },
  sourceMaps: 'inline',
};

const shared = {
  rootDir: import.meta.dirname,
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', swc] },
  moduleNameMapper: {
    // @fastify/static (CJS) requires content-disposition 3, which is ESM-only; Jest's CJS loader can't require ESM
    // on Node 20, so tests get the API-identical CJS 0.5 line. Production uses Node's require(esm).
    '^content-disposition$': 'content-disposition-cjs',
    '^@app/(contracts|common|monitoring|incidents|aws)$': '<rootDir>/libs/$1/src/index.ts',
    '^@app/(common|monitoring|incidents)/testing$': '<rootDir>/libs/$1/src/testing/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: ['**/*.spec.ts'],
};

/** One in-memory dynalite on a random loopback port, for the tiers that talk to DynamoDB over HTTP. */
const dynalite = {
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
};

export default {
  testTimeout: 30000,
  maxWorkers: 2,
  projects: [
    // Small: pure logic and services over fakes of their ports; no I/O, no sockets.
    {
      ...shared,
      displayName: 'unit',
      roots: ['<rootDir>/libs', '<rootDir>/apps/api'],
      setupFilesAfterEnv: ['<rootDir>/test/setup/quiet-nest-logs.ts'],
    },
    // Medium: the real adapters against dynalite and local Slack/SNS receivers; the app in-process (Fastify inject).
    { ...shared, ...dynalite, displayName: 'medium', roots: ['<rootDir>/test/medium', '<rootDir>/test/api'] },
    // End-to-end: the compiled app as a real process (npm run build first), the dashboard in Chromium.
    { ...shared, displayName: 'e2e', roots: ['<rootDir>/test/e2e'] },
    // Infrastructure: Terraform policies and CLI, Ansible syntax/lint, the pipeline as GitLab evaluates it.
    { ...shared, displayName: 'infra', roots: ['<rootDir>/test/infra'] },
    // Chaos: dynalite and three replicas of the compiled app as processes, SIGKILLs and a storage outage.
    { ...shared, displayName: 'chaos', roots: ['<rootDir>/test/chaos'] },
    // The deploy rehearsal: Ansible converging a booted Debian host (root, systemd-nspawn; npm run build first).
    { ...shared, displayName: 'rehearsal', roots: ['<rootDir>/test/rehearsal'] },
  ],
};
