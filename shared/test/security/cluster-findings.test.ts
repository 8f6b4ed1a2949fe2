import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clusterFindings, gateOf } from '../../src/index.ts';

describe('clusterFindings', () => {
  const cases: { name: string; facts: Parameters<typeof clusterFindings>[0]; gate: string; severities: Record<string, string> }[] = [
    {
      name: '1.34 has no constrained impersonation',
      facts: { gitVersion: 'v1.34.2', featureMetric: null },
      gate: 'disabled',
      severities: { 'cluster-version': 'fail' },
    },
    {
      name: '1.35 without the metric cannot be confirmed',
      facts: { gitVersion: 'v1.35.4', featureMetric: null },
      gate: 'unknown',
      severities: { 'constrained-impersonation-gate': 'warn' },
    },
    {
      name: '1.35 with the metric at 1 is enabled',
      facts: { gitVersion: 'v1.35.4', featureMetric: 1 },
      gate: 'enabled',
      severities: { 'constrained-impersonation-gate': 'pass' },
    },
    {
      name: '1.36 defaults to enabled',
      facts: { gitVersion: 'v1.36.3', featureMetric: null },
      gate: 'enabled',
      severities: { 'constrained-impersonation-gate': 'pass' },
    },
    {
      name: '1.36 with the metric at 0 was disabled',
      facts: { gitVersion: 'v1.36.3', featureMetric: 0 },
      gate: 'disabled',
      severities: { 'constrained-impersonation-gate': 'fail' },
    },
    {
      name: 'an unreadable version with the metric at 1 is enabled',
      facts: { gitVersion: null, featureMetric: 1 },
      gate: 'enabled',
      severities: { 'cluster-version': 'warn' },
    },
  ];
  for (const testCase of cases) {
    it(testCase.name, () => {
      const findings = clusterFindings(testCase.facts);
      assert.equal(gateOf(testCase.facts), testCase.gate);
      for (const [id, severity] of Object.entries(testCase.severities))
        assert.equal(findings.find((finding) => finding.id === id)?.severity, severity, id);
      assert.ok(findings.some((finding) => finding.id === 'impersonation-cache'));
    });
  }
});
