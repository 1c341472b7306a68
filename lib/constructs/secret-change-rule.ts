import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';

export interface SecretChangeRuleProps {
  /** Secret name prefixes whose changes count. @default ['hoist/apps/'] */
  readonly namePrefixes?: readonly string[];
  /** Exact secret names whose changes count besides. @default none */
  readonly secretNames?: readonly string[];
}

/** The CloudTrail-recorded calls that create, change, rotate or delete a secret's value. */
export const SECRET_CHANGE_EVENT_NAMES = ['CreateSecret', 'DeleteSecret', 'PutSecretValue', 'RotationSucceeded', 'UpdateSecret'] as const;

/**
 * An EventBridge rule matching successful Secrets Manager changes recorded
 * by CloudTrail: the calls of SECRET_CHANGE_EVENT_NAMES and the rotation
 * service event, of secrets under the given prefixes or with the given
 * names. A secret is named by name or ARN in `requestParameters.secretId`,
 * by name in `requestParameters.name` (CreateSecret), by ARN in
 * `responseElements.arn` (`aRN` in records before February 2024) and in
 * `additionalEventData.SecretId` (rotation); any of them counts. The
 * function behind it checks the names again, exactly.
 */
export class SecretChangeRule extends Construct {
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: SecretChangeRuleProps = {}) {
    super(scope, id);
    const prefixes = [...new Set(props.namePrefixes ?? ['hoist/apps/'])].sort();
    const names = [...new Set(props.secretNames ?? [])].sort();
    if (prefixes.length + names.length === 0) throw new Error('SecretChangeRuleProps.namePrefixes: name at least one prefix or secret name');
    // Names: a prefix, or the exact name. ARNs: `…:secret:<prefix>…`, or the name and its random six-character suffix.
    const byName = [...prefixes.map((prefix) => ({ prefix })), ...names];
    const byArn = [...prefixes.map((prefix) => ({ wildcard: `*:secret:${prefix}*` })), ...names.map((name) => ({ wildcard: `*:secret:${name}-*` }))];
    this.rule = new events.Rule(this, 'Rule', {
      description: 'Hoist: Secrets Manager value changes to sync into Vault and ESO',
      eventPattern: {
        source: ['aws.secretsmanager'],
        detailType: ['AWS API Call via CloudTrail', 'AWS Service Event via CloudTrail'],
        detail: {
          eventSource: ['secretsmanager.amazonaws.com'],
          eventName: [...SECRET_CHANGE_EVENT_NAMES],
          // A failed call changed nothing.
          errorCode: [{ exists: false }],
          $or: [
            { requestParameters: { secretId: byName } },
            { requestParameters: { name: byName } },
            { responseElements: { arn: byArn } },
            { responseElements: { aRN: byArn } },
            { additionalEventData: { SecretId: byArn } },
          ],
        },
      },
    });
  }
}
