import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { stylesFor } from '../../cli/cli-io';
import { createLocalPromoter } from '../../dev/dev-wiring';
import { ensureEmbeddedGitops } from '../../dev/embedded-gitops';
import { DynamoDbAuditLog, DynamoDbTargetStateStore } from '../../lambdas/clients/aws/dynamodb-promotion-stores';
import { FileAuditLog } from '../../lambdas/clients/local/file-audit-log';
import { FileTargetStateStore } from '../../lambdas/clients/local/file-target-state-store';
import type { EventEnvelope } from '../../lambdas/core/events';
import { startLocalDynamo } from '../support/dynalite';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'hoist.ts');
/** tsx by absolute URL, so the CLI can run from any working directory. */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
/** The dev server's example image (dev/embedded-gitops.ts): `api` in dev (commit) and prod (pull request), at 1.4.2. */
const API = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `hoist <args>` in its own Node process, as a person runs it, without the HOIST_ variables of the shell running the tests. */
function hoist(args: readonly string[], cwd = process.cwd(), extraEnv: Record<string, string> = {}): Promise<Run> {
  const env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('HOIST_') && name !== 'POWERTOOLS_LOG_LEVEL')),
    ...extraEnv,
  };
  const child = spawn(process.execPath, ['--import', TSX, BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A fresh copy of the dev server's embedded repository and config, and a state directory beside them, as `npm start` lays them out. */
function embedded() {
  const root = mkdtempSync(join(tmpdir(), 'hoist-cli-'));
  const { bareRepo, configPath } = ensureEmbeddedGitops(join(root, '.hoist'));
  const stateDir = join(root, '.hoist', 'state');
  const refs = () => execFileSync('git', ['--git-dir', bareRepo, 'for-each-ref', '--format=%(refname) %(objectname)'], { encoding: 'utf8' });
  return { root, bareRepo, configPath, stateDir, refs, args: ['--config', configPath, '--state', stateDir] };
}

/** The lines a diff of one file adds and removes. */
function changedLines(output: string, path: string): string[] {
  const start = output.indexOf(`--- a/${path}\n`);
  expect(start).toBeGreaterThanOrEqual(0);
  const rest = output.slice(start).split('\n').slice(2);
  const end = rest.findIndex((line) => line.startsWith('--- a/') || !/^[ +\-@]/.test(line));
  return rest.slice(0, end === -1 ? undefined : end).filter((line) => /^[+-]/.test(line));
}

/** A `POST /promotions` request as the dev server queues it. */
const promotionOf = (tag: string): EventEnvelope => ({
  id: `ci:promote-${tag}#0`,
  host: 'ci',
  deliveryId: `promote-${tag}`,
  receivedAt: '2026-11-23T09:00:00.000Z',
  event: {
    type: 'promotion.requested',
    registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
    repository: 'team/api',
    tag,
    values: {},
    source: 'gitlab pipeline 1234',
    requestedAt: '2026-11-23T09:00:00.000Z',
  },
});

describe('hoist plan', () => {
  it('prints the one-line diff a newer tag makes to apps/api/dev/values.yaml, and commits nothing', async () => {
    const repo = embedded();
    const before = repo.refs();
    const run = await hoist([...repo.args, 'plan', '--image', API, '--tag', '1.5.0']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(changedLines(run.stdout, 'apps/api/dev/values.yaml')).toEqual(['-  tag: 1.4.2   # managed by Hoist', '+  tag: 1.5.0   # managed by Hoist']);
    expect(run.stdout).toContain('gitops: pull request hoist/prod/api -> main');
    expect(changedLines(run.stdout, 'apps/api/prod/values.yaml')).toEqual(['-  tag: "1.4.2"', '+  tag: "1.5.0"']);
    // Not a terminal: no colour.
    expect(run.stdout).not.toContain('\u001b[');
    expect(repo.refs()).toBe(before);
  });

  it('prints a no-op with its reason for an older tag and exits 3, committing nothing', async () => {
    const repo = embedded();
    const before = repo.refs();
    const run = await hoist([...repo.args, 'plan', '--image', API, '--tag', '1.3.0']);
    expect(run.code).toBe(3);
    expect(run.stdout).toBe(
      [
        "no change dev: '1.4.2' is newer than '1.3.0' under semver ^1; not downgrading",
        "no change prod: '1.4.2' is newer than '1.3.0' under semver ^1; not downgrading",
        '',
      ].join('\n'),
    );
    expect(repo.refs()).toBe(before);
  });

  it('answers JSON that parses, with the diff of each file and the no-ops', async () => {
    const repo = embedded();
    const run = await hoist([...repo.args, '--json', 'plan', '--image', API, '--tag', '1.5.0']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.changes.map((c: { branch: string; promotions: Array<{ environment: string; fromTag: string; toTag: string }> }) => c.promotions)).toEqual([
      [expect.objectContaining({ environment: 'dev', fromTag: '1.4.2', toTag: '1.5.0' })],
      [expect.objectContaining({ environment: 'prod', fromTag: '1.4.2', toTag: '1.5.0' })],
    ]);
    expect(report.changes[0].files[0].diff).toContain('+  tag: 1.5.0   # managed by Hoist\n');
    expect(report.noops).toEqual([]);
  });
});

describe('hoist hold and release', () => {
  it('makes a later plan print the hold as a no-op; release lifts it', async () => {
    const repo = embedded();
    const held = await hoist([...repo.args, 'hold', 'api', '--env', 'dev', '--reason', 'release freeze', '--by', 'alice']);
    expect(held.code).toBe(0);
    expect(held.stdout).toMatch(/^api dev \(gitops apps\/api\/dev\/values.yaml\): held by alice since \d{4}-\d\d-\d\dT[\d:.]+Z: release freeze\n$/);

    const whileHeld = await hoist([...repo.args, 'plan', '--image', API, '--tag', '1.5.0']);
    expect(whileHeld.code).toBe(0);
    expect(whileHeld.stdout).toMatch(/^no change dev: held by alice since \d{4}-\d\d-\d\dT[\d:.]+Z: release freeze$/m);
    expect(whileHeld.stdout).not.toContain('--- a/apps/api/dev/values.yaml');
    // prod is not held.
    expect(whileHeld.stdout).toContain('--- a/apps/api/prod/values.yaml');

    const again = await hoist([...repo.args, 'hold', 'api', '--env', 'dev']);
    expect(again.code).toBe(3);
    expect(again.stdout).toContain('already held by alice');

    const released = await hoist([...repo.args, 'release', 'api', '--env', 'dev']);
    expect(released).toMatchObject({ code: 0, stdout: 'api dev (gitops apps/api/dev/values.yaml): released\n' });
    const afterRelease = await hoist([...repo.args, 'plan', '--image', API, '--tag', '1.5.0']);
    expect(changedLines(afterRelease.stdout, 'apps/api/dev/values.yaml')).toEqual(['-  tag: 1.4.2   # managed by Hoist', '+  tag: 1.5.0   # managed by Hoist']);
    expect(afterRelease.stdout).not.toContain('held by');

    const nothingHeld = await hoist([...repo.args, 'release', 'api', '--env', 'dev']);
    expect(nothingHeld).toMatchObject({ code: 3, stdout: 'api dev (gitops apps/api/dev/values.yaml): not held\n' });
  });

  it('keeps the hold where the dev server reads it, so the promoter leaves the target alone', async () => {
    const repo = embedded();
    expect((await hoist([...repo.args, 'hold', 'api', '--env', 'dev', '--by', 'alice'])).code).toBe(0);
    const main = () => execFileSync('git', ['--git-dir', repo.bareRepo, 'rev-parse', 'refs/heads/main'], { encoding: 'utf8' });
    const before = main();
    const states = new FileTargetStateStore(repo.stateDir);
    const promoter = createLocalPromoter({ configPath: repo.configPath, env: {}, states });
    await promoter.consume(promotionOf('1.5.0'));
    // dev is committed to main: held, main has not moved; prod still gets its branch.
    expect(main()).toBe(before);
    expect(repo.refs()).toMatch(/^refs\/heads\/hoist\/prod\/api /m);
  });
});

describe('hoist status and history, after a promotion by the dev promoter', () => {
  const repo = embedded();

  beforeAll(async () => {
    // The dev server's promoter, with its state and audit trail in the state directory as `npm start` keeps them.
    const audit = new FileAuditLog({ dir: repo.stateDir });
    const promoter = createLocalPromoter({ configPath: repo.configPath, env: {}, states: new FileTargetStateStore(repo.stateDir), audit });
    try {
      await promoter.consume(promotionOf('1.5.0'));
    } finally {
      audit.close();
    }
  });

  it("shows each environment's tag, the proposal on the PR branch, and holds", async () => {
    expect((await hoist([...repo.args, 'hold', 'web', '--env', 'dev', '--by', 'bob', '--reason', 'incident 42'])).code).toBe(0);
    const run = await hoist([...repo.args, 'status']);
    expect(run.code).toBe(0);
    const rows = run.stdout.split('\n').map((line) => line.split(/\s{2,}/));
    expect(rows[0]).toEqual(['SERVICE', 'ENV', 'TAG', 'PROPOSED (PR/MR)', 'HOLD', 'GATE']);
    expect(rows.slice(1, 4)).toEqual([
      ['api', 'dev', '1.5.0', '-', '-', '-'],
      ['api', 'prod', '1.4.2', '1.5.0 branch hoist/prod/api', '-', '-'],
      ['web', 'dev', '1.4.2', '-', expect.stringMatching(/^held by bob since \S+: incident 42$/), '-'],
    ]);

    const json = await hoist([...repo.args, '--json', 'status', 'api']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).targets).toEqual([
      expect.objectContaining({ service: 'api', environment: 'dev', tag: '1.5.0' }),
      expect.objectContaining({ service: 'api', environment: 'prod', tag: '1.4.2', proposed: { tag: '1.5.0', branch: 'hoist/prod/api' } }),
    ]);
  });

  it('lists the promotion from the audit trail, newest first, and exits 3 for a service with none', async () => {
    const run = await hoist([...repo.args, 'history', 'api']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^AT\s+ENV\s+TAGS\s+OUTCOME\s+WHERE$/);
    expect(lines.slice(1).map((line) => line.split(/\s{2,}/).slice(1, 4))).toEqual(
      expect.arrayContaining([
        ['dev', '1.4.2 -> 1.5.0', 'promoted'],
        ['prod', '1.4.2 -> 1.5.0', 'promoted'],
      ]),
    );
    expect(lines).toHaveLength(3);

    const json = await hoist([...repo.args, '--json', 'history', 'api', '--env', 'prod']);
    expect(JSON.parse(json.stdout)).toEqual({
      service: 'api',
      entries: [
        expect.objectContaining({ environment: 'prod', fromTag: '1.4.2', toTag: '1.5.0', outcome: 'promoted', repository: 'gitops', branch: 'hoist/prod/api' }),
      ],
    });

    const none = await hoist([...repo.args, 'history', 'web']);
    expect(none.code).toBe(3);
    // An unknown service or environment is a usage error, as elsewhere.
    expect(await hoist([...repo.args, 'history', 'nosuch'])).toMatchObject({ code: 2, stderr: expect.stringContaining("no service 'nosuch'") });
    expect(await hoist([...repo.args, 'history', 'api', '--env', 'qa'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("no target in environment 'qa'"),
    });
  });

  it("finds the dev server's .hoist/hoist.config.yaml and its state when run without --config", async () => {
    const run = await hoist(['--json', 'status', 'web'], repo.root);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).targets).toEqual([
      expect.objectContaining({ environment: 'dev', tag: '1.4.2', hold: expect.objectContaining({ by: 'bob' }) }),
    ]);
  });
});

describe('hoist rollback', () => {
  it('returns dev to the tag before, with a new commit, and holds it until a newer image or release', async () => {
    const repo = embedded();
    const states = new FileTargetStateStore(repo.stateDir);
    const promote = async (tag: string) => {
      const audit = new FileAuditLog({ dir: repo.stateDir });
      try {
        await createLocalPromoter({ configPath: repo.configPath, env: {}, states, audit }).consume(promotionOf(tag));
      } finally {
        audit.close();
      }
    };
    const devTag = () =>
      /tag: "?([^"\s#]+)/.exec(execFileSync('git', ['--git-dir', repo.bareRepo, 'show', 'main:apps/api/dev/values.yaml'], { encoding: 'utf8' }))?.[1];
    await promote('1.5.0');
    const before = execFileSync('git', ['--git-dir', repo.bareRepo, 'rev-parse', 'main'], { encoding: 'utf8' }).trim();

    const run = await hoist([...repo.args, 'rollback', 'api', '--env', 'dev', '--by', 'carol']);
    expect(run).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^api in dev: 1\.5\.0 -> 1\.4\.2, commit [0-9a-f]{8} on main; held until a newer image or hoist release\n$/),
    });
    expect(devTag()).toBe('1.4.2');
    // A new commit on top, never a rewrite.
    expect(execFileSync('git', ['--git-dir', repo.bareRepo, 'rev-parse', 'main~1'], { encoding: 'utf8' }).trim()).toBe(before);
    expect(execFileSync('git', ['--git-dir', repo.bareRepo, 'log', '-1', '--format=%s', 'main'], { encoding: 'utf8' }).trim()).toBe(
      'revert(dev): roll api back 1.5.0 -> 1.4.2',
    );

    // The same image again is held; so is anything not newer than the rolled-back tag.
    await promote('1.5.0');
    expect(devTag()).toBe('1.4.2');
    const history = await hoist([...repo.args, 'history', 'api', '--env', 'dev']);
    expect(history.stdout).toMatch(/dev\s+1\.5\.0 -> 1\.4\.2\s+promoted/);

    // A second rollback does not put back the release just rolled back from: nothing came before 1.4.2 here.
    const second = await hoist([...repo.args, 'rollback', 'api', '--env', 'dev']);
    expect(second).toMatchObject({ code: 1, stderr: "hoist: the audit trail has no tag of api in dev before '1.4.2'; name one with --tag\n" });
    expect(devTag()).toBe('1.4.2');
    expect((await hoist([...repo.args, 'rollback', 'api', '--env', 'dev', '--tag', 'x y'])).code).toBe(2);

    // A person releases it: the next image moves it again.
    expect((await hoist([...repo.args, 'release', 'api', '--env', 'dev'])).code).toBe(0);
    await promote('1.5.0');
    expect(devTag()).toBe('1.5.0');
  });

  it('lets a newer image than the rolled-back one through, and says when there is nothing to go back to', async () => {
    const repo = embedded();
    const states = new FileTargetStateStore(repo.stateDir);
    const promote = async (tag: string) => {
      const audit = new FileAuditLog({ dir: repo.stateDir });
      try {
        await createLocalPromoter({ configPath: repo.configPath, env: {}, states, audit }).consume(promotionOf(tag));
      } finally {
        audit.close();
      }
    };
    const none = await hoist([...repo.args, 'rollback', 'api', '--env', 'dev']);
    expect(none).toMatchObject({ code: 1, stderr: "hoist: the audit trail has no tag of api in dev before '1.4.2'; name one with --tag\n" });

    await promote('1.5.0');
    expect((await hoist([...repo.args, 'rollback', 'api', '--env', 'dev', '--tag', '1.4.2'])).code).toBe(0);
    await promote('1.5.1');
    expect(execFileSync('git', ['--git-dir', repo.bareRepo, 'show', 'main:apps/api/dev/values.yaml'], { encoding: 'utf8' })).toMatch(/tag: "?1\.5\.1/);
  });
});

describe('hoist status: gates', () => {
  it('shows a waiting gate, waits on it with a progress line, and gives up at the timeout', async () => {
    const repo = embedded();
    expect((await hoist([...repo.args, 'status', '--wait'])).code).toBe(0);
    const states = new FileTargetStateStore(repo.stateDir);
    const key = 'gitops:apps/api/prod/values.yaml:prod:123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api#helm:image.tag';
    await states.put(key, {
      gate: { tag: '1.5.0', after: 'dev', since: '2026-11-23T09:00:00Z', checkedAt: '2026-11-23T09:01:00Z', reason: 'dev healthy for 60 s of 600 s' },
    });

    const table = await hoist([...repo.args, 'status', 'api']);
    expect(table.stdout).toMatch(/prod .*1\.5\.0 after dev: dev healthy for 60 s of 600 s$/m);
    const waited = await hoist([...repo.args, 'status', 'api', '--wait', '--timeout', '1']);
    expect(waited.code).toBe(1);
    expect(waited.stderr).toBe(
      'waiting: api prod: 1.5.0 after dev: dev healthy for 60 s of 600 s\nhoist: gates still waiting after 1 s: api prod: 1.5.0 after dev: dev healthy for 60 s of 600 s\n',
    );
  });
});

describe("hoist against a deployment's state table", () => {
  it('reads history from the DynamoDB audit trail and keeps holds in its target states', async () => {
    const repo = embedded();
    const dynamo = await startLocalDynamo('hoist-state');
    try {
      // dynalite speaks DynamoDB's wire protocol; the SDK in the CLI finds it through its documented endpoint variable.
      const aws = {
        AWS_ENDPOINT_URL_DYNAMODB: String(await dynamo.client.config.endpoint?.().then((e) => `${e.protocol}//${e.hostname}:${e.port}`)),
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'secret-for-tests',
      };
      const at = new Date().toISOString();
      await new DynamoDbAuditLog(dynamo.client, 'hoist-state').record({
        id: 'r1',
        at,
        outcome: 'promoted',
        repository: 'gitops',
        branch: 'main',
        commit: 'a1b2c3d4',
        promotions: [{ targetKey: 'k', service: 'api', environment: 'dev', fromTag: '1.4.2', toTag: '1.5.0' }],
        events: ['e1'],
        durationMs: 1,
      });
      const history = await hoist([...repo.args, '--table', 'hoist-state', '--json', 'history', 'api'], process.cwd(), aws);
      expect(history.code).toBe(0);
      expect(JSON.parse(history.stdout).entries).toEqual([
        expect.objectContaining({ environment: 'dev', fromTag: '1.4.2', toTag: '1.5.0', commit: 'a1b2c3d4' }),
      ]);

      expect((await hoist([...repo.args, '--table', 'hoist-state', 'hold', 'api', '--env', 'dev', '--by', 'erin'], process.cwd(), aws)).code).toBe(0);
      const key = `gitops:apps/api/dev/values.yaml:dev:${API}#helm:image.tag`;
      expect((await new DynamoDbTargetStateStore(dynamo.client, 'hoist-state').get([key])).get(key)?.hold).toMatchObject({ by: 'erin' });
    } finally {
      await dynamo.close();
    }
  });
});

describe('hoist promote', () => {
  it('promotes a service into one environment now, and wants a tag where no environment comes before', async () => {
    const repo = embedded();
    const noTag = await hoist([...repo.args, 'promote', 'api', '--to', 'prod']);
    expect(noTag).toMatchObject({ code: 2, stderr: 'hoist: prod follows no other environment: name the tag with --tag\n' });

    const run = await hoist([...repo.args, 'promote', 'api', '--to', 'prod', '--tag', '1.5.0', '--by', 'dave']);
    expect(run).toMatchObject({ code: 0, stdout: expect.stringMatching(/^api 1\.5\.0 to prod: commit [0-9a-f]{8} on hoist\/prod\/api\n$/) });
    // Only prod: dev stays where it was.
    expect(execFileSync('git', ['--git-dir', repo.bareRepo, 'show', 'main:apps/api/dev/values.yaml'], { encoding: 'utf8' })).toMatch(/tag: "?1\.4\.2/);
    expect(execFileSync('git', ['--git-dir', repo.bareRepo, 'show', 'hoist/prod/api:apps/api/prod/values.yaml'], { encoding: 'utf8' })).toMatch(
      /tag: "?1\.5\.0/,
    );
    expect((await hoist([...repo.args, 'promote', 'api', '--to', 'prod', '--tag', '1.5.0'])).code).toBe(3);
  });
});

describe('hoist usage', () => {
  const repo = embedded();

  it.each([
    [['plan', '--image', API], "required option '--tag <tag>' not specified"],
    [['plan', '--image', API, '--tag', '-1.5'], '--tag: expected a tag of [A-Za-z0-9_] then up to 127 of [A-Za-z0-9._-]'],
    [['plan', '--image', 'api', '--tag', '1.5.0'], "--image: expected <registry>/<repository>, got 'api'"],
    [['status', '--colour'], "unknown option '--colour'"],
    [['status', 'nope'], `no service 'nope' in ${repo.configPath}; services: api, web`],
    [['hold', 'api', '--env', 'qa'], "service 'api' has no target in environment 'qa'; environments: dev, prod"],
    [['history', 'api', '--limit', '0'], "option '--limit <n>' argument '0' is invalid. expected a whole number from 1"],
    [['promote', 'api'], "required option '--to <environment>' not specified"],
  ])('exits 2 with one line for %j', async (args, message) => {
    const run = await hoist([...repo.args, ...args]);
    expect(run).toMatchObject({ code: 2, stdout: '', stderr: `hoist: ${message}\n` });
  });

  it('writes a usage error as one line of JSON with --json', async () => {
    const run = await hoist([...repo.args, '--json', 'status', 'nope']);
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')).toHaveLength(2);
    expect(JSON.parse(run.stderr)).toEqual({ error: expect.stringContaining("no service 'nope'"), exitCode: 2 });
  });

  it('exits 1 with one line, no stack trace, when the config cannot be read', async () => {
    const run = await hoist(['--config', join(repo.root, 'missing.yaml'), 'status']);
    expect(run).toMatchObject({ code: 1, stdout: '', stderr: `hoist: config ${join(repo.root, 'missing.yaml')} not found\n` });
  });

  it.each([[[]], [['plan']], [['status']], [['history']], [['hold']], [['release']], [['rollback']], [['promote']]])(
    'answers --help for %j',
    async (command) => {
      const run = await hoist([...command, '--help']);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout).toContain(`Usage: hoist${command.length > 0 ? ` ${command[0]}` : ''} `);
      expect(run.stdout).toMatch(/Exit/);
      expect(run.stdout).toContain('--json');
    },
  );
});

describe('hoist colour', () => {
  const io = (isTTY: boolean, env: Record<string, string> = {}) => ({ stdout: { write: () => true, isTTY }, stderr: { write: () => true }, env, cwd: '.' });

  it('colours only on a terminal, never with --json or NO_COLOR', () => {
    expect(stylesFor(io(true), false).green('+')).toBe('\u001b[32m+\u001b[39m');
    expect(stylesFor(io(false), false).green('+')).toBe('+');
    expect(stylesFor(io(true), true).green('+')).toBe('+');
    expect(stylesFor(io(true, { NO_COLOR: '1' }), false).green('+')).toBe('+');
  });
});
