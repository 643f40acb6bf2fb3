import type { CleanedEventV1 } from '../../../../events/cleaning/cleaned-event.v1.ts';
import { seededRandom } from '../../../../shared/domain/identity/seeded-random.ts';
import type { CustomerHistory } from '../../../../shared/domain/scoring/customer-intelligence.model.ts';
import { appEvent, contact, day, purchase } from '../profile/profile-events.helper.ts';

/**
 * A year of synthetic shoppers with a known churn mechanism: every customer buys at their own rate until
 * they lapse; complaints and a falling visit rate make lapsing more likely, loyal big spenders rarely lapse.
 * Day 0 is 2026-01-01; `AS_OF` is day 365.
 */
export const AS_OF = day(365);

export const syntheticHistories = (customers: number, seed = 7): CustomerHistory[] => {
  const random = seededRandom(seed);
  return Array.from({ length: customers }, (_, c) => {
    const customerId = `c-${String(c).padStart(4, '0')}`;
    const complainer = random() < 0.25;
    const rate = 0.01 + random() * 0.08; // purchases per day
    const basket = 5_000 + Math.floor(random() * 50_000);
    const start = Math.floor(random() * 120);
    // Complainers lapse early with high probability; others sometimes.
    const lapsesAt = complainer
      ? start + 60 + random() * 150
      : random() < 0.25
        ? start + 100 + random() * 200
        : Number.POSITIVE_INFINITY;
    const events: CleanedEventV1[] = [];
    let n = 0;
    for (let d = start; d < 365; d++) {
      if (d > lapsesAt) break;
      if (random() < rate)
        events.push(purchase({ eventId: `${customerId}-p${n++}`, occurredAt: day(d + 0.5), minor: basket }));
      if (random() < rate * 2)
        events.push(appEvent({ eventId: `${customerId}-a${n++}`, occurredAt: day(d + 0.25) }));
      if (complainer && random() < 0.01)
        events.push(
          contact({ eventId: `${customerId}-c${n++}`, occurredAt: day(d + 0.75), complaint: true }),
        );
    }
    if (events.length === 0)
      events.push(purchase({ eventId: `${customerId}-p0`, occurredAt: day(start + 0.5), minor: basket }));
    return { customerId, events };
  });
};
