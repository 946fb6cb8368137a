# PathwayGateway container image.
#   docker build -t pathway-gateway .
#   docker run -d --name gateway -v gateway-spool:/var/lib/pathway-gateway/spool pathway-gateway
# With your own configuration (its "spool" must be /var/lib/pathway-gateway/spool):
#   docker run -d -v gateway-spool:/var/lib/pathway-gateway/spool \
#     -v "$PWD/pathway-gateway.json:/etc/pathway-gateway/pathway-gateway.json:ro" \
#     -e PATHWAY_GATEWAY_CONFIG=/etc/pathway-gateway/pathway-gateway.json pathway-gateway
# Partners as separate users (spec §8): give each partner its group by number in the configuration
# ("group": "20001") and the gateway those groups (docker run --group-add 20001 --group-add 20002 …);
# the partners' containers mount the same volume as their own uid with that gid and umask 027.
# docs/operations.md explains the volume, the separate users, the health check, metrics and signals.
# scripts/check-docker-runtime-libs.sh checks the runtime stage's packages against the binary's libraries.

ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

# Debian packages are pinned to bookworm's upstream release with a trailing glob (apt matches it):
# the ABI stays fixed while security updates (deb12uN) still come in, and a pin does not break the
# build the day the mirror drops the previous point release. tzdata tracks the year's rules.
# --- build: the official Swift toolchain on the same Debian release as the runtime -------------
FROM ${SWIFT_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libxml2-dev=2.9.14+dfsg-1.3~deb12u* libsqlite3-dev=3.40.1-2+deb12u* libssl-dev=3.0.* pkgconf=1.8.1-1* \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Manifest first, so the dependency-free resolve is cached apart from source edits.
COPY Package.swift ./
COPY Sources ./Sources
COPY Schemas ./Schemas
COPY bench ./bench
COPY Tests ./Tests
# The Swift runtime (stdlib, Foundation, Dispatch) is linked statically: the runtime stage needs only
# Debian's libxml2, SQLite and OpenSSL (and what they pull in).
RUN swift build -c release --static-swift-stdlib --product pathway-gateway \
 && install -D -m 0755 .build/release/pathway-gateway /out/usr/local/bin/pathway-gateway \
 && strip /out/usr/local/bin/pathway-gateway \
 && mkdir -p /out/usr/share/pathway-gateway \
 && cp -R Schemas /out/usr/share/pathway-gateway/Schemas

# --- runtime: slim Debian, the runtime libraries only, a non-root user -------------------------
FROM ${RUNTIME_IMAGE} AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libxml2=2.9.14+dfsg-1.3~deb12u* libsqlite3-0=3.40.1-2+deb12u* libssl3=3.0.* tzdata=202* \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 gateway \
 && useradd --system --uid 10001 --gid gateway --home-dir /var/lib/pathway-gateway --no-create-home \
      --shell /usr/sbin/nologin gateway \
 && install -d -o gateway -g gateway -m 0711 /var/lib/pathway-gateway \
 && install -d -o gateway -g gateway -m 0700 /var/lib/pathway-gateway/spool
COPY --from=build /out/ /
ENV PATHWAY_GATEWAY_SCHEMAS=/usr/share/pathway-gateway/Schemas
# Without PATHWAY_GATEWAY_CONFIG the embedded sample configuration runs with spool ./spool, which is
# the volume below; status (the health check) finds the same configuration the same way.
WORKDIR /var/lib/pathway-gateway
# Numeric, so Kubernetes' runAsNonRoot can verify it without reading /etc/passwd (hadolint DL3066).
USER 10001:10001
VOLUME ["/var/lib/pathway-gateway/spool"]
# Unhealthy when the daemon does not hold the spool lock or a file waited > 300 s in an inbox.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["pathway-gateway", "status"]
# The daemon handles SIGTERM itself (finishes the file in hand, exits 0) and starts no children,
# so it runs as PID 1 without an init; SIGHUP (docker kill -s HUP) reloads the configuration.
STOPSIGNAL SIGTERM
ENTRYPOINT ["pathway-gateway"]
CMD ["run"]
