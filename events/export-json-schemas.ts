import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EVENT_CONTRACTS, renderJsonSchemaFiles, toJsonSchema } from './registry.ts';
import { schemaShape } from './schema-compatibility.checker.ts';

/*
 * Writes events/schemas/<name>.v<version>.json from the zod contracts in events/registry.ts.
 * Run after any contract change: `npx tsx events/export-json-schemas.ts`. Idempotent; files of contracts
 * no longer in the registry are removed. test/contract/schema-compatibility.test.ts fails until it is run.
 *
 * `--update-baselines` also rewrites the compatibility baselines in test/contract/baselines/. Do that only
 * for a reviewed additive change: the baseline is what v1 promised, and the test compares against it.
 */

const eventsDir = dirname(fileURLToPath(import.meta.url));
const schemasDir = join(eventsDir, 'schemas');

const files = renderJsonSchemaFiles();
await mkdir(schemasDir, { recursive: true });
const wanted = new Set(files.map((f) => join(eventsDir, f.fileName)));
for (const name of await readdir(schemasDir)) {
  const path = join(schemasDir, name);
  if (name.endsWith('.json') && !wanted.has(path)) await rm(path);
}
for (const f of files) await writeFile(join(eventsDir, f.fileName), f.content);
console.log(`wrote ${files.map((f) => f.fileName).join(', ')}`);

if (process.argv.includes('--update-baselines')) {
  const baselinesDir = join(eventsDir, '..', 'test', 'contract', 'baselines');
  await mkdir(baselinesDir, { recursive: true });
  for (const c of EVENT_CONTRACTS) {
    const shape = schemaShape(toJsonSchema(c));
    await writeFile(
      join(baselinesDir, `${c.name}.v${c.version}.shape.json`),
      `${JSON.stringify(shape, null, 2)}\n`,
    );
  }
  console.log(`updated baselines in ${baselinesDir}`);
}
