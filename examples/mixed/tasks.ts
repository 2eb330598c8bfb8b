// The TypeScript task of the mixed example (rhythm dev --tasks examples/mixed/tasks.ts).

const PRICES: Record<string, number> = { book: 1500, lamp: 4200, chair: 8900 };

export default {
  "price-order": async (inputs: { items: string[] }) => ({
    totalCents: inputs.items.reduce((sum, item) => sum + (PRICES[item] ?? 1000), 0),
  }),
};
