import { z } from 'zod';
import type { CustomerModels } from '../../domain/scoring/customer-intelligence.model.ts';
import { type ScorableProfile, type ScoresPorts, storeScores } from './rescore-customer.use-case.ts';

/*
 * Batch scoring over every customer, chunked and resumable. A run splits the profiles into `segments`
 * parallel scan segments; each message scores one page of one segment and carries the cursor of the next.
 * A checkpoint per segment (page number, cursor, whether the next page's message went out) makes a
 * redelivered message harmless: a page already done is not done twice, and a crash between finishing a
 * page and sending the next message is repaired by the redelivery. Scores are written only when they
 * change, so rescoring a page is idempotent anyway.
 */

/** One page of one scan segment of a run, as a queue message; `cursor` (opaque) is absent on page 0. */
export const scoringPageMessage = z.strictObject({
  runId: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/),
  modelVersion: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/),
  segment: z.int().min(0),
  totalSegments: z.int().min(1).max(1000),
  page: z.int().min(0),
  cursor: z.string().min(1).max(4096).optional(),
});
export type ScoringPage = z.infer<typeof scoringPageMessage>;

export type ScoringCheckpoint = {
  /** The next page to score. */
  readonly page: number;
  readonly cursor?: string;
  readonly done: boolean;
  readonly nextSent: boolean;
  readonly scored: number;
  readonly unchanged: number;
};

export type BatchScoringPorts = ScoresPorts & {
  readonly models: (version: string) => Promise<CustomerModels | undefined>;
  readonly scanPage: (
    segment: number,
    totalSegments: number,
    cursor: string | undefined,
  ) => Promise<{ readonly profiles: readonly ScorableProfile[]; readonly next?: string }>;
  readonly checkpoint: (runId: string, segment: number) => Promise<ScoringCheckpoint | undefined>;
  /** Moves the checkpoint from `page` to `page + 1`; false when it is not at `page` (someone did it). */
  readonly advance: (
    runId: string,
    segment: number,
    page: number,
    to: Omit<ScoringCheckpoint, 'page' | 'nextSent'>,
  ) => Promise<boolean>;
  readonly markNextSent: (runId: string, segment: number, page: number) => Promise<void>;
  readonly sendPage: (page: ScoringPage) => Promise<void>;
};

export type PageOutcome =
  | { readonly kind: 'scored'; readonly scored: number; readonly unchanged: number; readonly done: boolean }
  | { readonly kind: 'stale' | 'resent' | 'no-model' };

export class ScoringRunError extends Error {
  override readonly name = 'ScoringRunError';
}

/** The first message of every segment of a new run. */
export const scoringRunStart = (
  runId: string,
  modelVersion: string,
  totalSegments: number,
): ScoringPage[] => {
  if (!Number.isInteger(totalSegments) || totalSegments < 1 || totalSegments > 1000)
    throw new ScoringRunError(`segments must be 1–1000, got ${totalSegments}`);
  return Array.from({ length: totalSegments }, (_, segment) => ({
    runId,
    modelVersion,
    segment,
    totalSegments,
    page: 0,
  }));
};

const nextPage = (message: ScoringPage, cursor: string | undefined): ScoringPage => ({
  ...message,
  page: message.page + 1,
  ...(cursor === undefined ? {} : { cursor }),
});

export const scoreScoringPage = async (
  ports: BatchScoringPorts,
  message: ScoringPage,
  now: string,
): Promise<PageOutcome> => {
  const before = await ports.checkpoint(message.runId, message.segment);
  const at = before?.page ?? 0;
  if (at === message.page + 1 && before !== undefined && !before.done && !before.nextSent) {
    // This page was scored, but its successor's message may never have gone out.
    await ports.sendPage(nextPage(message, before.cursor));
    await ports.markNextSent(message.runId, message.segment, at);
    return { kind: 'resent' };
  }
  if (at !== message.page) return { kind: 'stale' };
  const models = await ports.models(message.modelVersion);
  if (models === undefined) return { kind: 'no-model' };
  const { profiles, next } = await ports.scanPage(message.segment, message.totalSegments, message.cursor);
  let scored = 0;
  let unchanged = 0;
  for (const profile of profiles)
    if ((await storeScores(ports, models, profile, now)) === 'scored') scored++;
    else unchanged++;
  const done = next === undefined;
  const advanced = await ports.advance(message.runId, message.segment, message.page, {
    ...(next === undefined ? {} : { cursor: next }),
    done,
    scored: (before?.scored ?? 0) + scored,
    unchanged: (before?.unchanged ?? 0) + unchanged,
  });
  if (!advanced) return { kind: 'stale' };
  if (!done) {
    await ports.sendPage(nextPage(message, next));
    await ports.markNextSent(message.runId, message.segment, message.page + 1);
  }
  return { kind: 'scored', scored, unchanged, done };
};
