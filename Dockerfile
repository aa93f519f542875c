# One stage builds the single binary with the official Deno image; the runtime image holds only that
# binary, runs as a non-root user and keeps its data in the /data volume.
FROM denoland/deno:2.9.6 AS build
WORKDIR /src
COPY . .
RUN deno install --frozen && OUTPUT=/out/newapi-deno deno task compile

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --home /data newapi && mkdir -p /data && chown newapi /data && chmod 0700 /data \
  && apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/newapi-deno /usr/local/bin/newapi-deno
USER newapi
WORKDIR /data
ENV DATA_DIR=/data PORT=3000
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=10s --start-period=20s --retries=3 CMD ["newapi-deno", "healthcheck"]
ENTRYPOINT ["newapi-deno"]
