# gui-docker-manager: multi-stage image.
#   docker build -t gui-docker-manager .
# Base images are build arguments (mirrors, pinned digests, or the local stand-ins the
# image test builds with: scripts/build-image-test-bases.sh). Works with BuildKit and with
# the legacy builder; nothing here needs a shell in the runtime image.
ARG BUILD_IMAGE=node:20-bookworm
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs20-debian12:nonroot
ARG COMPOSE_IMAGE=docker:27-cli

# The compose v2 plugin: a static binary, copied alone into the runtime image.
FROM ${COMPOSE_IMAGE} AS compose

# --- build: dependencies (better-sqlite3 compiles with python3, make, g++ when no prebuilt
# binary can be fetched), TypeScript checked and bundled → dist/src/cli.js (scripts/bundle.mjs)
# and the dashboard (Vite) → dist/web, then
# only production dependencies kept, without better-sqlite3's C sources and objects.
FROM ${BUILD_IMAGE} AS build
WORKDIR /app
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/bundle.mjs ./scripts/bundle.mjs
COPY src ./src
COPY web ./web
RUN npm run build \
 && npm prune --omit=dev \
 && cd node_modules/better-sqlite3 \
 && rm -rf deps src build/deps build/Release/obj build/Release/obj.target build/Release/.deps build/Release/test_extension.node build/Release/sqlite3.a \
 && mkdir -p /out/data

# --- runtime: distroless Node (no shell, no package manager), non-root.
FROM ${RUNTIME_IMAGE} AS runtime
WORKDIR /app
COPY --from=compose /usr/local/libexec/docker/cli-plugins/docker-compose /usr/local/libexec/docker/cli-plugins/docker-compose
COPY package.json ./
COPY config ./config
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The only writable place (with /tmp when mounted): the database and, when JWT_SECRET_KEY
# is unset, the generated secret. Owned by the service user so a new volume is too.
COPY --from=build --chown=65532:65532 /out/data /data
# /nodejs/bin: where distroless keeps node (it is not on its PATH). MALLOC_ARENA_MAX=2: glibc
# gives each thread that allocates (node's main and libuv's pool) its own malloc arena, which
# keeps freed memory: with two, RSS idle 92-104 -> 88-89 MiB and right after a 100-connection
# list load 119-161 -> 116-124 MiB, throughput the same (README, Performance).
ENV PATH=/nodejs/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    HOST=0.0.0.0 \
    PORT=8098 \
    DATA_DIR=/data \
    COMPOSE_COMMAND=/usr/local/libexec/docker/cli-plugins/docker-compose
# nonroot; add the Docker socket's group at run time (--group-add / compose group_add).
USER 65532:65532
VOLUME ["/data"]
EXPOSE 8098
# No curl in the image: node itself asks /live.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "require('http').get('http://127.0.0.1:'+(process.env.PORT||8098)+'/live',r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1)).setTimeout(4000,()=>process.exit(1))"]
# `docker run IMAGE` serves; `docker run IMAGE user list` or `... token --sub ci --role
# user` run the other CLI commands on the same DATA_DIR. --max-semi-space-size=2 caps V8's
# young generation at 2 MiB per semi-space (default 16): ~30 MiB less RSS idle and after
# load, throughput unchanged within noise (README, Performance; bench/node-flags.ts).
# --optimize-for-size: V8 grows the heap less eagerly under load; right after a 100-connection
# list load 113-157 -> 103-105 MiB (three runs each), for ~10% less list throughput (still
# ~60x the engine's).
ENTRYPOINT ["node", "--max-semi-space-size=2", "--optimize-for-size", "/app/dist/src/cli.js"]
CMD ["serve"]
