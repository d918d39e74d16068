/** Registers the WebSocket server on the app (frame size limit, no compression). */
import websocket from '@fastify/websocket';
import type { AppConfig } from '../../config/env.ts';
import type { App } from '../http/types.ts';

/**
 * Frames up to 4x the message limit are read and refused with an error message (the socket
 * stays open); larger ones make `ws` close the socket with 1009 before buffering them.
 */
export async function registerWebSocket(app: App, config: AppConfig): Promise<void> {
  await app.register(websocket, {
    options: { maxPayload: config.COLLABORATION_MAX_MESSAGE_BYTES * 4, perMessageDeflate: false },
  });
}
