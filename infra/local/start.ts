/**
 * `npm start`: the whole platform on this machine, on AWS-API stand-ins.
 *   --port <n>       HTTP API port (default 3000)
 *   --persist <dir>  keep data between runs (in memory by default)
 *   --no-demo        skip demo data
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { seedDemoData } from './demo/demo-data.seed.ts';
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
  log: values.verbose
    ? (line) => console.log(`  ${line}`)
    : (line) => (/error|fail|lost|discard/i.test(line) ? console.log(`  ${line}`) : undefined),
});

const pad = (s: string, n: number) => s.padEnd(n);
console.log(
  `\nc360 local is up in ${((Date.now() - started) / 1000).toFixed(1)} s${values.persist ? ` (data in ${resolve(values.persist)})` : ' (in memory)'}\n`,
);
for (const s of stack.services) console.log(`  ${pad(s.name, 12)} ${pad(s.endpoint, 24)} ${s.standIn}`);
console.log(`\n  Functions    ${[...stack.functions.values()].map((f) => f.name).join(', ')}`);
console.log(`  Table        ${stack.names.table}`);
console.log(`  Streams      ${stack.definitions.streams.map((s) => stack.names.stream(s.id)).join(', ')}`);
console.log(`  Buckets      ${stack.definitions.buckets.map((b) => stack.names.bucket(b.id)).join(', ')}`);
console.log(`  Bus          ${stack.names.bus} (${stack.definitions.rules.length} rule(s))`);
console.log(`\n  Try: curl ${stack.endpoints.api}/health`);
console.log('  Dev token: npx c360 token --role admin\n');

if (values.demo && !values['no-demo']) {
  const summary = await seedDemoData(stack);
  console.log(`  Demo data: ${summary}\n`);
}
console.log('Press Ctrl-C to stop.');

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping c360 local…`);
  await stack.stop();
  console.log('stopped.');
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
