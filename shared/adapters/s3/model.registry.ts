import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { CustomerModels } from '../../domain/scoring/customer-intelligence.model.ts';
import { decodeModelJson, encodeModelJson } from '../../domain/scoring/model-json.codec.ts';
import { objectTextOrUndefined } from './object-text.ts';

/*
 * The model registry in S3: `customer-intelligence/<version>/model.json` (the whole bundle),
 * `…/<version>/card.json` (metrics, feature schema, settings: what a person reads before trusting a model)
 * and `customer-intelligence/current.json` (the version in use). A version is written once and never
 * changed; promoting one is a single write of the pointer, and the bucket keeps the pointer's history.
 */

const PREFIX = 'customer-intelligence';
const modelKey = (version: string) => `${PREFIX}/${version}/model.json`;
const cardKey = (version: string) => `${PREFIX}/${version}/card.json`;
const CURRENT_KEY = `${PREFIX}/current.json`;

export type ModelCard = Pick<
  CustomerModels,
  'version' | 'trainedAt' | 'asOf' | 'settings' | 'featureSchema' | 'customers'
> & {
  readonly churn:
    | { readonly auc: number; readonly brier: number; readonly accuracy: number; readonly rows: number }
    | { readonly skipped: string };
  readonly segments: readonly {
    readonly name: string;
    readonly description: string;
    readonly size: number;
  }[];
  readonly lifetimeValue: boolean;
};

export const modelCard = (m: CustomerModels): ModelCard => ({
  version: m.version,
  trainedAt: m.trainedAt,
  asOf: m.asOf,
  settings: m.settings,
  featureSchema: m.featureSchema,
  customers: m.customers,
  churn: 'metrics' in m.churn ? m.churn.metrics : { skipped: m.churn.skipped },
  segments: (m.segments?.centroids ?? []).map(({ name, description, size }) => ({ name, description, size })),
  lifetimeValue: m.lifetimeValue !== undefined,
});

const VERSION = /^[A-Za-z0-9._-]{1,128}$/;

export class ModelVersionError extends Error {
  override readonly name = 'ModelVersionError';
}

export const s3ModelRegistry = (
  s3: S3Client,
  bucket: string,
  options: { readonly pointerTtlMs?: number } = {},
) => {
  const pointerTtlMs = options.pointerTtlMs ?? 15_000;
  const byVersion = new Map<string, CustomerModels>();
  let pointer: { version: string; readAt: number } | undefined;

  const getText = (key: string) => objectTextOrUndefined(s3, bucket, key);
  const put = (key: string, body: string) =>
    s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json' }));

  const load = async (version: string): Promise<CustomerModels | undefined> => {
    if (!VERSION.test(version)) throw new ModelVersionError(`bad model version '${version}'`);
    const cached = byVersion.get(version);
    if (cached) return cached;
    const text = await getText(modelKey(version));
    if (text === undefined) return undefined;
    const models = decodeModelJson(text) as CustomerModels;
    byVersion.set(version, models);
    return models;
  };

  return {
    /** Stores a new version with its card; `promote` makes it the one in use. */
    publish: async (models: CustomerModels, promote = true): Promise<void> => {
      if (!VERSION.test(models.version)) throw new ModelVersionError(`bad model version '${models.version}'`);
      await put(modelKey(models.version), encodeModelJson(models));
      await put(cardKey(models.version), JSON.stringify(modelCard(models), null, 2));
      if (promote) {
        await put(
          CURRENT_KEY,
          JSON.stringify({ version: models.version, promotedAt: new Date().toISOString() }),
        );
        pointer = { version: models.version, readAt: Date.now() };
      }
    },
    load,
    card: async (version: string): Promise<ModelCard | undefined> => {
      const text = await getText(cardKey(version));
      return text === undefined ? undefined : (JSON.parse(text) as ModelCard);
    },
    /**
     * The version in use. A found pointer is re-read at most once per `pointerTtlMs` per container (a
     * promotion reaches every container within that time); a missing one is read again every time, so the
     * first model is used as soon as it is published.
     */
    current: async (): Promise<CustomerModels | undefined> => {
      if (pointer === undefined || Date.now() - pointer.readAt > pointerTtlMs) {
        const text = await getText(CURRENT_KEY);
        const version = text === undefined ? undefined : (JSON.parse(text) as { version?: string }).version;
        pointer = version === undefined ? undefined : { version, readAt: Date.now() };
      }
      return pointer === undefined ? undefined : load(pointer.version);
    },
  };
};
export type ModelRegistry = ReturnType<typeof s3ModelRegistry>;
