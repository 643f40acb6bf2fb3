/**
 * `npm run bench -- <name>`: prints measured figures. Benchmarks print numbers; tests assert behaviour.
 * With no name, lists the benchmarks.
 */

import { apiBench } from './api.bench.ts';
import { e2eBench } from './e2e.bench.ts';
import { eventPatternBench } from './event-pattern.bench.ts';
import { identityBench } from './identity.bench.ts';
import { ingestBench } from './ingest.bench.ts';
import { localStackBench } from './local-stack.bench.ts';
import { modelsBench } from './models.bench.ts';
import { piiVaultBench } from './pii-vault.bench.ts';

export type Bench = { readonly summary: string; readonly run: () => Promise<void> };

const benches: Readonly<Record<string, Bench>> = {
  e2e: e2eBench,
  api: apiBench,
  ingest: ingestBench,
  patterns: eventPatternBench,
  local: localStackBench,
  identity: identityBench,
  pii: piiVaultBench,
  models: modelsBench,
};

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const names = process.argv.slice(2);
if (names.length === 0) {
  console.log('Usage: npm run bench -- <name> [<name> …] | all\n');
  for (const [name, b] of Object.entries(benches)) console.log(`  ${name.padEnd(10)} ${b.summary}`);
  process.exit(0);
}
for (const name of names[0] === 'all' ? Object.keys(benches) : names) {
  const bench = benches[name];
  if (!bench) {
    console.error(`Unknown benchmark '${name}'; known: ${Object.keys(benches).join(', ')}`);
    process.exit(2);
  }
  console.log(`\n== ${name}: ${bench.summary}`);
  await bench.run();
}
process.exit(0);
