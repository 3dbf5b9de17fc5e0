/** @module The example workflows and the activities the engine's own Worker runs. */
import { approval, approvalActivities } from "./approval";
import { chain, chainActivities } from "./chain";
import { fanOut, fanOutActivities, fanOutChild } from "./fan-out";
import { greeting } from "./greeting";
import { loanActivities, loanApplication } from "./loan-application";
import { orderActivities, orderSaga } from "./order-saga";
import { report, reportActivities } from "./report";
import { sleepActivities, sleepActivity } from "./sleep-activity";
import { steps, stepsActivities } from "./steps";
import { stuckLocal, stuckLocalActivities } from "./stuck-local";
import { wideActivities, wideActivitiesActivities } from "./wide-activities";

export const exampleWorkflows = [
  loanApplication,
  steps,
  greeting,
  approval,
  orderSaga,
  fanOut,
  fanOutChild,
  chain,
  wideActivities,
  stuckLocal,
  sleepActivity,
  report,
];
export const exampleActivities = {
  ...loanActivities,
  ...stepsActivities,
  ...approvalActivities,
  ...orderActivities,
  ...fanOutActivities,
  ...chainActivities,
  ...wideActivitiesActivities,
  ...stuckLocalActivities,
  ...sleepActivities,
  ...reportActivities,
};
