import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { memoryAuditLog } from '../../../shared/adapters/s3/audit-log.store.ts';
import { type CustomerProfile, emptyProfile } from '../../../shared/domain/profile/customer-profile.ts';
import { DEFAULT_PROFILE_CONFIG } from '../../../shared/domain/profile/profile.updater.ts';
import type { EditProfilePorts } from '../../../shared/use-cases/profile/edit-profile.use-case.ts';
import { ProfileOfErasedCustomerError } from '../../../shared/use-cases/profile/update-profile.use-case.ts';

type Module = typeof import('../../../functions/profile/edit-customer.api.ts');

const AT = '2026-05-01T08:00:00.000Z';

const request = (
  init: { role?: string; body?: unknown; id?: string; ifMatch?: string } = {},
): APIGatewayProxyEventV2WithJWTAuthorizer =>
  ({
    version: '2.0',
    routeKey: 'PATCH /customers/{id}',
    rawPath: `/customers/${init.id ?? 'cus_1'}`,
    headers: {
      'content-type': 'application/json',
      'x-c360-purpose': 'customer-support',
      ...(init.ifMatch === undefined ? {} : { 'if-match': init.ifMatch }),
    },
    pathParameters: { id: init.id ?? 'cus_1' },
    body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body ?? {}),
    isBase64Encoded: false,
    requestContext: {
      requestId: 'req-1',
      authorizer: {
        jwt: { claims: { sub: 'agent-7', 'cognito:groups': `[${init.role ?? 'service'}]` }, scopes: [] },
      },
    },
  }) as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;

const setUp = async (mod: Module, opts: { readonly erasedBeforeSave?: boolean } = {}) => {
  let profile: CustomerProfile | undefined = {
    ...emptyProfile('cus_1', AT),
    version: 7,
    traits: {
      name: { value: '李娜', source: 'pos-sh', channel: 'pos', eventId: 'e1', occurredAt: AT },
    },
  };
  const ports: EditProfilePorts = {
    customer: async (id) => (id === 'cus_1' ? {} : undefined),
    profiles: {
      load: async (id) => (id === 'cus_1' ? profile : undefined),
      save: async (change) => {
        if (opts.erasedBeforeSave) throw new ProfileOfErasedCustomerError(change.profile.customerId);
        if (profile?.version !== change.expectedVersion) return false;
        profile = change.profile;
        return true;
      },
    },
  };
  const audit = memoryAuditLog();
  const handler = mod.editCustomerHandler({
    ports,
    audit,
    settings: { profile: DEFAULT_PROFILE_CONFIG, defaultRegion: 'CN' },
    now: () => AT,
  });
  const entries = async () =>
    (await audit.query({ from: '2000-01-01T00:00:00.000Z', to: '2100-01-01T00:00:00.000Z', limit: 10 }))
      .entries;
  return { handler, entries };
};
const json = (body: string | undefined) => JSON.parse(body ?? 'null');

describe('Function: edit customer (PATCH /customers/{id})', () => {
  let mod: Module;
  beforeAll(async () => {
    // The module wires its adapters at load (no network until called): give it the environment it expects.
    vi.stubEnv('CUSTOMER_TABLE_NAME', 'c360-test');
    vi.stubEnv('C360_PII_KEY_ID', 'local');
    vi.stubEnv('C360_LOCAL_PII_WRAPPING_KEY', randomBytes(32).toString('base64'));
    vi.stubEnv('AUDIT_QUEUE_URL', 'http://127.0.0.1:1/queue/audit-test');
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    mod = await import('../../../functions/profile/edit-customer.api.ts');
  });

  it('changes a trait, answers the new version as ETag and audits the change by field name', async () => {
    // Prepare
    const { handler, entries } = await setUp(mod);

    // Act
    const res = await handler(request({ body: { traits: { address: '漕溪北路88号' } }, ifMatch: '"7"' }));

    // Assess
    expect(res.statusCode).toBe(200);
    expect(res.headers?.etag).toBe('"8"');
    expect(json(res.body)).toMatchObject({
      customerId: 'cus_1',
      version: 8,
      changed: ['address'],
      traits: { address: { value: '漕溪北路88号', source: 'manual', channel: 'manual', updatedAt: AT } },
    });
    expect(await entries()).toEqual([
      expect.objectContaining({
        action: 'customer.update',
        resource: { type: 'customer', id: 'cus_1' },
        fields: ['address'],
        actor: { subject: 'agent-7', roles: ['service'] },
        purpose: 'customer-support',
      }),
    ]);
  });

  it('answers 403 naming a personal field the caller sees masked, and writes nothing', async () => {
    const { handler, entries } = await setUp(mod);

    const res = await handler(request({ role: 'sales', body: { traits: { name: '李那' } } }));

    expect(res.statusCode).toBe(403);
    expect(res.headers?.['content-type']).toBe('application/problem+json');
    expect(json(res.body)).toMatchObject({
      status: 403,
      fields: ['name'],
      detail: expect.stringContaining('name'),
    });
    expect(await entries()).toEqual([]);
  });

  it('answers 403 to a role without customers:write', async () => {
    const { handler } = await setUp(mod);

    const res = await handler(request({ role: 'marketing', body: { tags: { add: ['x'] } } }));

    expect(res.statusCode).toBe(403);
  });

  it('answers 412 with the current ETag to a stale, weak or unreadable If-Match', async () => {
    const { handler, entries } = await setUp(mod);

    for (const ifMatch of ['"6"', 'W/"7"', 'seven', '']) {
      const res = await handler(request({ body: { tags: { add: ['vip'] } }, ifMatch }));
      expect(res.statusCode, ifMatch).toBe(412);
      expect(res.headers?.etag).toBe('"7"');
      expect(json(res.body)).toMatchObject({ status: 412 });
    }
    const anyVersion = await handler(request({ body: { tags: { add: ['vip'] } }, ifMatch: '*' }));
    expect(anyVersion.statusCode).toBe(200);
    expect(await entries()).toHaveLength(1);
  });

  it('answers 400 with field errors to a bad body or value, 404 to an unknown customer, 409 to a computed tag', async () => {
    const { handler } = await setUp(mod);

    const notJson = await handler(request({ body: '{' }));
    const empty = await handler(request({ body: {} }));
    const badName = await handler(request({ body: { traits: { plan: 'gold' } } }));
    const badValue = await handler(request({ body: { traits: { birthday: 'tomorrow' } } }));
    const unknown = await handler(request({ id: 'cus_2', body: { tags: { add: ['vip'] } } }));
    const computed = await handler(request({ body: { tags: { remove: ['has-phone'] } } }));

    expect([notJson, empty, badName, badValue].map((r) => r.statusCode)).toEqual([400, 400, 400, 400]);
    expect(json(badValue.body)).toMatchObject({ errors: [{ pointer: '/body/traits/birthday' }] });
    expect(unknown.statusCode).toBe(404);
    expect(computed.statusCode).toBe(409);
    expect(json(computed.body)).toMatchObject({ field: 'tags.has-phone' });
  });

  it('answers 404, as for any erased customer, when an erasure lands between the read and the write', async () => {
    const { handler, entries } = await setUp(mod, { erasedBeforeSave: true });

    const res = await handler(request({ body: { traits: { address: '漕溪北路88号' } }, ifMatch: '"7"' }));

    expect(res.statusCode).toBe(404);
    expect(res.headers?.['content-type']).toBe('application/problem+json');
    expect(await entries()).toEqual([]);
  });

  it('does not audit an edit that changes nothing', async () => {
    const { handler, entries } = await setUp(mod);

    const res = await handler(request({ body: { traits: { name: '李娜' } } }));

    expect(res.statusCode).toBe(200);
    expect(json(res.body)).toMatchObject({ version: 7, changed: [] });
    expect(await entries()).toEqual([]);
  });
});
