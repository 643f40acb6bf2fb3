// The stand-ins ship without type declarations; these cover the parts the local stack uses.
declare module 'kinesalite' {
  import type { Server } from 'node:http';

  const kinesalite: (options: Record<string, unknown>) => Server;
  export default kinesalite;
}
declare module 's3rver' {
  export default class S3rver {
    constructor(options: Record<string, unknown>);
    run(): Promise<{ address: string; port: number }>;
    close(): Promise<void>;
  }
}
