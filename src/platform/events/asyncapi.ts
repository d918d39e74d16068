/**
 * The AsyncAPI 3.0 document of the domain events (`npm run asyncapi` writes docs/asyncapi.json
 * and one JSON Schema per event type under docs/events/): one channel per event type on the
 * topic exchange (its address is the routing key), one `send` operation each, the envelope's
 * schema per message. Built from the catalogue, so the document cannot drift from the code.
 */
import { EVENT_CATALOG, EVENT_TYPES, type EventType, eventJsonSchema } from './catalog.ts';

const AMQP_BINDING_VERSION = '0.3.0';

/** The document for an exchange name (EVENTS_EXCHANGE). */
export function buildAsyncApi(exchange = 'apg.budgeting', serviceVersion = '0.1.0'): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const type of EVENT_TYPES) {
    const def = EVENT_CATALOG[type];
    const { $schema: _ignored, $id: _id, ...schema } = eventJsonSchema(type);
    schemas[type] = schema;
    messages[type] = {
      name: type,
      title: `${type} v${def.version}`,
      summary: def.summary,
      contentType: 'application/json',
      headers: {
        type: 'object',
        required: ['tenant-id'],
        properties: {
          'tenant-id': { type: 'string', format: 'uuid', description: 'the tenant of the event' },
        },
      },
      payload: {
        schemaFormat: 'application/schema+json;version=draft-2020-12',
        schema: { $ref: `#/components/schemas/${type}` },
      },
      bindings: { amqp: { messageType: type, bindingVersion: AMQP_BINDING_VERSION } },
    };
    channels[type] = {
      address: type,
      title: type,
      description: `Routing key \`${type}\` on the topic exchange \`${exchange}\`.`,
      messages: { [type]: { $ref: `#/components/messages/${type}` } },
      bindings: {
        amqp: {
          is: 'routingKey',
          exchange: { name: exchange, type: 'topic', durable: true, autoDelete: false, vhost: '/' },
          bindingVersion: AMQP_BINDING_VERSION,
        },
      },
    };
    operations[operationId(type)] = {
      action: 'send',
      title: `Publish ${type}`,
      summary: def.summary,
      channel: { $ref: `#/channels/${type}` },
      messages: [{ $ref: `#/channels/${type}/messages/${type}` }],
      bindings: { amqp: { deliveryMode: 2, mandatory: false, bindingVersion: AMQP_BINDING_VERSION } },
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'APG Budgeting & Forecasting domain events',
      version: serviceVersion,
      description:
        'Domain events published from the transactional outbox (docs/events.md). Delivery is at least once: ' +
        'the AMQP message id is the event id, consumers de-duplicate by it. Every message is persistent, ' +
        'its routing key is the event type and the tenant is in the `tenant-id` header and in the body.',
    },
    defaultContentType: 'application/json',
    servers: {
      rabbitmq: {
        host: 'localhost:5672',
        protocol: 'amqp',
        protocolVersion: '0.9.1',
        description: 'The broker of AMQP_URL (the host here is an example).',
      },
    },
    channels,
    operations,
    components: { messages, schemas },
  };
}

/** `budget.created` -> `publishBudgetCreated`. */
export function operationId(type: EventType): string {
  return `publish${type
    .split(/[._]/)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('')}`;
}
