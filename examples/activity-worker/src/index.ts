/** @module The example activity Worker: consumes the "notifications" task queue and reports to the engine. */
import { createActivityWorker } from "sundial/activity";
import { composeGreeting, sendNotification } from "./activities";

export default createActivityWorker({ activities: { composeGreeting, sendNotification } });
