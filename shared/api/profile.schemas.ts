import { z } from 'zod';
import { EDITABLE_TRAIT_NAME, EDITABLE_TRAITS } from '../domain/profile/profile-edit.ts';
import { TAG_NAME } from '../domain/profile/tag-rules.ts';
import { profileTagView } from './identity.schemas.ts';

/*
 * Requests and responses of the profile routes (`PATCH /customers/{id}`). Values are standardised after the
 * schema (shared/domain/profile/profile-edit.ts): it checks shape, names and sizes only.
 */

const MAX_TRAITS = 32;
const MAX_TAGS = 32;

const tagName = z.string().regex(TAG_NAME, 'expected a kebab-case tag name (a-z, 0-9, -; 1-64 characters)');
const tagNames = z.array(tagName).max(MAX_TAGS);

/** `PATCH /customers/{id}`: trait values to set and manual tags to add or remove, all or nothing. */
export const customerEditBody = z
  .strictObject({
    traits: z
      .record(
        z
          .string()
          .regex(EDITABLE_TRAIT_NAME, `expected one of ${EDITABLE_TRAITS.join(', ')} or custom.<key>`),
        z.union([z.string().min(1).max(512), z.number(), z.boolean()]),
      )
      .refine((t) => Object.keys(t).length <= MAX_TRAITS, `at most ${MAX_TRAITS} traits at once`)
      .optional()
      .meta({
        description:
          'Values to set, standardised as channel data is: `{ "address": "徐汇区漕溪北路88号", "custom.vipLevel": 3 }`',
      }),
    tags: z
      .strictObject({ add: tagNames.optional(), remove: tagNames.optional() })
      .optional()
      .meta({ description: 'Manual tags to add and remove (computed tags are decided by their rules)' }),
  })
  .refine(
    (b) =>
      Object.keys(b.traits ?? {}).length + (b.tags?.add?.length ?? 0) + (b.tags?.remove?.length ?? 0) > 0,
    'nothing to change: give traits, tags.add or tags.remove',
  )
  .refine((b) => !(b.tags?.add ?? []).some((t) => b.tags?.remove?.includes(t)), {
    message: 'a tag cannot be both added and removed',
    path: ['tags'],
  });
export type CustomerEditBody = z.infer<typeof customerEditBody>;

/** What `PATCH /customers/{id}` answers (with the profile's `ETag`): the edited traits and every tag. */
export const customerEditResult = z.object({
  customerId: z.string(),
  mergedFrom: z
    .string()
    .optional()
    .meta({ description: 'The id asked for, when it was merged into this one' }),
  version: z.int().meta({ description: 'The profile version, also the `ETag` for `If-Match`' }),
  changed: z.array(z.string()).meta({ description: 'Fields the edit changed (`tags.<name>` for tags)' }),
  traits: z
    .record(
      z.string(),
      z.object({
        value: z.union([z.string(), z.number(), z.boolean()]),
        source: z.string(),
        channel: z.string(),
        updatedAt: z.string(),
      }),
    )
    .meta({ description: 'The traits the edit named, as they stand now' }),
  tags: z.array(profileTagView),
});
