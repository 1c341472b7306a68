import { userInfo } from 'node:os';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { serviceOf } from '../lambdas/core/config/promotion-config';
import { type CliDeps, wireCli } from '../lambdas/wiring/cli';
import { type CliIo, EXIT, type ExitCode, type GlobalOptions, type Styles, stylesFor, UsageError, writeJson } from './cli-io';
import { formatHistory, readHistory } from './history-command';
import { formatHoldResult, holdTargets, releaseTargets, targetsIn } from './hold-command';
import { formatPlan, planImage } from './plan-command';
import { promoteService } from './promote-command';
import { DEFAULT_CONFIG, DEFAULT_STATE, EMBEDDED_CONFIG, resolveConfigPath, resolveStateDir } from './resolve-cli-paths';
import { rollbackService } from './rollback-command';
import { addScaffoldCommand } from './scaffold-command';
import { formatStatus, gateLineOf, readStatus } from './status-command';

/** What a command body gets: the wired core, how to write, and whether to write JSON. */
interface CommandScope {
  readonly deps: CliDeps;
  readonly io: CliIo;
  readonly json: boolean;
  readonly styles: Styles;
}

const EXIT_CODES_HELP = `
Exit codes:
  0  done
  1  failed (a host, the config or a target's file refused)
  2  usage error (unknown option, service or environment; malformed image or tag)
  3  nothing to do: no change planned, nothing held or released, no history`;

/**
 * Runs `hoist <command>` and answers its exit code. Errors are one line on
 * stderr (JSON with `--json`), never a stack trace; colour only on a terminal.
 */
export async function runHoistCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  let exitCode: ExitCode = EXIT.ok;
  const program = createProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end the parse by throwing, with exit code 0.
      if (error.exitCode === 0) return EXIT.ok;
      // `hoist` alone: commander has printed the help to stderr.
      if (error.code === 'commander.help') return EXIT.usage;
      return reportError(io, argv, error.message.replace(/^error: /, ''), EXIT.usage);
    }
    if (error instanceof UsageError) return reportError(io, argv, error.message, EXIT.usage);
    return reportError(io, argv, error instanceof Error ? error.message : String(error), EXIT.failure);
  }
}

/** The command tree. `promote` and `rollback` are registered here too once they exist, each in its own module like these. */
function createProgram(io: CliIo, setExitCode: (code: ExitCode) => void): Command {
  const program = new Command('hoist')
    .description('Plan promotions and see, hold and release environments, with the same config, providers and core as the Hoist functions.')
    .option(
      '--config <path>',
      `hoist.config.yaml to read (default: ${DEFAULT_CONFIG} in the working directory, or the dev server's ${EMBEDDED_CONFIG} when only that one exists)`,
    )
    .option(
      '--table <name>',
      "a deployment's state table (DynamoDB; AWS credentials as the SDK finds them): target states, holds and the audit trail there instead of --state (env HOIST_TABLE_NAME)",
    )
    .option('--state <dir>', `local state: target states, holds, audit trail (default: state/ beside the config when it is there, else ${DEFAULT_STATE})`)
    .option('--json', 'write JSON on stdout (and errors as JSON on stderr); never coloured')
    .addHelpText(
      'after',
      `${EXIT_CODES_HELP}

Repository tokens come from the environment variables the config names (credentials.env).
Colour only when stdout is a terminal and NO_COLOR is unset.`,
    )
    // Each command's help lists --config, --state and --json too.
    .configureHelp({ showGlobalOptions: true })
    // Errors are reported by runHoistCli, in one line; commander must neither print them nor exit.
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text), outputError: () => undefined });

  const action =
    <A extends unknown[]>(body: (scope: CommandScope, ...args: A) => Promise<ExitCode>) =>
    async (...args: [...A, Record<string, unknown>, Command]): Promise<void> => {
      const command = args.at(-1) as Command;
      const globals = command.optsWithGlobals<GlobalOptions>();
      const configPath = resolveConfigPath(globals.config, io.cwd);
      const table = globals.table ?? io.env.HOIST_TABLE_NAME;
      const deps = wireCli({ configPath, stateDir: resolveStateDir(globals.state, configPath, io.cwd), env: io.env, ...(table ? { table } : {}) });
      const json = globals.json === true;
      setExitCode(await body({ deps, io, json, styles: stylesFor(io, json) }, ...(args.slice(0, -1) as A)));
    };

  program
    .command('plan')
    .description('Dry run of a promotion: the diff each target would get, and each no-op with its reason. Commits nothing.')
    .requiredOption('--image <registry/repository>', 'the image, as hoist.config.yaml names it')
    .requiredOption('--tag <tag>', 'the tag to plan')
    .addHelpText('after', '\nExit: 0 changes planned, 1 a target failed, 2 usage, 3 nothing would change.')
    .action(
      action(async (scope, options: { image: string; tag: string }) => {
        const report = await planImage({ image: options.image, tag: options.tag }, scope.deps);
        if (scope.json) writeJson(scope.io, report);
        else scope.io.stdout.write(formatPlan(report, scope.styles));
        if (report.failures.length > 0) return EXIT.failure;
        return report.changes.length > 0 ? EXIT.ok : EXIT.nothing;
      }),
    );

  program
    .command('status')
    .description("The tag in each environment (an open PR/MR's tag beside it), the PR/MRs Hoist keeps open, and holds.")
    .argument('[service]', 'only this service')
    .addHelpText(
      'after',
      '\nTargets declared in marker files are not listed; nor are PR/MRs of branch templates with {newTag}.\nExit: 0 listed, 1 a host could not be read, 2 usage.',
    )
    .option('--wait', 'wait until no gate waits, with a progress line, then print the table')
    .option('--timeout <seconds>', 'give up waiting after this long (exit 1)', positiveInteger, 1800)
    .action(
      action(async (scope, service: string | undefined, options: { wait?: boolean; timeout: number }) => {
        let statuses = await readStatus(service, scope.deps);
        if (options.wait === true) {
          const deadline = scope.deps.now().getTime() + options.timeout * 1000;
          let last = '';
          while (statuses.some((s) => s.gate !== undefined)) {
            const line = statuses.flatMap((s) => (s.gate ? [`${s.service} ${s.environment}: ${gateLineOf(s.gate)}`] : [])).join('; ');
            if (!scope.json && line !== last) {
              // On a terminal the line is rewritten in place; elsewhere each change is a line of its own.
              scope.io.stderr.write(scope.io.stdout.isTTY === true ? `\r\x1b[2Kwaiting: ${line}` : `waiting: ${line}\n`);
              last = line;
            }
            if (scope.deps.now().getTime() >= deadline) {
              if (scope.io.stdout.isTTY === true) scope.io.stderr.write('\n');
              throw new Error(`gates still waiting after ${options.timeout} s: ${line}`);
            }
            await new Promise((resolve) => setTimeout(resolve, 2000));
            statuses = await readStatus(service, scope.deps);
          }
          if (!scope.json && last !== '' && scope.io.stdout.isTTY === true) scope.io.stderr.write('\n');
        }
        if (scope.json) writeJson(scope.io, { targets: statuses });
        else scope.io.stdout.write(formatStatus(statuses, scope.styles));
        return EXIT.ok;
      }),
    );

  program
    .command('history')
    .description("A service's past promotions, newest first, from the local audit trail (<state>/audit.jsonl).")
    .argument('<service>', 'the service')
    .option('--env <environment>', 'only this environment')
    .option('--limit <n>', 'at most n promotions', positiveInteger, 20)
    .addHelpText(
      'after',
      "\nReads the dev server's audit trail only; the functions' audit records in DynamoDB are not read yet.\nExit: 3 when none is recorded.",
    )
    .action(
      action(async (scope, service: string, options: { env?: string; limit: number }) => {
        // An unknown service or environment is a usage error, as for the other commands, not an empty history.
        if (options.env !== undefined) targetsIn(service, options.env, scope.deps);
        else if (!scope.deps.config.images.some((image) => serviceOf(image) === service)) targetsIn(service, '', scope.deps);
        const entries = await readHistory({ service, ...(options.env ? { environment: options.env } : {}), limit: options.limit }, scope.deps);
        if (scope.json) writeJson(scope.io, { service, entries });
        else if (entries.length === 0) scope.io.stdout.write(`no promotion of ${service} recorded in ${scope.deps.stateDir}\n`);
        else scope.io.stdout.write(formatHistory(entries, scope.styles));
        return entries.length > 0 ? EXIT.ok : EXIT.nothing;
      }),
    );

  program
    .command('hold')
    .description("Hold a service's targets in an environment: no image moves them until `hoist release`.")
    .argument('<service>', 'the service')
    .requiredOption('--env <environment>', 'the environment')
    .option('--reason <text>', 'why, shown in every no-op the hold causes')
    .option('--by <name>', 'who holds it (default: the login name)')
    .addHelpText('after', '\nExit: 3 when every target was held already (the earlier hold stays).')
    .action(
      action(async (scope, service: string, options: { env: string; reason?: string; by?: string }) => {
        const by = options.by ?? scope.io.env.USER ?? userInfo().username;
        const result = await holdTargets({ service, environment: options.env, by, ...(options.reason ? { reason: options.reason } : {}) }, scope.deps);
        if (scope.json) writeJson(scope.io, result);
        else scope.io.stdout.write(formatHoldResult(result));
        return result.targets.some((t) => t.result === 'held') ? EXIT.ok : EXIT.nothing;
      }),
    );

  program
    .command('release')
    .description("Release a person's hold on a service's targets in an environment.")
    .argument('<service>', 'the service')
    .requiredOption('--env <environment>', 'the environment')
    .addHelpText('after', '\nA revert hold (a person set the tag back by hand) stays until a newer image arrives.\nExit: 3 when nothing was held.')
    .action(
      action(async (scope, service: string, options: { env: string }) => {
        const result = await releaseTargets({ service, environment: options.env }, scope.deps);
        if (scope.json) writeJson(scope.io, result);
        else scope.io.stdout.write(formatHoldResult(result));
        return result.targets.some((t) => t.result === 'released') ? EXIT.ok : EXIT.nothing;
      }),
    );

  program
    .command('promote')
    .description('Promote a service into an environment now, past its gate: a commit, or the PR/MR the environment takes.')
    .argument('<service>', 'the service')
    .requiredOption('--to <environment>', 'the environment')
    .option('--tag <tag>', 'the tag (default: the one the environment before it runs)')
    .option('--image <registry/repository>', 'the image, when the config names it with a pattern')
    .option('--by <name>', 'who promotes (default: the login name)')
    .addHelpText('after', '\nExit: 3 when the environment is at that tag already; 1 when the host refuses.')
    .action(
      action(async (scope, service: string, options: { to: string; tag?: string; image?: string; by?: string }) => {
        const by = options.by ?? scope.io.env.USER ?? userInfo().username;
        const { tag, result } = await promoteService(
          { service, environment: options.to, by, ...(options.tag ? { tag: options.tag } : {}), ...(options.image ? { image: options.image } : {}) },
          scope.deps,
        );
        if (scope.json)
          writeJson(scope.io, {
            service,
            environment: options.to,
            tag,
            applied: result.applied.map((a) => ({ commit: a.commit, branch: a.change.branch, pullRequest: a.pullRequest?.url })),
            noops: result.noops.map((n) => n.reason),
            failures: result.failures.map((f) => f.reason),
          });
        else {
          for (const a of result.applied)
            scope.io.stdout.write(
              `${service} ${tag} to ${options.to}: ${a.pullRequest ? `pull request ${a.pullRequest.url}` : `commit ${a.commit.slice(0, 8)} on ${a.change.branch}`}\n`,
            );
          for (const n of result.noops) scope.io.stdout.write(`no change ${options.to}: ${n.reason}\n`);
          for (const f of result.failures) scope.io.stderr.write(`hoist: ${f.reason}\n`);
        }
        return result.failures.length > 0 ? EXIT.failure : result.applied.length > 0 ? EXIT.ok : EXIT.nothing;
      }),
    );

  program
    .command('rollback')
    .description('Return a service in an environment to its previous tag (from the audit trail) with a new commit or PR, and hold it there.')
    .argument('<service>', 'the service')
    .requiredOption('--env <environment>', 'the environment')
    .option('--tag <tag>', 'the tag to return to (default: the one before the current tag, from the audit trail)')
    .option('--by <name>', 'who rolls back (default: the login name)')
    .addHelpText(
      'after',
      '\nThe target stays where it is until an image newer than the one rolled back, or `hoist release`.\nExit: 1 when there is no earlier tag or the host refuses.',
    )
    .action(
      action(async (scope, service: string, options: { env: string; tag?: string; by?: string }) => {
        const by = options.by ?? scope.io.env.USER ?? userInfo().username;
        const results = await rollbackService({ service, environment: options.env, by, ...(options.tag ? { tag: options.tag } : {}) }, scope.deps);
        if (scope.json) writeJson(scope.io, { service, environment: options.env, rollbacks: results });
        else
          for (const r of results) {
            scope.io.stdout.write(
              `${service} in ${options.env}: ${r.fromTag} -> ${r.toTag}, ${r.pullRequest ? `pull request ${r.pullRequest.url}` : `commit ${r.commit.slice(0, 8)} on ${r.branch}`}; held until a newer image or hoist release\n`,
            );
          }
        return EXIT.ok;
      }),
    );

  addScaffoldCommand(program, io, setExitCode);

  return program;
}

function positiveInteger(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1) throw new InvalidArgumentError('expected a whole number from 1');
  return value;
}

/** One line on stderr, as JSON with `--json`; config errors span lines and are joined. */
function reportError(io: CliIo, argv: readonly string[], message: string, code: ExitCode): ExitCode {
  const line = message
    .split('\n')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .join(' ');
  if (argv.includes('--json')) io.stderr.write(`${JSON.stringify({ error: line, exitCode: code })}\n`);
  else io.stderr.write(`hoist: ${line}\n`);
  return code;
}
