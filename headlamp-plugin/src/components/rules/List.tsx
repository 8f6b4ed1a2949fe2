// The Rules view: every NodeReadinessRule with its live counts from the core.
import { Link, SectionBox, SimpleTable } from '@kinvolk/headlamp-plugin/lib/CommonComponents';
import { formatAge, type RuleSummary } from '@kubectl-readiness/shared';
import React from 'react';
import { useReadiness } from '../../hooks/useReadiness';
import { RulesProblemNotice } from '../common/NotInstalled';
import { RULE_ROUTE } from '../routes';
import { WhatIf } from './WhatIf';

function ageOf(created: string | undefined): string {
  const at = Date.parse(created ?? '');
  return Number.isNaN(at) ? '' : formatAge(Math.max(0, Math.round((Date.now() - at) / 1000)));
}

export function RuleList() {
  const data = useReadiness();
  const created = new Map(data.rules.map((rule) => [rule.metadata.name, rule.metadata.creationTimestamp]));
  return (
    <>
      <SectionBox title="Node readiness rules">
        {data.error ? <p role="alert">{data.error}</p> : null}
        <RulesProblemNotice problem={data.rulesProblem} />
        {data.rulesProblem === null ? (
          <SimpleTable
            columns={[
              {
                label: 'Name',
                getter: (row: RuleSummary) => (
                  <Link routeName={RULE_ROUTE} params={{ name: row.rule }}>
                    {row.rule}
                  </Link>
                ),
              },
              { label: 'Mode', getter: (row: RuleSummary) => row.mode },
              { label: 'Taint', getter: (row: RuleSummary) => `${row.taint.key}:${row.taint.effect}` },
              { label: 'Dry run', getter: (row: RuleSummary) => (row.dryRun ? 'yes' : 'no') },
              {
                label: 'Conditions',
                getter: (row: RuleSummary) =>
                  `${row.policy}: ${row.conditions.map((condition) => `${condition.type}=${condition.requiredStatus}`).join(', ')}`,
              },
              { label: 'Selected', getter: (row: RuleSummary) => row.selected },
              { label: 'Held', getter: (row: RuleSummary) => row.counts.held },
              { label: 'Releasing', getter: (row: RuleSummary) => row.counts.releasing },
              { label: 'Age', getter: (row: RuleSummary) => ageOf(created.get(row.rule)) },
            ]}
            data={data.readiness?.rules ?? null}
            emptyMessage="No NodeReadinessRule in this cluster."
          />
        ) : null}
      </SectionBox>
      {data.readiness ? <WhatIf nodes={data.nodes} rules={data.rules} /> : null}
    </>
  );
}
