import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDevSettings } from '../../dev/dev-settings';
import { type LocalDevServer, startLocalDevServer } from '../../dev/dev-wiring';
import { AUDIT_FILE } from '../../lambdas/clients/local/file-audit-log';
import type { AuditRecord } from '../../lambdas/core/ports';
import { git, PersonClone } from '../support/git-repo';

const DEV_VALUES = 'apps/api/dev/values.yaml';

/** The example ECR push (team/api 1.4.3) under the EventBridge event id `id`. */
const ecrPush = (id: string) => JSON.stringify({ ...JSON.parse(readFileSync('dev/examples/ecr-push.json', 'utf8')), id });

async function postEcr(server: LocalDevServer, id: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${server.url}/events/ecr`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: ecrPush(id) });
  const body = (await res.json()) as unknown;
  await server.queue.drain();
  expect(server.queue.deadLetters).toEqual([]);
  return { status: res.status, body };
}

describe('dev server: restarts', () => {
  it('keeps delivery ids, revert holds and the audit trail in the work directory', async () => {
    const workDir = join(mkdtempSync(join(tmpdir(), 'hoist-restart-')), '.hoist');
    const start = () => startLocalDevServer(readDevSettings({ HOIST_WORK_DIR: workDir, PORT: '0' }), {});
    const mainTag = (bareRepo: string) =>
      /tag: (\S+)/.exec(execFileSync('git', ['--git-dir', bareRepo, 'show', `main:${DEV_VALUES}`], { encoding: 'utf8' }))?.[1];

    const first = await start();
    const bareRepo = first.embedded?.bareRepo as string;
    expect(await postEcr(first, 'push-1')).toMatchObject({ status: 202 });
    expect(mainTag(bareRepo)).toBe('1.4.3');
    await first.close();

    // A person sets dev back to 1.4.2 while the server is down.
    const personDir = join(mkdtempSync(join(tmpdir(), 'hoist-person-')), 'gitops');
    git(tmpdir(), 'clone', '--quiet', bareRepo, personDir);
    const person = new PersonClone(personDir);
    person.change(DEV_VALUES, readFileSync(join(personDir, DEV_VALUES), 'utf8').replace('tag: 1.4.3', 'tag: 1.4.2'), 'revert api to 1.4.2');

    const second = await start();
    // The same ECR event again: a duplicate, not a second bump.
    expect(await postEcr(second, 'push-1')).toEqual({ status: 200, body: { status: 'duplicate', id: 'push-1' } });
    // The same image under a new event id: the revert is held.
    expect(await postEcr(second, 'push-1-again')).toMatchObject({ status: 202 });
    expect(mainTag(bareRepo)).toBe('1.4.2');
    await second.close();

    const third = await start();
    expect(await postEcr(third, 'push-1-once-more')).toMatchObject({ status: 202 });
    expect(mainTag(bareRepo)).toBe('1.4.2');
    await third.close();
    expect(person.log()).toEqual(['revert api to 1.4.2', 'chore(dev): bump api 1.4.2 -> 1.4.3', 'example app']);

    // Every run appended to the same audit trail.
    const audit = readFileSync(join(first.stateDir, AUDIT_FILE), 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as AuditRecord);
    expect(audit.map((record) => [record.outcome, record.branch ?? '', record.events.join(',')])).toEqual([
      ['promoted', 'main', 'ecr:push-1#0@gitops:main'],
      ['promoted', 'hoist/prod/api', 'ecr:push-1#0@gitops:hoist/prod/api'],
      ['noop', '', 'ecr:push-1-again#0@gitops:main'],
      ['noop', '', 'ecr:push-1-again#0@gitops:hoist/prod/api'],
      ['noop', '', 'ecr:push-1-once-more#0@gitops:main'],
      ['noop', '', 'ecr:push-1-once-more#0@gitops:hoist/prod/api'],
    ]);
    expect(audit[2]?.reasons?.join(' ')).toMatch(/held|revert/i);
  });
});
