import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Construct } from 'constructs';

export interface ArgoCdProps {
  readonly cluster: eks.ICluster;
  /** Exact chart version of argo/argo-cd. */
  readonly version: string;
}

export const ARGO_HELM_REPOSITORY = 'https://argoproj.github.io/argo-helm';
/** The namespace the chart is installed in, where its Application resources live. */
export const ARGOCD_NAMESPACE = 'argocd';
/**
 * The Kubernetes group of Hoist's function roles: their EKS access entries
 * (automation stack) put them in it, and the RoleBinding here names it.
 */
export const HOIST_ARGOCD_GROUP = 'hoist:argocd';

/**
 * Argo CD from the argo-helm chart, with two ways in for Hoist:
 * an `apiKey` account, for refreshes and syncs with a token (kept in Secrets
 * Manager) through Argo CD's REST API; and a Role in the Argo CD namespace
 * bound to the group `hoist:argocd`, for the same through the Kubernetes API
 * as an IAM role with an EKS access entry (`argocd.eks`), with no token.
 */
export class ArgoCd extends Construct {
  readonly chart: eks.HelmChart;
  /** The Role and RoleBinding of the group `hoist:argocd`. */
  readonly hoistAccess: eks.KubernetesManifest;

  constructor(scope: Construct, id: string, props: ArgoCdProps) {
    super(scope, id);
    this.chart = new eks.HelmChart(this, 'Chart', {
      cluster: props.cluster,
      chart: 'argo-cd',
      repository: ARGO_HELM_REPOSITORY,
      version: props.version,
      release: 'argocd',
      namespace: ARGOCD_NAMESPACE,
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

    // Get (status), list (applications of a repository path) and patch (the
    // refresh annotation, a sync operation) of Applications in this namespace
    // alone: no other resource, no delete, nothing cluster-wide.
    this.hoistAccess = props.cluster.addManifest(
      'HoistArgoCdAccess',
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'hoist-applications', namespace: ARGOCD_NAMESPACE },
        rules: [{ apiGroups: ['argoproj.io'], resources: ['applications'], verbs: ['get', 'list', 'patch'] }],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'hoist-applications', namespace: ARGOCD_NAMESPACE },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'hoist-applications' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: HOIST_ARGOCD_GROUP }],
      },
    );
    // The chart creates the namespace.
    this.hoistAccess.node.addDependency(this.chart);
  }
}
