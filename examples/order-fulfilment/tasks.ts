// Task handlers of the order example (stand-ins for a payment provider, stock and couriers).

import { NonRetryableError } from "rhythm-flow";

let payments = 0;

export default {
  "charge-card": async (i: { orderId: string; cents: number }) => {
    if (i.cents <= 0) throw new NonRetryableError(`invalid amount ${i.cents}`);
    return { id: `pay-${++payments}` };
  },
  "refund-card": async (i: { paymentId: string }) => ({ refunded: i.paymentId }),
  "reserve-stock": async (i: { items: string[] }) => ({ id: `res-${i.items.length}`, warehouses: ["berlin", "lyon"] }),
  "release-stock": async (i: { reservationId: string }) => ({ released: i.reservationId }),
  "book-courier": async (i: { warehouse: string }) => ({ tracking: `TRK-${i.warehouse.toUpperCase()}` }),
};
