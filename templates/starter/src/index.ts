/**
 * @module The Worker: Sundial serving this project's workflows. The export names matter:
 * wrangler.toml's `class_name`s are `WorkflowExecution` and `ScheduleObject`; activity Workers bind
 * `SundialService`.
 */
import { createSundial } from "sundial";
import * as activities from "./activities";
import { onboarding } from "./workflows";

const sundial = createSundial({
  workflows: [onboarding], // registered by name: a start names its workflowType
  activities: { ...activities }, // local activities and the "default" task queue's
});

export const { WorkflowExecution, ScheduleObject, SundialService } = sundial;
export default sundial.handler; // fetch: the HTTP API and web UI; queue: the default task queue
