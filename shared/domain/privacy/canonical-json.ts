/**
 * JSON with object keys sorted at every level and `undefined` members left out: equal values give equal
 * text, whatever order their keys were built in. What the audit chain hashes and ties in the consent fold
 * compare.
 */
export const canonicalJson = (value: unknown): string => {
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const members = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value);
};
