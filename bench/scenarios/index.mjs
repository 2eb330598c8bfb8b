// The scenarios in the order a round runs them (S5 is read from S1's and S3's peak RSS).

import s1 from "./s1-throughput.mjs";
import s2 from "./s2-latency.mjs";
import s1k from "./s1k-keys.mjs";
import s2k from "./s2k-saturated.mjs";
import { workflowsOfSteps } from "./s3-workflows.mjs";
import s4 from "./s4-long-workflow.mjs";
import s6 from "./s6-suspended.mjs";

export const SCENARIOS = [s1, s1k, s2, s2k, workflowsOfSteps(1), workflowsOfSteps(10), s4, s6];

/** The contender takes part in a scenario when it lists its family ("s3" covers "s3-1", "s3-10"). */
export function takesPart(adapter, scenario) {
  return adapter.scenarios.includes(scenario.id.split("-")[0]);
}
