import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';

export interface ExternalSecretsProps {
  readonly cluster: eks.Cluster;
  /** Exact chart version of external-secrets/external-secrets. */
  readonly version: string;
  /** Secret name prefixes the operator may read, e.g. `hoist/apps/`. */
  readonly secretPrefixes: readonly string[];
}

export const EXTERNAL_SECRETS_REPOSITORY = 'https://charts.external-secrets.io';
const NAMESPACE = 'external-secrets';
const SERVICE_ACCOUNT = 'external-secrets';

/**
 * External Secrets Operator with an EKS Pod Identity role that may read only
 * the secrets under the given name prefixes.
 */
export class ExternalSecrets extends Construct {
  readonly chart: eks.HelmChart;
  readonly serviceAccount: eks.ServiceAccount;

  constructor(scope: Construct, id: string, props: ExternalSecretsProps) {
    super(scope, id);
    if (props.secretPrefixes.length === 0) throw new Error('ExternalSecretsProps.secretPrefixes: name at least one prefix');
    const namespace = props.cluster.addManifest('Namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
    this.serviceAccount = props.cluster.addServiceAccount('ServiceAccount', {
      name: SERVICE_ACCOUNT,
      namespace: NAMESPACE,
      identityType: eks.IdentityType.POD_IDENTITY,
    });
    this.serviceAccount.node.addDependency(namespace);

    const stack = Stack.of(this);
    const secretArns = props.secretPrefixes.map((prefix) =>
      stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${prefix}*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
    );
    this.serviceAccount.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret', 'secretsmanager:ListSecretVersionIds'],
        resources: secretArns,
      }),
    );
    NagSuppressions.addResourceSuppressions(
      this.serviceAccount,
      [{ id: 'AwsSolutions-IAM5', reason: 'Read access is scoped to the configured secret name prefixes; the wildcard is the prefix match itself.' }],
      true,
    );

    this.chart = new eks.HelmChart(this, 'Chart', {
      cluster: props.cluster,
      chart: 'external-secrets',
      repository: EXTERNAL_SECRETS_REPOSITORY,
      version: props.version,
      release: 'external-secrets',
      namespace: NAMESPACE,
      createNamespace: false,
      values: { installCRDs: true, serviceAccount: { create: false, name: SERVICE_ACCOUNT } },
    });
    this.chart.node.addDependency(this.serviceAccount);
  }
}
