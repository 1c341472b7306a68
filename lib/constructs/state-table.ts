import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** The attribute DynamoDB's TTL reads (epoch seconds). */
export const TTL_ATTRIBUTE = 'expiresAt';

export interface StateTableProps {
  /** @default RemovalPolicy.RETAIN: audit records outlive the stack */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Hoist's one table for delivery ids, audit records and locks (`pk`/`sk`
 * string keys, items expire through the `expiresAt` TTL attribute).
 * On-demand, point-in-time recovery, encrypted with an AWS-owned key.
 */
export class StateTable extends Construct {
  readonly table: dynamodb.TableV2;

  constructor(scope: Construct, id: string, props: StateTableProps = {}) {
    super(scope, id);
    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TTL_ATTRIBUTE,
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      deletionProtection: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }

  /**
   * What the delivery ledger of the intake functions calls
   * (`lambdas/clients/aws/dynamodb-delivery-ledger.ts`): `PutItem` (the
   * conditional claim), `GetItem` (reading a lost claim, consistent),
   * `UpdateItem` (marking it done) and `DeleteItem` (the conditional release).
   */
  grantDeliveryLedger(grantee: iam.IGrantable): iam.Grant {
    return this.table.grant(grantee, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem');
  }

  /**
   * What the promoter's stores call (`lambdas/clients/aws/dynamodb-promotion-stores.ts`):
   * `BatchGetItem` (target states, consistent) and `PutItem` (a target's new
   * state, an audit record). No update, delete, query or scan.
   */
  grantPromotionState(grantee: iam.IGrantable): iam.Grant {
    return this.table.grant(grantee, 'dynamodb:BatchGetItem', 'dynamodb:PutItem');
  }

  /**
   * What the promotion outcome store calls (`lambdas/clients/aws/dynamodb-promotion-outcomes.ts`):
   * `PutItem` (an outcome, whole) and `GetItem` (reading one back, consistent).
   */
  grantPromotionOutcomes(grantee: iam.IGrantable): iam.Grant {
    return this.table.grant(grantee, 'dynamodb:GetItem', 'dynamodb:PutItem');
  }

  /**
   * What the secrets sync calls: `BatchGetItem` (its per-Vault-path states,
   * consistent; `lambdas/clients/aws/dynamodb-secret-sync-state.ts`) and
   * `PutItem` (a path's new state, an audit record). No update, delete,
   * query or scan.
   */
  grantSecretSyncState(grantee: iam.IGrantable): iam.Grant {
    return this.table.grant(grantee, 'dynamodb:BatchGetItem', 'dynamodb:PutItem');
  }
}
