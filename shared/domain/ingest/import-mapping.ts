import { z } from 'zod';
import {
  CHANNEL_ENVELOPE_SPEC_VERSION,
  CHANNEL_IDENTITY_KEYS,
  type ChannelEventType,
} from '../../../events/channel/channel-envelope.v1.ts';
import { parseContract } from '../../../events/zod-issue.formatter.ts';
import { STANDARD_TRAITS } from '../cleaning/normalised.ts';

/*
 * The column mapping of a file import: which column of a CSV or spreadsheet fills which field of a channel
 * envelope. Values are copied raw — the cleaning stage standardises them and keeps the original for audit —
 * so this module only decides where a value goes, never what it becomes.
 */

/** Event types a row of a file can become (a Segment message is not a row of a spreadsheet). */
export const IMPORT_EVENT_TYPES = [
  'third-party.record',
  'pos.purchase',
  'call-centre.contact',
  'app.event',
  'mini-program.event',
] as const satisfies readonly ChannelEventType[];
export type ImportEventType = (typeof IMPORT_EVENT_TYPES)[number];

export const DEFAULT_IMPORT_EVENT_TYPE: ImportEventType = 'third-party.record';

export const IMPORT_TRAIT_KEYS = STANDARD_TRAITS;
type TraitKey = (typeof IMPORT_TRAIT_KEYS)[number];
type IdentityKey = (typeof CHANNEL_IDENTITY_KEYS)[number];

/**
 * Payload fields each type fills from one column (or a constant). `pos.purchase` makes one item per row
 * from `sku`, `itemName`, `category`, `quantity` and `unitPrice`.
 */
export const IMPORT_PAYLOAD_FIELDS = {
  'third-party.record': ['provider', 'recordType'],
  'pos.purchase': [
    'orderId',
    'storeId',
    'sku',
    'itemName',
    'category',
    'quantity',
    'unitPrice',
    'amount',
    'currency',
    'paymentMethod',
    'discount',
  ],
  'call-centre.contact': [
    'contactId',
    'direction',
    'reason',
    'durationSeconds',
    'agentId',
    'outcome',
    'complaint',
    'transcriptSummary',
  ],
  'app.event': ['name', 'screen'],
  'mini-program.event': ['name', 'appId', 'page'],
} as const satisfies Record<ImportEventType, readonly string[]>;

/** The payload object that collects the columns nothing else maps, per type that has one. */
const REST_FIELD: Readonly<Partial<Record<ImportEventType, 'attributes' | 'properties'>>> = {
  'third-party.record': 'attributes',
  'app.event': 'properties',
  'mini-program.event': 'properties',
};

/** Where a value comes from: a column by its header, or a constant for every row. */
export type ValueRef = string | { readonly value: string };

const columnName = z
  .string({ error: 'expected a column name' })
  .trim()
  .min(1, 'expected a column name')
  .max(256, 'expected at most 256 characters');
const valueRef = z.union([columnName, z.strictObject({ value: z.string().max(1024) })], {
  error: 'expected a column name or { "value": "<constant>" }',
});
const customKey = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected a key of letters, digits, _ . or -');
const restColumns = z.union([z.literal('unmapped'), z.array(columnName)], {
  error: "expected 'unmapped' or an array of column names",
});

const identitiesSchema = z.strictObject({
  ...Object.fromEntries(CHANNEL_IDENTITY_KEYS.map((k) => [k, columnName.optional()])),
  custom: z.record(customKey, columnName).optional(),
}) as z.ZodType<Partial<Record<IdentityKey, string>> & { custom?: Record<string, string> | undefined }>;

const traitsSchema = z.strictObject({
  ...Object.fromEntries(IMPORT_TRAIT_KEYS.map((k) => [k, valueRef.optional()])),
  custom: z.record(customKey, valueRef).optional(),
}) as z.ZodType<Partial<Record<TraitKey, ValueRef>> & { custom?: Record<string, ValueRef> | undefined }>;

const payloadSchema = (type: ImportEventType) => {
  const rest = REST_FIELD[type];
  return z.strictObject({
    ...Object.fromEntries(IMPORT_PAYLOAD_FIELDS[type].map((f) => [f, valueRef.optional()])),
    ...(rest ? { [rest]: restColumns.optional() } : {}),
  });
};

const mappingOf = (type: ImportEventType) =>
  z.strictObject({
    type: z.literal(type),
    /** Column whose value identifies the row across imports; re-importing it is then a duplicate. */
    messageId: columnName.optional(),
    occurredAt: valueRef.optional(),
    identities: identitiesSchema.optional(),
    traits: traitsSchema.optional(),
    payload: payloadSchema(type).optional(),
  });

const importMappingSchema = z.preprocess(
  // `type` may be left out: a generic third-party record.
  (input) =>
    typeof input === 'object' && input !== null && !Array.isArray(input) && !('type' in input)
      ? { ...input, type: DEFAULT_IMPORT_EVENT_TYPE }
      : input,
  z.discriminatedUnion(
    'type',
    [
      mappingOf('third-party.record'),
      mappingOf('pos.purchase'),
      mappingOf('call-centre.contact'),
      mappingOf('app.event'),
      mappingOf('mini-program.event'),
    ],
    // Not an object at all; an unknown type falls through to the contract map ("expected one of …").
    {
      error: (issue) =>
        typeof issue.input === 'object' && issue.input !== null && !Array.isArray(issue.input)
          ? undefined
          : 'expected a mapping object',
    },
  ),
);

/**
 * A mapping as written in a mapping file: per target field, the column it comes from.
 *
 * @example
 * { "type": "third-party.record", "messageId": "row_id", "occurredAt": "created",
 *   "identities": { "phone": "mobile", "email": "email" }, "traits": { "name": "姓名" },
 *   "payload": { "recordType": { "value": "member" } } }
 */
export type ImportMapping = {
  readonly type: ImportEventType;
  readonly messageId?: string | undefined;
  readonly occurredAt?: ValueRef | undefined;
  readonly identities?:
    | (Partial<Record<IdentityKey, string>> & { readonly custom?: Record<string, string> | undefined })
    | undefined;
  readonly traits?:
    | (Partial<Record<TraitKey, ValueRef>> & { readonly custom?: Record<string, ValueRef> | undefined })
    | undefined;
  readonly payload?:
    | Readonly<Record<string, ValueRef | readonly string[] | 'unmapped' | undefined>>
    | undefined;
};

/** A mapping file that does not parse, or a mapping that does not fit the file's headers. */
export class ImportMappingError extends Error {
  override readonly name = 'ImportMappingError';
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid import mapping: ${problems.join('; ')}`);
    this.problems = problems;
  }
}

/**
 * Validates a decoded mapping file. Throws {@link ImportMappingError} listing every problem as a
 * `path: message` line, e.g. `identities: has unknown keys: phon` or `payload.sku: expected a column name`.
 */
export const parseImportMapping = (input: unknown): ImportMapping => {
  const result = parseContract(importMappingSchema, input);
  if (result.ok) return result.value;
  throw new ImportMappingError(result.reasons);
};

/*
 * The default convention, used when no mapping file is given: a header is compared with these names after
 * NFKC (full-width → ASCII), lower-casing and removing spaces, `_`, `-`, `.` and brackets, so `Mobile No`,
 * `mobile_no` and `ＭＯＢＩＬＥ－ＮＯ` are the same header. The first header that matches a target wins.
 */
export const DEFAULT_HEADER_CONVENTION: Readonly<Record<string, readonly string[]>> = {
  messageId: ['id', 'recordid', 'rowid', 'messageid', '编号', '记录id', '记录编号'],
  occurredAt: [
    'created',
    'createdat',
    'createtime',
    'date',
    'time',
    'datetime',
    'timestamp',
    'occurredat',
    '日期',
    '时间',
    '创建时间',
    '创建日期',
  ],
  'identities.phone': [
    'phone',
    'mobile',
    'mobileno',
    'mobilephone',
    'cellphone',
    'tel',
    'telephone',
    'phonenumber',
    '手机',
    '手机号',
    '手机号码',
    '电话',
    '电话号码',
    '联系电话',
  ],
  'identities.email': ['email', 'mail', 'emailaddress', '邮箱', '电子邮箱', '电子邮件', '邮件'],
  'identities.memberCard': ['membercard', 'membercardno', 'cardno', 'cardnumber', '会员卡号', '会员卡'],
  'identities.deviceId': ['deviceid', '设备id', '设备号'],
  'identities.userId': ['userid', '用户id'],
  'identities.crmId': ['crmid', 'customerid', '客户id', '客户编号'],
  'identities.wechatOpenId': ['openid', 'wechatopenid', '微信openid'],
  'identities.wechatUnionId': ['unionid', 'wechatunionid', '微信unionid'],
  'identities.anonymousId': ['anonymousid'],
  'traits.name': ['name', 'fullname', 'customername', '姓名', '名字', '客户姓名'],
  'traits.firstName': ['firstname', 'givenname', '名'],
  'traits.lastName': ['lastname', 'surname', 'familyname', '姓'],
  'traits.gender': ['gender', 'sex', '性别'],
  'traits.birthday': ['birthday', 'birthdate', 'dateofbirth', 'dob', '生日', '出生日期'],
  'traits.address': ['address', 'addr', 'streetaddress', '地址', '详细地址', '联系地址'],
  'traits.city': ['city', '城市', '市'],
  'traits.province': ['province', 'state', '省份', '省'],
  'traits.country': ['country', '国家'],
  'traits.postcode': ['postcode', 'postalcode', 'zip', 'zipcode', '邮编', '邮政编码'],
  'traits.language': ['language', 'lang', '语言'],
  'payload.provider': ['provider', '提供方'],
  'payload.recordType': ['recordtype', '记录类型'],
  'payload.orderId': ['orderid', 'orderno', 'order', '订单号', '订单编号'],
  'payload.storeId': ['storeid', 'store', 'storeno', 'shopid', '门店', '门店编号', '门店id', '店铺'],
  'payload.sku': ['sku', 'skuid', 'productid', 'barcode', '商品编码', '货号', '条码'],
  'payload.itemName': ['productname', 'itemname', 'product', '商品名称', '商品'],
  'payload.category': ['category', '品类', '类别', '分类'],
  'payload.quantity': ['quantity', 'qty', '数量'],
  'payload.unitPrice': ['unitprice', 'price', '单价', '价格'],
  'payload.amount': ['amount', 'total', 'totalamount', '金额', '总额', '订单金额', '实付金额'],
  'payload.currency': ['currency', '币种', '货币'],
  'payload.paymentMethod': ['paymentmethod', 'payment', '支付方式', '付款方式'],
  'payload.discount': ['discount', '折扣', '优惠', '优惠金额'],
  'payload.contactId': ['contactid', 'callid', '通话id', '工单号'],
  'payload.direction': ['direction', '方向', '呼叫方向'],
  'payload.reason': ['reason', '原因', '来电原因'],
  'payload.durationSeconds': ['durationseconds', 'duration', '时长', '通话时长'],
  'payload.agentId': ['agentid', 'agent', '坐席', '坐席工号'],
  'payload.outcome': ['outcome', 'result', '结果', '处理结果'],
  'payload.complaint': ['complaint', '投诉', '是否投诉'],
  'payload.transcriptSummary': ['summary', 'transcriptsummary', '摘要', '通话摘要'],
  'payload.name': ['event', 'eventname', '事件', '事件名称'],
  'payload.screen': ['screen', '页面名称'],
  'payload.appId': ['appid', '小程序appid'],
  'payload.page': ['page', 'pagepath', '页面', '页面路径'],
};

/** How a header is compared with the default convention. */
export const normaliseHeader = (header: string): string =>
  header
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_\-.()[\]]/g, '');

const CONVENTION_BY_HEADER: ReadonlyMap<string, string> = new Map(
  Object.entries(DEFAULT_HEADER_CONVENTION).flatMap(([target, names]) => names.map((n) => [n, target])),
);

/** A mapping fixed against a file's headers: every field knows its column; ready for {@link rowToEnvelope}. */
export type ResolvedImportMapping = {
  readonly type: ImportEventType;
  /** Column of the row's stable id. */
  readonly messageId: string | undefined;
  readonly occurredAt: ValueRef | undefined;
  /** `[identity key, column]`; custom identities as `custom:<key>`. */
  readonly identities: readonly (readonly [string, string])[];
  /** `[trait key, ref]`; custom traits as `custom:<key>`. */
  readonly traits: readonly (readonly [string, ValueRef])[];
  readonly payload: Readonly<Record<string, ValueRef>>;
  /** Columns copied into `attributes` / `properties`, when the type has one. */
  readonly rest: readonly string[];
};

const refColumn = (ref: ValueRef | undefined): string | undefined =>
  typeof ref === 'string' ? ref : undefined;

export type ResolveImportMappingInput = {
  readonly headers: readonly string[];
  /** An explicit mapping; without it the default convention maps the headers. */
  readonly mapping?: ImportMapping | undefined;
  /** Overrides the mapping's type (the `--type` option). */
  readonly type?: ImportEventType | undefined;
};

/**
 * Fixes a mapping against a file's headers. An explicit mapping decides messageId, occurredAt, identities
 * and traits alone; payload fields it leaves out are found by the default convention, and the rest field
 * (`attributes` / `properties`) defaults to every column nothing else maps.
 * Throws {@link ImportMappingError} when a mapped column is not among the headers or no identity column
 * is mapped (every row would be refused).
 */
export const resolveImportMapping = ({
  headers,
  mapping,
  type,
}: ResolveImportMappingInput): ResolvedImportMapping => {
  const eventType = type ?? mapping?.type ?? DEFAULT_IMPORT_EVENT_TYPE;
  const byConvention = new Map<string, string>();
  for (const h of headers) {
    const target = CONVENTION_BY_HEADER.get(normaliseHeader(h));
    if (target !== undefined && !byConvention.has(target)) byConvention.set(target, h);
  }

  let messageId: string | undefined;
  let occurredAt: ValueRef | undefined;
  const identities: [string, string][] = [];
  const traits: [string, ValueRef][] = [];
  if (mapping) {
    messageId = mapping.messageId;
    occurredAt = mapping.occurredAt;
    for (const k of CHANNEL_IDENTITY_KEYS) {
      const column = mapping.identities?.[k];
      if (column !== undefined) identities.push([k, column]);
    }
    for (const [k, column] of Object.entries(mapping.identities?.custom ?? {}))
      identities.push([`custom:${k}`, column]);
    for (const k of IMPORT_TRAIT_KEYS) {
      const ref = mapping.traits?.[k];
      if (ref !== undefined) traits.push([k, ref]);
    }
    for (const [k, ref] of Object.entries(mapping.traits?.custom ?? {})) traits.push([`custom:${k}`, ref]);
  } else {
    messageId = byConvention.get('messageId');
    occurredAt = byConvention.get('occurredAt');
    for (const k of CHANNEL_IDENTITY_KEYS) {
      const column = byConvention.get(`identities.${k}`);
      if (column !== undefined) identities.push([k, column]);
    }
    for (const k of IMPORT_TRAIT_KEYS) {
      const column = byConvention.get(`traits.${k}`);
      if (column !== undefined) traits.push([k, column]);
    }
  }

  // A mapping written for another type may name payload fields this type does not have: ignored.
  const explicitPayload = mapping?.type === eventType ? (mapping.payload ?? {}) : {};
  const payload: Record<string, ValueRef> = {};
  for (const field of IMPORT_PAYLOAD_FIELDS[eventType]) {
    const explicit = explicitPayload[field];
    const ref =
      typeof explicit === 'string' || (typeof explicit === 'object' && !Array.isArray(explicit))
        ? (explicit as ValueRef)
        : byConvention.get(`payload.${field}`);
    if (ref !== undefined) payload[field] = ref;
  }

  const used = new Set(
    [
      messageId,
      refColumn(occurredAt),
      ...identities.map(([, c]) => c),
      ...traits.map(([, r]) => refColumn(r)),
      ...Object.values(payload).map(refColumn),
    ].filter((c): c is string => c !== undefined),
  );
  const restField = REST_FIELD[eventType];
  const restSpec = restField ? explicitPayload[restField] : undefined;
  const rest = !restField
    ? []
    : Array.isArray(restSpec)
      ? [...(restSpec as readonly string[])]
      : headers.filter((h) => !used.has(h));

  const known = new Set(headers);
  const problems = [...used, ...rest]
    .filter((c) => !known.has(c))
    .map((c) => `column '${c}' is not in the file (headers: ${headers.join(', ')})`);
  if (identities.length === 0)
    problems.push(
      mapping
        ? 'the mapping names no identity column'
        : `no header is an identity by the default convention (headers: ${headers.join(', ')}); pass --mapping`,
    );
  if (problems.length > 0) throw new ImportMappingError([...new Set(problems)]);
  return { type: eventType, messageId, occurredAt, identities, traits, payload, rest };
};

/** One line per mapped field, `phone ← 手机号`, for the import's opening message. */
export const describeMapping = (m: ResolvedImportMapping): string[] => {
  const show = (ref: ValueRef) => (typeof ref === 'string' ? ref : JSON.stringify(ref.value));
  const restField = REST_FIELD[m.type];
  return [
    `type ${m.type}`,
    `messageId ← ${m.messageId ?? '(file and row number)'}`,
    `occurredAt ← ${m.occurredAt === undefined ? '(import time)' : show(m.occurredAt)}`,
    ...m.identities.map(([k, c]) => `identities.${k} ← ${c}`),
    ...m.traits.map(([k, r]) => `traits.${k} ← ${show(r)}`),
    ...Object.entries(m.payload).map(([k, r]) => `payload.${k} ← ${show(r)}`),
    ...(restField ? [`payload.${restField} ← ${m.rest.length > 0 ? m.rest.join(', ') : '(none)'}`] : []),
  ];
};

/** The envelope a row becomes: a channel envelope v1 in shape, not yet validated (the cleaning stage does). */
export type ImportEnvelope = {
  readonly specVersion: typeof CHANNEL_ENVELOPE_SPEC_VERSION;
  readonly messageId: string;
  readonly type: ImportEventType;
  readonly source: string;
  readonly channel: 'import';
  readonly occurredAt: string;
  readonly identities: Partial<Record<IdentityKey, string>> & { custom?: Record<string, string> };
  readonly traits?: Record<string, string | Record<string, string>>;
  readonly payload: Record<string, unknown>;
  readonly context: { readonly import: { readonly fileId: string; readonly row: number } };
};

export type RowContext = {
  /** The source name every row is attributed to. */
  readonly source: string;
  readonly mapping: ResolvedImportMapping;
  /** A digest of the file (path, size, modification time), so a re-run yields the same message ids. */
  readonly fileId: string;
  /** 1-based position of the data row (the header row not counted). */
  readonly rowNumber: number;
  /** When the import started (ISO-8601): the event time of rows without one. */
  readonly importedAt: string;
};

const MAX_MESSAGE_ID = 128;

// cyrb53 (public domain): a fast, pure string hash; two seeds give 106 bits for over-long ids.
const cyrb53 = (s: string, seed: number): string => {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
};

/**
 * The message id of a row: `<source>:<id column>` when the mapping names an id column and the row has a
 * value (stable across files), else `<source>:<fileId>-row-<n>` (stable across re-runs of the same file).
 * Namespaced by source because the cleaning stage de-duplicates on the message id across all sources.
 */
export const importMessageId = (
  source: string,
  fileId: string,
  rowNumber: number,
  id: string | undefined,
): string => {
  if (id === undefined) return `${source}:${fileId}-row-${rowNumber}`;
  const plain = `${source}:${id}`;
  return plain.length <= MAX_MESSAGE_ID ? plain : `${source}:h-${cyrb53(id, 1)}${cyrb53(id, 2)}`;
};

const TRUE_WORDS = new Set(['true', 'yes', 'y', '1', '是', '对', 'x', '✓']);
const FALSE_WORDS = new Set(['false', 'no', 'n', '0', '否', '不是']);

const definedEntries = (entries: readonly (readonly [string, unknown])[]): Record<string, unknown> =>
  Object.fromEntries(entries.filter((e) => e[1] !== undefined));

/**
 * Turns one row into a channel envelope (channel `import`). Pure and total: never throws. Values are
 * copied raw; an empty or blank cell counts as absent, so an empty phone column is no identity.
 */
export const rowToEnvelope = (row: Readonly<Record<string, string>>, ctx: RowContext): ImportEnvelope => {
  const m = ctx.mapping;
  const cell = (column: string | undefined): string | undefined => {
    if (column === undefined) return undefined;
    const v = Object.hasOwn(row, column) ? row[column] : undefined;
    return typeof v === 'string' && v.trim() !== '' ? v : undefined;
  };
  const read = (ref: ValueRef | undefined): string | undefined =>
    ref === undefined ? undefined : typeof ref === 'string' ? cell(ref) : ref.value;

  const identities: ImportEnvelope['identities'] = {};
  const customIds: Record<string, string> = {};
  for (const [k, column] of m.identities) {
    const v = cell(column);
    if (v === undefined) continue;
    if (k.startsWith('custom:')) customIds[k.slice(7)] = v;
    else identities[k as IdentityKey] = v;
  }
  if (Object.keys(customIds).length > 0) identities.custom = customIds;

  const traits: Record<string, string | Record<string, string>> = {};
  const customTraits: Record<string, string> = {};
  for (const [k, ref] of m.traits) {
    const v = read(ref);
    if (v === undefined) continue;
    if (k.startsWith('custom:')) customTraits[k.slice(7)] = v;
    else traits[k] = v;
  }
  if (Object.keys(customTraits).length > 0) traits.custom = customTraits;

  const id = cell(m.messageId)?.trim();
  const messageId = importMessageId(ctx.source, ctx.fileId, ctx.rowNumber, id);
  const p = (field: string) => read(m.payload[field]);
  const rest = () => definedEntries(m.rest.map((c) => [c, cell(c)] as const));

  const payload = ((): Record<string, unknown> => {
    switch (m.type) {
      case 'third-party.record':
        return {
          provider: p('provider') ?? ctx.source,
          recordType: p('recordType') ?? 'import-row',
          attributes: rest(),
        };
      case 'pos.purchase': {
        const quantity = p('quantity');
        const unitPrice = p('unitPrice');
        return definedEntries([
          ['orderId', p('orderId')],
          ['storeId', p('storeId')],
          [
            'items',
            [
              definedEntries([
                ['sku', p('sku')],
                ['name', p('itemName')],
                ['category', p('category')],
                // One unit when the file has no quantity column: a row is then one item bought.
                ['quantity', quantity ?? (m.payload.quantity === undefined ? '1' : undefined)],
                ['unitPrice', unitPrice],
              ]),
            ],
          ],
          [
            'total',
            definedEntries([
              // A single unit's price is the order's amount; anything else needs an amount column.
              ['amount', p('amount') ?? (m.payload.quantity === undefined ? unitPrice : undefined)],
              ['currency', p('currency')],
            ]),
          ],
          ['paymentMethod', p('paymentMethod')],
          ['discount', p('discount')],
        ]);
      }
      case 'call-centre.contact': {
        const complaint = p('complaint');
        const word = complaint?.trim().toLowerCase();
        return definedEntries([
          ['contactId', p('contactId') ?? id ?? messageId],
          ['direction', p('direction')?.trim().toLowerCase()],
          ['reason', p('reason')],
          ['durationSeconds', p('durationSeconds')],
          ['agentId', p('agentId')],
          ['outcome', p('outcome')],
          // A spreadsheet has no booleans; an unrecognised word stays raw, so the schema refuses it visibly.
          [
            'complaint',
            word === undefined
              ? undefined
              : TRUE_WORDS.has(word)
                ? true
                : FALSE_WORDS.has(word)
                  ? false
                  : complaint,
          ],
          ['transcriptSummary', p('transcriptSummary')],
        ]);
      }
      case 'app.event':
        return definedEntries([
          ['name', p('name')],
          ['screen', p('screen')],
          ['properties', rest()],
        ]);
      case 'mini-program.event':
        return definedEntries([
          ['name', p('name')],
          ['appId', p('appId')],
          ['page', p('page')],
          ['properties', rest()],
        ]);
    }
  })();

  return {
    specVersion: CHANNEL_ENVELOPE_SPEC_VERSION,
    messageId,
    type: m.type,
    source: ctx.source,
    channel: 'import',
    occurredAt: read(m.occurredAt) ?? ctx.importedAt,
    identities,
    ...(Object.keys(traits).length > 0 ? { traits } : {}),
    payload,
    context: { import: { fileId: ctx.fileId, row: ctx.rowNumber } },
  };
};
