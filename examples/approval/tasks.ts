// Task handlers of the approval example.

let expenses = 0;

export default {
  "record-expense": async () => ({ id: `exp-${++expenses}` }),
  notify: async (i: { to: string; text: string }) => {
    console.log(`notify ${i.to}: ${i.text}`);
    return { sent: true };
  },
};
