#!/usr/bin/env node
// The executable: kubectl finds it on PATH as kubectl-readiness.
import { readFileSync } from 'node:fs';
import { EXIT_INTERRUPTED } from './errors.ts';
import { endQuietlyWhenReaderCloses } from './io.ts';
import { main } from './main.ts';

const interrupt = new AbortController();
process.on('SIGINT', () => interrupt.abort());
endQuietlyWhenReaderCloses(process.stdout, process.stderr, (code) => process.exit(code));

void main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  readStdin: () => readFileSync(0, 'utf8'),
  interrupt: interrupt.signal,
}).then((code) => {
  process.exitCode = code;
  // Requests still in flight would keep an interrupted process alive.
  if (code === EXIT_INTERRUPTED) process.exit(code);
});
