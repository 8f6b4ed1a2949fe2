// The reporters table both the Security view and the node section show: which
// workload, as which ServiceAccount, writing which conditions, with its posture.
import { SimpleTable } from '@kinvolk/headlamp-plugin/lib/CommonComponents';
import type { ReporterAssessment } from '@kubectl-readiness/shared';
import React from 'react';
import { PostureBadge } from './badges';

export function ReporterTable({ assessments, emptyMessage }: { assessments: ReporterAssessment[]; emptyMessage: string }) {
  return (
    <SimpleTable
      columns={[
        {
          label: 'Reporter',
          getter: ({ reporter }: ReporterAssessment) =>
            `${reporter.workload.kind} ${reporter.workload.namespace}/${reporter.workload.name}`,
        },
        {
          label: 'ServiceAccount',
          getter: ({ reporter }: ReporterAssessment) => `${reporter.serviceAccount.namespace}/${reporter.serviceAccount.name}`,
        },
        { label: 'Conditions', getter: ({ reporter }: ReporterAssessment) => reporter.conditionTypes.join(', ') },
        {
          label: 'Posture',
          getter: ({ posture, reasons }: ReporterAssessment) => <PostureBadge posture={posture} reasons={reasons} />,
        },
      ]}
      data={assessments}
      emptyMessage={emptyMessage}
    />
  );
}
