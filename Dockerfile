# syntax=docker/dockerfile:1
# Build stage: install everything, build the web client and compile the server.
FROM node:24-bookworm-slim AS build
WORKDIR /app
# Toolchain for better-sqlite3 when no prebuilt binary matches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# Runtime stage: compiled code and production dependencies only, as a non-root user.
FROM node:24-bookworm-slim
# The local code runner: bubblewrap and the toolchains programs may use
# (docs/operations.md, "Running code"). Override to add more, e.g.
#   --build-arg RUN_TOOLCHAINS="python3 gcc g++ default-jdk-headless"
# or to none (RUN_TOOLCHAINS="") with RUNNER=piston or RUNNER=off. The sandbox
# needs user namespaces: Docker's default seccomp profile refuses them, so run
# the container with `--security-opt seccomp=unconfined` (or a profile that
# allows clone/unshare of namespaces); without, the server logs that running
# code is off and everything else works.
ARG RUN_TOOLCHAINS="python3"
RUN apt-get update \
 && apt-get install -y --no-install-recommends bubblewrap util-linux ${RUN_TOOLCHAINS} \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    PORT=8000 \
    HOST=0.0.0.0 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + '/livez').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
# Node receives SIGTERM directly (no shell in between) and stores every room before it exits.
CMD ["node", "dist/server/main.js"]
