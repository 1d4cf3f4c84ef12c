import type { z } from 'zod';

/** A request's first validation problem as one line, and the field (dotted path) it is about, when there is one. */
export interface RequestIssue {
  field?: string;
  message: string;
}

/**
 * The first issue zod found, worded for a caller: `field: message`, and an unknown field named as such
 * (`unknown field "k"`, whose field is the key itself). Both HTTP servers answer it as their 400.
 */
export function firstIssue(error: z.ZodError): RequestIssue {
  const [issue] = error.issues;
  const unknown = issue.code === 'unrecognized_keys';
  const field = (unknown ? [...issue.path, issue.keys.join(',')] : issue.path).join('.');
  const message = unknown ? `unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')}` : issue.message;
  return { ...(field && { field }), message: field && !message.includes(field) ? `${field}: ${message}` : message };
}
