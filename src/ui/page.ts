/**
 * @module The web UI of API.md: an HTML shell at `/` (and `/workflows/{id}`, with or without
 * `/namespaces/{namespace}` in front) plus one script and one stylesheet, all served by the engine
 * Worker itself. The browser code (client.ts) talks only to the JSON API under /api/v1.
 */
import type { Context, Hono } from "hono";
import type { EngineEnv } from "../config";
import { clientScript } from "./client";
import { styles } from "./styles";

type AppEnv = { Bindings: EngineEnv };

const FAVICON =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Ccircle cx='8' cy='8' r='7' fill='%23f7a928'/%3E%3C/svg%3E";

/** The shell: everything else is drawn by /ui/app.js. No user data is rendered on the server. */
export const pageHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sundial</title>
<link rel="icon" href="${FAVICON}">
<link rel="stylesheet" href="/ui/app.css">
<script type="module" src="/ui/app.js"></script>
</head>
<body>
<div id="app"><noscript>The Sundial UI needs JavaScript. The JSON API is at <a href="/api/v1/workflows">/api/v1</a>.</noscript></div>
</body>
</html>
`;

const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "cache-control": "no-cache",
};

/** True when the client asked for JSON and not for HTML (`curl -H 'accept: application/json' /`). */
export function wantsJson(accept: string | undefined): boolean {
  if (!accept) return false;
  return /application\/json/i.test(accept) && !/text\/html/i.test(accept);
}

function asset(body: string, contentType: string): Response {
  return new Response(body, { headers: { "content-type": contentType, ...SECURITY_HEADERS } });
}

function page(): Response {
  return new Response(pageHtml, {
    headers: { "content-type": "text/html; charset=utf-8", vary: "accept", ...SECURITY_HEADERS },
  });
}

/**
 * Registers the UI's routes on `app`. `index` answers `GET /` when the client wants JSON (the
 * engine's self-description); browsers get the page.
 */
export function uiRoutes(app: Hono<AppEnv>, index: (c: Context<AppEnv>) => Response): void {
  app.get("/ui/app.js", () => asset(clientScript, "text/javascript; charset=utf-8"));
  app.get("/ui/app.css", () => asset(styles, "text/css; charset=utf-8"));
  app.get("/", (c) => (wantsJson(c.req.header("accept")) ? index(c) : page()));
  app.get("/namespaces/:namespace", () => page());
  app.get("/namespaces/:namespace/", () => page());
  app.get("/workflows/:workflowId{.+}", () => page());
  app.get("/schedules", () => page());
  app.get("/schedules/:scheduleId{.+}", () => page());
  app.get("/namespaces/:namespace/schedules", () => page());
  app.get("/namespaces/:namespace/schedules/:scheduleId{.+}", () => page());
  app.get("/namespaces/:namespace/workflows/:workflowId{.+}", () => page());
}
