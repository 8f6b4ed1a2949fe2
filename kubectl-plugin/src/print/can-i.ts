// How `can-i` looks: yes/no with the deciding reason, every step with -o wide,
// the --list matrix, or the versioned report for -o json|yaml.
import { describeAction, type Action, type ChainVerdict, type ReadinessAnswer } from '@kubectl-readiness/shared';
import type { Io } from '../io.ts';
import { inert, report, serialize, table, type OutputFormat } from '../render.ts';

export interface MatrixRow {
  verb: string;
  resource: string;
  own: boolean | null;
  other: boolean | null;
  direct: boolean | null;
}

export function answerOf(verdict: ChainVerdict): 'yes' | 'no' | 'unknown' {
  return verdict.allowed === null ? 'unknown' : verdict.allowed ? 'yes' : 'no';
}

export function printVerdict(body: Record<string, unknown>, action: Action, verdict: ChainVerdict, output: OutputFormat, io: Io): void {
  if (output === 'json' || output === 'yaml') {
    io.out(serialize(report('CanIReport', { ...body, action, answer: answerOf(verdict), verdict }), output));
    return;
  }
  io.out(`${answerOf(verdict)}\n`);
  if (output !== 'wide') {
    io.note(`${describeAction(action)}: ${verdict.explanation}`);
    return;
  }
  const rows = verdict.steps.map((step) => [
    step.step,
    step.summary,
    step.answer === null ? '' : step.answer.allowed ? 'allowed' : 'denied',
    step.decisive ? 'yes' : 'no',
  ]);
  io.out(table(['STEP', 'QUESTION', 'ANSWER', 'DECISIVE'], rows));
  io.out(`admission (modelled): ${verdict.admission.reason}\n${verdict.explanation}\n`);
}

export function printMatrix(
  body: Record<string, unknown>,
  rows: MatrixRow[],
  onNode: string,
  otherNode: string,
  output: OutputFormat,
  io: Io,
): void {
  if (output === 'json' || output === 'yaml') {
    io.out(serialize(report('CanIMatrix', { ...body, otherNode, rows }), output));
    return;
  }
  const cell = (value: boolean | null) => (value === null ? '?' : value ? io.paint('yes', 'red') : io.paint('no', 'green'));
  io.out(
    table(
      ['RESOURCE', 'VERB', `OWN NODE (${onNode})`, `OTHER NODE (${otherNode})`, 'NO IMPERSONATION'],
      rows.map((row) => [row.resource, row.verb, cell(row.own), cell(row.other), cell(row.direct)]),
    ),
  );
}

/** The core's answer and what it was asked about. */
export interface ReadinessReport extends ReadinessAnswer {
  serviceAccount: { namespace: string; name: string };
  onNode: string;
  node: string;
}

export function printReadinessAnswer(answer: ReadinessReport, output: OutputFormat, io: Io): void {
  if (output === 'json' || output === 'yaml') {
    io.out(serialize(report('CanIReadinessReport', { ...answer }), output));
    return;
  }
  io.out(`${answer.answer}\n`);
  if (output === 'wide' && answer.path.length > 0) {
    io.out(
      table(
        ['HOW', 'BECOMES', 'GRANT'],
        answer.path.map((hop) => [hop.how, hop.to, inert(hop.grant)]),
      ),
    );
  }
  io.note(`${answer.question}${answer.node ? ` (${answer.node})` : ''}: ${inert(answer.why)}`);
  for (const line of answer.unassessed) io.note(`  unassessed: ${inert(line)}`);
}
