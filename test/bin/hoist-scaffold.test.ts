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
  '--services',
  'api,worker',
  '--environments',
  'dev,staging,prod',
  '--gpu',
  'ollama',
  '--secrets',
  'eso',
  '--rollouts',
  '--out',
  'gitops',
];
const workDir = () => mkdtempSync(join(tmpdir(), 'hoist-scaffold-'));

describe('hoist scaffold: writing files', () => {
  it('lists and writes every file into a new folder, then changes nothing on a second run with the same answers', async () => {
    const cwd = workDir();
    const first = await hoist(ANSWERS, cwd);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('create apps/api/dev/values.yaml\n');
    expect(first.stdout).toContain('create charts/service/templates/workload.yaml\n');
    expect(first.stdout).toContain('create argocd/apps/services.yaml\n');
    expect(first.stdout).toMatch(/wrote 42 file\(s\) in .*gitops\n$/);
    expect(readFileSync(join(cwd, 'gitops/apps/api/dev/values.yaml'), 'utf8')).toContain('tag: 0.1.0');
    const before = statSync(join(cwd, 'gitops/hoist.config.yaml')).mtimeMs;

    const second = await hoist(ANSWERS, cwd);
    expect(second.code).toBe(3);
    expect(second.stdout).toMatch(/is up to date: 42 file\(s\) unchanged\n$/);
    expect(statSync(join(cwd, 'gitops/hoist.config.yaml')).mtimeMs).toBe(before);
  });

  it('never overwrites a file that differs without --force: it lists it, writes nothing at all, and exits 1', async () => {
    const cwd = workDir();
    await hoist(ANSWERS, cwd);
    const edited = join(cwd, 'gitops/apps/api/prod/values.yaml');
    writeFileSync(edited, 'image:\n  repository: mine\n  tag: 9.9.9\n');
    rmSync(join(cwd, 'gitops/README.md'));

    const refused = await hoist(ANSWERS, cwd);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('change apps/api/prod/values.yaml\n');
    expect(refused.stdout).toContain('create README.md\n');
    expect(refused.stderr).toMatch(/1 file\(s\) in .* differ from the scaffold .*nothing written\. Rerun with --force/);
    expect(readFileSync(edited, 'utf8')).toContain('tag: 9.9.9');
    // Nothing at all is written while one file is refused: not even the missing one.
    expect(() => statSync(join(cwd, 'gitops/README.md'))).toThrow();

    const forced = await hoist([...ANSWERS, '--force'], cwd);
    expect(forced.code).toBe(0);
    expect(readFileSync(edited, 'utf8')).toContain('tag: 0.1.0');
    expect(statSync(join(cwd, 'gitops/README.md')).isFile()).toBe(true);
  });

  it('a new service is an answer that changes shared files: they are listed as changes and need --force', async () => {
    const cwd = workDir();
    await hoist(ANSWERS, cwd);
    const more = ANSWERS.map((arg) => (arg === 'api,worker' ? 'api,worker,billing' : arg));
    const run = await hoist([...more, '--dry-run'], cwd);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('create apps/billing/prod/values.yaml\n');
    expect(run.stdout).toContain('change argocd/apps/services.yaml\n');
    expect(run.stdout).toContain('change hoist.config.yaml\n');
  });

  it('--dry-run lists what it would write and writes nothing', async () => {
    const cwd = workDir();
    const run = await hoist([...ANSWERS, '--dry-run'], cwd);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/would write 42 file\(s\)/);
    expect(() => statSync(join(cwd, 'gitops'))).toThrow();
  });

  it('refuses to write through a symbolic link, so nothing lands outside the folder named', async () => {
    const cwd = workDir();
    const elsewhere = mkdtempSync(join(tmpdir(), 'hoist-elsewhere-'));
    mkdirSync(join(cwd, 'gitops'));
    symlinkSync(elsewhere, join(cwd, 'gitops', 'apps'));
    const run = await hoist(ANSWERS, cwd);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^hoist: .*gitops\/apps is a symbolic link/);
    expect(() => statSync(join(elsewhere, 'api'))).toThrow();
  });

  it('answers a usage error (exit 2) naming the flag, without a stack trace', async () => {
    const cwd = workDir();
    const cases: Array<[string[], RegExp]> = [
      [['--services', 'API'], /^hoist: --services: a DNS label/],
      [['--services', 'api,api'], /^hoist: --services: each service once/],
      [['--secrets', 'sops'], /^hoist: --secrets: /],
      [['--manual-sync', 'qa'], /^hoist: --manual-sync: qa is not one of the environments/],
      [['--device-plugin'], /^hoist: --device-plugin: the device plugin serves the GPU workload/],
      [['--repo-url', 'https://git.example.com/gitops.git'], /^hoist: --provider: cannot tell the Git host/],
      [['--services', 'ollama', '--gpu', 'ollama'], /^hoist: --services: --gpu ollama adds ollama and open-webui/],
    ];
    for (const [flags, message] of cases) {
      const base = ['scaffold', '--services', 'api', '--environments', 'dev,prod', '--out', 'gitops'];
      const args = [...base];
      for (let i = 0; i < flags.length; i += 1) {
        const flag = flags[i] as string;
        const at = args.indexOf(flag);
        const value = flags[i + 1];
        const takesValue = value !== undefined && !value.startsWith('--');
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
