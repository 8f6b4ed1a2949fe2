// Renders the escalation catalogue into docs/escalation.md, between its
// markers, and lets prettier align the table:
//   node test/docs/escalation-catalogue.ts
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOGUE_END, CATALOGUE_START, renderCatalogue } from '../../shared/src/security/escalation/catalogue.ts';

const file = join(import.meta.dirname, '..', '..', 'docs', 'escalation.md');
const doc = readFileSync(file, 'utf8');
const start = doc.indexOf(CATALOGUE_START);
const end = doc.indexOf(CATALOGUE_END);
if (start < 0 || end < start) throw new Error(`${file} has no catalogue markers`);
writeFileSync(file, `${doc.slice(0, start + CATALOGUE_START.length)}\n\n${renderCatalogue()}\n\n${doc.slice(end)}`);
execFileSync(join(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'prettier'), ['--write', file], { stdio: 'inherit' });
