import type { Channel, ChannelEventType } from '../../../events/channel/channel-envelope.v1.ts';
import type { CleanedEventV1, MoneyV1 } from '../../../events/cleaning/cleaned-event.v1.ts';

/*
 * The customer timeline: one pseudonymous entry per event, kept for a configurable number of days (the
 * repository stores `expiresAt` as the DynamoDB TTL attribute). An entry says what happened, where and
 * when — never who: no identities, no traits, no free text a person typed or an agent wrote (contact
 * reasons, transcripts, outcomes), no query strings (they carry ids and e-mails).
 */

export type TimelineConfig = {
  /** Days an entry is kept after the event occurred. */
  readonly ttlDays: number;
};

export const DEFAULT_TIMELINE_CONFIG: TimelineConfig = { ttlDays: 400 };

export type TimelineSummary =
  | {
      readonly kind: 'purchase';
      readonly total: MoneyV1;
      readonly itemCount: number;
      readonly storeId: string;
      readonly categories: readonly string[];
    }
  | {
      readonly kind: 'contact';
      readonly direction: 'inbound' | 'outbound';
      readonly complaint: boolean;
      readonly durationSeconds?: number;
    }
  | { readonly kind: 'interaction'; readonly name: string; readonly screen?: string; readonly page?: string }
  | { readonly kind: 'record'; readonly provider: string; readonly recordType: string }
  | {
      readonly kind: 'web';
      readonly messageType: string;
      readonly name?: string;
      readonly category?: string;
      readonly path?: string;
    };

export type TimelineEntry = {
  readonly customerId: string;
  readonly eventId: string;
  readonly type: ChannelEventType;
  readonly channel: Channel;
  readonly source: string;
  readonly occurredAt: string;
  /** False for a near-duplicate interaction. */
  readonly effective: boolean;
  readonly summary: TimelineSummary;
  /** Epoch seconds (DynamoDB TTL). */
  readonly expiresAt: number;
};

const withoutQuery = (path: string): string => path.replace(/[?#].*$/s, '');

const summaryOf = (event: CleanedEventV1): TimelineSummary => {
  switch (event.type) {
    case 'pos.purchase': {
      const p = event.payload;
      return {
        kind: 'purchase',
        total: p.total,
        itemCount: p.items.reduce((n, item) => n + item.quantity, 0),
        storeId: p.storeId,
        categories: [
          ...new Set(p.items.flatMap((i) => (i.category === undefined ? [] : [i.category]))),
        ].sort(),
      };
    }
    case 'call-centre.contact': {
      const p = event.payload;
      return {
        kind: 'contact',
        direction: p.direction,
        complaint: p.complaint === true,
        ...(p.durationSeconds === undefined ? {} : { durationSeconds: p.durationSeconds }),
      };
    }
    case 'app.event':
      return {
        kind: 'interaction',
        name: event.payload.name,
        ...(event.payload.screen === undefined ? {} : { screen: event.payload.screen }),
      };
    case 'mini-program.event':
      return {
        kind: 'interaction',
        name: event.payload.name,
        ...(event.payload.page === undefined ? {} : { page: withoutQuery(event.payload.page) }),
      };
    case 'third-party.record':
      return { kind: 'record', provider: event.payload.provider, recordType: event.payload.recordType };
    case 'segment.message': {
      const p = event.payload;
      const name = p.type === 'track' ? p.event : p.name;
      const rawPath = p.properties?.path;
      return {
        kind: 'web',
        messageType: p.type,
        ...(name === undefined ? {} : { name }),
        ...(p.category === undefined ? {} : { category: p.category }),
        ...(typeof rawPath === 'string' ? { path: withoutQuery(rawPath).slice(0, 512) } : {}),
      };
    }
  }
};

/**
 * The timeline entry of a customer's event, or undefined when its TTL has already run out at `now` (an old
 * import): storing it would only have DynamoDB delete it again.
 */
export const timelineEntryOf = (
  customerId: string,
  event: CleanedEventV1,
  config: TimelineConfig,
  now: string,
): TimelineEntry | undefined => {
  const expiresAtMs = Date.parse(event.occurredAt) + config.ttlDays * 86_400_000;
  if (!(expiresAtMs > Date.parse(now))) return undefined;
  return {
    customerId,
    eventId: event.eventId,
    type: event.type,
    channel: event.channel,
    source: event.source,
    occurredAt: event.occurredAt,
    effective: event.effective,
    summary: summaryOf(event),
    expiresAt: Math.floor(expiresAtMs / 1000),
  };
};
