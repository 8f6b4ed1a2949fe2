// kubectl-readiness: why is this node not accepting workloads, and can one
// compromised node lie about the others? main holds kubectl's global flags and
// composes the commands; each command lives in commands/.
import { basename } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { ApiClient } from './client.ts';
import { newCanICommand } from './commands/can-i.ts';
import { newCompletionCommands } from './commands/completion.ts';
import { collect, parseVerbosity, type CommandContext, type GlobalFlags } from './commands/context.ts';
import { newStatusCommand } from './commands/status.ts';
import { newVerifyCommand } from './commands/verify.ts';
import { newVersionCommand } from './commands/version.ts';
import { durationOption } from './duration.ts';
import { CliError, EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK } from './errors.ts';
import { createIo, type Streams } from './io.ts';
import { clusterReader } from './reader.ts';
import { VERSION } from './version.ts';

/** pflag accepts -n=x and -o=json; commander would keep the "=", so split them first. */
export function normalizeArgs(args: string[]): string[] {
  return args.flatMap((arg) => (/^-[a-zA-Z]=/.test(arg) ? [arg.slice(0, 2), arg.slice(3)] : [arg]));
}

function commandName(): string {
  const invokedAs = basename(process.argv[1] ?? '');
  return invokedAs.startsWith('kubectl-readiness') ? 'kubectl readiness' : 'kubectl-readiness';
}

export async function main(argv: string[], streams: Streams): Promise<number> {
  let exitCode = EXIT_OK;
  let watching = false;
  const context: CommandContext = {
    streams,
    flags: (command) => command.optsWithGlobals() as GlobalFlags,
    io: (flags) => createIo(streams, !flags.color),
    // client-node is loaded only when a command talks to a cluster: evaluating it costs most of a cold start.
    // Each command checks its flags and arguments before it connects: a bad one is never reported as a kubeconfig or network problem.
    connect: async (flags) => {
      const { loadKubeConfig } = await import('./kubeconfig.ts');
      const loaded = loadKubeConfig(flags);
      const client = new ApiClient(loaded.kubeConfig, {
        ...(flags.as ? { as: flags.as } : {}),
        asGroups: flags.asGroup,
        timeoutMs: flags.requestTimeout,
        verbosity: flags.verbose,
        log: (line) => streams.stderr.write(`${line}\n`),
      });
      if (flags.verbose >= 1) streams.stderr.write(`context ${loaded.contextName}, server ${client.server}\n`);
      return { client, reader: clusterReader(client), namespace: flags.namespace ?? loaded.namespace };
    },
    exit: (code) => (exitCode = code),
    watching: () => (watching = true),
  };
  // Reports are written whole at the end, so stopping before then leaves stdout untouched.
  const interrupted = new Promise<never>((_resolve, reject) =>
    streams.interrupt?.addEventListener('abort', () => {
      if (!watching) reject(new CliError('interrupted: no report was written', EXIT_INTERRUPTED));
    }),
  );

  const program = new Command()
    .name(commandName())
    .description(
      'Why is a node not accepting workloads, and can one compromised node lie about the others? For the Node Readiness Controller.',
    )
    .version(VERSION, '--version', 'print the version')
    .option('--kubeconfig <path>', 'path to the kubeconfig file')
    .option('--context <name>', 'the kubeconfig context to use')
    .option('--cluster <name>', 'the kubeconfig cluster to use')
    .option('--user <name>', 'the kubeconfig user to use')
    .option('-n, --namespace <namespace>', 'namespace for --reporter workloads (default: the context namespace)')
    .option('--as <user>', 'username to impersonate for the operation')
    .option('--as-group <group>', 'group to impersonate (repeatable)', collect, [])
    .addOption(durationOption('--request-timeout <duration>', 'time to wait for each request; 0 waits forever', 0, true))
    .addOption(new Option('-o, --output <format>', 'output format').choices(['wide', 'json', 'yaml', 'junit', 'sarif']))
    .option('--no-color', 'never colour the output (NO_COLOR and TERM=dumb also turn it off)')
    .addOption(new Option('-v, --verbose <level>', 'log level; 6 logs every request').argParser(parseVerbosity).default(0))
    .addHelpText('afterAll', "\nDurations take kubectl's forms, such as 90s, 1m30s, 2h or 500ms; a bare number is seconds.")
    .configureHelp({ showGlobalOptions: true })
    .exitOverride()
    .configureOutput({ writeOut: (text) => streams.stdout.write(text), writeErr: (text) => streams.stderr.write(text) });

  for (const command of [newStatusCommand(context), newVerifyCommand(context), newCanICommand(context), newVersionCommand(context)])
    program.addCommand(command);
  const [completion, complete] = newCompletionCommands(context);
  program.addCommand(completion!);
  program.addCommand(complete!, { hidden: true });
  // addCommand does not pass the parent's settings on: help and errors must go through the same streams.
  for (const command of program.commands) {
    command
      .exitOverride()
      .configureHelp({ showGlobalOptions: true })
      .configureOutput({ writeOut: (text) => streams.stdout.write(text), writeErr: (text) => streams.stderr.write(text) });
  }

  try {
    await Promise.race([program.parseAsync(normalizeArgs(argv), { from: 'user' }), interrupted]);
  } catch (error) {
    // cobra's ShellCompDirectiveError: a flag being typed may not parse yet, and the shell then offers nothing.
    if (argv[0] === '__complete') {
      streams.stdout.write(':1\n');
      return EXIT_OK;
    }
    if (error instanceof CommanderError) {
      // Commander printed its one-line message already; help and version are not errors.
      return error.exitCode === 0 ? EXIT_OK : EXIT_ERROR;
    }
    if (error instanceof CliError) {
      streams.stderr.write(`error: ${error.message}\n`);
      return error.exitCode;
    }
    streams.stderr.write(`error: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}\n`);
    return EXIT_ERROR;
  }
  return exitCode;
}
