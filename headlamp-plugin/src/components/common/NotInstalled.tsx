// Empty states for rules that cannot be read: the CRD is absent, or the
// viewer may not list it. Views keep working on node conditions alone.
import { EmptyContent } from '@kinvolk/headlamp-plugin/lib/CommonComponents';
import { RULE_GROUP, RULE_PLURAL, RULE_VERSION } from '@kubectl-readiness/shared';
import React from 'react';
import type { RulesProblem } from '../../hooks/useReadiness';

export const NRC_URL = 'https://github.com/kubernetes-sigs/node-readiness-controller';

/** EmptyContent puts each child in its own paragraph, so every notice is one element. */
export function RulesProblemNotice({ problem }: { problem: RulesProblem }) {
  if (problem === null) return null;
  const resource = `${RULE_PLURAL}.${RULE_GROUP}`;
  if (problem === 'not-installed')
    return (
      <EmptyContent>
        <span>
          {`The Node Readiness Controller is not installed: this cluster does not serve ${resource}/${RULE_VERSION}. Install it from `}
          <a href={NRC_URL}>{NRC_URL}</a>
          {' to gate nodes on readiness conditions.'}
        </span>
      </EmptyContent>
    );
  if (problem === 'forbidden')
    return (
      <EmptyContent>
        <span>{`You are not allowed to list ${resource}: rules and their verdicts are hidden. Ask for get, list and watch on it.`}</span>
      </EmptyContent>
    );
  return (
    <EmptyContent>
      <span>Rules could not be read from the cluster.</span>
    </EmptyContent>
  );
}
