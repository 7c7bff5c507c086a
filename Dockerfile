# syntax=docker/dockerfile:1
# taxii-connector image: TypeScript compiled and bundled in a build stage; the final stage holds
# dist/ and the production dependencies only, runs as the unprivileged `node` user, and serves the
# ops endpoints (/healthz, /readyz, /metrics, /status, /dashboard) on 0.0.0.0:9464.

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm install honours package-lock.json; npm ci would refuse it for the platform binaries it lacks.
RUN npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# scripts/: the loader that becomes dist/cli.js; the build starts it once to make V8's code cache.
COPY scripts ./scripts
RUN npm run build

FROM node:20-slim
ENV NODE_ENV=production \
    OPS_LISTEN=0.0.0.0:9464
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY config.yml.sample ./
# The file sink writes under ./data by default; a volume mounted there keeps this ownership.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 9464
# Slim images have no curl: node's fetch asks /healthz on the port of OPS_LISTEN.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.OPS_LISTEN || '127.0.0.1:9464').split(':').pop() + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/cli.js", "run"]
