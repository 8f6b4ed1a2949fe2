// kubectl-readiness: why is this node not accepting workloads, and can one
// compromised node lie about the others? A thin adapter over the shared core:
// it parses kubectl-style flags, reads the cluster, and renders verdicts.
import { basename } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { runCanI } from './canI.ts';
import { ApiClient } from './client.ts';
import { CliError, EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK } from './errors.ts';
import { fetchNodes, fetchRules } from './fetch.ts';
import { colorAllowed, painter, parseOutput, report, serialize } from './render.ts';
import { runStatus, runStatusWatch, type Io } from './status.ts';
import { runVerify } from './verify.ts';
import { metadataOf } from '@kubectl-readiness/shared';

export const VERSION = '0.1.0';

export interface Streams {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  readStdin: () => string;
  /** Aborted on Ctrl-C: a watch ends cleanly, any other command stops without writing its report. */
  interrupt?: AbortSignal;
}

interface GlobalFlags {
  kubeconfig?: string;
  context?: string;
  cluster?: string;
  user?: string;
  namespace?: string;
  as?: string;
  asGroup: string[];
  requestTimeout: string;
  output?: string;
  color: boolean;
  verbose: string;
}

/** pflag accepts -n=x and -o=json; commander would keep the "=", so split them first. */
export function normalizeArgs(args: string[]): string[] {
  return args.flatMap((arg) => (/^-[a-zA-Z]=/.test(arg) ? [arg.slice(0, 2), arg.slice(3)] : [arg]));
}

/** kubectl's --request-timeout: "0" (none), a bare number of seconds, or a duration like 30s, 2m, 1h. */
export function parseTimeout(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!match) throw new CliError(`invalid --request-timeout "${value}": use a duration such as 30s or 1m`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Number(match[1]) * unit;
}

function parseDuration(flag: string) {
  return (value: string) => {
    const ms = parseTimeout(value);
    if (ms <= 0) throw new CliError(`invalid ${flag} "${value}"`);
    return Math.round(ms / 1000);
  };
}

const collect = (value: string, previous: string[]) => [...previous, value];

function commandName(): string {
  const invokedAs = basename(process.argv[1] ?? '');
  return invokedAs.startsWith('kubectl-readiness') ? 'kubectl readiness' : 'kubectl-readiness';
}

const COMPLETION_SHIM = `#!/usr/bin/env sh
# kubectl calls kubectl_complete-readiness to complete "kubectl readiness ...".
exec kubectl-readiness __complete "$@"
`;

export async function main(argv: string[], streams: Streams): Promise<number> {
  const global = (command: Command) => command.optsWithGlobals() as GlobalFlags;
  const io = (flags: GlobalFlags): Io => ({
    out: (text) => streams.stdout.write(text),
    note: (text) => streams.stderr.write(`${text}\n`),
    paint: painter(colorAllowed(streams.stdout, !flags.color)),
    readStdin: streams.readStdin,
    progress: (text) => {
      if (streams.stderr.isTTY) streams.stderr.write(text === null ? '\r\u001b[K' : `\r\u001b[K${text}`);
    },
  });
  // client-node is loaded only when a command talks to a cluster: evaluating it costs most of a cold start.
  const connect = async (flags: GlobalFlags) => {
    const { loadKubeConfig } = await import('./kubeconfig.ts');
    const loaded = loadKubeConfig(flags);
    const verbosity = Number(flags.verbose);
    if (!Number.isInteger(verbosity) || verbosity < 0) throw new CliError(`invalid -v "${flags.verbose}": use a level from 0 to 10`);
    const client = new ApiClient(loaded.kubeConfig, {
      ...(flags.as ? { as: flags.as } : {}),
      asGroups: flags.asGroup,
      timeoutMs: parseTimeout(flags.requestTimeout),
      verbosity,
      log: (line) => streams.stderr.write(`${line}\n`),
    });
    if (verbosity >= 1) streams.stderr.write(`context ${loaded.contextName}, server ${client.server}\n`);
    return { client, namespace: flags.namespace ?? loaded.namespace };
  };
  let exitCode = EXIT_OK;
  let exitZero = false;
  let watching = false;
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
    .option('--request-timeout <duration>', 'time to wait for each request, e.g. 30s; 0 waits forever', '0')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['wide', 'json', 'yaml', 'junit']))
    .option('--no-color', 'never colour the output (NO_COLOR and TERM=dumb also turn it off)')
    .option('-v, --verbose <level>', 'log level; 6 logs every request', '0')
    .configureHelp({ showGlobalOptions: true })
    .exitOverride()
    .configureOutput({ writeOut: (text) => streams.stdout.write(text), writeErr: (text) => streams.stderr.write(text) });

  program
    .command('status')
    .description('Show which rules hold which nodes, and why; with one NODE, explain it in full')
    .argument('[NODE...]', 'nodes to show')
    .option('--rule <name>', 'only this rule (repeatable)', collect, [])
    .option('-l, --selector <selector>', 'only nodes matching this label selector')
    .option('--not-ready', 'only nodes a rule holds')
    .option('--fail-if-not-ready', 'exit 1 when a readiness taint keeps pods off a shown node')
    .option('-f, --filename <file>', "what-if: evaluate the rules in this file (or - for stdin) instead of the cluster's")
    .option('-w, --watch', 'keep watching and print each node whose readiness changes')
    .option('--stale-after <duration>', 'flag condition heartbeats older than this', parseDuration('--stale-after'), 360)
    .action(async (nodes: string[], options: Record<string, unknown>, command: Command) => {
      const flags = global(command);
      const { client } = await connect(flags);
      const statusOptions = {
        nodes,
        rules: options['rule'] as string[],
        ...(options['selector'] ? { selector: options['selector'] as string } : {}),
        notReady: options['notReady'] === true,
        failIfNotReady: options['failIfNotReady'] === true,
        ...(options['filename'] ? { file: options['filename'] as string } : {}),
        staleAfterSeconds: options['staleAfter'] as number,
        output: parseOutput(flags.output, ['table', 'wide', 'json', 'yaml']),
      };
      if (options['watch']) {
        watching = true;
        exitCode = await runStatusWatch(client, statusOptions, io(flags), streams.interrupt ?? new AbortController().signal);
      } else exitCode = await runStatus(client, statusOptions, io(flags));
    });

  program
    .command('verify')
    .description("Check every reporter's security posture, the cluster's constrained impersonation support, and condition coverage")
    .option(
      '--reporter <spec>',
      'NAMESPACE/SERVICEACCOUNT or daemonset/NAME (with -n); repeatable; default: every discovered reporter',
      collect,
      [],
    )
    .option('--remediation <bool>', 'print the remediation YAML', (value: string) => value !== 'false', true)
    .option('--exit-zero', 'exit 0 even when checks fail')
    .option('--stale-after <duration>', 'flag condition heartbeats older than this', parseDuration('--stale-after'), 360)
    .action(async (options: Record<string, unknown>, command: Command) => {
      const flags = global(command);
      const { client, namespace } = await connect(flags);
      exitZero = options['exitZero'] === true;
      exitCode = await runVerify(
        client,
        {
          reporters: options['reporter'] as string[],
          namespace,
          remediation: options['remediation'] as boolean,
          staleAfterSeconds: options['staleAfter'] as number,
          output: parseOutput(flags.output, ['table', 'wide', 'json', 'yaml', 'junit']),
        },
        io(flags),
      );
    });

  program
    .command('can-i')
    .description('Can a reporter do VERB on RESOURCE[/NAME]? Answers through the whole constrained-impersonation decision chain')
    .argument('[VERB]', 'get, update, patch, ...')
    .argument('[RESOURCE]', 'RESOURCE[/NAME], e.g. nodes/node-b')
    .requiredOption('--reporter <namespace/serviceaccount>', "the reporter's ServiceAccount")
    .requiredOption('--on-node <node>', 'the node the reporter runs on (its pod-bound token carries this name)')
    .option('--subresource <name>', 'e.g. status')
    .option('--as-node <node>', 'impersonate this node instead of its own')
    .option('--direct', 'no impersonation, as with IMPERSONATE_NODE unset')
    .option('-q, --quiet', 'print nothing; only the exit code answers')
    .option('--list', 'a matrix of get/list/watch/update/patch on nodes and nodes/status')
    .option('--other-node <node>', 'the node --list uses for "other node"')
    .addHelpText(
      'after',
      `
Examples (the hardened example of NRC's secure-reporting guide):
  # no: NodeRestriction (modelled) stops a write to another node
  kubectl readiness can-i update nodes/node-b --subresource=status --reporter kube-system/cni-reporter --on-node node-a
  # yes: its own node, through associated-node impersonation
  kubectl readiness can-i update nodes/node-a --subresource=status --reporter kube-system/cni-reporter --on-node node-a
  # no: the Node authorizer lets a node read only itself
  kubectl readiness can-i get nodes/node-b --reporter kube-system/cni-reporter --on-node node-a
  # every step, with each SubjectAccessReview and its answer
  kubectl readiness can-i update nodes/node-a --subresource=status --reporter kube-system/cni-reporter --on-node node-a -o wide`,
    )
    .action(async (verb: string | undefined, resource: string | undefined, options: Record<string, unknown>, command: Command) => {
      const flags = global(command);
      const { client } = await connect(flags);
      exitCode = await runCanI(
        client,
        {
          ...(verb ? { verb } : {}),
          ...(resource ? { resource } : {}),
          ...(options['subresource'] ? { subresource: options['subresource'] as string } : {}),
          reporter: options['reporter'] as string,
          onNode: options['onNode'] as string,
          ...(options['asNode'] ? { asNode: options['asNode'] as string } : {}),
          direct: options['direct'] === true,
          quiet: options['quiet'] === true,
          list: options['list'] === true,
          ...(options['otherNode'] ? { otherNode: options['otherNode'] as string } : {}),
          output: parseOutput(flags.output, ['table', 'wide', 'json', 'yaml']),
        },
        io(flags),
      );
    });

  program
    .command('version')
    .description('Print the version')
    .action((_options: unknown, command: Command) => {
      const flags = global(command);
      const output = parseOutput(flags.output, ['table', 'json', 'yaml']);
      streams.stdout.write(
        output === 'json' || output === 'yaml'
          ? serialize(report('Version', { version: VERSION }), output)
          : `kubectl-readiness ${VERSION}\n`,
      );
    });

  program
    .command('completion')
    .description(
      'Print the kubectl_complete-readiness shim: kubectl readiness completion > ~/.krew/bin/kubectl_complete-readiness && chmod +x $_',
    )
    .action(() => {
      streams.stdout.write(COMPLETION_SHIM);
    });

  program
    .command('__complete', { hidden: true })
    .argument('[words...]')
    .allowUnknownOption()
    .helpOption(false)
    .action(async (words: string[], _options: unknown, command: Command) => {
      streams.stdout.write(`${(await completions(words, global(command), connect)).join('\n')}\n:4\n`);
    });

  try {
    await Promise.race([program.parseAsync(normalizeArgs(argv), { from: 'user' }), interrupted]);
  } catch (error) {
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
  return exitZero ? EXIT_OK : exitCode;
}

const SUBCOMMANDS = ['status', 'verify', 'can-i', 'version', 'completion'];

/** Candidates for kubectl's plugin completion: subcommands, then node or rule names. */
async function completions(
  words: string[],
  flags: GlobalFlags,
  connect: (flags: GlobalFlags) => Promise<{ client: ApiClient }>,
): Promise<string[]> {
  const current = words.at(-1) ?? '';
  const previous = words.at(-2);
  if (words.length <= 1) return SUBCOMMANDS.filter((name) => name.startsWith(current));
  try {
    const { client } = await connect(flags);
    if (previous === '--rule')
      return (await fetchRules(client)).items.map((rule) => metadataOf(rule).name).filter((name) => name.startsWith(current));
    if (words[0] === 'status' || previous === '--on-node' || previous === '--as-node') {
      return (await fetchNodes(client)).map((node) => metadataOf(node).name).filter((name) => name.startsWith(current));
    }
  } catch {
    // Completion never prints errors into the user's shell.
  }
  return [];
}
