import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startDevServer } from '../../dev/dev-server';
import { exampleConfigYaml } from '../../dev/embedded-gitops';
import { runFailingStart } from './dev-server-process';

/** A frame of a stack trace as Node prints it. */
const STACK_FRAME = /^\s+at /m;

describe('dev server start: settings', () => {
  it('stops with the variable and the reason, exit code 1 and no stack trace, when a setting is invalid', async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'hoist-start-'));
    const result = await runFailingStart({ HOIST_WORK_DIR: workDir, PORT: '0', HOIST_MAX_BODY_BYTES: 'abc' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('HOIST_MAX_BODY_BYTES: expected a whole number');
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(result.stdout).not.toContain('Hoist dev server on');
  });

  it('names every invalid variable at once', async () => {
    await expect(
      startDevServer({ port: 0, env: { HOIST_MAX_BODY_BYTES: '99999999999', HOIST_WEBHOOK_SECRET_GITHUB: '{"default": []}', HOIST_ARGOCD_URL: 'argocd' } }),
    ).rejects.toThrow(
      /HOIST_MAX_BODY_BYTES: expected at most 10485760 bytes .*; HOIST_ARGOCD_URL: expected an http\(s\) URL; HOIST_WEBHOOK_SECRET_GITHUB: webhook secret document is invalid at: default/,
    );
  });

  it('applies a valid body limit', async () => {
    const server = await startDevServer({ port: 0, env: { HOIST_WEBHOOK_SECRET_GITHUB: 's', HOIST_MAX_BODY_BYTES: '2048' } });
    try {
      const res = await fetch(`${server.url}/webhooks/github`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-github-event': 'push' },
        body: JSON.stringify({ padding: 'x'.repeat(4096) }),
      });
      expect(res.status).toBe(413);
      expect(await res.json()).toEqual({ error: 'payload too large', reason: 'body of 4110 bytes exceeds the limit of 2048 bytes' });
    } finally {
      await server.close();
    }
  });
});

describe('dev server start: promotion config', () => {
  it('stops with the path-named message, exit code 1 and no stack trace, when the config is invalid', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hoist-start-'));
    const configPath = join(dir, 'hoist.config.yaml');
    // The dev server's own example with its prod target pointed at a repository that does not exist.
    const broken = exampleConfigYaml('./gitops.git')
      .replace(/(mode: pull-request)/, '$1\n        repository: other')
      .replace(/(- repository: gitops\n(\s+)file: apps\/api\/prod)/, '- file: apps/api/prod');
    writeFileSync(configPath, broken);
    const result = await runFailingStart({ HOIST_WORK_DIR: dir, PORT: '0', HOIST_CONFIG: configPath });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${configPath} is invalid`);
    expect(result.stderr).toContain("no repository named 'other'");
    expect(result.stderr).toContain('→ at images[0].targets[1].repository');
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });

  it('stops with the path when the config file does not exist', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hoist-start-'));
    const result = await runFailingStart({ HOIST_WORK_DIR: dir, PORT: '0', HOIST_CONFIG: join(dir, 'missing.yaml') });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`no such file or directory, open '${join(dir, 'missing.yaml')}'`);
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });
});
