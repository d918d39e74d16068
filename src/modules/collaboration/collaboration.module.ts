/**
 * The collaboration module (COLLABORATION_ENABLED): live editing over a WebSocket. Its change
 * listener, the CollaborationFeed, is declared here: every budget and line write (LineService,
 * BudgetService, ... through `deps.changes.emit`) reaches it inside the writing transaction, and
 * it publishes to the budget's sockets after the commit.
 */
import { FEATURES } from '../../platform/features.ts';
import type { ModuleContext, ModuleDefinition } from '../../platform/module.ts';
import { Rooms } from '../../platform/ws/rooms.ts';
import type { LineService } from '../lines/index.ts';
import { EditBatcher } from './collaboration.edit-batch.ts';
import { EditService } from './collaboration.edits.ts';
import { CollaborationFeed } from './collaboration.feed.ts';
import { CollaborationLimits } from './collaboration.limits.ts';
import { collaborationRoutes } from './collaboration.routes.ts';
import { CollaborationService } from './collaboration.service.ts';

/** The module's services: sessions, live edits, the budget rooms and the connection limits. */
export interface Collaboration {
  sessions: CollaborationService;
  edits: EditService;
  batcher: EditBatcher;
  rooms: Rooms;
  limits: CollaborationLimits;
}

export function collaborationModule(
  { platform, deps }: ModuleContext,
  lines: LineService,
): ModuleDefinition<{ collaboration: Collaboration }> {
  const feed = new CollaborationFeed(platform.pubsub, platform.config);
  const sessions = new CollaborationService(deps, feed);
  const countEdit = () => platform.metrics.collaborationEdits.inc();
  const edits = new EditService(sessions, lines, countEdit);
  const parts: Collaboration = {
    sessions,
    edits,
    batcher: new EditBatcher(sessions, lines, edits, platform.config, countEdit),
    rooms: new Rooms(platform.pubsub),
    limits: new CollaborationLimits(platform.config),
  };
  return {
    name: 'collaboration',
    feature: FEATURES.collaboration,
    services: { collaboration: parts },
    listeners: [feed],
    routes: (api, auth) => collaborationRoutes(api, auth, { auth, ...parts, log: api.log }),
  };
}
