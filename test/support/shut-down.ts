/**
 * Destroys the SDK clients and stops the servers a suite made, skipping any that a `beforeAll`
 * which failed half way never made (the suite's `let`s are typed as always set; here they may not be).
 */
export async function shutDown(
  clients: readonly ({ destroy(): void } | undefined)[],
  servers: readonly ({ stop(): Promise<unknown> } | undefined)[] = [],
): Promise<void> {
  for (const client of clients) client?.destroy();
  await Promise.all(
    servers.map(async (server) => {
      await server?.stop();
    }),
  );
}
