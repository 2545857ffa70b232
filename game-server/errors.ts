/** The one catalogue of error codes on the wire, and the error that carries one. */
export const Code = {
  OK: 200,
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  TOO_MANY_REQUESTS: 429,
  SERVER_ERROR: 500,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = Exclude<(typeof Code)[keyof typeof Code], 200>;

export type ErrorResponse = {
  code: ErrorCode;
  error: string;
};

/** Thrown by handlers and remotes; turned into `{ code, error }` in one place (`toErrorResponse`). */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** Anything thrown becomes a wire error; unknown faults are 500 and never leak their stack. */
export function toErrorResponse(err: unknown): ErrorResponse {
  if (err instanceof AppError) return { code: err.code, error: err.message };
  return { code: Code.SERVER_ERROR, error: 'internal server error' };
}
