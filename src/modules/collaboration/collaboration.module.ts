/** Wires collaboration into an app: change feed on the services' hooks, services, rooms, routes. */
import type { Authenticator } from '../../platform/auth/authenticate.ts';
import type { ChangeHooks } from '../../platform/events/change-hooks.ts';
import type { App } from '../../platform/http/types.ts';
import type { Platform } from '../../platform/platform.ts';
import type { ServiceDeps } from '../../platform/services.ts';
import { Rooms } from '../../platform/ws/rooms.ts';
import type { LineService } from '../lines/lines.service.ts';
import { EditService } from './collaboration.edits.ts';
import { CollaborationFeed } from './collaboration.feed.ts';
import { CollaborationLimits } from './collaboration.limits.ts';
import { collaborationRoutes } from './collaboration.routes.ts';
import { CollaborationService } from './collaboration.service.ts';

/** Builds the collaboration services and registers the feed on the change hooks. */
export function createCollaboration(
  platform: Platform,
  deps: ServiceDeps & { changes: ChangeHooks },
  lines: LineService,
) {
  const feed = new CollaborationFeed(platform.pubsub, platform.config);
  deps.changes.add(feed);
  const sessions = new CollaborationService(deps, feed);
  return {
    sessions,
    edits: new EditService(sessions, lines),
    rooms: new Rooms(platform.pubsub),
    limits: new CollaborationLimits(platform.config),
  };
}

/** Registers the REST routes and the WebSocket endpoint. */
export function registerCollaboration(
  app: App,
  auth: Authenticator,
  c: ReturnType<typeof createCollaboration>,
) {
  collaborationRoutes(app, auth, { auth, ...c, log: app.log });
}
