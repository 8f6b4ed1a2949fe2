// SARIF 2.1.0 for code scanning: one rule per finding id, one result per
// finding that is not a pass, located at the binding, role or workload behind
// it when the report came from files.
import type { Finding, ObjectRef } from '@kubectl-readiness/shared';
import { VERSION } from '../version.ts';

export interface SourcePosition {
  file: string;
  line: number;
}

/** Where each object of the manifests was read: kind/namespace/name → file and line. */
export type Positions = Map<string, SourcePosition>;

export const positionKey = ({ kind, namespace, name }: ObjectRef): string => `${kind}/${namespace ?? ''}/${name}`;

const LEVEL = { fail: 'error', warn: 'warning', info: 'note' } as const;

/**
 * With positions, every result gets a file location (code scanning needs
 * one): the first object behind the finding that a manifest holds, else the
 * first manifest, for cluster-wide findings.
 */
export function sarifLog(findings: Finding[], positions: Positions | null): object {
  const shown = findings.filter((finding) => finding.severity !== 'pass');
  const ids = [...new Set(shown.map((finding) => finding.id))];
  const fallback = positions ? [...positions.values()][0] : undefined;
  const locate = (finding: Finding) => {
    if (!positions) return [{ logicalLocations: [{ name: finding.subject, kind: 'resource' }] }];
    const found = (finding.objects ?? []).map((object) => positions.get(positionKey(object))).find(Boolean) ?? fallback;
    return found ? [{ physicalLocation: { artifactLocation: { uri: found.file }, region: { startLine: found.line } } }] : [];
  };
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'kubectl-readiness',
            version: VERSION,
            informationUri: 'https://github.com/kubectl-readiness/kubectl-readiness',
            rules: ids.map((id) => {
              const first = shown.find((finding) => finding.id === id)!;
              return {
                id,
                shortDescription: { text: first.title },
                help: { text: first.remediation || first.title },
                defaultConfiguration: { level: LEVEL[first.severity as keyof typeof LEVEL] },
              };
            }),
          },
        },
        results: shown.map((finding) => ({
          ruleId: finding.id,
          ruleIndex: ids.indexOf(finding.id),
          level: LEVEL[finding.severity as keyof typeof LEVEL],
          message: { text: `${finding.subject}: ${finding.title}` },
          locations: locate(finding),
          partialFingerprints: { findingKey: `${finding.id}/${finding.subject}/${finding.title}` },
        })),
      },
    ],
  };
}
