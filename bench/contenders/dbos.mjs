// DBOS (@dbos-inc/dbos-sdk): durable workflows whose steps are checkpointed in Postgres. The client
// enqueues by name (DBOSClient.enqueue) on a queue the worker process dequeues; a queue without
// concurrency limits takes every ready workflow in one poll. Tuned from docs.dbos.dev (queues
// reference and DBOSConfig): minPollingIntervalMs 100 instead of 1000, pool of 20, logs at "error".

import { DBOS, DBOSClient } from "@dbos-inc/dbos-sdk";
import { inParallel } from "../lib/clock.mjs";

const APP = "bench";
const QUEUE = "bench";
const WORKFLOW = { steps: "benchSteps", signal: "benchSignal" };
const POOL = 20;

export default {
  name: "dbos",
  label: "DBOS",
  scenarios: ["s3", "s4", "s6"],
  settings: `queue with no concurrency limit, minPollingIntervalMs 100; systemDatabasePoolSize ${POOL}; DBOSClient.enqueue/send, 10 in flight (no batch enqueue)`,

  async install(url) {
    await DBOS.migrate(url);
    const client = await DBOSClient.create({ systemDatabaseUrl: url, applicationName: APP });
    await client.registerQueue(QUEUE, { minPollingIntervalMs: 100, applicationName: APP });
    await client.destroy();
  },

  sql: {
    doneWorkflows: "select count(*) from dbos.workflow_status where status = 'SUCCESS'",
    failed: "select count(*) from dbos.workflow_status where status in ('ERROR', 'CANCELLED', 'MAX_RECOVERY_ATTEMPTS_EXCEEDED')",
    waiting: "select count(*) from dbos.workflow_status where status = 'PENDING'",
  },

  async client(url) {
    const client = await DBOSClient.create({ systemDatabaseUrl: url, applicationName: APP });
    return {
      startWorkflows: async (flow, inputsList) => {
        const ids = new Array(inputsList.length);
        await inParallel(inputsList, 10, async (inputs, i) => {
          const handle = await client.enqueue({ queueName: QUEUE, workflowName: WORKFLOW[flow] }, inputs);
          ids[i] = handle.workflowID;
        });
        return ids;
      },
      signalAll: (ids) => inParallel(ids, 10, (id, i) => client.send(id, { n: i }, "go")),
      close: () => client.destroy(),
    };
  },

  async worker(url, hooks) {
    DBOS.setConfig({ name: APP, systemDatabaseUrl: url, systemDatabasePoolSize: POOL, logLevel: "error" });
    DBOS.registerWorkflow(
      async (inputs) => {
        for (let i = 0; i < inputs.steps; i++) {
          await DBOS.runStep(async () => hooks.started(i), { name: "bench-step" });
        }
        return { steps: inputs.steps };
      },
      { name: WORKFLOW.steps },
    );
    DBOS.registerWorkflow(
      async () => {
        // DBOS waits inside the running function: the awaiting promise lives in this process
        const go = await DBOS.recv("go", { timeoutSeconds: 86_400 });
        return { n: go?.n };
      },
      { name: WORKFLOW.signal },
    );
    await DBOS.launch();
    return { stop: () => DBOS.shutdown() };
  },
};
