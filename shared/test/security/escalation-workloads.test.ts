// Pod Security, as the workloads class reads it: only an enforce label of
// baseline or restricted keeps a pod from the host; anything else, or no
// knowledge at all, is the apiserver's default, privileged.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { admitsHostAccess } from '../../src/security/escalation/workloads.ts';

const namespace = (name: string, labels?: Record<string, string>) => ({
  kind: 'Namespace',
  metadata: { name, ...(labels ? { labels } : {}) },
});
const enforcing = (level: string) => ({ 'pod-security.kubernetes.io/enforce': level });

describe('admitsHostAccess', () => {
  const cases: [name: string, namespaces: unknown[] | null, asked: string, admits: boolean][] = [
    ['no label: the default level, privileged', [namespace('web')], 'web', true],
    ['enforce: privileged', [namespace('web', enforcing('privileged'))], 'web', true],
    ['enforce: baseline forbids privileged and hostPath', [namespace('web', enforcing('baseline'))], 'web', false],
    ['enforce: restricted', [namespace('web', enforcing('restricted'))], 'web', false],
    ['a value admission cannot parse is not trusted to restrict', [namespace('web', enforcing('Baseline'))], 'web', true],
    [
      'only warn or audit at baseline: nothing is refused',
      [namespace('web', { 'pod-security.kubernetes.io/warn': 'baseline' })],
      'web',
      true,
    ],
    ['a namespace not in the list', [namespace('web', enforcing('baseline'))], 'other', true],
    ['the Namespaces could not be read', null, 'web', true],
  ];
  for (const [name, namespaces, asked, admits] of cases)
    it(name, () => {
      assert.equal(admitsHostAccess(namespaces)(asked), admits);
    });
});
