import { z } from 'zod';

/*
 * Cursor pagination, the same on every list route: `limit` (1–500, 100 by default) and `cursor` in the query;
 * the page's `items` and, unless it is the last page, `next`: the cursor of the following page. Cursors are
 * opaque (`shared/adapters/opaque-cursor.ts`); one that is not ours is a 400.
 */

export const PAGE_LIMIT = { default: 100, max: 500 } as const;

/** `limit` and `cursor` query parameters; extend it with a route's own filters. */
export const pageQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(PAGE_LIMIT.max)
    .default(PAGE_LIMIT.default)
    .meta({ description: 'Items per page' }),
  cursor: z
    .string()
    .min(1)
    .max(2048)
    .optional()
    .meta({ description: 'The `next` of the previous page; absent for the first page' }),
});

/** The cursor of the following page: absent on the last page. */
export const nextCursor = z
  .string()
  .optional()
  .meta({ description: 'Cursor of the following page (pass it as `cursor`); absent on the last page' });

/** A page of `item`s with the cursor of the next one. */
export const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), next: nextCursor });
