/**
 * @module The verdict on one workflow of `npm run chaos`: lost (its start was acknowledged and it is
 * gone), stuck (not closed by the deadline), duplicated (an effect recorded more than once: an
 * activity completed twice, a child started twice, a signal or update applied twice, a chain with
 * extra runs) or wrong (bad result, broken history).
 */

async function historyOf(call, id, runId) {
  const events = [];
  let token = null;
  do {
    const q = new URLSearchParams({ limit: "1000" });
    if (runId) q.set("runId", runId);
    if (token) q.set("nextPageToken", token);
    const page = await call("GET", `/workflows/${encodeURIComponent(id)}/history?${q}`);
    if (page.status !== 200)
      throw new Error(`history ${id}: ${page.status} ${JSON.stringify(page.body)}`);
    events.push(...page.body.events);
    token = page.body.nextPageToken;
  } while (token);
  return events;
}

/** Each activity (by seq) scheduled at most once and completed at most once; none left open. */
function activityProblems(events) {
  const scheduled = new Map();
  const closed = new Map();
  for (const e of events) {
    const seq = e.attributes?.seq;
    if (e.eventType === "ActivityTaskScheduled") scheduled.set(seq, (scheduled.get(seq) ?? 0) + 1);
    if (/^ActivityTask(Completed|Failed|TimedOut|Canceled)$/.test(e.eventType)) {
      // Failed/TimedOut attempts that are retried do not close the activity; only count completions.
      if (e.eventType === "ActivityTaskCompleted") closed.set(seq, (closed.get(seq) ?? 0) + 1);
    }
  }
  const twice = [...scheduled, ...closed].filter(([, n]) => n > 1).map(([seq]) => seq);
  return { twice, completed: [...closed.values()].reduce((a, b) => a + b, 0) };
}

function contiguous(events) {
  return events.every((e, i) => e.eventId === i + 1);
}

export async function checkWorkflow(w, expect, { call, deadline, started }) {
  const verdict = { lost: null, stuck: null, duplicated: null, wrong: null };
  const path = `/workflows/${encodeURIComponent(w.id)}`;
  if (!started.has(w.id)) return verdict; // never acknowledged: the driver reports it as refused
  let closed;
  for (;;) {
    const left = Math.ceil((deadline - Date.now()) / 1000);
    const res = await call("GET", `${path}/result?wait=${Math.max(1, Math.min(30, left))}s`);
    if (res.status === 404) {
      verdict.lost = `${w.id}: 404 ${JSON.stringify(res.body)}`;
      return verdict;
    }
    if (res.status === 200) {
      closed = res.body;
      break;
    }
    if (left <= 0) {
      const d = await call("GET", path);
      verdict.stuck = `${w.id}: ${JSON.stringify(d.body).slice(0, 600)}`;
      return verdict;
    }
  }
  if (closed.status !== "Completed" || !expect.result(closed.result)) {
    verdict.wrong = `${w.id} (${JSON.stringify(w.input)}): ${JSON.stringify(closed).slice(0, 400)} ${w.notes.join("; ")}`;
  }
  const desc = (await call("GET", path)).body;
  const events = await historyOf(call, w.id, desc.runId);
  const problems = [];
  const dup = [];
  if (!contiguous(events)) problems.push("event ids not contiguous");
  const acts = activityProblems(events);
  if (acts.twice.length) dup.push(`activity seq ${acts.twice.join(",")} recorded twice`);
  if (expect.activities !== undefined && acts.completed !== expect.activities) {
    (acts.completed > expect.activities ? dup : problems).push(
      `${acts.completed} activities completed, want ${expect.activities}`,
    );
  }
  for (const type of expect.once ?? []) {
    const n = events.filter((e) => e.eventType === type).length;
    if (n > 1) dup.push(`${type} ×${n}`);
    if (n < 1) problems.push(`${type} missing`);
  }
  if (expect.children !== undefined) {
    const initiated = events.filter(
      (e) => e.eventType === "StartChildWorkflowExecutionInitiated",
    ).length;
    const done = events.filter((e) => e.eventType === "ChildWorkflowExecutionCompleted").length;
    if (initiated > expect.children || done > expect.children)
      dup.push(`children ${initiated}/${done}`);
    else if (initiated < expect.children || done < expect.children)
      problems.push(`children ${initiated}/${done}, want ${expect.children}`);
    for (let i = 0; i < expect.children; i++) {
      const child = await historyOf(call, `${w.id}-item-${i}`);
      const c = activityProblems(child);
      if (!contiguous(child)) problems.push(`child ${i}: ids not contiguous`);
      if (c.twice.length || c.completed > 1) dup.push(`child ${i}: activity twice`);
    }
  }
  if (expect.runs !== undefined) {
    // Walk the chain back from the newest run: exactly `runs` runs, each continued once.
    let runs = 1;
    let first = events[0];
    while (first?.attributes?.continuedExecutionRunId) {
      runs += 1;
      const prev = await historyOf(call, w.id, first.attributes.continuedExecutionRunId);
      if (!contiguous(prev)) problems.push(`run ${runs}: ids not contiguous`);
      if (activityProblems(prev).twice.length) dup.push(`run ${runs}: activity twice`);
      first = prev[0];
      if (runs > expect.runs) break;
    }
    if (runs > expect.runs) dup.push(`${runs} runs, want ${expect.runs}`);
    if (runs < expect.runs) problems.push(`${runs} runs, want ${expect.runs}`);
  }
  if (dup.length) verdict.duplicated = `${w.id}: ${dup.join("; ")}`;
  if (problems.length) verdict.wrong = `${verdict.wrong ?? w.id}: ${problems.join("; ")}`;
  return verdict;
}
