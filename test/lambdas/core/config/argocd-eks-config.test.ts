import { describe, expect, it } from 'vitest';
import { parsePromotionConfig } from '../../../../lambdas/core/config/parse-promotion-config';
import { TerminalError } from '../../../../lambdas/shared/errors';

describe('config: argocd.eks', () => {
  it('reads the cluster, leaving the region to the function and the namespace to argocd', () => {
    const config = parsePromotionConfig('argocd:\n  eks: { clusterName: hoist-platform }\n  refresh: hard\n');
    expect(config.argocd).toEqual({ eks: { clusterName: 'hoist-platform', namespace: 'argocd' }, refresh: 'hard', sync: false });
  });

  it('takes another region and namespace', () => {
    const config = parsePromotionConfig('argocd:\n  eks: { clusterName: c1, region: us-east-2, namespace: gitops }\n');
    expect(config.argocd.eks).toEqual({ clusterName: 'c1', region: 'us-east-2', namespace: 'gitops' });
  });

  it('refuses eks beside url or tokenSecretName, naming argocd.eks', () => {
    const both = 'argocd:\n  url: https://argocd.example.com\n  tokenSecretName: hoist/argocd/token\n  eks: { clusterName: c1 }\n';
    expect(() => parsePromotionConfig(both)).toThrowError(TerminalError);
    expect(() => parsePromotionConfig(both)).toThrowError(/or url \(the REST API with a token\), not both\n\s+→ at argocd\.eks/);
    expect(() => parsePromotionConfig(both)).toThrowError(/or tokenSecretName \(the REST API with a token\), not both\n\s+→ at argocd\.eks/);
    expect(() => parsePromotionConfig('argocd:\n  tokenSecretName: t\n  eks: { clusterName: c1 }\n')).toThrowError(/→ at argocd\.eks/);
  });

  it('names the path of a bad cluster name, region or namespace, and of an unknown key', () => {
    expect(() => parsePromotionConfig('argocd:\n  eks: { clusterName: -bad }\n')).toThrowError(/an EKS cluster name.*\n\s+→ at argocd\.eks\.clusterName/);
    expect(() => parsePromotionConfig('argocd:\n  eks: { clusterName: c1, region: Europe }\n')).toThrowError(/an AWS region.*\n\s+→ at argocd\.eks\.region/);
    expect(() => parsePromotionConfig('argocd:\n  eks: { clusterName: c1, namespace: Argo_CD }\n')).toThrowError(
      /a Kubernetes namespace name\n\s+→ at argocd\.eks\.namespace/,
    );
    expect(() => parsePromotionConfig('argocd:\n  eks: { name: c1 }\n')).toThrowError(/→ at argocd\.eks\.clusterName/);
    expect(() => parsePromotionConfig('argocd:\n  eks: { clusterName: c1, cluster: c2 }\n')).toThrowError(/Unrecognized key: "cluster"\n\s+→ at argocd\.eks/);
  });
});
