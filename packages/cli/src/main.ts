import { Command, CommanderError, Option } from 'commander';
import { add, backup, remove, status, transfer, withClient } from './commands/cluster';
import { interactive } from './commands/repl';
import { checkConsistency, executeStatements } from './commands/shell';
import { recoverQuorumCommand } from './commands/recover-quorum';
import { start } from './commands/start';
import { verify } from './commands/verify';
import { CommandFailed, UsageError } from './errors';

const out = (s: string): void => {
  process.stdout.write(`${s}\n`);
};

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function program(): Command {
  const p = new Command('walraft')
    .description('replicated SQLite: run nodes, query and administer a cluster')
    .option('--debug', 'show stack traces of errors')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      writeErr: (s) => {
        process.stderr.write(s.startsWith('error: ') ? `walraft: ${s.slice(7)}` : s);
      },
    });
  const clusterOptions = (c: Command): Command =>
    c
      .requiredOption('--cluster <addresses>', 'comma-separated host:port of cluster members')
      .option('--cluster-id <id>', 'the cluster id', 'walraft')
      .option('--json', 'machine-readable output');

  p.command('start')
    .description('run a node in the foreground until SIGTERM/SIGINT')
    .requiredOption('--id <n>', 'node id (a positive integer, never reused)')
    .requiredOption('--data <dir>', 'data directory')
    .requiredOption('--listen <host:port>', 'address for members and clients')
    .option('--bootstrap', 'start a new cluster with this node')
    .option('--join <addresses>', 'join a running cluster through these members')
    .option('--http <host:port>', 'serve /status, /readyz and /metrics here')
    .option('--cluster-id <id>', 'the cluster id', 'walraft')
    .option('--tick-ms <ms>', 'Raft tick in milliseconds')
    .option('--restore <file>', 'with --bootstrap: start the new cluster from this backup (needs --db)')
    .option('--db <name>', 'the database --restore fills')
    .option('--dial <members>', 'reach these members at another address than they advertise: ID=HOST:PORT[,…]')
    .addOption(new Option('--log-format <format>', 'json or pretty').default('json'))
    .option('--log-level <level>', 'debug, info, warn or error', 'info')
    .action(async (flags: Parameters<typeof start>[0]) => {
      process.exitCode = await start(flags);
    });

  clusterOptions(
    p
      .command('shell')
      .description('run SQL against a database of the cluster')
      .option('--db <name>', 'database name', 'main.db')
      .option('--consistency <level>', 'linearizable, weak or none', 'linearizable')
      .option('-e, --execute <sql>', 'run these statements and exit (repeatable)', collect),
  ).action(async (flags: Parameters<typeof executeStatements>[0]) => {
    checkConsistency(flags.consistency);
    process.exitCode = flags.execute
      ? await executeStatements(flags, out)
      : await withClient(flags, (client) => interactive(flags, client, out));
  });

  clusterOptions(p.command('status').description('members, roles, leader, term, indexes and lag')).action(
    async (flags: Parameters<typeof status>[0]) => {
      process.exitCode = await status(flags, out);
    },
  );
  clusterOptions(
    p
      .command('add')
      .description('add a member (it joins as a learner and becomes a voter once caught up)')
      .requiredOption('--id <n>', 'the new node id')
      .requiredOption('--address <host:port>', 'the new node address')
      .option('--learner', 'report it as a learner (it is promoted automatically once caught up)'),
  ).action(async (flags: Parameters<typeof add>[0]) => {
    process.exitCode = await add(flags, out);
  });
  clusterOptions(p.command('remove').description('remove a member').requiredOption('--id <n>', 'the node id')).action(
    async (flags: Parameters<typeof remove>[0]) => {
      process.exitCode = await remove(flags, out);
    },
  );
  clusterOptions(
    p.command('transfer').description('hand leadership to another voter').option('--to <n>', 'the node id'),
  ).action(async (flags: Parameters<typeof transfer>[0]) => {
    process.exitCode = await transfer(flags, out);
  });
  clusterOptions(
    p
      .command('backup')
      .description('an online, consistent backup of a database to a plain SQLite file')
      .requiredOption('--db <name>', 'database name')
      .requiredOption('--out <file>', 'where to write it'),
  ).action(async (flags: Parameters<typeof backup>[0]) => {
    process.exitCode = await backup(flags, out);
  });
  clusterOptions(
    p
      .command('verify')
      .description('check that every member holds identical pages of a database (on a quiet cluster)')
      .requiredOption('--db <name>', 'database name'),
  ).action(async (flags: Parameters<typeof verify>[0]) => {
    process.exitCode = await verify(flags, out);
  });
  p.command('recover-quorum')
    .description('offline: give a stopped survivor of a cluster that lost its quorum a new configuration')
    .requiredOption('--data <dir>', "the survivor's data directory (the node must be stopped)")
    .requiredOption('--members <list>', 'the new configuration: ID=HOST:PORT[,…], including this node')
    .option('--dry-run', 'only report the log position and configuration')
    .option('--json', 'machine-readable output')
    .action(async (flags: Parameters<typeof recoverQuorumCommand>[0]) => {
      process.exitCode = await recoverQuorumCommand(flags, out);
    });
  return p;
}

/** Runs the command line; resolves with the exit code. One line on stderr for any error (stack with --debug). */
export async function main(argv: readonly string[]): Promise<number> {
  const p = program();
  try {
    await p.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander has printed its message already; help and version are not errors
      return err.exitCode === 0 ? 0 : 2;
    }
    const debug = argv.includes('--debug');
    const e = err as Error & { code?: unknown };
    const own = err instanceof UsageError || err instanceof CommandFailed;
    const code = typeof e.code === 'string' && !own ? ` (${e.code})` : '';
    process.stderr.write(debug ? `${e.stack ?? String(err)}\n` : `walraft: ${e.message}${code}\n`);
    return err instanceof UsageError ? 2 : 1;
  }
}
