#!/usr/bin/env bash
# Benchmarks, run on this machine against loopback servers only.
#   scripts/bench.sh inprocess [--runs 5 --seconds 10 --warmup 10]   streamer -> local transport -> collector -> memory store
#   scripts/bench.sh postgres [rows] [runs] [paths...]   pipeline and store write paths into PostgreSQL vs psql \copy
#   scripts/bench.sh websocket [--clients 1000 --rate 2500 --runs 3 --seconds 20]   live-feed fan-out, commit->client latency
#   scripts/bench.sh rest [--clients 50 --rate 10000 --paced 1000 --runs 3 --seconds 20]   REST p50/p99 of one-minute windows while ingesting
#   scripts/bench.sh redis [--runs 5 --seconds 10 --warmup 10 --batch 1000]   streamer -> Redis Stream -> collector, vs local
#   scripts/bench.sh codec [--runs 5 --seconds 3 --warmup 5]   500-row batches: binary codec vs JSON, encode+decode rows/s and bytes/row
#   scripts/bench.sh clustered [--runs 5 --seconds 10 --warmup 10]   streamer -> clustered event bus (2 Hazelcast members, loopback) -> collector
#   scripts/bench.sh scrape-parse [--endpoints 1000 --runs 5 --seconds 3 --warmup 5]   dcgm-exporter text parsed + mapped per core
#   scripts/bench.sh scrape-loopback [--endpoints 1000 --interval 1s --timeout 10s --concurrency 64]   1,000 fake exporters scraped on loopback
#   scripts/bench.sh scrape-fleet [--endpoints 1000 --interval 1s --concurrency 64]   the dcgm-exporter source end to end into the memory store
#   scripts/bench.sh simulate [--runs 5 --seconds 3 --warmup 5]   the fleet simulator: samples/s of a 10,000-GPU fleet
#   scripts/bench.sh pg-bytes [gpus 64] [hours 6] [seconds 10]   bytes/sample on PostgreSQL after compaction vs promtool's TSDB, compaction CPU
#   scripts/bench.sh upload [--gpus 200 --seconds 100 --runs 3]   POST /api/v1/csv/upload: MiB/s received, rows/s ingested
#   scripts/bench.sh query [--gpus 247 --days 7 --fleet 10000 --requests 200 --runs 5]   PostgreSQL query p50/p99 on a week of a fleet
#   scripts/bench.sh memory-bytes [--hours 24 --gpus 247 --hosts 31 --max-bytes 60% --stamps simulated --runs 3 --queries 200]   the memory store in -Xmx1g: heap bytes/sample, load rate, query p50/p99
#   scripts/bench.sh chunk-codec [--gpus 32 --runs 5]   sample chunks: bytes/point, encode/decode points per CPU-s, Gorilla vs deflate
#   scripts/bench.sh checkpoint [--gpus 1000 --metrics 10 --points 600 --runs 3]   memory-store checkpoint: seconds to write and restore, bytes/sample
# Each prints medians of several timed runs after a warm-up; see docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  # the comment block at the top, however many benchmarks it lists
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
}

[ $# -ge 1 ] || { usage; exit 2; }
which="$1"; shift

mvn -B -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath >/dev/null
cp="target/test-classes:target/classes:$(cat target/bench.classpath)"
jvm=(-Xms2g -Xmx2g -XX:+UseParallelGC -Dvertx.disableDnsResolver=true)

case "$which" in
  inprocess) exec java "${jvm[@]}" -cp "$cp" org.gputelemetry.pipeline.bench.InProcessPipelineBench "$@" ;;
  postgres) exec java "${jvm[@]}" -cp "$cp" org.gputelemetry.pipeline.bench.PostgresWriteBench "$@" ;;
  websocket) exec java "${jvm[@]}" -cp "$cp" org.gputelemetry.pipeline.bench.WebSocketFanoutBench "$@" ;;
  rest) exec java "${jvm[@]}" -cp "$cp" org.gputelemetry.pipeline.bench.RestQueryBench "$@" ;;
  redis) exec java "${jvm[@]}" -cp "$cp" org.gputelemetry.pipeline.bench.RedisBridgeBench "$@" ;;
  codec) exec java "${jvm[@]}" -cp "$cp" org.gputelemetry.pipeline.bench.CodecBench "$@" ;;
  clustered) exec java "${jvm[@]}" -cp "$cp" org.gputelemetry.pipeline.bench.ClusteredPipelineBench "$@" ;;
  scrape-parse) exec java "${jvm[@]}" -cp "$cp" org.gputelemetry.pipeline.bench.ScrapeParseBench "$@" ;;
  scrape-loopback) exec java "${jvm[@]}" -cp "$cp" org.gputelemetry.pipeline.bench.ScrapeLoopbackBench "$@" ;;
  scrape-fleet) exec java "${jvm[@]}" -cp "$cp" org.gputelemetry.pipeline.bench.ScrapeFleetBench "$@" ;;
  pg-bytes) exec java "${jvm[@]}" -cp "$cp" org.gputelemetry.pipeline.store.postgres.PostgresBytesBench "$@" ;;
  simulate) exec java "${jvm[@]}" -cp "$cp" org.gputelemetry.pipeline.bench.FleetSimulatorBench "$@" ;;
  query) exec java "${jvm[@]}" -cp "$cp" org.gputelemetry.pipeline.store.postgres.QueryLatencyBench "$@" ;;
  upload) exec java "${jvm[@]}" -cp "$cp" org.gputelemetry.pipeline.bench.CsvUploadBench "$@" ;;
  # the target is a day of the bundled fleet in a 1 GiB heap, so this one runs in exactly that
  memory-bytes) exec java -Xms1g -Xmx1g -XX:+UseParallelGC -cp "$cp" org.gputelemetry.pipeline.bench.MemoryBytesBench "$@" ;;
  chunk-codec) exec java "${jvm[@]}" -cp "$cp" org.gputelemetry.pipeline.bench.ChunkCodecBench "$@" ;;
  checkpoint) exec java "${jvm[@]}" -cp "$cp" org.gputelemetry.pipeline.bench.CheckpointBench "$@" ;;
  -h|--help) usage ;;
  *) echo "unknown benchmark '$which'" >&2; usage >&2; exit 2 ;;
esac
