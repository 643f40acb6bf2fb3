import { z } from 'zod';

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/**
 * Reads and validates a handler's environment once, at cold start: a missing binding fails the first
 * invocation loudly instead of the hundredth quietly.
 */
export const readEnv = <S extends z.ZodRawShape>(shape: S, source: NodeJS.ProcessEnv = process.env) => {
  const parsed = z.object(shape).safeParse(source);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
    throw new ConfigurationError(`Invalid or missing environment variables: ${fields}`);
  }
  return parsed.data;
};
