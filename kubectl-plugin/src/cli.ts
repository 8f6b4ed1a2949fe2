#!/usr/bin/env node
// The executable: kubectl finds it on PATH as kubectl-readiness.
import { readFileSync } from 'node:fs';
import { main } from './main.ts';

void main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  readStdin: () => readFileSync(0, 'utf8'),
}).then((code) => {
  process.exitCode = code;
});
