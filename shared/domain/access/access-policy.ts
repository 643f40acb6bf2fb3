/*
 * Who may do what, in one place: the role × permission table every protected route is defined by (the
 * API's JWT authorizer gets the roles from it) and every handler checks again, and the role × field table
 * that decides how personal data is shown. Deny by default: a permission lists the roles that hold it, a
 * role not listed does not; a field not listed for a role is hidden.
 */

/** Cognito groups. */
export const ROLES = ['admin', 'sales', 'service', 'marketing', 'analyst'] as const;
export type Role = (typeof ROLES)[number];

const ALL: readonly Role[] = ROLES;

export const PERMISSIONS = {
  /** Read a customer: identity links, merges, profile (fields as the field policy shows them), scores. */
  'customers:read': ALL,
  /** Change a customer's traits and tags (fields as the field policy lets the role see them in clear). */
  'customers:write': ['admin', 'service', 'sales'],
  /** Undo a merge. */
  'customers:unmerge': ['admin'],
  /** See the suggested-match review queue. */
  'matches:read': ['admin', 'service'],
  /** Approve or reject a suggested match. */
  'matches:decide': ['admin'],
  /** The data-quality report. */
  'quality:read': ['admin', 'analyst'],
  /** A customer's consent ledger and what it allows, per purpose × channel. */
  'consents:read': ['admin', 'service', 'sales', 'marketing'],
  /** Record a consent, a withdrawal or another legal basis (call centre, admin; channel systems as service). */
  'consents:write': ['admin', 'service'],
  /** File a data-subject request (export or erasure) for a person. */
  'subject-requests:write': ['admin'],
  /** Follow a data-subject request, read its receipt and (for an export) the bundle. */
  'subject-requests:read': ['admin'],
  /** The audit log of access to personal data and of changes. */
  'audit:read': ['admin'],
  /** The segment catalogue with sizes (no customer ids). */
  'segments:read': ['admin', 'marketing', 'analyst', 'sales'],
  /** The customers in a segment. */
  'segments:members': ['admin', 'marketing', 'sales'],
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof PERMISSIONS;

export const rolesWith = (permission: Permission): readonly Role[] => PERMISSIONS[permission];

/** True when one of the caller's roles holds the permission; unknown roles hold nothing. */
export const may = (roles: readonly string[], permission: Permission): boolean => {
  const holders: readonly string[] = PERMISSIONS[permission];
  return roles.some((r) => holders.includes(r));
};

/**
 * How a personal-data field is shown: in clear, partly (enough to recognise it on the phone with the
 * person: 138****1234, 李**), or not at all.
 */
export type FieldVisibility = 'clear' | 'partial' | 'hidden';

/** The personal-data fields of a customer's profile. */
export const PERSONAL_FIELDS = ['name', 'firstName', 'lastName', 'birthday', 'address', 'postcode'] as const;
export type PersonalField = (typeof PERSONAL_FIELDS)[number];

const everyField = (v: FieldVisibility): Readonly<Record<PersonalField, FieldVisibility>> =>
  Object.fromEntries(PERSONAL_FIELDS.map((f) => [f, v])) as Record<PersonalField, FieldVisibility>;

export const FIELD_POLICY: Readonly<Record<Role, Readonly<Record<PersonalField, FieldVisibility>>>> = {
  // Admins and service agents act for the person: they see what the person gave.
  admin: everyField('clear'),
  service: everyField('clear'),
  // Sales recognise the customer, but do not copy out a full identity.
  sales: { ...everyField('partial'), postcode: 'clear' },
  marketing: { ...everyField('partial'), birthday: 'hidden', address: 'hidden', postcode: 'partial' },
  // Analysts work on pseudonymous data only: no direct identifier at all.
  analyst: everyField('hidden'),
};

const RANK: Readonly<Record<FieldVisibility, number>> = { hidden: 0, partial: 1, clear: 2 };

/** The most a caller with these roles may see of a field (the best of their roles); hidden by default. */
export const fieldVisibility = (roles: readonly string[], field: string): FieldVisibility => {
  let best: FieldVisibility = 'hidden';
  for (const role of roles) {
    if (!(ROLES as readonly string[]).includes(role)) continue;
    const policy = FIELD_POLICY[role as Role];
    const v = Object.hasOwn(policy, field) ? policy[field as PersonalField] : 'hidden';
    if (RANK[v] > RANK[best]) best = v;
  }
  return best;
};

/**
 * A value partly shown: phone-like values keep their first three and last four digits (138****1234),
 * dates their year, other text its first character; the number of hidden characters never shows the length.
 */
export const partialValue = (value: string | number | boolean): string => {
  const text = String(value);
  const digits = text.replace(/\D/g, '');
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) return `${text.slice(0, 4)}-**-**`;
  if (/^\+?[\d\s-]{7,}$/.test(text) && digits.length >= 7)
    return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
  return `${[...text][0] ?? ''}**`;
};
