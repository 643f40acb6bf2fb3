/**
 * `npm start`: the whole platform on this machine, on AWS-API stand-ins.
 *   --port <n>       HTTP API port (default 3000)
 *   --persist <dir>  keep data between runs (in memory by default)
 *   --no-demo        skip demo data
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_SOURCE, seedDemoData } from './demo/demo-data.seed.ts';
import { DEMO_SHOPPERS, seedDemoShoppers } from './demo/demo-shoppers.seed.ts';
import { LOCAL_ENDPOINTS_FILE } from './local-paths.ts';
import { startLocalStack } from './local-stack.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3000' },
    persist: { type: 'string' },
    demo: { type: 'boolean', default: true },
    'no-demo': { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
  allowNegative: true,
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a port number, got ${values.port}`);
  process.exit(2);
}

const started = Date.now();
console.log('c360 local: starting stand-ins…');
const stack = await startLocalStack({
  port,
  ...(values.persist ? { persistDir: resolve(values.persist) } : {}),
  // The weekly retrain runs at its rate, as in AWS (and once after the demo data, below).
  schedules: true,
  // Routes are throttled as in the dev stage (429 with Retry-After).
  throttle: true,
  log: values.verbose
    ? (line) => console.log(`  ${line}`)
    : (line) => (/error|fail|lost|discard/i.test(line) ? console.log(`  ${line}`) : undefined),
});

// The CLI (`npx c360 source create`, `import`, …) finds the running stack through this file.
mkdirSync(dirname(LOCAL_ENDPOINTS_FILE), { recursive: true });
writeFileSync(
  LOCAL_ENDPOINTS_FILE,
  JSON.stringify({
    endpoints: stack.endpoints,
    names: {
      table: stack.names.table,
      streams: Object.fromEntries(stack.definitions.streams.map((s) => [s.id, stack.names.stream(s.id)])),
      buckets: Object.fromEntries(stack.definitions.buckets.map((b) => [b.id, stack.names.bucket(b.id)])),
    },
  }),
);

const pad = (s: string, n: number) => s.padEnd(n);
console.log(
  `\nc360 local is up in ${((Date.now() - started) / 1000).toFixed(1)} s${values.persist ? ` (data in ${resolve(values.persist)})` : ' (in memory)'}\n`,
);
const width = Math.max(12, ...stack.services.map((s) => s.name.length));
for (const s of stack.services) console.log(`  ${pad(s.name, width)} ${pad(s.endpoint, 24)} ${s.standIn}`);
const row = (label: string, value: string) => console.log(`  ${pad(label, width)} ${value}`);
console.log('');
row('Functions', [...stack.functions.values()].map((f) => f.name).join(', '));
row('Table', stack.names.table);
row('Streams', stack.definitions.streams.map((s) => stack.names.stream(s.id)).join(', '));
row('Buckets', stack.definitions.buckets.map((b) => stack.names.bucket(b.id)).join(', '));
row('Bus', `${stack.names.bus} (${stack.definitions.rules.length} rule(s))`);
row('Workflows', [...stack.stateMachines.keys()].join(', '));
console.log(`\n  Try: curl ${stack.endpoints.api}/health`);
console.log('  Dev token: npx c360 token --role admin\n');

if (values.demo && !values['no-demo']) {
  const demo = await seedDemoData(stack);
  console.log(`  Demo source '${DEMO_SOURCE}', write key: ${demo.writeKey}`);
  console.log(`    curl -u '${demo.writeKey}:' -H 'content-type: application/json' \\`);
  console.log(`      -d '{"userId":"u-1","event":"Signed Up"}' ${stack.endpoints.api}/v1/track`);
  for (const line of demo.lines) console.log(`  Demo data: ${line}`);
  console.log(
    `  Demo shoppers: ${DEMO_SHOPPERS.loyal} loyal and ${DEMO_SHOPPERS.lapsed} lapsed members (a year of purchases) on their way; the models train once they land`,
  );
  console.log('');
  seedDemoShoppers(stack)
    .then((trained) =>
      console.log(
        trained
          ? `\n  Demo intelligence: model ${trained.version} on ${trained.customers} customers (churn ${trained.churn}, ${trained.segments} clusters); batch scoring ${trained.runId}.\n    Try: curl -H "authorization: Bearer $(npx c360 token --role marketing)" ${stack.endpoints.api}/segments\n`
          : '\n  Demo intelligence: the demo shoppers did not all land in time; models not trained.\n',
      ),
    )
    .catch((error: unknown) => console.log(`\n  Demo intelligence failed: ${String(error)}\n`));
}
console.log('Press Ctrl-C to stop.');

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping c360 local…`);
  rmSync(LOCAL_ENDPOINTS_FILE, { force: true });
  await stack.stop();
  console.log('stopped.');
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
