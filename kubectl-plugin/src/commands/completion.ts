// Shell completion through kubectl: `kubectl readiness completion` prints the
// kubectl_complete-readiness shim, which calls the hidden __complete command.
import { metadataOf } from '@kubectl-readiness/shared';
import { Command } from 'commander';
import { fetchNodes, fetchRules } from '../fetch.ts';
import type { CommandContext, Connection, GlobalFlags } from './context.ts';

const COMPLETION_SHIM = `#!/usr/bin/env sh
# kubectl calls kubectl_complete-readiness to complete "kubectl readiness ...".
exec kubectl-readiness __complete "$@"
`;

export const SUBCOMMANDS = ['status', 'verify', 'can-i', 'version', 'completion'];

/** Candidates for kubectl's plugin completion: subcommands, then node or rule names. */
async function completions(words: string[], flags: GlobalFlags, connect: (flags: GlobalFlags) => Promise<Connection>): Promise<string[]> {
  const current = words.at(-1) ?? '';
  const previous = words.at(-2);
  if (words.length <= 1) return SUBCOMMANDS.filter((name) => name.startsWith(current));
  try {
    const { client } = await connect(flags);
    if (previous === '--rule')
      return (await fetchRules(client)).items.map((rule) => metadataOf(rule).name).filter((name) => name.startsWith(current));
    if (words[0] === 'status' || previous === '--on-node' || previous === '--as-node')
      return (await fetchNodes(client)).map((node) => metadataOf(node).name).filter((name) => name.startsWith(current));
  } catch {
    // Completion never prints errors into the user's shell.
  }
  return [];
}

export function newCompletionCommands(context: CommandContext): Command[] {
  const completion = new Command('completion')
    .description(
      'Print the kubectl_complete-readiness shim: kubectl readiness completion > ~/.krew/bin/kubectl_complete-readiness && chmod +x $_',
    )
    .action((_flags: unknown, command: Command) => context.io(context.flags(command)).out(COMPLETION_SHIM));
  const complete = new Command('__complete')
    .argument('[words...]')
    .allowUnknownOption()
    .helpOption(false)
    .action(async (words: string[], _flags: unknown, command: Command) => {
      const globals = context.flags(command);
      context.io(globals).out(`${(await completions(words, globals, context.connect)).join('\n')}\n:4\n`);
    });
  return [completion, complete];
}
