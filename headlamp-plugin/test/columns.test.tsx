import { describe, expect, it } from 'vitest';
import { evaluateCluster, type HeldDuration } from '@kubectl-readiness/shared';
import {
  COMPACT_CELL,
  compactReadiness,
  readinessColumnsProcessor,
  READINESS_COLUMN_ID,
  readinessTooltip,
  SECURITY_COLUMN_ID,
} from '../src/components/nodes/columns';

const NODE_COLUMNS = ['name', { id: 'ready', label: 'Ready' }, { id: 'taints', label: 'Taints' }, 'age'];
const ids = (columns: unknown[]) => columns.map((column) => (typeof column === 'string' ? column : (column as { id: string }).id));

// Headlamp 0.45's Nodes list as its frontend/src/components/node/List.tsx builds
// it: built-ins as strings, the rest as objects with the gridTemplate 0.45 gives
// them. lib 0.14's List.js has the same ids in the same order (its 'software'
// is hidden too); what 0.14 lacks is 0.45's hiding of columns that do not fit.
const HEADLAMP_045_NODE_COLUMNS = [
  'name',
  'cluster',
  { id: 'cpu', label: 'CPU', gridTemplate: 'min-content' },
  { id: 'memory', label: 'Memory' },
  { id: 'ready', label: 'Ready' },
  { id: 'taints', label: 'Taints' },
  { id: 'roles', label: 'Roles', gridTemplate: 'minmax(150px, .5fr)' },
  { id: 'internalIP', label: 'Internal IP' },
  { id: 'externalIP', label: 'External IP' },
  { id: 'version', label: 'Version', gridTemplate: 'minmax(150px, .5fr)' },
  { id: 'software', label: 'Software', gridTemplate: 'minmax(200px, 1.5fr)', show: false },
  'labels',
  'age',
];
const HEADLAMP_IDS = ids(HEADLAMP_045_NODE_COLUMNS);
const processNodes = (columns: Array<string | { id?: string }>) => readinessColumnsProcessor({ id: 'headlamp-nodes', columns });
const ours = (columns: unknown[]) =>
  columns.filter(
    (column): column is { id: string; gridTemplate?: unknown; responsivePriority?: unknown } =>
      typeof column !== 'string' && [READINESS_COLUMN_ID, SECURITY_COLUMN_ID].includes((column as { id: string }).id),
  );

describe("readinessColumnsProcessor on Headlamp 0.45's Nodes columns", () => {
  const processed = processNodes(HEADLAMP_045_NODE_COLUMNS);

  // 0.45 hides columns from the right as the viewport narrows: right after Ready, ours go last.
  it('puts Readiness and Reporter security right after Ready', () => {
    expect(ids(processed).slice(HEADLAMP_IDS.indexOf('ready'), HEADLAMP_IDS.indexOf('ready') + 3)).toEqual([
      'ready',
      READINESS_COLUMN_ID,
      SECURITY_COLUMN_ID,
    ]);
  });

  it("keeps every one of Headlamp's columns in its order, untouched but for Memory's width", () => {
    const kept = processed.filter((column) => !ours([column]).length);
    expect(ids(kept)).toEqual(HEADLAMP_IDS);
    kept.forEach((column, index) => {
      if (HEADLAMP_IDS[index] !== 'memory') expect(column).toBe(HEADLAMP_045_NODE_COLUMNS[index]);
    });
  });

  it("sizes Memory as Headlamp sizes CPU, on a copy, so its cells keep '16Gi' on one line", () => {
    const memory = HEADLAMP_045_NODE_COLUMNS[3] as { id: string };
    expect(processed.find((column) => typeof column !== 'string' && column.id === 'memory')).toEqual({
      ...memory,
      gridTemplate: 'min-content',
    });
    expect(memory).not.toHaveProperty('gridTemplate');
  });

  it('leaves a Memory width Headlamp sets itself alone', () => {
    const memory = { id: 'memory', label: 'Memory', gridTemplate: 'minmax(120px, 1fr)' };
    expect(processNodes(['name', memory, { id: 'ready' }])).toContain(memory);
  });

  it('gives the same list when run again on its own output', () => {
    const again = processNodes(processed);
    expect(ids(again)).toEqual(ids(processed));
    const widths = (columns: unknown[]) => columns.map((column) => (column as { gridTemplate?: unknown }).gridTemplate);
    expect(widths(again)).toEqual(widths(processed));
  });

  it('sizes both columns to their badge and asks Headlamp for no priority it does not read', () => {
    expect(COMPACT_CELL).toBe('min-content');
    expect(ours(processed).map((column) => [column.id, column.gridTemplate, column.responsivePriority])).toEqual([
      [READINESS_COLUMN_ID, 'min-content', undefined],
      [SECURITY_COLUMN_ID, 'min-content', undefined],
    ]);
  });

  it.each(['headlamp-pods', 'headlamp-deployments', 'headlamp-nodereadinessrules', ''])('leaves table "%s" alone', (id) => {
    expect(readinessColumnsProcessor({ id, columns: HEADLAMP_045_NODE_COLUMNS })).toBe(HEADLAMP_045_NODE_COLUMNS);
  });
});

describe('readinessColumnsProcessor on other column lists', () => {
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

  it('names the rule without a duration when the hold has no known start', () => {
    expect(readinessTooltip(readiness, [])).toEqual(readinessTooltip(readiness));
    expect(readinessTooltip(readiness)).toEqual(['held by network', 'failing: CalicoReady=False']);
  });

  it('names a timed rule once', () => {
    expect(readinessTooltip(readiness, [hold({})])).toEqual(['held by network for 3h (TaintAdded event)', 'failing: CalicoReady=False']);
  });
});

describe('compactReadiness', () => {
  const taint = (name: string) => ({ key: `readiness.k8s.io/${name}`, effect: 'NoSchedule' });
  const rule = (name: string) => ({
    metadata: { name },
    spec: { conditions: [{ type: name, requiredStatus: 'True' }], taint: taint(name), enforcementMode: 'continuous', nodeSelector: {} },
  });
  const node = (taints: string[], conditions: Record<string, string>) => ({
    metadata: { name: 'node' },
    spec: { taints: taints.map(taint) },
    status: {
      conditions: Object.entries(conditions).map(([type, status]) => ({ type, status, lastHeartbeatTime: new Date().toISOString() })),
    },
  });
  const cell = (rules: string[], taints: string[], conditions: Record<string, string>) => {
    const readiness = evaluateCluster(rules.map(rule), [node(taints, conditions)]).nodes[0]!;
    return [compactReadiness(readiness), readiness.label];
  };

  it.each([
    ['one of one rule holds', ['Net'], ['Net'], { Net: 'False' }, ['Held 1/1', 'held by Net']],
    ['two of two hold', ['Net', 'Gpu'], ['Net', 'Gpu'], {}, ['Held 2/2', 'held by 2/2 rules']],
    ['one of two holds', ['Net', 'Gpu'], ['Gpu'], { Net: 'True' }, ['Held 1/2', 'held by Gpu']],
    ['conditions met, taint still on', ['Net'], ['Net'], { Net: 'True' }, ['Releasing', 'releasing']],
    ['conditions failing, no taint', ['Net'], [], { Net: 'False' }, ['Unguarded', 'unguarded']],
    ['ready', ['Net'], [], { Net: 'True' }, ['Ready', 'ready']],
    ['no rule selects it', [], [], {}, ['No rules', 'no rules']],
  ] as const)("%s: the CLI's READINESS word, short", (_, rules, taints, conditions, expected) => {
    expect(cell([...rules], [...taints], conditions)).toEqual(expected);
  });

  it('keeps a long rule name out of the cell', () => {
    const long = 'a-readiness-rule-with-a-name-much-longer-than-any-column';
    expect(cell([long], [long], {})[0]).toBe('Held 1/1');
  });
});
