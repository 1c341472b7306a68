import { resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { renderScaffold } from '../gitops-templates/scaffold/render-scaffold';
import { ScaffoldOptionsSchema } from '../gitops-templates/scaffold/scaffold-options';
import { applyScaffold, planScaffold, type ScaffoldPlan } from '../gitops-templates/scaffold/write-scaffold';
import { type CliIo, EXIT, type ExitCode, stylesFor, UsageError, writeJson } from './cli-io';

interface ScaffoldFlags {
  readonly services: string;
  readonly environments: string;
  readonly out: string;
  readonly gpu?: string;
  readonly devicePlugin?: boolean;
  readonly secrets?: string;
  readonly rollouts?: boolean;
  readonly keda?: boolean;
  readonly repoUrl?: string;
  readonly provider?: string;
  readonly baseBranch?: string;
  readonly registry?: string;
  readonly manualSync?: string;
  readonly project?: string;
  readonly force?: boolean;
  readonly dryRun?: boolean;
}

const FLAG_OF: Readonly<Record<string, string>> = {
  services: '--services',
  environments: '--environments',
  gpu: '--gpu',
  devicePlugin: '--device-plugin',
  secrets: '--secrets',
  repoUrl: '--repo-url',
  provider: '--provider',
  baseBranch: '--base-branch',
  registry: '--registry',
  manualSync: '--manual-sync',
  project: '--project',
};

const listOf = (text: string | undefined): string[] | undefined =>
  text === undefined
    ? undefined
    : text
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== '');

/** Adds `hoist scaffold` to the program. It reads no config: it writes one. */
export function addScaffoldCommand(program: Command, io: CliIo, setExitCode: (code: ExitCode) => void): void {
  program
    .command('scaffold')
    .description(
      'Write a GitOps repository for services x environments (Argo CD, a shared Helm chart, values, secrets, GPU inference) and the hoist.config.yaml that promotes into it.',
    )
    .requiredOption('--services <names>', 'comma-separated service names (DNS labels)')
    .requiredOption('--environments <names>', 'comma-separated environments in promotion order, e.g. dev,staging,prod')
    .requiredOption('--out <dir>', 'the folder to write into (created when missing)')
    .option('--gpu <server>', 'add a GPU inference server and its web UI (ollama)')
    .option('--device-plugin', "add an Argo CD Application for NVIDIA's device plugin (for a cluster that is not Hoist's own)")
    .option('--secrets <operator>', 'secret manifests for the secrets sync: eso or vso')
    .option('--rollouts', 'Argo Rollouts canaries (20% -> 50% -> 100%) instead of Deployments')
    .option('--keda', 'KEDA ScaledObjects instead of HPAs')
    .option('--repo-url <url>', 'the GitOps repository Argo CD and Hoist clone (a local path for npm start)', 'https://github.com/example-org/gitops.git')
    .option('--provider <host>', 'github, gitlab, gitea or git (default: from --repo-url)')
    .option('--base-branch <name>', 'the branch Argo CD follows', 'main')
    .option('--registry <host/path>', 'where the services images are: <registry>/<service>')
    .option('--manual-sync <environments>', 'environments Argo CD does not sync by itself')
    .option('--project <name>', "the services' AppProject", 'services')
    .option('--force', 'overwrite files that differ from what the scaffold writes')
    .option('--dry-run', 'list what would be created or changed; write nothing')
    .addHelpText(
      'after',
      '\nLists the files it creates or changes before writing. A file that exists and differs is overwritten only with --force;\na second run with the same answers changes nothing.\nExit: 0 written, 1 a file would be overwritten (without --force) or is in the way, 2 usage, 3 nothing to change.',
    )
    .action((flags: ScaffoldFlags, command: Command) => {
      const json = command.optsWithGlobals<{ json?: boolean }>().json === true;
      setExitCode(scaffold(flags, io, json));
    });
}

function scaffold(flags: ScaffoldFlags, io: CliIo, json: boolean): ExitCode {
  const parsed = ScaffoldOptionsSchema.safeParse({
    services: listOf(flags.services),
    environments: listOf(flags.environments),
    gpu: flags.gpu,
    devicePlugin: flags.devicePlugin === true,
    secrets: flags.secrets,
    rollouts: flags.rollouts === true,
    keda: flags.keda === true,
    repoUrl: flags.repoUrl,
    provider: flags.provider,
    baseBranch: flags.baseBranch,
    registry: flags.registry,
    manualSync: listOf(flags.manualSync),
    project: flags.project,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const flag = FLAG_OF[String(issue?.path[0])] ?? String(issue?.path[0]);
    throw new UsageError(`${flag}: ${issue?.message ?? z.prettifyError(parsed.error)}`);
  }
  const plan = planScaffold(resolve(io.cwd, flags.out), renderScaffold(parsed.data));
  const changed = plan.files.filter((f) => f.action === 'change');
  const todo = plan.files.filter((f) => f.action !== 'unchanged');
  const refused = changed.length > 0 && flags.force !== true;
  const write = !refused && flags.dryRun !== true && todo.length > 0;
  if (write) applyScaffold(plan);
  report(plan, io, json, { refused, written: write, dryRun: flags.dryRun === true });
  if (refused) return EXIT.failure;
  return todo.length > 0 ? EXIT.ok : EXIT.nothing;
}

function report(plan: ScaffoldPlan, io: CliIo, json: boolean, outcome: { refused: boolean; written: boolean; dryRun: boolean }): void {
  const changed = plan.files.filter((f) => f.action === 'change').map((f) => f.path);
  if (json) {
    writeJson(io, { outDir: plan.outDir, ...outcome, files: plan.files.map((f) => ({ path: f.path, action: f.action })) });
    if (outcome.refused)
      io.stderr.write(`${JSON.stringify({ error: `would overwrite ${changed.length} file(s) that differ; rerun with --force`, exitCode: EXIT.failure })}\n`);
    return;
  }
  const styles = stylesFor(io, false);
  const unchanged = plan.files.filter((f) => f.action === 'unchanged').length;
  for (const file of plan.files) {
    if (file.action === 'create') io.stdout.write(`${styles.green('create')} ${file.path}\n`);
    else if (file.action === 'change') io.stdout.write(`${styles.yellow('change')} ${file.path}\n`);
  }
  const verb = outcome.written ? 'wrote' : 'would write';
  const todo = plan.files.length - unchanged;
  if (outcome.refused) {
    io.stderr.write(
      `hoist: ${changed.length} file(s) in ${plan.outDir} differ from the scaffold (listed as change); nothing written. Rerun with --force to overwrite them.\n`,
    );
  } else if (todo === 0) io.stdout.write(`${plan.outDir} is up to date: ${unchanged} file(s) unchanged\n`);
  else io.stdout.write(`${verb} ${todo} file(s) in ${plan.outDir}${unchanged > 0 ? `; ${unchanged} unchanged` : ''}\n`);
}
