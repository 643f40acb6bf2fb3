import { z } from 'zod';
import { SEGMENT_CALLS, SEGMENT_LIMITS } from '../domain/ingest/segment-collect.ts';

/*
 * Requests and responses of the ingest routes: the Segment-compatible collect API and the data-quality
 * report. The collect API checks its body with Segment's own rules (`shared/domain/ingest/segment-collect.ts`,
 * then the channel-envelope contract in the cleaning stage), so its schemas here only describe it.
 */

/** `/v1/{call}`: a Segment call, or `batch`. */
export const collectPath = z.object({ call: z.enum(['batch', ...SEGMENT_CALLS]) });

/** A Segment message (https://segment.com/docs/connections/spec/); `batch` carries many. */
export const collectBody = z
  .looseObject({
    userId: z.string().optional(),
    anonymousId: z.string().optional(),
    messageId: z.string().optional(),
    timestamp: z.string().optional(),
    event: z.string().optional().meta({ description: 'track' }),
    name: z.string().optional().meta({ description: 'page, screen' }),
    traits: z.looseObject({}).optional(),
    properties: z.looseObject({}).optional(),
    context: z.looseObject({}).optional(),
    integrations: z.looseObject({}).optional(),
    writeKey: z.string().optional().meta({ description: 'When not sent as the HTTP Basic user name' }),
    batch: z
      .array(z.looseObject({ type: z.enum(SEGMENT_CALLS) }))
      .optional()
      .meta({ description: '`/v1/batch` only' }),
  })
  .meta({
    description: `At most ${SEGMENT_LIMITS.maxMessageBytes} bytes per message, ${SEGMENT_LIMITS.maxBatchBytes} per batch (decompressed; gzip and deflate accepted)`,
  });

export const collectResult = z.object({
  success: z.literal(true),
  accepted: z.int().min(0),
  invalid: z
    .array(z.object({ index: z.int(), messageId: z.string(), reasons: z.array(z.string()) }))
    .optional()
    .meta({ description: 'Messages the cleaning stage will quarantine, with its reasons' }),
});

const day = z.iso.date();

/** `GET /quality?from&to`: days, the last 30 by default. */
export const qualityQuery = z.object({ from: day.optional(), to: day.optional() });

export const qualityReportResult = z.object({
  from: z.string(),
  to: z.string(),
  sources: z.array(
    z.object({
      source: z.string(),
      received: z.number(),
      accepted: z.number(),
      quarantined: z.number(),
      duplicates: z.number(),
      nearDuplicates: z.number(),
      duplicateRate: z.number(),
      quarantinedByReason: z.record(z.string(), z.number()),
      warnings: z.record(z.string(), z.number()),
      completeness: z.record(z.string(), z.number()),
    }),
  ),
});
