// RFC 9457 problems as the UI handles them: one error class for every failed API call, with the server's
// per-field `errors` kept so a form can show each message next to the field it names.

export interface FieldError {
  field: string;
  message: string;
}

export class ApiProblem extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly errors: FieldError[];

  constructor(status: number, title: string, detail: string, errors: FieldError[] = []) {
    super(detail || title);
    this.name = 'ApiProblem';
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.errors = errors;
  }

  /** The messages for `field` exactly (e.g. `name`, `rule.rules[1].value`). */
  messagesFor(field: string): string[] {
    return this.errors.filter((e) => e.field === field).map((e) => e.message);
  }

  /** Field errors whose path is `prefix` or lies under it (`rule` → `rule.rules[0].value`). */
  under(prefix: string): FieldError[] {
    return this.errors.filter(
      (e) => e.field === prefix || e.field.startsWith(`${prefix}.`) || e.field.startsWith(`${prefix}[`),
    );
  }
}

function isFieldError(value: unknown): value is FieldError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as FieldError).field === 'string' &&
    typeof (value as FieldError).message === 'string'
  );
}

/** Builds an ApiProblem from a response status and whatever body came with it. */
export function toProblem(status: number, body: unknown, statusText = ''): ApiProblem {
  if (typeof body === 'object' && body !== null) {
    const b = body as Record<string, unknown>;
    const errors = Array.isArray(b.errors) ? b.errors.filter(isFieldError) : [];
    const title = typeof b.title === 'string' ? b.title : statusText || `HTTP ${status}`;
    const detail = typeof b.detail === 'string' ? b.detail : title;
    return new ApiProblem(status, title, detail, errors);
  }
  if (typeof body === 'string' && body.trim() !== '') {
    return new ApiProblem(status, statusText || `HTTP ${status}`, body.trim().slice(0, 300));
  }
  return new ApiProblem(
    status,
    statusText || `HTTP ${status}`,
    status === 0 ? 'The server cannot be reached.' : `The server answered ${status}.`,
  );
}

/** A one-line message for any error a query or mutation can throw. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiProblem) {
    if (error.errors.length > 0 && error.status === 422) {
      return error.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
    }
    return error.detail;
  }
  if (error instanceof Error) {
    if (error.name === 'AbortError') return 'Cancelled.';
    return error.message;
  }
  return String(error);
}
