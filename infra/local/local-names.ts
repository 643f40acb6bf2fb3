import type { ResourceNames } from '../definitions/function-environment.ts';
import type { ResourceDefinitions } from '../definitions/resource.types.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './local-clients.ts';

/** Physical names on the local stack: `c360-<stage>-<definition id>`, lower-case where AWS requires it. */
export const localName = (stage: string, id: string): string => `c360-${stage}-${id}`;
export const localBucketName = (stage: string, id: string): string => localName(stage, id).toLowerCase();

export const localArn = (service: string, resource: string): string =>
  `arn:aws:${service}:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${resource}`;

/** Names as handlers see them; queue URLs are only known once the queues exist. */
export const localResourceNames = (
  stage: string,
  defs: ResourceDefinitions,
  queueUrls: ReadonlyMap<string, string>,
): ResourceNames => ({
  table: localName(stage, defs.table.id),
  bus: localName(stage, defs.bus.id),
  blindIndexKey: 'local',
  piiKey: 'local',
  stream: (id) => localName(stage, id),
  bucket: (id) => localBucketName(stage, id),
  queueUrl: (id) => {
    const url = queueUrls.get(id);
    if (!url) throw new Error(`Queue ${id} has not been created`);
    return url;
  },
});
