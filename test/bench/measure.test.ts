import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { medianInterval } from './measure.ts';

const ranks = (n: number) => Array.from({ length: n }, (_, index) => n - index);

describe('medianInterval', () => {
  // Coverage 1 - 2·P(X ≤ j) for X ~ Binomial(n, ½), from the binomial table.
  const cases: [n: number, low: number, high: number, coverage: number][] = [
    [5, 1, 5, 1 - 2 / 32],
    [6, 1, 6, 1 - 2 / 64],
    [9, 2, 8, 1 - (2 * (1 + 9)) / 512],
    [15, 4, 12, 1 - (2 * (1 + 15 + 105 + 455)) / 32768],
    [25, 8, 18, 1 - (2 * (1 + 25 + 300 + 2300 + 12650 + 53130 + 177100 + 480700)) / 2 ** 25],
  ];
  for (const [n, low, high, coverage] of cases)
    it(`gives order statistics ${low} and ${high} of ${n} samples, whatever their order`, () => {
      const interval = medianInterval(ranks(n));
      assert.equal(interval.low, low);
      assert.equal(interval.high, high);
      assert.ok(Math.abs(interval.coverage - coverage) < 1e-12, `${interval.coverage} ≠ ${coverage}`);
    });

  it('reaches the confidence asked for from six samples on, and a lower confidence never widens it', () => {
    for (let n = 6; n <= 60; n++) {
      const { low, coverage } = medianInterval(ranks(n));
      assert.ok(coverage >= 0.95, `n=${n}: ${coverage}`);
      assert.ok(medianInterval(ranks(n), 0.5).low >= low, `n=${n}`);
    }
  });
});
