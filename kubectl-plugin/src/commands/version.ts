// `kubectl readiness version`.
import { Command } from 'commander';
import { EXIT_OK } from '../errors.ts';
import { parseOutput, report, serialize } from '../render.ts';
import { VERSION } from '../version.ts';
import type { CommandContext } from './context.ts';

export function newVersionCommand(context: CommandContext): Command {
  return new Command('version').description('Print the version').action((_flags: unknown, command: Command) => {
    const globals = context.flags(command);
    const output = parseOutput(globals.output, ['table', 'json', 'yaml']);
    context
      .io(globals)
      .out(
        output === 'json' || output === 'yaml'
          ? serialize(report('Version', { version: VERSION }), output)
          : `kubectl-readiness ${VERSION}\n`,
      );
    context.exit(EXIT_OK);
  });
}
