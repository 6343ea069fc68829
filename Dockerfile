# syntax=docker/dockerfile:1
# The identity service as an image: built in one stage, run from its build output by node, as a non-root user.
#   docker build -t identity-service .
#   docker run -p 3000:3000 -e NODE_ENV=production -e JWT_PRIVATE_KEY="$(cat jwt-es256.pem)" -e VERIFY_PROVIDER=twilio-v2 ... identity-service

FROM node:20-bookworm-slim AS build
WORKDIR /app
# argon2 and better-sqlite3 compile their native part when no prebuilt binary fits the platform.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
# Read by glibc when the process starts (the service cannot set it for itself): libuv's threads share two malloc
# arenas instead of keeping one each, with argon2's 19 MiB per hash in it (src/config/process-env.ts).
ENV MALLOC_ARENA_MAX=2
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The default SQLite file lives in data/: the only directory the service writes to.
RUN mkdir -p data && chown node:node data
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT || 3000}/health/live`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/src/main.js"]
