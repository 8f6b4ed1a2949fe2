// Condition coverage as findings: NRC's secure-reporting guide checks that "the
// condition should appear on every node"; this checks it for every rule.
import { conditionCoverage } from './conditions.ts';
import type { EvaluationOptions } from './evaluate.ts';
import type { Finding } from '../nrc/findings.ts';

/** Missing on a targeted node fails, a stale heartbeat warns. */
export function coverageFindings(rules: unknown[], nodes: unknown[], options: EvaluationOptions = {}): Finding[] {
  const list = (names: string[]) => (names.length > 5 ? `${names.slice(0, 5).join(', ')} and ${names.length - 5} more` : names.join(', '));
  // A rule that targets no node has nothing to cover: offline, or before its nodes join.
  return conditionCoverage(rules, nodes, options)
    .filter((coverage) => coverage.checked > 0)
    .map((coverage): Finding => {
      const subject = `rule ${coverage.rule}`;
      if (coverage.missing.length > 0) {
        return {
          id: 'condition-coverage',
          severity: 'fail',
          title: `${coverage.type} is missing on ${coverage.missing.length} of ${coverage.checked} targeted nodes`,
          subject,
          evidence: [`missing: ${list(coverage.missing)}`],
          remediation: 'Check that the reporter runs on those nodes and can write their status (see the reporter findings).',
        };
      }
      if (coverage.stale.length > 0) {
        return {
          id: 'condition-coverage',
          severity: 'warn',
          title: `${coverage.type} has a stale heartbeat on ${coverage.stale.length} of ${coverage.checked} targeted nodes`,
          subject,
          evidence: [`stale: ${list(coverage.stale)}`],
          remediation: 'A stale condition means its reporter stopped writing: check the reporter pods on those nodes.',
        };
      }
      return {
        id: 'condition-coverage',
        severity: 'pass',
        title: `${coverage.type} is present and fresh on all ${coverage.checked} targeted nodes`,
        subject,
        evidence: [],
        remediation: '',
      };
    });
}
