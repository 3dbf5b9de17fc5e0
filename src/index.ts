/** @module The engine Worker of `wrangler.toml`: Sundial serving the example workflows. */
import { exampleActivities, exampleWorkflows } from "../examples/index";
import { createSundial } from "./engine";

const sundial = createSundial({ workflows: exampleWorkflows, activities: exampleActivities });

export const { WorkflowExecution, ScheduleObject, SundialService } = sundial;
export default sundial.handler;
