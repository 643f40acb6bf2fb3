import { z } from 'zod';
import { parseContract } from '../../../events/zod-issue.formatter.ts';
import { normaliseHeader } from '../ingest/import-mapping.ts';
import type { IdentityRecord } from './record-linker.ts';

/*
 * Which column of a records file fills which field of an `IdentityRecord`. Without a mapping file a header
 * is matched against a convention (same header normalisation as the import mapping: NFKC, lower case,
 * no spaces, `_`, `-`, `.` or brackets); a mapping file names the columns of files with other headers,
 * such as FEBRL's (`infra/cli/mappings/febrl.mapping.json`).
 */

/** Fields the default comparisons know. `recordId` identifies the row; `source` is the data set (link mode). */
export const IDENTITY_FIELDS = [
  'name',
  'givenName',
  'surname',
  'phone',
  'email',
  'deviceId',
  'memberCard',
  'nationalId',
  'birthday',
  'streetNumber',
  'address',
  'address2',
  'city',
  'postcode',
  'state',
] as const;
export type IdentityField = (typeof IDENTITY_FIELDS)[number];

/** Normalised header names per target, first match wins. */
export const DEFAULT_RECORD_CONVENTION: Readonly<
  Record<IdentityField | 'recordId' | 'source', readonly string[]>
> = {
  recordId: ['recordid', 'recid', 'id', 'rowid', 'customerid', '编号', '记录id', '客户编号'],
  source: ['source', 'dataset', '来源'],
  name: ['name', 'fullname', 'customername', '姓名', '名字', '客户姓名'],
  givenName: ['givenname', 'firstname', '名'],
  surname: ['surname', 'lastname', 'familyname', '姓'],
  phone: [
    'phone',
    'mobile',
    'mobileno',
    'mobilephone',
    'tel',
    'telephone',
    'phonenumber',
    '手机',
    '手机号',
    '手机号码',
    '电话',
  ],
  email: ['email', 'mail', 'emailaddress', '邮箱', '电子邮箱'],
  deviceId: ['deviceid', '设备id', '设备号'],
  memberCard: ['membercard', 'membercardno', 'cardno', 'cardnumber', '会员卡号', '会员卡'],
  nationalId: ['nationalid', 'idcard', 'idnumber', 'ssn', 'socsecid', '身份证', '身份证号'],
  birthday: ['birthday', 'birthdate', 'dateofbirth', 'dob', '生日', '出生日期'],
  streetNumber: ['streetnumber', 'houseno', '门牌号'],
  address: ['address', 'addr', 'streetaddress', 'address1', '地址', '详细地址'],
  address2: ['address2'],
  city: ['city', 'suburb', 'town', '城市', '市'],
  postcode: ['postcode', 'postalcode', 'zip', 'zipcode', '邮编', '邮政编码'],
  state: ['state', 'province', '省份', '省'],
};

/** One column, or several joined by a space (e.g. street number and street). */
export type ColumnRef = string | readonly string[];

/** A mapping file: target field → column(s). Unnamed targets are left empty (no convention fallback). */
export type RecordMapping = Partial<Record<IdentityField | 'recordId' | 'source', ColumnRef>>;

const column = z.string().trim().min(1, 'expected a column name').max(256);
const columnRef = z.union([column, z.array(column).min(1)], {
  error: 'expected a column name or an array of them',
});
const recordMappingSchema = z.strictObject(
  Object.fromEntries(
    ['recordId', 'source', ...IDENTITY_FIELDS].map((k) => [k, columnRef.optional()]),
  ) as Record<IdentityField | 'recordId' | 'source', z.ZodOptional<typeof columnRef>>,
);

export class RecordMappingError extends Error {
  override readonly name = 'RecordMappingError';
}

/** Validates a decoded mapping file; throws {@link RecordMappingError} listing each problem. */
export const parseRecordMapping = (input: unknown): RecordMapping => {
  const result = parseContract(recordMappingSchema, input);
  if (result.ok) return result.value as RecordMapping;
  throw new RecordMappingError(`invalid record mapping: ${result.reasons.join('; ')}`);
};

/** A mapping fixed against a file's headers. */
export type ResolvedRecordMapping = {
  readonly recordId: readonly string[] | undefined;
  readonly source: readonly string[] | undefined;
  readonly fields: readonly (readonly [IdentityField, readonly string[]])[];
};

const asColumns = (ref: ColumnRef | undefined): readonly string[] | undefined =>
  ref === undefined ? undefined : typeof ref === 'string' ? [ref] : ref;

/**
 * Fixes a mapping (or the convention) against headers. Throws {@link RecordMappingError} when a mapped column
 * is not a header or no field at all is mapped.
 */
export const resolveRecordMapping = (
  headers: readonly string[],
  mapping?: RecordMapping | undefined,
): ResolvedRecordMapping => {
  const chosen: RecordMapping = {};
  if (mapping) Object.assign(chosen, mapping);
  else
    for (const [target, names] of Object.entries(DEFAULT_RECORD_CONVENTION) as [
      keyof RecordMapping,
      readonly string[],
    ][]) {
      const header = headers.find((h) => names.includes(normaliseHeader(h)));
      if (header !== undefined) chosen[target] = header;
    }
  const known = new Set(headers);
  const missing = Object.values(chosen)
    .flatMap((ref) => asColumns(ref) ?? [])
    .filter((c) => !known.has(c));
  if (missing.length > 0)
    throw new RecordMappingError(
      `columns not in the file: ${[...new Set(missing)].join(', ')} (headers: ${headers.join(', ')})`,
    );
  const fields = IDENTITY_FIELDS.flatMap((f) => {
    const cols = asColumns(chosen[f]);
    return cols ? [[f, cols] as const] : [];
  });
  if (fields.length === 0)
    throw new RecordMappingError(
      `no column maps to an identity field (headers: ${headers.join(', ')}); pass a mapping file`,
    );
  return { recordId: asColumns(chosen.recordId), source: asColumns(chosen.source), fields };
};

const columnValue = (row: Readonly<Record<string, string | undefined>>, cols: readonly string[]): string => {
  if (cols.length === 1) return (row[cols[0] ?? ''] ?? '').trim();
  return cols
    .map((c) => (row[c] ?? '').trim())
    .filter((v) => v !== '')
    .join(' ');
};

/**
 * One row as an identity record. Without a record-id column the id is `row-<n>` (1-based data row).
 * `defaultSource` is the source when no column gives one (link mode: the file).
 */
export const rowToIdentityRecord = (
  row: Readonly<Record<string, string | undefined>>,
  mapping: ResolvedRecordMapping,
  rowNumber: number,
  defaultSource?: string,
): IdentityRecord => {
  const fields: Record<string, string> = {};
  for (const [f, cols] of mapping.fields) {
    const v = columnValue(row, cols);
    if (v !== '') fields[f] = v;
  }
  const id = mapping.recordId ? columnValue(row, mapping.recordId) : '';
  const source = mapping.source ? columnValue(row, mapping.source) : '';
  return {
    recordId: id === '' ? `row-${rowNumber}` : id,
    source: source === '' ? defaultSource : source,
    fields,
  };
};
