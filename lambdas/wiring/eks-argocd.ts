import { EKSClient } from '@aws-sdk/client-eks';
import { clusterHttps } from '../clients/eks/cluster-https';
import { EksArgoCdClient } from '../clients/eks/eks-argocd-client';
import type { PromotionConfig } from '../core/config/promotion-config';
import { TerminalError } from '../shared/errors';

/**
 * The Argo CD client over the Kubernetes API of `argocd.eks`'s cluster, as
 * the function's own role; the cluster's region defaults to the function's
 * (`AWS_REGION`, which Lambda sets). `timeoutMs` bounds each call to EKS and
 * to the API server.
 */
export function eksArgoCdClientOf(
  argocd: PromotionConfig['argocd'] & { readonly eks: NonNullable<PromotionConfig['argocd']['eks']> },
  options: { readonly functionRegion: string | undefined; readonly timeoutMs?: number },
): EksArgoCdClient {
  const region = argocd.eks.region ?? options.functionRegion;
  if (region === undefined) throw new TerminalError('argocd.eks.region: name the cluster region (AWS_REGION is not set here)');
  return new EksArgoCdClient({
    clusterName: argocd.eks.clusterName,
    region,
    namespace: argocd.eks.namespace,
    refresh: argocd.refresh,
    sync: argocd.sync,
    eks: new EKSClient({ region, ...(options.timeoutMs === undefined ? {} : { requestHandler: { requestTimeout: options.timeoutMs } }) }),
    fetch: clusterHttps(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
}
