// Task handlers of the onboarding example. The default export is what `rhythm worker --tasks`
// loads: task name → handler (or { handler, options }).

import type { TaskContext } from "rhythm-flow";

const say = (text: string) => console.log(`  [task] ${text}`);

export default {
  "create-account": async (inputs: { email: string; name: string }) => {
    say(`create-account for ${inputs.email}`);
    return { id: `user-${inputs.name.toLowerCase()}` };
  },
  "send-email": {
    handler: async (inputs: { to: string; template: string }, ctx: TaskContext) => {
      say(`send-email "${inputs.template}" to ${inputs.to} (attempt ${ctx.attempt})`);
      return { sent: true };
    },
    options: { retries: 5, timeout: "30s" },
  },
  "create-project": async (inputs: { owner: string; kind: string }) => {
    say(`create-project ${inputs.kind} for ${inputs.owner}`);
    return { id: `${inputs.owner}-${inputs.kind}` };
  },
};
