import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failsAt, newOrWorse, type Finding, type Severity } from '../../src/index.ts';

const finding = (id: string, severity: Severity, title = id, subject = 'kube-system/cni-reporter'): Finding => ({
  id,
  severity,
  title,
  subject,
  evidence: [],
  remediation: '',
});

describe('newOrWorse', () => {
  const cases: [string, Finding[], Finding[], string[]][] = [
    ['nothing changed', [finding('a', 'fail')], [finding('a', 'fail')], []],
    ['a new finding', [finding('a', 'fail'), finding('b', 'warn')], [finding('a', 'fail')], ['b']],
    ['warn became fail', [finding('a', 'fail')], [finding('a', 'warn')], ['a']],
    ['fail became warn: better, not news', [finding('a', 'warn')], [finding('a', 'fail')], []],
    ['the same id about another subject is new', [finding('a', 'fail', 'a', 'cluster')], [finding('a', 'fail')], ['a']],
    ['a changed title (another path) is new', [finding('a', 'fail', 'a via x')], [finding('a', 'fail', 'a via y')], ['a']],
    ['passes are never news', [finding('a', 'pass')], [], []],
  ];
  for (const [name, now, before, expected] of cases)
    it(name, () =>
      assert.deepEqual(
        newOrWorse(now, before).map((entry) => entry.id),
        expected,
      ),
    );
});

describe('failsAt', () => {
  const cases: [Severity[], 'fail' | 'warn', boolean][] = [
    [['fail'], 'fail', true],
    [['warn', 'info'], 'fail', false],
    [['warn'], 'warn', true],
    [['info', 'pass'], 'warn', false],
    [[], 'warn', false],
  ];
  for (const [severities, threshold, expected] of cases)
    it(`${severities.join(',') || 'none'} at --fail-on ${threshold}: ${expected}`, () =>
      assert.equal(
        failsAt(
          severities.map((severity) => finding('x', severity)),
          threshold,
        ),
        expected,
      ));
});
