/*
 * The parts of the Vault Secrets Operator resources (secrets.hashicorp.com/v1beta1)
 * Hoist writes, after the CRDs in hashicorp/vault-secrets-operator
 * (chart/crds/secrets.hashicorp.com_{vaultstaticsecrets,vaultauths,vaultconnections}.yaml).
 * Fields Hoist never sets are left out.
 */

export const VSO_API_VERSION = 'secrets.hashicorp.com/v1beta1';

interface VsoMetadata {
  readonly name: string;
  readonly namespace: string;
  readonly labels?: Readonly<Record<string, string>>;
}

export interface VaultStaticSecret {
  readonly apiVersion: typeof VSO_API_VERSION;
  readonly kind: 'VaultStaticSecret';
  readonly metadata: VsoMetadata;
  readonly spec: {
    /** `<namespace>/<name>` of a VaultAuth; without a namespace, the VaultStaticSecret's own. */
    readonly vaultAuthRef: string;
    readonly mount: string;
    readonly type: 'kv-v1' | 'kv-v2';
    /** Below the mount, without `data/`. */
    readonly path: string;
    /** One number and one unit (`90m`, `1.5s`): the CRD's pattern is `^([0-9]+(\.[0-9]+)?(s|m|h))$`. */
    readonly refreshAfter: string;
    readonly destination: { readonly name: string; readonly create: boolean };
  };
}

export interface VaultAuth {
  readonly apiVersion: typeof VSO_API_VERSION;
  readonly kind: 'VaultAuth';
  readonly metadata: VsoMetadata;
  readonly spec: {
    /** A VaultConnection's name, in the VaultAuth's namespace. */
    readonly vaultConnectionRef: string;
    readonly method: 'kubernetes';
    readonly mount: string;
    /** The Vault (Enterprise / HCP) namespace to log in to. */
    readonly namespace?: string;
    /** Kubernetes namespaces whose Vault*Secrets may use this VaultAuth; unset means only its own. */
    readonly allowedNamespaces: readonly string[];
    readonly kubernetes: {
      readonly role: string;
      /** Lives in the namespace of each VaultStaticSecret that uses this VaultAuth. */
      readonly serviceAccount: string;
    };
  };
}

export interface VaultConnection {
  readonly apiVersion: typeof VSO_API_VERSION;
  readonly kind: 'VaultConnection';
  readonly metadata: VsoMetadata;
  readonly spec: {
    readonly address: string;
    readonly skipTLSVerify: boolean;
  };
}
