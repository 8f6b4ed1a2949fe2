// Runs every suite of the project and ends with one line, "N passed, N failed",
// summed over all of them, which is what CI reads.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');

interface Suite {
  name: string;
  cwd: string;
  /** Test files, as globs relative to cwd, run by node's test runner; or vitest with the package's config. */
  files: string[] | 'vitest';
  /** Run before the suite; a failure counts as one failed test. */
  prepare?: string[];
  /** Test files run at once (node's default is one less than the cores: one, on CI's two). */
  concurrency?: number;
}

interface Outcome {
  passed: number;
  failed: number;
  status: number | null;
}

function nodeTests(suite: Suite, files: string[], report: string): Outcome {
  const run = spawnSync(
    process.execPath,
    [
      '--test',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${report}`,
      ...(suite.concurrency ? [`--test-concurrency=${suite.concurrency}`] : []),
      ...files,
    ],
    { cwd: suite.cwd, stdio: 'inherit' },
  );
  let text = '';
  try {
    text = readFileSync(report, 'utf8');
  } catch {
    // No report at all: the runner itself failed.
  }
  const count = (label: string): number => Number(new RegExp(`^# ${label} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  return { passed: count('pass'), failed: count('fail') + count('cancelled'), status: run.status };
}

function vitest(suite: Suite, report: string): Outcome {
  const run = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules', '.bin', 'vitest'),
      'run',
      '-c',
      'vitest.config.mjs',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${report}`,
    ],
    { cwd: suite.cwd, stdio: 'inherit', env: { ...process.env, CI: 'true' } },
  );
  let counts = { numPassedTests: 0, numFailedTests: 0 };
  try {
    counts = JSON.parse(readFileSync(report, 'utf8')) as typeof counts;
  } catch {
    // No report at all: the runner itself failed.
  }
  return { passed: counts.numPassedTests, failed: counts.numFailedTests, status: run.status };
}

const suites: Suite[] = [
  { name: 'shared core', cwd: join(root, 'shared'), files: ['test/**/*.test.ts'] },
  { name: 'kubectl-plugin', cwd: join(root, 'kubectl-plugin'), files: ['test/**/*.test.ts'] },
  { name: 'headlamp-plugin (vitest, jsdom)', cwd: join(root, 'headlamp-plugin'), files: 'vitest' },
  {
    name: 'real cluster (kube-apiserver built from k8s.io/kubernetes)',
    cwd: join(root, 'test'),
    files: ['e2e/**/*.test.ts'],
    // Each file runs its own cluster and spends most of its time waiting on it: two at once take 0.65 of the time on two cores.
    concurrency: 2,
    prepare: [
      'bash',
      '-c',
      `bash ${join(root, 'test', 'cluster', 'build.sh')} && bash ${join(root, 'test', 'krew', 'build.sh')} && bash ${join(root, 'test', 'headlamp', 'build-real.sh')} >/dev/null`,
    ],
  },
];

const seconds = (since: number): string => `${Math.round((performance.now() - since) / 1000)} s`;

const only = process.argv.slice(2);
let passed = 0;
let failed = 0;
const scratch = mkdtempSync(join(tmpdir(), 'readiness-suites-'));

for (const suite of suites) {
  if (only.length > 0 && !only.some((word) => suite.name.includes(word))) continue;
  console.log(`\n=== ${suite.name}`);
  if (suite.prepare) {
    const preparing = performance.now();
    const [command, ...args] = suite.prepare;
    const prepared = spawnSync(command!, args, { cwd: suite.cwd, stdio: 'inherit' });
    console.log(`${suite.name}: prepared in ${seconds(preparing)}`);
    if (prepared.status !== 0) {
      console.log(`${suite.name}: preparation failed (exit ${prepared.status ?? prepared.signal}); counted as one failure`);
      failed += 1;
      continue;
    }
  }
  const running = performance.now();
  const report = join(scratch, `${suites.indexOf(suite)}.report`);
  const outcome = suite.files === 'vitest' ? vitest(suite, report) : nodeTests(suite, suite.files, report);
  const suitePassed = outcome.passed;
  const suiteFailed = outcome.failed;
  if (outcome.status !== 0 && suiteFailed === 0) {
    console.log(`${suite.name}: test runner exited ${outcome.status} with no failed test; counted as one failure`);
    failed += 1;
  }
  passed += suitePassed;
  failed += suiteFailed;
  console.log(`${suite.name}: ${suitePassed} passed, ${suiteFailed} failed, in ${seconds(running)}`);
}

rmSync(scratch, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
