/** `bf worker`: the same modules as the API process, consuming jobs, without HTTP. */
import type { Platform } from '../platform/platform.ts';
import { createModules } from './modules.ts';

/** Registers every module's job handlers and starts consuming; returns how to stop. */
export async function startWorker(platform: Platform): Promise<{ close(): Promise<void> }> {
  const modules = createModules(platform);
  await platform.queue.start();
  platform.relay?.start();
  return {
    async close() {
      await modules.close();
      await platform.close();
    },
  };
}
