// Durations as kubectl's flags take them: Go's time.ParseDuration forms
// (90s, 1m30s, 1.5h, 500ms), and a bare number as seconds, as
// --request-timeout has always taken it. Help prints defaults as Go prints a
// time.Duration (6m0s, 1m0s, 0s), so a reader never guesses the unit.
import { Option } from 'commander';
import { CliError } from './errors.ts';

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const GO_DURATION = /^(?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/;
const SEGMENT = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g;
const BARE_SECONDS = /^\d+(?:\.\d+)?$/;

export const DURATION_FORMS = 'a duration such as 90s, 1m30s or 2h, or a number of seconds';

function millisecondsOf(value: string): number | null {
  if (BARE_SECONDS.test(value)) return Number(value) * 1000;
  if (!GO_DURATION.test(value)) return null;
  return [...value.matchAll(SEGMENT)].reduce((total, [, amount, unit]) => total + Number(amount) * UNIT_MS[unit!]!, 0);
}

/** The one parser every duration flag goes through: milliseconds, or an error naming `flag`. */
export function parseDuration(flag: string, value: string, { allowZero }: { allowZero: boolean }): number {
  const ms = millisecondsOf(value);
  if (ms === null) throw new CliError(`invalid ${flag} "${value}": use ${DURATION_FORMS}`);
  if (ms === 0 && !allowZero) throw new CliError(`invalid ${flag} "${value}": must be longer than 0s`);
  return ms;
}

/** Go's time.Duration.String() for whole and fractional milliseconds: 0s, 500ms, 1m30s, 1h0m0s. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = (ms % 60_000) / 1000;
  return `${hours > 0 ? `${hours}h` : ''}${hours > 0 || minutes > 0 ? `${minutes}m` : ''}${seconds}s`;
}

/** A duration flag whose value reaches the command as milliseconds, parsed as the arguments are, before any file or request. */
export function durationOption(flags: string, description: string, defaultMs: number, allowZero = false): Option {
  const option = new Option(flags, description);
  return option
    .argParser((value: string) => parseDuration(option.long ?? flags, value, { allowZero }))
    .default(defaultMs, formatDuration(defaultMs));
}
