#!/usr/bin/env node
// The `sundial` command (package.json `bin`). The CLI is TypeScript sharing the typed client
// (sdk/client); tsx's loader runs it on plain Node 20+, with no build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("./main.ts");
process.exitCode = await main(process.argv.slice(2));
