import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { c360OpenApiDocument } from '../../infra/definitions/route-docs.definition.ts';
import { suggestedMatchPage } from '../../shared/api/identity.schemas.ts';
import { qualityReportResult } from '../../shared/api/ingest.schemas.ts';
import { healthResult } from '../../shared/api/platform.schemas.ts';
import { auditPage, consentStateResult } from '../../shared/api/privacy.schemas.ts';
import { problemDetails } from '../../shared/api/problem.schema.ts';
import { segmentList } from '../../shared/api/scoring.schemas.ts';
import type { Role } from '../../shared/domain/access/access-policy.ts';
import { localStackSession } from '../helpers/local-stack.session.ts';

/** The API's description on the local stack: served as generated, and true to what the routes answer. */
describe('OpenAPI document on the local stack', () => {
  const { stack, token } = localStackSession();

  const call = async (role: Role | undefined, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${stack().endpoints.api}${path}`, {
      method,
      headers: {
        ...(role ? { authorization: `Bearer ${await token(role)}` } : {}),
        'content-type': 'application/json',
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as unknown };
  };

  it('serves the generated document at GET /openapi.json, without a token', async () => {
    const served = await call(undefined, 'GET', '/openapi.json');
    expect(served.status).toBe(200);
    expect(served.type).toBe('application/json');
    expect(served.body).toEqual(c360OpenApiDocument());
  });

  it('answers as the documented response schemas say', async () => {
    const conforms = async (schema: z.ZodType, role: Role | undefined, path: string) => {
      const answer = await call(role, 'GET', path);
      expect(answer.status, path).toBe(200);
      const parsed = schema.safeParse(answer.body);
      expect(parsed.error?.issues ?? [], path).toEqual([]);
    };
    await conforms(healthResult, undefined, '/health');
    await conforms(qualityReportResult, 'analyst', '/quality');
    await conforms(segmentList, 'marketing', '/segments');
    await conforms(consentStateResult, 'service', '/customers/cus_openapi_1/consents');
    await conforms(suggestedMatchPage, 'service', '/identity/suggested-matches');
    await conforms(auditPage, 'admin', '/audit?limit=5');
  });

  it('answers invalid input with problem+json whose errors point at the wrong fields', async () => {
    const cases = [
      { role: 'admin', method: 'GET', path: '/audit?limit=0', pointers: ['/query/limit'] },
      {
        role: 'service',
        method: 'GET',
        path: '/identity/suggested-matches?cursor=bm9wZQ',
        pointers: ['/query/cursor'],
      },
      {
        role: 'admin',
        method: 'POST',
        path: '/identity/suggested-matches/a~b/decision',
        body: { verdict: 'maybe', extra: true },
        pointers: ['/body/extra', '/body/verdict'],
      },
      { role: 'sales', method: 'GET', path: '/customers?email=a@example.com&phone=1', pointers: ['/query'] },
      { role: 'marketing', method: 'GET', path: '/segments/Not_Kebab/customers', pointers: ['/path/name'] },
      {
        role: 'service',
        method: 'POST',
        path: '/customers/cus_openapi_1/consents',
        body: { recordId: 'r-1', purpose: 'telepathy' },
        pointers: [
          '/body/channel',
          '/body/legalBasis',
          '/body/occurredAt',
          '/body/purpose',
          '/body/source',
          '/body/status',
        ],
      },
    ] as const;
    for (const c of cases) {
      const answer = await call(c.role, c.method, c.path, 'body' in c ? c.body : undefined);
      expect(answer.status, c.path).toBe(400);
      expect(answer.type, c.path).toBe('application/problem+json');
      const problem = problemDetails.parse(answer.body);
      expect(problem.errors?.map((e) => e.pointer).sort(), c.path).toEqual(c.pointers);
    }
  });

  it('pages through the suggested-match queue with limit and cursor: every pending pair once', async () => {
    // Arrange: five pending pairs straight into the table (matching is not what is tested here).
    const db = DynamoDBDocumentClient.from(stack().clients.dynamodb);
    const pairs = Array.from({ length: 5 }, (_, i) => `cus_page_${i}a|cus_page_${i}b`);
    for (const [i, pair] of pairs.entries()) {
      const suggestedAt = `2099-01-01T00:00:0${i}.000Z`;
      await db.send(
        new PutCommand({
          TableName: stack().names.table,
          Item: {
            pk: `SUGGEST#${pair}`,
            sk: 'SUGGEST',
            gsi1pk: 'SUGGESTED',
            gsi1sk: `pending#${suggestedAt}#${pair}`,
            pairKey: pair,
            customerId: `cus_page_${i}a`,
            candidateId: `cus_page_${i}b`,
            probability: 0.9,
            weight: 3,
            status: 'pending',
            suggestedAt,
            updatedAt: suggestedAt,
            explanation: { text: 'test' },
          },
        }),
      );
    }
    // Act
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const answer = await call(
        'admin',
        'GET',
        `/identity/suggested-matches?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(answer.status).toBe(200);
      const page = suggestedMatchPage.parse(answer.body);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((m) => m.pairKey));
      cursor = page.next;
      pages++;
    } while (cursor !== undefined && pages < 20);
    // Assess: newest first, each once, and the last page has no `next`.
    const ours = seen.filter((p) => p.startsWith('cus_page_'));
    expect(ours).toEqual([...pairs].reverse());
    expect(new Set(seen).size).toBe(seen.length);
    expect(cursor).toBeUndefined();
  });
});
