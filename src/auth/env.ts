/** @module The variables, secrets and bindings access control reads (all optional; see README "Security"). */

export interface AuthEnv {
  /** "required" or "disabled". Absent means required (a deployed engine); `npm run dev` sets "disabled". */
  SUNDIAL_AUTH?: string;
  /** Secret: the bootstrap admin key (admin on every namespace). Required when auth is required. */
  SUNDIAL_ADMIN_KEY?: string;
  /** Cloudflare Access team domain, e.g. `myteam.cloudflareaccess.com`. With SUNDIAL_ACCESS_AUD: Access sign-in. */
  SUNDIAL_ACCESS_TEAM_DOMAIN?: string;
  /** The Access application's audience tag. */
  SUNDIAL_ACCESS_AUD?: string;
  /** JSON: e-mail or group → `{"namespace", "role"}` (or a list of them). */
  SUNDIAL_ACCESS_ROLES?: string;
  /** JSON JWKS used instead of fetching `https://<team>/cdn-cgi/access/certs` (tests, offline). */
  SUNDIAL_ACCESS_JWKS?: string;
  /** Comma-separated origins allowed to call the API from a browser (CORS). Default: none. */
  SUNDIAL_CORS_ORIGINS?: string;
  /** Workers Rate Limiting binding, keyed by namespace. Absent: no limit. */
  SUNDIAL_RATE_LIMIT?: RateLimit;
  /** Seconds of the rate limit's period (the binding's `period`), sent as Retry-After. @default 60 */
  SUNDIAL_RATE_LIMIT_PERIOD?: string;
  /** The D1 database holding namespaces and keys (the visibility index's database). */
  VISIBILITY?: D1Database;
}
