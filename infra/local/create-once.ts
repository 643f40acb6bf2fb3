import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Reads a JSON file, creating it first if it does not exist — atomically: the content is written to a
 * temporary file and hard-linked into place, so two processes starting at once (parallel test workers,
 * `npm start` beside the CLI) agree on one content instead of overwriting each other.
 */
export const readOrCreateJson = async <T>(file: string, create: () => Promise<T> | T): Promise<T> => {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as T;
  const value = await create();
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, JSON.stringify(value), { mode: 0o600 });
  try {
    linkSync(tmp, file);
    return value;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } finally {
    unlinkSync(tmp);
  }
};
