import { createTestApp } from './utils/test-app';
it('debug', async () => {
  const t = await createTestApp({ env: { REDIS_URL: 'redis://127.0.0.1:1' } });
  await t.http().get('/health');
  await t.close();
  setTimeout(() => {
    const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
    for (const h of handles) {
      const t = h as { constructor: { name: string }; _onTimeout?: () => void; _idleTimeout?: number; hasRef?: () => boolean };
      process.stderr.write(`H ${t.constructor.name} ${t._idleTimeout} ref=${t.hasRef?.()} ${String(t._onTimeout).slice(0, 300)}\n`);
    }
  }, 50).unref();
});
