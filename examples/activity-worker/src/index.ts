/** @module The example activity Worker: consumes the "notifications" task queue and reports to the engine. */
import { createActivityWorker } from "../../../sdk/activity/index";
import { composeGreeting, sendNotification } from "./activities";

export default createActivityWorker({ activities: { composeGreeting, sendNotification } });
