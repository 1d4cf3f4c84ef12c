import { z } from 'zod';

/**
 * The settings a function needs from its environment (set by serverless.yml), checked when it starts handling an
 * event. Throws an Error naming the variable: a deployment without it is broken, not the event.
 */
export function readEnv<T extends z.ZodRawShape>(shape: T, env: NodeJS.ProcessEnv = process.env): z.infer<z.ZodObject<T>> {
  const parsed = z.object(shape).safeParse(env);
  if (parsed.success) return parsed.data;
  const [issue] = parsed.error.issues;
  throw new Error(`environment variable ${issue.path.join('.')}: ${issue.message}`);
}
