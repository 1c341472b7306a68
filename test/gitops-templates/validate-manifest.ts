import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Application, ApplicationSet, AppProject } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1';
import { Rollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1';
import { ClusterSecretStore, ExternalSecret, SecretStore } from '@kubernetes-models/external-secrets/external-secrets.io/v1';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import Ajv from 'ajv';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PersistentVolumeClaim, Service } from 'kubernetes-models/v1';

/*
 * Validates a manifest against the schema of its kind: Kubernetes' own
 * (kubernetes-models), the CRDs of Argo CD, Argo Rollouts, KEDA and External
 * Secrets (@kubernetes-models/*), and Vault Secrets Operator's CRDs through
 * the JSON Schemas in test/fixtures/vso. A kind not listed here fails: a new
 * template must come with its schema.
 */

interface Validator {
  validate(): void;
}
type ModelClass = new (data: never) => Validator;

const MODELS: Readonly<Record<string, ModelClass>> = {
  'apps/v1/Deployment': Deployment as unknown as ModelClass,
  'v1/Service': Service as unknown as ModelClass,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim as unknown as ModelClass,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler as unknown as ModelClass,
  'argoproj.io/v1alpha1/Rollout': Rollout as unknown as ModelClass,
  'argoproj.io/v1alpha1/Application': Application as unknown as ModelClass,
  'argoproj.io/v1alpha1/ApplicationSet': ApplicationSet as unknown as ModelClass,
  'argoproj.io/v1alpha1/AppProject': AppProject as unknown as ModelClass,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject as unknown as ModelClass,
  'external-secrets.io/v1/ExternalSecret': ExternalSecret as unknown as ModelClass,
  'external-secrets.io/v1/ClusterSecretStore': ClusterSecretStore as unknown as ModelClass,
  'external-secrets.io/v1/SecretStore': SecretStore as unknown as ModelClass,
};

const vsoSchema = (name: string) => JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/vso', name), 'utf8')) as object;
const ajv = new Ajv({ allErrors: true, strict: true });
const VSO: Readonly<Record<string, ReturnType<typeof ajv.compile>>> = {
  'secrets.hashicorp.com/v1beta1/VaultStaticSecret': ajv.compile(vsoSchema('vaultstaticsecret.schema.json')),
  'secrets.hashicorp.com/v1beta1/VaultAuth': ajv.compile(vsoSchema('vaultauth.schema.json')),
  'secrets.hashicorp.com/v1beta1/VaultConnection': ajv.compile(vsoSchema('vaultconnection.schema.json')),
};

/** `apiVersion/kind` of a manifest. */
export const kindOf = (manifest: Record<string, unknown>): string => `${String(manifest.apiVersion)}/${String(manifest.kind)}`;

/** Throws, naming the kind and what is wrong, unless the manifest is valid for its kind. */
export function validateManifest(manifest: Record<string, unknown>, where: string): void {
  const kind = kindOf(manifest);
  const Model = MODELS[kind];
  if (Model) {
    try {
      new Model(manifest as never).validate();
    } catch (error) {
      throw new Error(`${where}: ${kind} is invalid: ${(error as Error).message}`);
    }
    return;
  }
  const validate = VSO[kind];
  if (!validate) throw new Error(`${where}: no schema for ${kind}`);
  if (!validate(manifest)) throw new Error(`${where}: ${kind} is invalid: ${ajv.errorsText(validate.errors)}`);
}
