import { describe, expect, it } from 'vitest';
import { evaluateCluster, type HeldDuration } from '@kubectl-readiness/shared';
import { readinessColumnsProcessor, READINESS_COLUMN_ID, readinessTooltip, SECURITY_COLUMN_ID } from '../src/components/nodes/columns';

const NODE_COLUMNS = ['name', { id: 'ready', label: 'Ready' }, { id: 'taints', label: 'Taints' }, 'age'];
const ids = (columns: unknown[]) => columns.map((column) => (typeof column === 'string' ? column : (column as { id: string }).id));

describe('readinessColumnsProcessor', () => {
  it('adds Readiness and Reporter security right after Ready, where Headlamp 0.45 hides them last', () => {
    expect(ids(readinessColumnsProcessor({ id: 'headlamp-nodes', columns: NODE_COLUMNS }))).toEqual([
      'name',
      'ready',
      READINESS_COLUMN_ID,
      SECURITY_COLUMN_ID,
      'taints',
      'age',
    ]);
  });

  it('goes before Age on a table without Ready', () => {
    expect(ids(readinessColumnsProcessor({ id: 'headlamp-nodes', columns: ['name', 'age'] }))).toEqual([
      'name',
      READINESS_COLUMN_ID,
      SECURITY_COLUMN_ID,
      'age',
    ]);
  });

  it('is idempotent: run twice, one of each column', () => {
    const once = readinessColumnsProcessor({ id: 'headlamp-nodes', columns: NODE_COLUMNS });
    const twice = readinessColumnsProcessor({ id: 'headlamp-nodes', columns: once });
    expect(ids(twice)).toEqual(ids(once));
  });

  it('appends at the end when the table has neither Ready nor Age', () => {
    expect(ids(readinessColumnsProcessor({ id: 'headlamp-nodes', columns: ['name'] }))).toEqual([
      'name',
      READINESS_COLUMN_ID,
      SECURITY_COLUMN_ID,
    ]);
  });

  it.each(['headlamp-pods', 'headlamp-deployments', ''])('leaves table "%s" alone', (id) => {
    expect(readinessColumnsProcessor({ id, columns: NODE_COLUMNS })).toBe(NODE_COLUMNS);
  });
});

describe('readinessTooltip', () => {
  const taint = { key: 'readiness.k8s.io/NetworkReady', effect: 'NoSchedule' };
  const rule = {
    metadata: { name: 'network' },
    spec: { conditions: [{ type: 'CalicoReady', requiredStatus: 'True' }], taint, enforcementMode: 'continuous', nodeSelector: {} },
  };
  const heldNode = {
    metadata: { name: 'node-b' },
    spec: { taints: [taint] },
    status: { conditions: [{ type: 'CalicoReady', status: 'False', lastHeartbeatTime: new Date().toISOString() }] },
  };
  const readiness = evaluateCluster([rule], [heldNode]).nodes[0]!;
  const hold = (extra: Partial<HeldDuration>): HeldDuration => ({
    rule: 'network',
    since: '',
    seconds: 3 * 3600 + 720,
    source: 'TaintAdded event',
    atLeast: false,
    ...extra,
  });

  it.each([
    ['a hold NRC recorded', [hold({})], 'held by network for 3h (TaintAdded event)'],
    ['a hold NRC adopted', [hold({ source: 'TaintAdopted event', atLeast: true })], 'held by network for at least 3h (TaintAdopted event)'],
  ])('leads with how long the node has been held: %s', (_, held, line) => {
    expect(readinessTooltip(readiness, held)[0]).toBe(line);
  });

  it('lists only the failing conditions when the hold has no known start', () => {
    expect(readinessTooltip(readiness, [])).toEqual(readinessTooltip(readiness));
    expect(readinessTooltip(readiness).some((line) => line.startsWith('held by'))).toBe(false);
  });
});
