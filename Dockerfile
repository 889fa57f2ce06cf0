# A minimal image for smooth-operator (see docs/cli.md#container). Build: docker build -t smooth-operator .
#
# Build stage: `npm ci` installs everything and its `prepare` script builds dist/ (TypeScript and the
# widget bundle); the dev dependencies are then pruned so the runtime stage copies only what runs.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    SMOOTH_AGENT_BIND=0.0.0.0 \
    SMOOTH_AGENT_STORAGE=pglite \
    SMOOTH_AGENT_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# PGlite keeps its files here; the volume must be writable by the unprivileged user.
RUN mkdir /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 8787
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.SMOOTH_AGENT_PORT||8787)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Exec form, node itself as PID 1: `docker stop` sends SIGTERM straight to the server, which drains
# in-flight turns and exits (npx or a shell wrapper would swallow the signal).
CMD ["node", "dist/cli/main.js", "serve"]
