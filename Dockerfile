# syntax=docker/dockerfile:1
# APG Budgeting & Forecasting: multi-stage image (docs/deployment.md).
#   build:   all dependencies, builds the web application into web/dist
#   deps:    production dependencies only
#   runtime: node, the production dependencies, the sources (run by tsx), migrations and
#            the built web assets; a non-root user; HEALTHCHECK on /ready

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN node scripts/build-web.mjs --force

FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --chown=node:node package.json tsconfig.json ./
COPY --chown=node:node bin ./bin
COPY --chown=node:node src ./src
COPY --chown=node:node migrations ./migrations
COPY --from=build --chown=node:node /app/web/dist ./web/dist
# The embedded database, the generated JWT secret and demo credentials (without DATABASE_URL).
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# `npm start` without its prestart web build (the image has web/dist already). The worker
# service of docker-compose.yml runs `node --import tsx src/cli/index.ts worker` on this image.
CMD ["node", "--import", "tsx", "src/main.ts"]
