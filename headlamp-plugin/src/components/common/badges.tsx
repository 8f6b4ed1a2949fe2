// The two status labels every view shares: a node's readiness and a
// reporter's security posture, coloured the same way everywhere.
import { StatusLabel } from '@kinvolk/headlamp-plugin/lib/CommonComponents';
import { type NodeReadiness, type Posture, POSTURE_TITLES, type ReadinessState } from '@kubectl-readiness/shared';
import Tooltip from '@mui/material/Tooltip';
import React from 'react';

type Status = 'success' | 'warning' | 'error' | '';

const POSTURE_STATUS: Record<Posture, Status> = {
  constrained: 'success',
  broad: 'error',
  'legacy-impersonation': 'error',
  'arbitrary-node': 'error',
  'over-privileged': 'warning',
  misconfigured: 'warning',
  unknown: '',
};

const STATE_STATUS: Record<ReadinessState, Status> = {
  ready: 'success',
  'bootstrap-complete': 'success',
  held: 'error',
  releasing: 'warning',
  unguarded: 'warning',
  'not-selected': '',
};

export function readinessStatus(node: NodeReadiness): Status {
  if (!node.schedulable) return 'error';
  if (node.label === 'ready') return 'success';
  if (node.label === 'no rules') return '';
  return 'warning';
}

export function StateLabel({ state }: { state: ReadinessState }) {
  return <StatusLabel status={STATE_STATUS[state]}>{state}</StatusLabel>;
}

/** A posture badge; the tooltip carries the reasons, one per line. */
export function PostureBadge({ posture, reasons = [] }: { posture: Posture; reasons?: string[] }) {
  const label = (
    <StatusLabel status={POSTURE_STATUS[posture]} data-posture={posture}>
      {POSTURE_TITLES[posture]}
    </StatusLabel>
  );
  if (reasons.length === 0) return label;
  return (
    <Tooltip title={<span style={{ whiteSpace: 'pre-line' }}>{reasons.join('\n')}</span>}>
      <span>{label}</span>
    </Tooltip>
  );
}
