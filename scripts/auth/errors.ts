// Errors as Supabase Auth answers them. Since API version 2024-01-01 (which supabase-js sends in
// `X-Supabase-Api-Version`) the body is `{ code, message }` with the machine-readable error code
// and the header echoed back; older clients get `{ code: <status>, error_code, msg }`.
// Codes and messages are Supabase Auth's own (internal/api/apierrors/errorcode.go and the handlers).

export const API_VERSION_HEADER = "x-supabase-api-version";
export const API_VERSION_2024 = "2024-01-01";

export class AuthError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const errors = {
  invalidCredentials: () => new AuthError(400, "invalid_credentials", "Invalid login credentials"),
  validation: (message: string) => new AuthError(400, "validation_failed", message),
  badJson: () => new AuthError(400, "bad_json", "Could not parse request body as JSON"),
  weakPassword: (min: number) =>
    new AuthError(422, "weak_password", `Password should be at least ${min} characters.`, { weak_password: { reasons: ["length"] } }),
  samePassword: () => new AuthError(422, "same_password", "New password should be different from the old password."),
  userAlreadyExists: () => new AuthError(422, "user_already_exists", "User already registered"),
  emailExists: () => new AuthError(422, "email_exists", "A user with this email address has already been registered"),
  signupDisabled: () => new AuthError(422, "signup_disabled", "Signups not allowed for this instance"),
  refreshTokenNotFound: () => new AuthError(400, "refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found"),
  refreshTokenAlreadyUsed: () => new AuthError(400, "refresh_token_already_used", "Invalid Refresh Token: Already Used"),
  refreshTokenRequired: () => new AuthError(400, "validation_failed", "refresh_token required"),
  /** An OAuth2 error: Supabase Auth answers it as `{ error, error_description }` in every API version. */
  unsupportedGrant: () => new AuthError(400, "unsupported_grant_type", "", { oauth: true }),
  noAuthorization: () => new AuthError(401, "no_authorization", "This endpoint requires a valid Bearer token"),
  badJwt: (detail: string) => new AuthError(403, "bad_jwt", `invalid JWT: unable to parse or verify signature, ${detail}`),
  missingSub: () => new AuthError(403, "bad_jwt", "invalid claim: missing sub claim"),
  userNotFound: () => new AuthError(403, "user_not_found", "User from sub claim in JWT does not exist"),
  sessionNotFound: () => new AuthError(403, "session_not_found", "Session from session_id claim in JWT does not exist"),
  notFound: () => new AuthError(404, "not_found", "Not Found"),
  methodNotAllowed: () => new AuthError(405, "method_not_allowed", "Method Not Allowed"),
  unexpected: () => new AuthError(500, "unexpected_failure", "Unexpected failure, please check server logs for more information"),
};

/** The error as JSON in the dialect the request asked for (never a stack trace). */
export function errorResponse(err: AuthError, req: Request, headers: HeadersInit = {}): Response {
  const h = new Headers(headers);
  if (err.extra.oauth) return Response.json({ error: err.code, error_description: err.message }, { status: err.status, headers: h });
  const modern = (req.headers.get(API_VERSION_HEADER) ?? "") >= API_VERSION_2024;
  if (modern) {
    h.set(API_VERSION_HEADER, API_VERSION_2024);
    return Response.json({ code: err.code, message: err.message, ...err.extra }, { status: err.status, headers: h });
  }
  return Response.json({ code: err.status, error_code: err.code, msg: err.message, ...err.extra }, { status: err.status, headers: h });
}
