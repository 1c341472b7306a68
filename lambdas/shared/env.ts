import { en } from 'zod/locales';
import * as z from 'zod/mini';

/*
 * Environment schemas are built with zod/mini: they are read at cold start,
 * and zod's classic API costs more to load than a function's SDK client. The
 * classic API sets zod's English messages when it loads; mini leaves them to
 * the caller, and a variable that fails should say why ("Invalid URL").
 */
z.config(en());

/**
 * Reads the variables a function needs once, at cold start, and fails fast
 * with the name of every variable that is missing or malformed.
 */
export function readEnv<S extends z.core.$ZodObject>(schema: S, env: Readonly<Record<string, string | undefined>> = process.env): z.infer<S> {
  const result = z.safeParse(schema, env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`invalid environment: ${problems}`);
  }
  return result.data;
}

/** A positive whole number given as text. */
export const PositiveIntText = z.coerce.number().check(z.int(), z.positive());
