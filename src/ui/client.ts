/**
 * @module The web UI's browser code, served as `/ui/app.js` (see page.ts). Plain JS in a string, so
 * users build nothing. It only calls the JSON API under /api/v1, and builds every node with
 * createElement + textContent: user data (ids, payloads, failure messages) never goes through innerHTML.
 * The script is one classic-script scope joined from the fragments in ./client/ (order matters only
 * for the top-level `const`s the last line's call reaches); none may contain a backtick or a dollar
 * sign followed by a brace. test/unit/ui/client-script.test.ts checks that the join parses.
 */

import { actionsScript } from "./client/actions";
import { authScript } from "./client/auth";
import { baseScript } from "./client/base";
import { listPageScript } from "./client/list-page";
import { liveScript } from "./client/live";
import { schedulesPageScript } from "./client/schedules-page";
import { workflowPageScript } from "./client/workflow-page";

export const clientScript = [
  baseScript,
  listPageScript,
  workflowPageScript,
  liveScript,
  actionsScript,
  authScript,
  schedulesPageScript,
  "loadWhoAmI();\nif (route.scheduleId) schedulePage(route.scheduleId);\nelse if (route.schedules) schedulesListPage();\nelse if (route.workflowId) workflowPage(route.workflowId);\nelse listPage();\n",
].join("\n");
