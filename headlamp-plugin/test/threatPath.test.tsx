import { threatMatrix, type ReachedCapability } from '@kubectl-readiness/shared';
import { screen } from '@testing-library/react';
import React from 'react';
import { describe, expect, it } from 'vitest';
import { ThreatPath } from '../src/components/security/ThreatPath';
import { renderInHeadlamp } from './render';

const reached: ReachedCapability[] = [
  {
    capability: 'forge-other-node-conditions',
    as: 'ServiceAccount kube-system/node-writer',
    path: [
      {
        how: 'impersonate (legacy)',
        to: 'ServiceAccount kube-system/node-writer',
        grant: 'RoleBinding impersonate-writer in kube-system → ClusterRole impersonate-writer: ...',
        objects: [
          { kind: 'RoleBinding', name: 'impersonate-writer', namespace: 'kube-system' },
          { kind: 'ClusterRole', name: 'impersonate-writer' },
          { kind: 'ServiceAccount', name: 'node-writer', namespace: 'kube-system' },
        ],
      },
    ],
    grant: 'ClusterRoleBinding status-writer → ClusterRole status-writer: ...',
    grantObjects: [
      { kind: 'ClusterRoleBinding', name: 'status-writer' },
      { kind: 'ClusterRole', name: 'status-writer' },
    ],
  },
];

describe('ThreatPath', () => {
  it("links every hop's binding, role and ServiceAccount, and the final grant, to their Headlamp pages", () => {
    const forge = threatMatrix(reached, true).find((threat) => threat.capability === 'forge-other-node-conditions')!;
    renderInHeadlamp(<ThreatPath threat={forge} />);
    const href = (name: string) => screen.getByRole('link', { name }).getAttribute('href');
    expect(href('RoleBinding kube-system/impersonate-writer')).toBe('/c/test/rolebinding/kube-system/impersonate-writer');
    expect(href('ClusterRole impersonate-writer')).toBe('/c/test/clusterroles/impersonate-writer');
    expect(href('ServiceAccount kube-system/node-writer')).toBe('/c/test/serviceaccounts/kube-system/node-writer');
    expect(href('ClusterRoleBinding status-writer')).toBe('/c/test/clusterrolebinding/status-writer');
    expect(screen.getByText(/impersonate \(legacy\) ServiceAccount kube-system\/node-writer/)).toBeTruthy();
  });

  it('is one line of text when nothing is reachable, or for the reporter’s own job', () => {
    const [own, ...others] = threatMatrix([], true);
    const { container } = renderInHeadlamp(
      <>
        <ThreatPath threat={own!} />
        <ThreatPath threat={others[0]!} />
      </>,
    );
    expect(container.querySelectorAll('a')).toHaveLength(0);
    expect(screen.getByText("expected: the reporter's job")).toBeTruthy();
  });
});
