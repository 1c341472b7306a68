import * as z from 'zod';

/**
 * Reads the variables a function needs once, at cold start, and fails fast
 * with the name of every variable that is missing or malformed.
 */
export function readEnv<S extends z.ZodObject>(schema: S, env: Readonly<Record<string, string | undefined>> = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`invalid environment: ${problems}`);
  }
  return result.data;
}

/** A positive whole number given as text. */
export const PositiveIntText = z.coerce.number().int().positive();
