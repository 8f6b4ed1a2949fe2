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
  escalation: 'error',
  'over-privileged': 'warning',
  misconfigured: 'warning',
  unverified: '',
  unassessed: 'warning',
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

/**
 * A label with the lines behind it in a tooltip, one per line; just the label
 * when there are none. The tooltip's title is an element, for which MUI names
 * the label only while open, so the label carries the whole text for screen readers.
 */
export function Explained({ lines, label, children }: { lines: string[]; label: string; children: React.ReactElement }) {
  if (lines.length === 0) return children;
  return (
    <Tooltip title={<span style={{ whiteSpace: 'pre-line', overflowWrap: 'anywhere' }}>{lines.join('\n')}</span>}>
      <span aria-label={[label, ...lines].join('\n')} style={{ whiteSpace: 'nowrap' }}>
        {children}
      </span>
    </Tooltip>
  );
}

export function PostureBadge({ posture, reasons = [] }: { posture: Posture; reasons?: string[] }) {
  return (
    <Explained lines={reasons} label={POSTURE_TITLES[posture]}>
      <StatusLabel status={POSTURE_STATUS[posture]} data-posture={posture}>
        {POSTURE_TITLES[posture]}
      </StatusLabel>
    </Explained>
  );
}
