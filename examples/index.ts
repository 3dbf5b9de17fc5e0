/** @module The example workflows and the activities the engine's own Worker runs. */
import { greeting } from "./greeting";
import { loanActivities, loanApplication } from "./loan-application";
import { steps, stepsActivities } from "./steps";

export const exampleWorkflows = [loanApplication, steps, greeting];
export const exampleActivities = { ...loanActivities, ...stepsActivities };
