// Which controller and reporter the harness runs: our NRC-compatible ones,
// built from test/cluster/cmd, or NRC's own binaries when a user points the
// harness at them. Every suite, benchmark and the demo goes through here, so
// the same tests prove the same things on either.
import { join } from 'node:path';

const bin = join(import.meta.dirname, 'bin');

export interface Part {
  /** The binary the harness starts. */
  binary: string;
  /** True when it is NRC's own binary, from READINESS_NRC_CONTROLLER or READINESS_NRC_REPORTER. */
  upstream: boolean;
  /** How output names it: never "NRC" for ours. */
  description: string;
}

function part(variable: string, ours: string, oursDescription: string, upstreamDescription: string): Part {
  const given = process.env[variable];
  return given
    ? { binary: given, upstream: true, description: `${upstreamDescription} (${given})` }
    : { binary: join(bin, ours), upstream: false, description: oursDescription };
}

export const controllerPart = part(
  'READINESS_NRC_CONTROLLER',
  'compat-controller',
  'our NRC-compatible controller (test/cluster/cmd/compat-controller)',
  "NRC's controller",
);

export const reporterPart = part(
  'READINESS_NRC_REPORTER',
  'compat-reporter',
  'our NRC-compatible reporter (test/cluster/cmd/compat-reporter)',
  "NRC's readiness-condition-reporter",
);

/** One line for a suite's or the demo's output: which parts ran. */
export function partsLine(): string {
  return `controller: ${controllerPart.description}; reporter: ${reporterPart.description}`;
}

/** The reason a test that only means something against NRC's own controller gives when it is skipped; false when NRC's runs. */
export function unlessUpstreamController(what: string): string | false {
  return controllerPart.upstream ? false : `${what} needs NRC's own controller: set READINESS_NRC_CONTROLLER to its manager binary`;
}
