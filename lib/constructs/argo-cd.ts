import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Construct } from 'constructs';

export interface ArgoCdProps {
  readonly cluster: eks.ICluster;
  /** Exact chart version of argo/argo-cd. */
  readonly version: string;
}

export const ARGO_HELM_REPOSITORY = 'https://argoproj.github.io/argo-helm';

/**
 * Argo CD from the argo-helm chart, with an `apiKey` account for Hoist so it
 * can ask for refreshes and syncs with a token (kept in Secrets Manager).
 */
export class ArgoCd extends Construct {
  readonly chart: eks.HelmChart;

  constructor(scope: Construct, id: string, props: ArgoCdProps) {
    super(scope, id);
    this.chart = new eks.HelmChart(this, 'Chart', {
      cluster: props.cluster,
      chart: 'argo-cd',
      repository: ARGO_HELM_REPOSITORY,
      version: props.version,
      release: 'argocd',
      namespace: 'argocd',
      createNamespace: true,
      values: {
        configs: {
          cm: { 'accounts.hoist': 'apiKey' },
          rbac: {
            // Hoist may read, refresh and sync applications, nothing else.
            'policy.csv': ['p, role:hoist, applications, get, */*, allow', 'p, role:hoist, applications, sync, */*, allow', 'g, hoist, role:hoist'].join('\n'),
          },
        },
      },
    });
  }
}
