import { describe, expect, it } from 'vitest';
import { parseSecretEvent } from '../../../../lambdas/core/intake/parse-secret-event';
import { secretNameOfArn } from '../../../../lambdas/core/secrets/secret-name-of-arn';
import { ValidationError } from '../../../../lambdas/shared/errors';
import { FIXTURE_SECRET_ARN, secretEvent } from '../../../support/secret-events';

const SCOPE = { prefixes: ['hoist/apps/'], names: ['legacy/db-password'] };
const changeOf = (input: unknown, scope = SCOPE) => {
  const { outcome } = parseSecretEvent(input, scope);
  if (outcome.kind !== 'change') throw new Error(`expected a change, got: ${outcome.reason}`);
  return outcome.change;
};
const reasonOf = (input: unknown, scope = SCOPE) => {
  const { outcome } = parseSecretEvent(input, scope);
  if (outcome.kind !== 'ignored') throw new Error('expected the event to be ignored');
  return outcome.reason;
};

describe('parseSecretEvent: the calls that change a secret', () => {
  it('reads PutSecretValue: the ARN, name and new version from responseElements, the id from the CloudTrail event id', () => {
    expect(changeOf(secretEvent('put-secret-value'))).toEqual({
      type: 'secret.changed',
      id: 'cloudtrail:7d2b1f6c-3e4a-4b5c-8d9e-0f1a2b3c4d02',
      secretArn: FIXTURE_SECRET_ARN,
      name: 'hoist/apps/api/dev',
      versionId: '0c9e8d7b-6a5f-4e3d-2c1b-0a9f8e7d6c02',
      change: 'updated',
      occurredAt: '2026-11-23T09:05:12Z',
    });
  });

  it('reads CreateSecret as created and UpdateSecret as updated', () => {
    expect(changeOf(secretEvent('create-secret'))).toMatchObject({
      change: 'created',
      name: 'hoist/apps/api/dev',
      versionId: 'f6bb5e0e-8b4f-4b7d-9a5e-3c2d1b0a9f01',
    });
    expect(changeOf(secretEvent('update-secret'))).toMatchObject({
      change: 'updated',
      secretArn: FIXTURE_SECRET_ARN,
      versionId: '5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c03',
    });
  });

  it('reads DeleteSecret as deleted, with the ARN under the aRN key older records carry too', () => {
    expect(changeOf(secretEvent('delete-secret'))).toMatchObject({ change: 'deleted', secretArn: FIXTURE_SECRET_ARN, name: 'hoist/apps/api/dev' });
    const older = secretEvent('delete-secret');
    older.detail.responseElements = { aRN: FIXTURE_SECRET_ARN, name: 'hoist/apps/api/dev', deletionDate: 'Nov 30, 2026, 9:20:03 AM' };
    expect(changeOf(older)).toMatchObject({ change: 'deleted', secretArn: FIXTURE_SECRET_ARN });
  });

  it('reads the RotationSucceeded service event by additionalEventData.SecretId, deriving the name from the ARN', () => {
    expect(changeOf(secretEvent('rotation-succeeded'))).toEqual({
      type: 'secret.changed',
      id: 'cloudtrail:2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d05',
      secretArn: FIXTURE_SECRET_ARN,
      name: 'hoist/apps/api/dev',
      change: 'rotated',
      occurredAt: '2026-11-23T10:00:07Z',
    });
  });

  it('takes the ARN from requestParameters.secretId when the response has none, and the name from that ARN', () => {
    const event = secretEvent('update-secret');
    event.detail.responseElements = null;
    expect(changeOf(event)).toMatchObject({ secretArn: FIXTURE_SECRET_ARN, name: 'hoist/apps/api/dev' });
    expect(changeOf(event)).not.toHaveProperty('versionId');
  });

  it('queues the secret ARN, name and version id only, never a value that reached the event', () => {
    const event = secretEvent('put-secret-value');
    // CloudTrail redacts it; if a value ever came along anyway, it must stop here.
    event.detail.requestParameters.secretString = '{"password":"hunter2-do-not-leak"}';
    event.detail.responseElements.secretString = 'hunter2-do-not-leak';
    const change = changeOf(event);
    expect(Object.keys(change).sort()).toEqual(['change', 'id', 'name', 'occurredAt', 'secretArn', 'type', 'versionId']);
    expect(JSON.stringify(change)).not.toContain('hunter2');
  });
});

describe('parseSecretEvent: what is not queued', () => {
  it('ignores a call that failed, naming its error code', () => {
    const event = secretEvent('put-secret-value');
    event.detail.errorCode = 'AccessDenied';
    event.detail.errorMessage = 'User is not authorized to perform: secretsmanager:PutSecretValue';
    event.detail.responseElements = null;
    expect(reasonOf(event)).toBe('PutSecretValue failed (AccessDenied) and changed nothing');
  });

  it('ignores a secret outside the mapped prefixes and entries, and takes an exact entry name', () => {
    expect(reasonOf(secretEvent('put-secret-value'), { prefixes: ['hoist/other/'], names: ['hoist/apps/api'] })).toBe(
      "secret 'hoist/apps/api/dev' is outside the mapped prefixes and entries",
    );
    expect(changeOf(secretEvent('put-secret-value'), { prefixes: [], names: ['hoist/apps/api/dev'] })).toMatchObject({ name: 'hoist/apps/api/dev' });
    // Case matters: IAM and Secrets Manager names are case-sensitive.
    expect(reasonOf(secretEvent('put-secret-value'), { prefixes: ['Hoist/apps/'], names: [] })).toMatch(/outside the mapped prefixes/);
  });

  it('ignores operations that change no value', () => {
    const event = secretEvent('update-secret');
    event.detail.eventName = 'TagResource';
    expect(reasonOf(event)).toBe('TagResource does not change a secret value');
  });

  it('ignores a call that names its secret by name only and has no response ARN', () => {
    const event = secretEvent('put-secret-value');
    event.detail.responseElements = null;
    expect(reasonOf(event)).toBe('PutSecretValue names no secret ARN');
  });
});

describe('parseSecretEvent: malformed events', () => {
  it('throws a 400 ValidationError naming the path', () => {
    const event = secretEvent('put-secret-value');
    delete event.detail.eventID;
    const error = (() => {
      try {
        parseSecretEvent(event, SCOPE);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).status).toBe(400);
    expect((error as ValidationError).message).toMatch(/^Secrets Manager event: detail\.eventID: /);
    expect(() => parseSecretEvent({ ...secretEvent('put-secret-value'), source: 'aws.ecr' }, SCOPE)).toThrowError(/source: /);
  });

  it('refuses a response ARN that is not a secret ARN', () => {
    const event = secretEvent('put-secret-value');
    event.detail.responseElements.arn = 'arn:aws:kms:eu-west-1:123456789012:key/1234';
    expect(() => parseSecretEvent(event, SCOPE)).toThrowError(/secretArn: expected a Secrets Manager secret ARN/);
  });
});

describe('secretNameOfArn', () => {
  it('strips the six random characters of a full ARN, and nothing of another ARN', () => {
    expect(secretNameOfArn(FIXTURE_SECRET_ARN)).toBe('hoist/apps/api/dev');
    expect(secretNameOfArn('arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:db-main-a1B2c3')).toBe('db-main');
    expect(secretNameOfArn('arn:aws:ssm:eu-west-1:123456789012:parameter/x')).toBeUndefined();
  });
});
