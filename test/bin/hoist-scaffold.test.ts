import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runHoistCli } from '../../cli/run-hoist-cli';

/** `hoist <args>` in this process, with what it writes captured. */
async function hoist(args: readonly string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const code = await runHoistCli(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: {},
    cwd,
  });
  return { code, stdout, stderr };
}

const ANSWERS = [
  'scaffold',
  ...['--services', 'api,worker', '--environments', 'dev,staging,prod', '--gpu', 'ollama', '--secrets', 'eso', '--rollouts'],
  ...['--registry', '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team', '--repo-url', 'https://github.com/acme/gitops.git', '--out', 'gitops'],
];
/** README, config, 4 Argo CD files, 7 chart files, 4 services x (1 + 3) values files, the secret stores. */
const FILES = 1 + 1 + 4 + 7 + 16 + 1;
const workDir = () => mkdtempSync(join(tmpdir(), 'hoist-scaffold-'));
const withAnswer = (flag: string, value: string) => ANSWERS.map((arg, i) => (ANSWERS[i - 1] === flag ? value : arg));

describe('hoist scaffold: writing files', () => {
  it('lists and writes every file into a new folder, then changes nothing on a second run with the same answers', async () => {
    const cwd = workDir();
    const first = await hoist(ANSWERS, cwd);
    expect(first.code).toBe(0);
    expect(first.stderr).toBe('');
    expect(first.stdout).toContain('create apps/api/dev/values.yaml\n');
    expect(first.stdout).toContain('create charts/service/templates/workload.yaml\n');
    expect(first.stdout).toContain('create argocd/apps/services.yaml\n');
    expect(first.stdout).toMatch(new RegExp(`wrote ${FILES} file\\(s\\) in .*gitops\\n$`));
    expect(readFileSync(join(cwd, 'gitops/apps/api/dev/values.yaml'), 'utf8')).toContain('tag: 0.1.0');
    const before = statSync(join(cwd, 'gitops/hoist.config.yaml')).mtimeMs;

    const second = await hoist(ANSWERS, cwd);
    expect(second.code).toBe(3);
    expect(second.stdout).toMatch(/is up to date: nothing to create or change\n$/);
    expect(statSync(join(cwd, 'gitops/hoist.config.yaml')).mtimeMs).toBe(before);
  });

  it("never overwrites the scaffold's own files without --force: it lists them, writes nothing at all, and exits 1", async () => {
    const cwd = workDir();
    await hoist(ANSWERS, cwd);
    const appSet = join(cwd, 'gitops/argocd/apps/services.yaml');
    writeFileSync(appSet, `${readFileSync(appSet, 'utf8')}# a person's note\n`);
    rmSync(join(cwd, 'gitops/README.md'));

    const refused = await hoist(ANSWERS, cwd);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('change argocd/apps/services.yaml\n');
    expect(refused.stdout).toContain('create README.md\n');
    expect(refused.stderr).toMatch(
      /^hoist: 1 file\(s\) of the scaffold in .* differ \(listed as change\); nothing written\. See the changes with --dry-run, then rerun with --force/,
    );
    expect(readFileSync(appSet, 'utf8')).toContain("# a person's note");
    // Nothing at all is written while one file is refused: not even the missing one.
    expect(() => statSync(join(cwd, 'gitops/README.md'))).toThrow();

    const preview = await hoist([...ANSWERS, '--dry-run'], cwd);
    expect(preview.code).toBe(0);
    expect(preview.stdout).toContain("-# a person's note\n");
    expect(preview.stdout).toMatch(/would create 1 and change 1 file\(s\) in .* \(changes need --force\)\n$/);

    const forced = await hoist([...ANSWERS, '--force'], cwd);
    expect(forced.code).toBe(0);
    expect(readFileSync(appSet, 'utf8')).not.toContain("# a person's note");
    expect(statSync(join(cwd, 'gitops/README.md')).isFile()).toBe(true);
  });

  it('never rewrites a values file or the secret stores once written, not even with --force: Hoist bumps tags there', async () => {
    const cwd = workDir();
    await hoist(ANSWERS, cwd);
    const dev = join(cwd, 'gitops/apps/api/dev/values.yaml');
    const promoted = readFileSync(dev, 'utf8').replace('tag: 0.1.0', 'tag: 0.2.0');
    writeFileSync(dev, promoted);
    const stores = join(cwd, 'gitops/platform/secret-stores.yaml');
    writeFileSync(stores, `${readFileSync(stores, 'utf8')}# edited\n`);

    const run = await hoist([...withAnswer('--services', 'api,worker,billing'), '--force'], cwd);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('keep   apps/api/dev/values.yaml (differs from the scaffold');
    expect(run.stdout).toContain('keep   platform/secret-stores.yaml (differs from the scaffold');
    expect(run.stdout).toContain('create apps/billing/prod/values.yaml\n');
    expect(run.stdout).toContain('change argocd/apps/services.yaml\n');
    expect(readFileSync(dev, 'utf8')).toBe(promoted);
    expect(readFileSync(stores, 'utf8')).toMatch(/# edited\n$/);
  });

  it('lists the files it wrote for other answers as stale, and deletes nothing', async () => {
    const cwd = workDir();
    await hoist(ANSWERS, cwd);
    const fewer = ANSWERS.filter((arg, i) => arg !== '--secrets' && ANSWERS[i - 1] !== '--secrets').map((arg) => (arg === 'api,worker' ? 'api' : arg));
    const run = await hoist([...fewer, '--force'], cwd);
    expect(run.code).toBe(0);
    for (const path of ['apps/worker/values.yaml', 'apps/worker/prod/values.yaml', 'argocd/apps/platform.yaml', 'platform/secret-stores.yaml'])
      expect(run.stdout).toContain(`stale  ${path} (written for other answers; delete it if you mean to)\n`);
    expect(statSync(join(cwd, 'gitops/apps/worker/prod/values.yaml')).isFile()).toBe(true);
  });

  it('--dry-run lists what it would write and writes nothing', async () => {
    const cwd = workDir();
    const run = await hoist([...ANSWERS, '--dry-run'], cwd);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`would create ${FILES} and change 0 file\\(s\\)`));
    expect(() => statSync(join(cwd, 'gitops'))).toThrow();
  });

  it('says when the registry and the repository are placeholders', async () => {
    const run = await hoist(['scaffold', '--services', 'api', '--environments', 'dev', '--out', 'gitops', '--dry-run'], workDir());
    expect(run.stderr).toContain('note: --registry not given: images are 123456789012.dkr.ecr.eu-west-1.amazonaws.com/<service>, a placeholder account\n');
    expect(run.stderr).toContain('note: --repo-url not given');
  });

  it('refuses to write through a symbolic link inside the folder, so nothing lands outside it', async () => {
    const cwd = workDir();
    const elsewhere = mkdtempSync(join(tmpdir(), 'hoist-elsewhere-'));
    mkdirSync(join(cwd, 'gitops'));
    symlinkSync(elsewhere, join(cwd, 'gitops', 'apps'));
    const run = await hoist(ANSWERS, cwd);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^hoist: .*gitops\/apps is a symbolic link/);
    expect(() => statSync(join(elsewhere, 'api'))).toThrow();
  });

  it('follows a symbolic link that is the folder named, as the person chose it', async () => {
    const cwd = workDir();
    const real = mkdtempSync(join(tmpdir(), 'hoist-real-'));
    symlinkSync(real, join(cwd, 'gitops'));
    const run = await hoist(ANSWERS, cwd);
    expect(run.code).toBe(0);
    expect(statSync(join(real, 'hoist.config.yaml')).isFile()).toBe(true);
  });

  it('answers a usage error (exit 2) naming the flag and the value, without a stack trace', async () => {
    const cwd = workDir();
    const base = ['scaffold', '--services', 'api', '--environments', 'dev,prod', '--out', 'gitops'];
    const cases: Array<[string[], RegExp]> = [
      [['--services', 'API'], /^hoist: --services: 'API': a DNS-1035 label/],
      [['--services', '9api'], /^hoist: --services: '9api': a DNS-1035 label/],
      [['--services', 'a'.repeat(54)], /^hoist: --services: 'a{54}': at most 53 characters/],
      [['--services', 'api,api'], /^hoist: --services: each service once/],
      [['--environments', 'dev,Prod'], /^hoist: --environments: 'Prod': a DNS label/],
      [['--secrets', 'sops'], /^hoist: --secrets: /],
      [['--manual-sync', 'qa'], /^hoist: --manual-sync: 'qa': qa is not one of the environments/],
      [['--device-plugin'], /^hoist: --device-plugin: the device plugin serves the GPU workload/],
      [['--repo-url', 'https://git.example.com/gitops.git'], /^hoist: --provider: cannot tell the Git host/],
      [['--base-branch', 'bad branch..'], /^hoist: --base-branch: a branch name git accepts/],
      [['--repo-url', '../gitops.git', '--api-url', 'https://api.example.com'], /^hoist: --api-url: a plain git repository has no API/],
      [['--services', 'ollama', '--gpu', 'ollama'], /^hoist: --services: --gpu ollama adds ollama and open-webui/],
    ];
    for (const [flags, message] of cases) {
      const args = [...base];
      for (let i = 0; i < flags.length; i += 1) {
        const flag = flags[i] as string;
        const value = flags[i + 1];
        const takesValue = value !== undefined && !value.startsWith('--');
        const at = args.indexOf(flag);
        if (at >= 0 && takesValue) args[at + 1] = value;
        else args.push(...(takesValue ? [flag, value] : [flag]));
        if (takesValue) i += 1;
      }
      const run = await hoist(args, cwd);
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
    expect(() => statSync(join(cwd, 'gitops'))).toThrow();
  });
});
