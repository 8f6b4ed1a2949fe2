/** Cases per property test, in CI and locally alike. */
export const FUZZ_RUNS = 10_000;
