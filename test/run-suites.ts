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
  /** Test files, as globs relative to cwd, run by node's test runner. */
  files: string[];
  /** Run before the suite; a failure counts as one failed test. */
  prepare?: string[];
}

const suites: Suite[] = [
  { name: 'shared core', cwd: join(root, 'shared'), files: ['test/**/*.test.ts'] },
  { name: 'kubectl-plugin', cwd: join(root, 'kubectl-plugin'), files: ['test/**/*.test.ts'] },
  {
    name: 'real cluster (kube-apiserver built from k8s.io/kubernetes)',
    cwd: join(root, 'test'),
    files: ['e2e/**/*.test.ts'],
    prepare: ['bash', '-c', `bash ${join(root, 'test', 'cluster', 'build.sh')} && bash ${join(root, 'test', 'krew', 'build.sh')}`],
  },
];

const only = process.argv.slice(2);
let passed = 0;
let failed = 0;
const scratch = mkdtempSync(join(tmpdir(), 'readiness-suites-'));

for (const suite of suites) {
  if (only.length > 0 && !only.some((word) => suite.name.includes(word))) continue;
  console.log(`\n=== ${suite.name}`);
  if (suite.prepare) {
    const [command, ...args] = suite.prepare;
    const prepared = spawnSync(command!, args, { cwd: suite.cwd, stdio: 'inherit' });
    if (prepared.status !== 0) {
      console.log(`${suite.name}: preparation failed (exit ${prepared.status ?? prepared.signal}); counted as one failure`);
      failed += 1;
      continue;
    }
  }
  const tap = join(scratch, `${suites.indexOf(suite)}.tap`);
  const run = spawnSync(
    process.execPath,
    [
      '--test',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tap}`,
      ...suite.files,
    ],
    { cwd: suite.cwd, stdio: 'inherit' },
  );
  let text = '';
  try {
    text = readFileSync(tap, 'utf8');
  } catch {
    // No report at all: the runner itself failed.
  }
  const count = (label: string): number => Number(new RegExp(`^# ${label} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  const suitePassed = count('pass');
  const suiteFailed = count('fail') + count('cancelled');
  if (run.status !== 0 && suiteFailed === 0) {
    console.log(`${suite.name}: test runner exited ${run.status ?? run.signal} with no failed test; counted as one failure`);
    failed += 1;
  }
  passed += suitePassed;
  failed += suiteFailed;
  console.log(`${suite.name}: ${suitePassed} passed, ${suiteFailed} failed`);
}

rmSync(scratch, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
