import { resolve } from 'node:path';
import type { Command } from 'commander';
import { createTwoFilesPatch } from 'diff';
import { renderScaffold, staleFiles } from '../gitops-templates/scaffold/render-scaffold';
import { type ScaffoldInput, ScaffoldOptionsSchema } from '../gitops-templates/scaffold/scaffold-options';
import { applyScaffold, planScaffold } from '../gitops-templates/scaffold/write-scaffold';
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
  readonly apiUrl?: string;
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
  apiUrl: '--api-url',
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
      'Write a GitOps repository for services x environments (Argo CD, a shared Helm chart, values, secret stores, GPU inference) and the hoist.config.yaml that promotes into it.',
    )
    .requiredOption('--services <names>', 'comma-separated service names (DNS-1035 labels, up to 53 characters)')
    .requiredOption('--environments <names>', 'comma-separated environments in promotion order, e.g. dev,staging,prod')
    .requiredOption('--out <dir>', 'the folder to write into, relative to where you are (created when missing)')
    .option('--gpu <server>', 'add a GPU inference server and its web UI (ollama)')
    .option('--device-plugin', "add NVIDIA's device plugin with GPU Feature Discovery, for a cluster that is not Hoist's own")
    .option('--secrets <operator>', 'secret stores for the secrets sync: eso or vso')
    .option('--rollouts', 'Argo Rollouts canaries (20% -> 50% -> 100%) instead of Deployments')
    .option('--keda', 'KEDA ScaledObjects instead of HPAs')
    .option('--repo-url <url>', 'the GitOps repository Argo CD and Hoist clone (a local path for npm start)', 'https://github.com/example-org/gitops.git')
    .option('--provider <host>', 'github, gitlab, gitea or git (default: from --repo-url)')
    .option('--api-url <url>', "the host's API for GitHub Enterprise Server, self-managed GitLab or Gitea")
    .option('--base-branch <name>', 'the branch Argo CD follows', 'main')
    .option('--registry <host/path>', 'where the services images are: <registry>/<service>', '123456789012.dkr.ecr.eu-west-1.amazonaws.com')
    .option('--manual-sync <environments>', 'environments Argo CD does not sync by itself')
    .option('--project <name>', "the services' AppProject", 'services')
    .option('--force', "overwrite the scaffold's own files (Argo CD objects, chart, config, README) where they differ")
    .option('--dry-run', 'list what would be created or changed, with the diff of each change; write nothing')
    .addHelpText(
      'after',
      `
Lists each file it creates or changes before writing. Where one of the scaffold's own files differs,
it writes nothing without --force. Values files and secret stores are written once and then belong to
the repository (Hoist bumps tags in them): they are never rewritten, not even with --force. A second
run with the same answers changes nothing. Files written for other answers are listed, never deleted.
Exit: 0 written (or listed, with --dry-run), 1 a file would be overwritten without --force, or is in the way,
2 usage, 3 nothing to change.`,
    )
    .action((flags: ScaffoldFlags, command: Command) => {
      const json = command.optsWithGlobals<{ json?: boolean }>().json === true;
      const given = (name: string) => command.getOptionValueSource(name) === 'cli';
      setExitCode(scaffold(flags, io, json, given));
    });
}

function scaffold(flags: ScaffoldFlags, io: CliIo, json: boolean, given: (option: string) => boolean): ExitCode {
  const input: ScaffoldInput = {
    services: listOf(flags.services) ?? [],
    environments: listOf(flags.environments) ?? [],
    gpu: flags.gpu as ScaffoldInput['gpu'],
    devicePlugin: flags.devicePlugin === true,
    secrets: flags.secrets as ScaffoldInput['secrets'],
    rollouts: flags.rollouts === true,
    keda: flags.keda === true,
    repoUrl: flags.repoUrl,
    provider: flags.provider as ScaffoldInput['provider'],
    apiUrl: flags.apiUrl,
    baseBranch: flags.baseBranch,
    registry: flags.registry,
    manualSync: listOf(flags.manualSync),
    project: flags.project,
  };
  const parsed = ScaffoldOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const [field, index] = issue?.path ?? [];
    const list = input[field as keyof ScaffoldInput];
    const value = typeof index === 'number' && Array.isArray(list) ? `'${String(list[index])}': ` : '';
    throw new UsageError(`${FLAG_OF[String(field)] ?? String(field)}: ${value}${issue?.message ?? 'invalid'}`);
  }
  const options = parsed.data;
  const rendered = renderScaffold(options);
  const plan = planScaffold(resolve(io.cwd, flags.out), rendered);
  const stale = staleFiles(options, plan.existing, rendered);
  const dryRun = flags.dryRun === true;
  const force = flags.force === true;
  const changes = plan.files.filter((f) => f.action === 'change');
  const creates = plan.files.filter((f) => f.action === 'create');
  const refused = changes.length > 0 && !force && !dryRun;
  const notes = [
    ...(given('registry') ? [] : [`--registry not given: images are ${options.registry}/<service>, a placeholder account`]),
    ...(given('repoUrl') ? [] : [`--repo-url not given: Argo CD and Hoist would clone ${options.repoUrl}, a placeholder`]),
  ];

  if (!json) {
    const styles = stylesFor(io, false);
    for (const note of notes) io.stderr.write(`note: ${note}\n`);
    for (const file of plan.files) {
      if (file.action === 'create') io.stdout.write(`${styles.green('create')} ${file.path}\n`);
      else if (file.action === 'change') io.stdout.write(`${styles.yellow('change')} ${file.path}\n`);
      else if (file.action === 'keep')
        io.stdout.write(`${styles.dim('keep')}   ${file.path} (differs from the scaffold; it is the repository's, never rewritten)\n`);
    }
    for (const path of stale) io.stdout.write(`${styles.dim('stale')}  ${path} (written for other answers; delete it if you mean to)\n`);
    if (dryRun)
      for (const file of changes)
        io.stdout.write(createTwoFilesPatch(`a/${file.path}`, `b/${file.path}`, file.current ?? '', file.content, '', '', { context: 2 }));
  }
  if (refused) {
    if (json)
      writeJson(io, { outDir: plan.outDir, dryRun, refused, written: [], files: plan.files.map(({ path, action }) => ({ path, action })), stale, notes });
    throw new ScaffoldRefusal(
      `${changes.length} file(s) of the scaffold in ${plan.outDir} differ (listed as change); nothing written. See the changes with --dry-run, then rerun with --force to overwrite them.`,
    );
  }
  const written = dryRun ? [] : applyScaffold(plan, force);
  if (json) writeJson(io, { outDir: plan.outDir, dryRun, refused, written, files: plan.files.map(({ path, action }) => ({ path, action })), stale, notes });
  else {
    const todo = creates.length + changes.length;
    if (todo === 0) io.stdout.write(`${plan.outDir} is up to date: nothing to create or change\n`);
    else if (dryRun)
      io.stdout.write(
        `would create ${creates.length} and change ${changes.length} file(s) in ${plan.outDir}${changes.length > 0 ? ' (changes need --force)' : ''}\n`,
      );
    else io.stdout.write(`wrote ${written.length} file(s) in ${plan.outDir}\n`);
  }
  return creates.length + changes.length > 0 ? EXIT.ok : EXIT.nothing;
}

/** Files of the scaffold differ and --force was not given: exit 1, nothing written. */
export class ScaffoldRefusal extends Error {
  override readonly name = 'ScaffoldRefusal';
}
