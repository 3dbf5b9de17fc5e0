/**
 * @module The mixed load of `npm run chaos`: which workflows, their inputs, and what each must end
 * with. Every expectation is computed from the input alone, so "wrong" means the engine got it wrong.
 */

const KINDS = [
  ["steps", 0.3],
  ["loanApplication", 0.15],
  ["approval", 0.15],
  ["fanOut", 0.1],
  ["orderSaga", 0.15],
  ["chain", 0.15],
];

function pick(random) {
  let r = random();
  for (const [kind, share] of KINDS) {
    r -= share;
    if (r < 0) return kind;
  }
  return KINDS[0][0];
}

/** `n` workflows with ids unique to this run. */
export function planWorkflows(n, random) {
  const run = Math.floor(random() * 1e9).toString(36);
  return Array.from({ length: n }, (_, i) => {
    const type = pick(random);
    const id = `chaos-${run}-${i}-${type}`;
    const w = { id, type, input: null, notes: [] };
    if (type === "steps") w.input = { n: 2 + Math.floor(random() * 6) };
    if (type === "loanApplication")
      w.input = {
        applicant: `A${i}`,
        amount: 1000 + Math.floor(random() * 50_000),
        reviewWindow: "2s",
      };
    if (type === "approval") w.input = { item: `item-${i}`, timeout: "1h" };
    if (type === "fanOut")
      w.input = { items: Array.from({ length: 2 + Math.floor(random() * 3) }, (_, k) => k + 1) };
    if (type === "orderSaga") {
      const failAt = [undefined, undefined, "charge", "ship"][Math.floor(random() * 4)];
      w.input = { orderId: `o${i}`, amount: 10, ...(failAt ? { failAt } : {}) };
    }
    if (type === "chain") w.input = { links: 2 + Math.floor(random() * 3) };
    return w;
  });
}

/**
 * What the workflow must end with: `result` (compared with a matcher), and per history the exact
 * counts of events that must happen once per thing (activities, children, signals, updates).
 */
export function expectationOf(w) {
  const { type, input } = w;
  switch (type) {
    case "steps":
      return { result: (r) => r === input.n, activities: input.n };
    case "loanApplication":
      return {
        result: (r) =>
          r?.applicant === input.applicant &&
          r?.amount === input.amount &&
          /approved|declined/.test(String(r?.decision)),
      };
    case "approval":
      return {
        result: (r) =>
          r?.item === input.item &&
          r?.approved === true &&
          r?.by === "chaos" &&
          r?.decidedBy === "signal",
        once: [
          "WorkflowExecutionSignaled",
          "WorkflowExecutionUpdateAccepted",
          "WorkflowExecutionUpdateCompleted",
        ],
      };
    case "fanOut": {
      const squares = input.items.map((x) => x * x);
      return {
        result: (r) =>
          JSON.stringify(r) ===
          JSON.stringify({
            results: squares,
            sum: squares.reduce((a, b) => a + b, 0),
            failures: [],
          }),
        children: input.items.length,
      };
    }
    case "orderSaga": {
      const o = input.orderId;
      const want =
        input.failAt === "charge"
          ? { status: "compensated", steps: [`reserve:${o}`], compensations: [`release:${o}`] }
          : input.failAt === "ship"
            ? {
                status: "compensated",
                steps: [`reserve:${o}`, `charge:${o}`],
                compensations: [`refund:${o}`, `release:${o}`],
              }
            : {
                status: "completed",
                steps: [`reserve:${o}`, `charge:${o}`, `ship:${o}`],
                compensations: [],
              };
      return {
        result: (r) =>
          r?.orderId === o &&
          r?.status === want.status &&
          JSON.stringify(r?.steps) === JSON.stringify(want.steps) &&
          JSON.stringify(r?.compensations) === JSON.stringify(want.compensations),
      };
    }
    case "chain": {
      const links = input.links;
      return {
        result: (r) => r?.links === links && r?.total === (links * (links - 1)) / 2,
        runs: links,
      };
    }
    default:
      throw new Error(`no expectation for ${type}`);
  }
}
