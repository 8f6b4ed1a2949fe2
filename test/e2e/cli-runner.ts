// Runs the CLI from source with the project's Node, as kubectl would run the plugin.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const cliPath = join(import.meta.dirname, '..', '..', 'kubectl-plugin', 'src', 'cli.ts');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function cli(args: string[], env: Record<string, string> = {}, input = ''): CliResult {
  const result = spawnSync(process.execPath, [cliPath, ...args], {
    encoding: 'utf8',
    input,
    env: { ...process.env, NO_COLOR: '1', ...env },
    timeout: 120_000,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** The CLI as a running process, for tests that talk to it while it runs or serve it from this process. */
export function startCli(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [cliPath, ...args], { env: { ...process.env, NO_COLOR: '1', ...env } });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exited = new Promise<CliResult>((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, ...output })));
  return { child, output, exited };
}

/** As cli(), without blocking this process: for servers the test itself runs, such as the fault proxy. */
export const cliAsync = (args: string[], env: Record<string, string> = {}): Promise<CliResult> => startCli(args, env).exited;

/** kubectl-readiness's documented exit codes for failures. */
export const EXIT = { error: 2, interrupted: 130 };

/** One line on stderr, the exit code, no stack trace, nothing on stdout. */
export function assertFailure(result: CliResult, message: RegExp, code = EXIT.error): void {
  assert.equal(result.code, code, `exit ${result.code}: ${result.stderr}`);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0]!, message);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(result.stdout, '', 'nothing on stdout');
}
