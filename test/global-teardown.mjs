import fs from 'node:fs';

export default async function globalTeardown() {
  const pg = globalThis.__EMBEDDED_PG__;
  if (pg) {
    await pg.stop().catch(() => {});
    fs.rmSync(globalThis.__EMBEDDED_PG_DIR__, { recursive: true, force: true });
  }
}
