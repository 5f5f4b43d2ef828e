/** Lets every queued promise callback and immediate run (event handlers, fake store calls, background work). */
export async function settle(rounds = 10): Promise<void> {
  for (let round = 0; round < rounds; round += 1) await new Promise((resolve) => setImmediate(resolve));
}
