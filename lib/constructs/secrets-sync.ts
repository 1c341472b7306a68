import { ArnFormat, CfnOutput, Duration, Names, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { EventQueue } from './event-queue';
import { HoistFunction } from './hoist-function';
import type { StateTable } from './state-table';

/** The secrets-sync function's timeout; the secrets queue's visibility timeout must be at least this (we use 6x). */
export const SECRETS_SYNC_TIMEOUT = Duration.minutes(2);

export interface SecretsSyncProps {
  /** The secrets queue the function consumes (its own, not the promotion queue). */
  readonly secretQueue: EventQueue;
  readonly stateTable: StateTable;
  /** Name prefixes of the synced secrets; at least one prefix or name. */
  readonly namePrefixes: readonly string[];
  /** Exact names of synced secrets besides. @default none */
  readonly secretNames?: readonly string[];
  /** Secrets the sync only reads (Vault token, Git token, Slack webhooks), by name. @default none */
  readonly tokenSecretNames?: readonly string[];
  /** The secret holding the Vault token, when the config names it outside `secrets.vault.auth` (`automation.secrets.vaultToken`). @default none */
  readonly vaultTokenSecretName?: string;
  /** Customer-managed KMS keys the synced secrets are encrypted with. @default none: the AWS-managed key needs no grant */
  readonly kmsKeyArns?: readonly string[];
  /** Absolute path of the promotion config as synth validated it (hoist.config.json, see writeShippedConfig), bundled with the function. */
  readonly configFile: string;
  /** Messages per invocation. @default 10 */
  readonly batchSize?: number;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

const defaultProps = { secretNames: [], tokenSecretNames: [], kmsKeyArns: [], batchSize: 10 } satisfies Partial<SecretsSyncProps>;

/**
 * The secrets-sync function on the secrets queue: reads each changed secret
 * from Secrets Manager, writes it to Vault KV v2 and the manifests that read
 * it to Git. It reports partial batch failures; after the queue's
 * maxReceiveCount a message moves to the queue's dead-letter queue.
 *
 * Its role may: read and describe exactly the synced secrets (the prefixes,
 * and each named secret), decrypt with exactly the configured keys and only
 * through Secrets Manager, read the named token secrets, keep its states and
 * audit records in the table, consume the secrets queue and send what no
 * retry can help to its dead-letter queue.
 */
export class SecretsSync extends Construct {
  readonly handler: HoistFunction;

  constructor(scope: Construct, id: string, props: SecretsSyncProps) {
    super(scope, id);
    const { secretNames, tokenSecretNames, kmsKeyArns, batchSize } = { ...defaultProps, ...props };
    const prefixes = [...new Set(props.namePrefixes)].sort();
    const names = [...new Set(secretNames)].sort();
    if (prefixes.length + names.length === 0) throw new Error('SecretsSyncProps.namePrefixes: name at least one prefix or secret name');
    const emptyPrefix = props.namePrefixes.indexOf('');
    if (emptyPrefix !== -1) throw new Error(`SecretsSyncProps.namePrefixes[${emptyPrefix}]: an empty prefix would grant every secret of the account`);
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10)
      throw new Error(`SecretsSyncProps.batchSize: FIFO queues allow 1 to 10, got ${batchSize}`);

    // 1 GiB and 2 minutes like the promoter: a batch may clone a GitOps repository and edit its manifests.
    this.handler = new HoistFunction(this, 'Handler', {
      functionDir: 'secrets-sync',
      description: 'Hoist: syncs Secrets Manager secrets into Vault and their manifests into Git',
      memorySize: 1024,
      timeout: SECRETS_SYNC_TIMEOUT,
      ...(props.logRetention === undefined ? {} : { logRetention: props.logRetention }),
      environment: {
        HOIST_TABLE_NAME: props.stateTable.table.tableName,
        HOIST_DEAD_LETTER_QUEUE_URL: props.secretQueue.deadLetterQueue.queueUrl,
        // On the last receive the function dead-letters a failed change itself, with the reason.
        HOIST_MAX_RECEIVE_COUNT: String(props.secretQueue.maxReceiveCount),
        ...(props.vaultTokenSecretName ? { HOIST_VAULT_TOKEN_SECRET_NAME: props.vaultTokenSecretName } : {}),
      },
      extraFiles: [props.configFile],
    });
    const fn = this.handler.function;
    // Vault's AWS auth method binds its role to this IAM role (bound_iam_principal_arn).
    new CfnOutput(this, 'RoleArn', { description: 'IAM role of the secrets sync, for the Vault AWS auth role', value: fn.role?.roleArn ?? '' });
    const stack = Stack.of(this);
    const secretArn = (resourceName: string) =>
      stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });

    // The synced secrets: DescribeSecret (ARN, tags, deletion) and GetSecretValue (AWSCURRENT), by prefix or by
    // name; IAM matches the full ARN, whose last part is the name, a dash and six random characters.
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
        resources: [...prefixes.map((prefix) => secretArn(`${prefix}*`)), ...names.map((name) => secretArn(`${name}-??????`))],
      }),
    );
    const tokens = [...new Set(tokenSecretNames)].sort();
    if (tokens.length > 0) {
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: tokens.map((name) => secretArn(`${name}-??????`)) }));
    }
    const keys = [...new Set(kmsKeyArns)].sort();
    if (keys.length > 0) {
      // Secrets Manager decrypts on the caller's behalf; the key may not be used directly.
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: keys,
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.${stack.urlSuffix}` } },
        }),
      );
    }
    props.stateTable.grantSecretSyncState(fn);
    props.secretQueue.grantSendDeadLetters(fn);

    fn.addEventSourceMapping(`SqsEventSource:${Names.nodeUniqueId(props.secretQueue.queue.node)}`, {
      eventSourceArn: props.secretQueue.queue.queueArn,
      batchSize,
      reportBatchItemFailures: true,
    });
    props.secretQueue.grantConsumeEvents(fn);

    if (prefixes.length > 0) {
      NagSuppressions.addResourceSuppressions(
        this.handler.role,
        [
          {
            id: 'AwsSolutions-IAM5',
            reason:
              'The sync reads every secret under the configured name prefixes (secrets.mapping.namePattern); the wildcard is that prefix and nothing wider.',
            // Region and account render as text or as <AWS::Region> and <AWS::AccountId>, depending on the stack's env.
            appliesTo: prefixes.map((prefix) => ({ regex: `/^Resource::arn:<AWS::Partition>:secretsmanager:[^:]+:[^:]+:secret:${escapeRegex(prefix)}\\*$/g` })),
          },
        ],
        true,
      );
    }
  }
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
