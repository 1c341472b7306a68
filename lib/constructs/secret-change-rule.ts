import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';

export interface SecretChangeRuleProps {
  /** Secret name prefixes whose changes count. @default ['hoist/apps/'] */
  readonly namePrefixes?: readonly string[];
}

/**
 * Where the secrets-sync function plugs in: an EventBridge rule matching
 * Secrets Manager changes recorded by CloudTrail (`PutSecretValue`,
 * `UpdateSecret`, rotation) under the given prefixes. It has no target until
 * that function exists.
 */
export class SecretChangeRule extends Construct {
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: SecretChangeRuleProps = {}) {
    super(scope, id);
    const prefixes = props.namePrefixes ?? ['hoist/apps/'];
    if (prefixes.length === 0) throw new Error('SecretChangeRuleProps.namePrefixes: name at least one prefix');
    this.rule = new events.Rule(this, 'Rule', {
      description: 'Hoist: Secrets Manager value changes to sync into Vault and ESO',
      eventPattern: {
        source: ['aws.secretsmanager'],
        detailType: ['AWS API Call via CloudTrail', 'AWS Service Event via CloudTrail'],
        detail: {
          eventSource: ['secretsmanager.amazonaws.com'],
          eventName: ['PutSecretValue', 'UpdateSecret', 'RotationSucceeded'],
          // Name-based or ARN-based request parameters; prefix match on either.
          $or: [
            { requestParameters: { secretId: prefixes.map((prefix) => ({ prefix })) } },
            { additionalEventData: { SecretId: prefixes.map((prefix) => ({ wildcard: `*:secret:${prefix}*` })) } },
          ],
        },
      },
    });
  }
}
