# syntax=docker/dockerfile:1
# The api, worker and migrate image (docker-compose.yml runs it three ways):
#   node dist/api/server.js | node dist/worker.js | node dist/scripts/migrate.js
# tsc -p tsconfig.build.json keeps the source folders under dist/; the migrator reads
# dist/db/migrations. The workflows are bundled here, once (scripts/bundle-workflows.ts): the worker
# loads dist/workflow-bundle.js (WORKFLOW_BUNDLE) instead of running webpack at every start. `npm run build` also builds
# the staff console into dist/console (Vite), which the api serves at /console.

# Node 24, the active LTS line (Node 20 left support in April 2026); package.json `engines` agrees.
ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: all dependencies, compile TypeScript to dist/, bundle the workflows ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY . .
RUN npm run build && node dist/scripts/bundle-workflows.js dist/workflow-bundle.js

# ---- runtime: production dependencies and the compiled output only ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund
COPY --from=build /app/dist ./dist
# Repair photos and signatures when kept on a volume (ATTACHMENTS_DIR) rather than in S3 (compose: minio).
RUN mkdir -p /var/lib/service-centre/attachments && chown node:node /var/lib/service-centre/attachments
ENV WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js
# The image's unprivileged `node` user (uid 1000); the app files stay root-owned and read-only to it.
USER node
EXPOSE 3000
CMD ["node", "dist/api/server.js"]
