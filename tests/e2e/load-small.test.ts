// The load test at a reduced size, inside `npm test`: 20 headless devices (5 direct chats, two accounts
// each, two linked devices per account) on live sockets, 5 messages each. The full size: npm run test:load.
import { expect, inject, test } from "vitest";
import { runLoad } from "../load/run.js";

test("20 devices on live sockets: nothing lost or duplicated, the same order on every device", { timeout: 600_000 }, async () => {
  const r = await runLoad(inject("baseURL"), { conversations: 5, devicesPerAccount: 2, messagesPerDevice: 5 }, { drainMs: 120_000, log: console.log });
  console.log(JSON.stringify(r));
  expect(r.devices).toBe(20);
  expect(r.sent).toBe(100);
  expect(r.expectedCopies).toBe(400);
  expect({ lost: r.lost, duplicated: r.duplicated, orderMismatches: r.orderMismatches, flagged: r.flagged }).toEqual({ lost: 0, duplicated: 0, orderMismatches: 0, flagged: 0 });
});
