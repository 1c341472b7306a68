import { readFileSync } from 'node:fs';

/** The Secrets Manager fixtures of test/fixtures/secretsmanager (see its README), read fresh each call so a test may change its copy. */
export function secretEvent(file: 'create-secret' | 'put-secret-value' | 'update-secret' | 'delete-secret' | 'rotation-succeeded'): Record<string, any> {
  return JSON.parse(readFileSync(`test/fixtures/secretsmanager/${file}.json`, 'utf8'));
}

/** The ARN every fixture's secret has. */
export const FIXTURE_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:hoist/apps/api/dev-Xq3Lm9';
