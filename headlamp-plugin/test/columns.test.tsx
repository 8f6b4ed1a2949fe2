import { describe, expect, it } from 'vitest';
import { readinessColumnsProcessor, READINESS_COLUMN_ID, SECURITY_COLUMN_ID } from '../src/components/nodes/columns';

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
