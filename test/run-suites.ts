// Runs every suite of the project and ends with one line, "N passed, N
// failed, N skipped", summed over all of them, which is what CI reads. Each
// skipped test is named with its reason above that line: a skip is never a
// pass.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { partsLine } from './cluster/parts.ts';
import { headlampLine } from './headlamp/headlamp.ts';

const root = resolve(import.meta.dirname, '..');

interface Suite {
  name: string;
  cwd: string;
  /** Test files, as globs relative to cwd, run by node's test runner; vitest with the package's config; or go test on these packages. */
  files: string[] | 'vitest' | { go: string[] };
  /** Run before the suite; a failure counts as one failed test. */
  prepare?: string[];
  /** Test files run at once (node's default is one less than the cores: one, on CI's two). */
  concurrency?: number;
}

interface Outcome {
  passed: number;
  failed: number;
  /** Each skipped test's name and reason. */
  skipped: string[];
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
  const skipped = [...text.matchAll(/^\s*ok \d+ - (.*) # SKIP ?(.*)$/gm)].map(
    ([, name, reason]) => `${name} (${reason || 'no reason given'})`,
  );
  return { passed: count('pass'), failed: count('fail') + count('cancelled'), skipped, status: run.status };
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
  let counts = { numPassedTests: 0, numFailedTests: 0, testResults: [] as { assertionResults: { fullName: string; status: string }[] }[] };
  try {
    counts = JSON.parse(readFileSync(report, 'utf8')) as typeof counts;
  } catch {
    // No report at all: the runner itself failed.
  }
  const skipped = counts.testResults
    .flatMap((file) => file.assertionResults)
    .filter((test) => test.status === 'skipped' || test.status === 'pending' || test.status === 'todo')
    .map((test) => `${test.fullName} (${test.status})`);
  return { passed: counts.numPassedTests, failed: counts.numFailedTests, skipped, status: run.status };
}

/**
 * go test -json: one event per line; a test's last event says pass, fail or
 * skip. -trimpath as the cluster build uses it, so the Kubernetes libraries
 * both need are compiled once into Go's cache, not once per set of flags.
 */
function goTests(suite: Suite, packages: string[]): Outcome {
  const run = spawnSync('go', ['test', '-trimpath', '-json', '-count=1', ...packages], {
    cwd: suite.cwd,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const outcome: Outcome = { passed: 0, failed: 0, skipped: [], status: run.status };
  const output = new Map<string, string>();
  for (const line of run.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const event = JSON.parse(line) as { Action: string; Package: string; Test?: string; Output?: string };
    if (!event.Test) {
      if (event.Action === 'fail' && event.Output === undefined) process.stdout.write(`FAIL ${event.Package}\n`);
      continue;
    }
    const name = `${event.Package} ${event.Test}`;
    if (event.Action === 'output') output.set(name, (output.get(name) ?? '') + (event.Output ?? ''));
    if (event.Action === 'pass') outcome.passed += 1;
    if (event.Action === 'fail') {
      outcome.failed += 1;
      process.stdout.write(output.get(name) ?? `--- FAIL: ${name}\n`);
    }
    if (event.Action === 'skip') outcome.skipped.push(`${name} (${(output.get(name) ?? '').trim().split('\n').at(-1) ?? ''})`);
  }
  process.stdout.write(run.stderr);
  console.log(`go test: ${outcome.passed} passed, ${outcome.failed} failed in ${packages.join(' ')}`);
  return outcome;
}

const suites: Suite[] = [
  { name: 'shared core', cwd: join(root, 'shared'), files: ['test/**/*.test.ts'] },
  { name: 'kubectl-plugin', cwd: join(root, 'kubectl-plugin'), files: ['test/**/*.test.ts'] },
  { name: 'headlamp-plugin (vitest, jsdom)', cwd: join(root, 'headlamp-plugin'), files: 'vitest' },
  {
    name: 'NRC-compatible controller and reporter (go test)',
    cwd: join(root, 'test', 'cluster'),
    files: { go: ['./cmd/compat-controller/...', './cmd/compat-reporter/...'] },
  },
  {
    name: 'real cluster (kube-apiserver built from k8s.io/kubernetes)',
    cwd: join(root, 'test'),
    files: ['e2e/**/*.test.ts', 'bench/**/*.test.ts'],
    // Each file runs its own cluster and spends most of its time waiting on it: two at once take 0.65 of the time on two cores.
    concurrency: 2,
    prepare: [
      'bash',
      '-c',
      `bash ${join(root, 'test', 'cluster', 'build.sh')} && bash ${join(root, 'test', 'krew', 'build.sh')} && bash ${join(root, 'test', 'headlamp', 'build-host.sh')} >/dev/null`,
    ],
  },
  {
    name: 'release matrix (every pinned Kubernetes release)',
    cwd: join(root, 'test'),
    files: ['matrix/**/*.test.ts'],
    prepare: [
      'bash',
      '-c',
      `bash ${join(root, 'test', 'cluster', 'build.sh')} && bash ${join(root, 'test', 'cluster', 'build-release.sh')} all`,
    ],
  },
];

const seconds = (since: number): string => `${Math.round((performance.now() - since) / 1000)} s`;

const only = process.argv.slice(2);
let passed = 0;
let failed = 0;
const skipped: string[] = [];
const scratch = mkdtempSync(join(tmpdir(), 'readiness-suites-'));

for (const suite of suites) {
  if (only.length > 0 && !only.some((word) => suite.name.includes(word))) continue;
  console.log(`\n=== ${suite.name}`);
  if (suite.cwd === join(root, 'test')) console.log(`${partsLine()}\n${headlampLine()}`);
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
  const outcome =
    suite.files === 'vitest'
      ? vitest(suite, report)
      : Array.isArray(suite.files)
        ? nodeTests(suite, suite.files, report)
        : goTests(suite, suite.files.go);
  const suitePassed = outcome.passed;
  const suiteFailed = outcome.failed;
  if (outcome.status !== 0 && suiteFailed === 0) {
    console.log(`${suite.name}: test runner exited ${outcome.status} with no failed test; counted as one failure`);
    failed += 1;
  }
  passed += suitePassed;
  failed += suiteFailed;
  skipped.push(...outcome.skipped.map((test) => `${suite.name}: ${test}`));
  console.log(`${suite.name}: ${suitePassed} passed, ${suiteFailed} failed, ${outcome.skipped.length} skipped, in ${seconds(running)}`);
}

rmSync(scratch, { recursive: true, force: true });
for (const test of skipped) console.log(`skipped: ${test}`);
console.log(`${passed} passed, ${failed} failed, ${skipped.length} skipped`);
process.exitCode = failed > 0 ? 1 : 0;
