import '@kinvolk/headlamp-plugin/lib';
import { screen } from '@testing-library/react';
import { POSTURE_ORDER, POSTURE_TITLES, type Posture } from '@kubectl-readiness/shared';
import React from 'react';
import { describe, expect, it } from 'vitest';
import { PostureBadge, StateLabel } from '../src/components/common/badges';
import { RulesProblemNotice } from '../src/components/common/NotInstalled';
import { WhatIf } from '../src/components/rules/WhatIf';
import { renderInHeadlamp } from './render';
import { fireEvent } from '@testing-library/react';

describe('PostureBadge', () => {
  it.each(POSTURE_ORDER.map((posture) => [posture, POSTURE_TITLES[posture]]))('%s reads "%s"', (posture, title) => {
    renderInHeadlamp(<PostureBadge posture={posture as Posture} reasons={['a reason']} />);
    expect(screen.getByText(title).closest('[data-posture]')?.getAttribute('data-posture')).toBe(posture);
  });
});

describe('StateLabel', () => {
  it.each(['ready', 'held', 'releasing', 'unguarded', 'bootstrap-complete'] as const)('%s', (state) => {
    renderInHeadlamp(<StateLabel state={state} />);
    expect(screen.getByText(state)).toBeTruthy();
  });
});

describe('RulesProblemNotice', () => {
  it.each([
    ['not-installed', /The Node Readiness Controller is not installed/],
    ['forbidden', /You are not allowed to list nodereadinessrules/],
    ['error', /Rules could not be read/],
  ] as const)('%s', (problem, text) => {
    renderInHeadlamp(<RulesProblemNotice problem={problem} />);
    expect(screen.getByText(text)).toBeTruthy();
  });

  it('links to NRC when it is not installed', () => {
    renderInHeadlamp(<RulesProblemNotice problem="not-installed" />);
    expect(screen.getByRole('link').getAttribute('href')).toBe('https://github.com/kubernetes-sigs/node-readiness-controller');
  });

  it('renders nothing when rules were read', () => {
    const { container } = renderInHeadlamp(<RulesProblemNotice problem={null} />);
    expect(container.textContent).toBe('');
  });
});

const nodes = [
  {
    metadata: { name: 'node-a', labels: { gpu: 'yes' } },
    status: { conditions: [{ type: 'example.com/GPUReady', status: 'False', message: '<script>alert(1)</script>' }] },
  },
  { metadata: { name: 'node-b', labels: {} }, status: { conditions: [] } },
];
const gpuRule = `apiVersion: readiness.node.x-k8s.io/v1alpha1
kind: NodeReadinessRule
metadata: {name: gpu}
spec:
  conditions: [{type: example.com/GPUReady, requiredStatus: "True"}]
  taint: {key: readiness.k8s.io/GPUReady, effect: NoSchedule}
  enforcementMode: bootstrap-only
  nodeSelector: {matchLabels: {gpu: "yes"}}
`;

describe('WhatIf', () => {
  it('shows which nodes a pasted rule would hold', () => {
    renderInHeadlamp(<WhatIf nodes={nodes} rules={[]} initialYaml={gpuRule} />);
    expect(screen.getByText('Selects 1 node(s); would hold 1.')).toBeTruthy();
    expect(screen.getByText('add-taint')).toBeTruthy();
    expect(screen.getByText('example.com/GPUReady=False')).toBeTruthy();
  });

  it('explains YAML it cannot evaluate in one line', () => {
    renderInHeadlamp(<WhatIf nodes={nodes} rules={[]} />);
    fireEvent.change(screen.getByRole('textbox', { name: 'Rule YAML' }), { target: { value: 'kind: [\n' } });
    expect(screen.getByRole('alert').textContent).toMatch(/^Cannot evaluate: invalid YAML: /);
  });

  it("refuses a rule whose taint a cluster rule already manages on overlapping nodes, as NRC's webhook does", () => {
    const existing = {
      metadata: { name: 'gpu-old' },
      spec: {
        taint: { key: 'readiness.k8s.io/GPUReady', effect: 'NoSchedule' },
        nodeSelector: { matchExpressions: [{ key: 'gpu', operator: 'Exists' }] },
      },
    };
    renderInHeadlamp(<WhatIf nodes={nodes} rules={[existing]} initialYaml={gpuRule} />);
    expect(screen.getByRole('alert').textContent).toMatch(/conflicts with existing rule 'gpu-old'/);
  });

  it('shows nothing until YAML is pasted', () => {
    renderInHeadlamp(<WhatIf nodes={nodes} rules={[]} />);
    expect(screen.queryByText(/Selects/)).toBeNull();
  });
});
