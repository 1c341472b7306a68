import { describe, expect, it } from 'vitest';
import { EksArgoCdClient } from '../../../lambdas/clients/eks/eks-argocd-client';
import { parsePromotionConfig } from '../../../lambdas/core/config/parse-promotion-config';
import { TerminalError } from '../../../lambdas/shared/errors';
import { eksArgoCdClientOf } from '../../../lambdas/wiring/eks-argocd';

const argocdOf = (text: string) => {
  const argocd = parsePromotionConfig(text).argocd;
  if (argocd.eks === undefined) throw new Error('no argocd.eks');
  return { ...argocd, eks: argocd.eks };
};

describe('wiring: eksArgoCdClientOf', () => {
  it("builds the EKS client in the config's region, else the function's", () => {
    expect(eksArgoCdClientOf(argocdOf('argocd: { eks: { clusterName: c1 } }'), { functionRegion: 'eu-west-1' })).toBeInstanceOf(EksArgoCdClient);
    expect(eksArgoCdClientOf(argocdOf('argocd: { eks: { clusterName: c1, region: us-east-2 } }'), { functionRegion: undefined })).toBeInstanceOf(
      EksArgoCdClient,
    );
  });

  it('names argocd.eks.region when neither the config nor AWS_REGION gives one', () => {
    expect(() => eksArgoCdClientOf(argocdOf('argocd: { eks: { clusterName: c1 } }'), { functionRegion: undefined })).toThrowError(
      new TerminalError('argocd.eks.region: name the cluster region (AWS_REGION is not set here)'),
    );
  });
});
