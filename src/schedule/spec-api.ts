/**
 * @module The spec engine's interface, as the schedule object uses it (src/schedule/spec/ is the
 * pure engine: cron, calendars, intervals, time zones, jitter). One import point, so the object and
 * the API do not depend on the engine's file layout.
 */
export {
  type CompiledSpec,
  compileSpec,
  describeSpec,
  jitterMs,
  nextNominalTime,
  nominalTimesBetween,
} from "./spec/index";
