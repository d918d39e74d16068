/**
 * The AsyncAPI document and the event JSON Schemas: the committed files match the catalogue
 * (`npm run asyncapi` regenerates them), the official `@asyncapi/parser` (the AsyncAPI
 * Initiative's validator: JSON Schema of the spec plus its Spectral rules) finds no error in it,
 * and the spec's rules for what this document uses hold: required fields, component key pattern,
 * every `$ref` resolving inside the document, operations pointing at their channel's messages,
 * AMQP bindings, and each payload a JSON Schema that compiles (ajv, draft 2020-12).
 */
import { readFileSync } from 'node:fs';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { buildAsyncApi } from './asyncapi.ts';
import { EVENT_CATALOG, EVENT_TYPES, eventJsonSchema } from './catalog.ts';

type Json = Record<string, unknown>;
const doc = buildAsyncApi() as Json & {
  channels: Record<string, Json>;
  operations: Record<string, Json>;
  components: { messages: Record<string, Json>; schemas: Record<string, Json> };
};

/** Resolves a local `#/a/b` reference (JSON Pointer, ~1 and ~0 escapes). */
function resolvePointer(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) throw new Error(`not a local reference: ${ref}`);
  return ref
    .slice(2)
    .split('/')
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce<unknown>((node, key) => (node as Json | undefined)?.[key], root);
}

function refsIn(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const n of node) refsIn(n, out);
  else if (node && typeof node === 'object')
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refsIn(v, out);
    }
  return out;
}

describe('the AsyncAPI document', () => {
  it('is the committed docs/asyncapi.json, and every event has its committed JSON Schema file', () => {
    expect(JSON.parse(readFileSync('docs/asyncapi.json', 'utf8'))).toEqual(doc);
    for (const type of EVENT_TYPES) {
      const file = `docs/events/${type}.v${EVENT_CATALOG[type].version}.json`;
      expect(JSON.parse(readFileSync(file, 'utf8')), file).toEqual(eventJsonSchema(type));
    }
  });

  it('passes @asyncapi/parser with no error-level diagnostic (and the parser does catch a broken one)', async () => {
    const parser = new Parser();
    const errorsOf = async (input: unknown) =>
      (await parser.validate(JSON.stringify(input)))
        .filter((d) => d.severity === DiagnosticSeverity.Error)
        .map((d) => `${d.code} at ${d.path.join('.')}: ${d.message}`);
    expect(await errorsOf(doc)).toEqual([]);
    // The control: an operation on a channel that does not exist is an error the parser reports.
    const [opName, op] = Object.entries(doc.operations)[0]!;
    const broken = {
      ...doc,
      operations: { ...doc.operations, [opName]: { ...op, channel: { $ref: '#/channels/nope' } } },
    };
    expect((await errorsOf(broken)).length).toBeGreaterThan(0);
  }, 30_000);

  it('has the fields AsyncAPI 3.0 requires and component keys of the allowed pattern', () => {
    expect(doc.asyncapi).toBe('3.0.0');
    const info = doc.info as Json;
    expect(typeof info.title).toBe('string');
    expect(typeof info.version).toBe('string');
    const server = (doc.servers as Record<string, Json>).rabbitmq!;
    expect(server).toMatchObject({ protocol: 'amqp', protocolVersion: '0.9.1' });
    expect(typeof server.host).toBe('string');
    const key = /^[\w\d.\-_]+$/;
    for (const group of [doc.channels, doc.operations, doc.components.messages, doc.components.schemas])
      for (const k of Object.keys(group)) expect(k).toMatch(key);
  });

  it('resolves every $ref inside the document', () => {
    const refs = refsIn(doc);
    expect(refs.length).toBeGreaterThan(EVENT_TYPES.length * 3);
    for (const ref of refs) expect(resolvePointer(doc, ref), ref).toBeDefined();
  });

  it('has one channel per event type addressed by its routing key, and one send operation on it', () => {
    expect(Object.keys(doc.channels).sort()).toEqual([...EVENT_TYPES].sort());
    for (const [name, channel] of Object.entries(doc.channels)) {
      expect(channel.address).toBe(name);
      expect((channel.bindings as Json).amqp).toMatchObject({
        is: 'routingKey',
        exchange: { type: 'topic', durable: true },
      });
    }
    const ops = Object.values(doc.operations);
    expect(ops).toHaveLength(EVENT_TYPES.length);
    for (const op of ops) {
      expect(['send', 'receive']).toContain(op.action);
      const channelRef = (op.channel as Json).$ref as string;
      expect(channelRef).toMatch(/^#\/channels\//);
      // An operation's messages must be messages of its own channel (AsyncAPI 3.0, Operation Object).
      for (const m of op.messages as Json[])
        expect(m.$ref as string).toMatch(new RegExp(`^${channelRef}/messages/`));
      expect((op.bindings as Json).amqp).toMatchObject({ deliveryMode: 2 });
    }
  });

  it('gives each message a payload schema that compiles, with the tenant-id header', () => {
    const ajv = new Ajv2020({ strict: false });
    (formats as unknown as { default: (a: Ajv2020) => void }).default(ajv);
    for (const [name, message] of Object.entries(doc.components.messages)) {
      expect(message.contentType).toBe('application/json');
      expect((message.headers as Json).required).toEqual(['tenant-id']);
      const payload = message.payload as { schemaFormat: string; schema: { $ref: string } };
      expect(payload.schemaFormat).toBe('application/schema+json;version=draft-2020-12');
      const schema = resolvePointer(doc, payload.schema.$ref) as Json;
      const validate = ajv.compile(schema);
      // The schema pins its type: another type's event does not pass.
      expect(validate({ type: name === 'budget.created' ? 'budget.deleted' : 'budget.created' })).toBe(false);
    }
  });
});
