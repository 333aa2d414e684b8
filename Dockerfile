# Build stage: the same set-up script as on a workstation, then a Release build of `geokg`.
FROM debian:bookworm AS build
WORKDIR /src
COPY scripts/setup scripts/setup
RUN ./scripts/setup
COPY . .
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DGEOKG_BUILD_TESTS=OFF -DGEOKG_BUILD_BENCH=OFF \
 && cmake --build build --target geokg

# Runtime stage: the binary (its reference data is compiled in) and the shared libraries it links.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libsqlite3-0 libspdlog1.10 libfmt9 zlib1g libssl3 \
      libboost-program-options1.81.0 libboost-url1.81.0 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 geokg && mkdir /data && chown geokg /data
COPY --from=build /src/build/app/geokg /usr/local/bin/geokg
USER geokg
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["geokg"]
CMD ["serve", "--db", "/data/geokg.db", "--host", "0.0.0.0", "--port", "8080"]
