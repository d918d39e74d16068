/**
 * The load bench's baseline: a bare Fastify process answering the same paths as the service
 * with a fixed budget JSON (GET) or 201 after parsing the JSON body (POST), no database, no
 * auth. What the service costs is measured against what Fastify alone does on this machine.
 */
import Fastify from 'fastify';

const body = process.env.BARE_BODY ?? '{}';
const app = Fastify({ logger: false });
app.get('/*', (_req, reply) => reply.type('application/json').send(body));
app.post('/*', (_req, reply) => reply.code(201).type('application/json').send(body));
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
const address = app.server.address();
process.stdout.write(
  `listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}\n`,
);
