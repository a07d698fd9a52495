{{/*
The deployment descriptor a component's pods run with (the jar's -conf file), rendered as JSON.
It holds only keys the jar's config package reads (PipelineSettings and its blocks) and never a
secret: passwords reach the pods as files (DB_PASSWORD_FILE, REDIS_PASSWORD_FILE), per-pod facts
(pod name, pod IP, StatefulSet ordinal) as environment variables.
Call with (dict "root" $ "key" "collector").
*/}}

{{/* Where the chart mounts things inside the pipeline containers. */}}
{{- define "telemetry-pipeline.paths" -}}
csvDir: /etc/telemetry/csv
csvFile: /etc/telemetry/csv/telemetry.csv
descriptor: /app/conf/descriptor.json
secrets: /etc/telemetry/secrets
dbPassword: /etc/telemetry/secrets/db-password
redisPassword: /etc/telemetry/secrets/redis-password
gatewayTokens: /etc/telemetry/secrets/gateway-tokens
gatewayTls: /etc/telemetry/gateway-tls
tls: /etc/telemetry/tls
dbCa: /etc/telemetry/tls/db-ca.crt
redisCa: /etc/telemetry/tls/redis-ca.crt
{{- end }}

{{/* The descriptor JSON of one component. */}}
{{- define "telemetry-pipeline.descriptor" -}}
{{- $root := .root }}
{{- $v := $root.Values }}
{{- $paths := include "telemetry-pipeline.paths" . | fromYaml }}
{{- $meta := include "telemetry-pipeline.componentMeta" .key | fromYaml }}
{{- $d := dict "roles" (list $meta.role) }}
{{- if eq .key "streamer" }}
{{- $c := $v.streamer.config }}
{{- /* streamer.workers / streamer.rate: short aliases of streamer.config.* (the seed docs' --set keys); an alias set wins */}}
{{- $workers := ternary $v.streamer.workers $c.workers (hasKey $v.streamer "workers") }}
{{- $s := dict "loopMode" $c.loopMode "timestampMode" $c.timestampMode "rate" (include "telemetry-pipeline.streamer.rate" $root | int64) "workers" (int64 $workers) "batchSize" (int64 $c.batchSize) "streamInterval" $c.streamInterval "bufferSize" (int64 $c.bufferSize) "maxInFlight" (int64 $c.maxInFlight) }}
{{- with include "telemetry-pipeline.streamer.csvPath" $root }}
{{- $_ := set $s "csvPath" . }}
{{- end }}
{{- $src := $v.streamer.source }}
{{- $so := dict "type" $src.type }}
{{- with $src.interval }}
{{- $_ := set $so "interval" . }}
{{- end }}
{{- if eq $src.type "dcgm-exporter" }}
{{- /* no targets with a DaemonSet: STREAMER_SOURCE_TARGETS names the node's own exporter (env, expanded by Kubernetes) */}}
{{- with $src.targets }}
{{- $_ := set $so "targets" . }}
{{- end }}
{{- with $src.timeout }}
{{- $_ := set $so "timeout" . }}
{{- end }}
{{- $_ := set $so "concurrency" (int64 $src.concurrency) }}
{{- $_ := set $so "backoffMax" $src.backoffMax }}
{{- $_ := set $so "uuidLabel" $src.uuidLabel }}
{{- end }}
{{- if eq $src.type "simulate" }}
{{- $_ := set $so "gpus" (int64 $src.gpus) }}
{{- $_ := set $so "gpusPerHost" (int64 $src.gpusPerHost) }}
{{- $_ := set $so "hosts" (int64 $src.hosts) }}
{{- $_ := set $so "metrics" $src.metrics }}
{{- $_ := set $so "seed" (int64 $src.seed) }}
{{- end }}
{{- $_ := set $s "source" $so }}
{{- $_ := set $d "streamer" $s }}
{{- end }}
{{- if eq .key "collector" }}
{{- $c := $v.collector.config }}
{{- $cw := ternary $v.collector.workers $c.workers (hasKey $v.collector "workers") }}
{{- $_ := set $d "collector" (dict "workers" (int64 $cw) "batchSize" (int64 $c.batchSize) "pollInterval" $c.pollInterval "bufferSize" (int64 $c.bufferSize)) }}
{{- end }}
{{- if eq .key "apiGateway" }}
{{- /* authentication comes as environment (GATEWAY_AUTH_*): the token file is a mounted Secret, like the passwords */}}
{{- $g := dict "host" "0.0.0.0" "port" (int64 $v.apiGateway.port) }}
{{- if $v.apiGateway.tls.enabled }}
{{- $_ := set $g "tls" (dict "enabled" true "certPath" (printf "%s/tls.crt" $paths.gatewayTls) "keyPath" (printf "%s/tls.key" $paths.gatewayTls)) }}
{{- end }}
{{- $_ := set $d "gateway" $g }}
{{- end }}
{{- if or (eq .key "collector") (eq .key "apiGateway") }}
{{- $store := dict "type" $v.store.type "maxBytes" (toString $v.collector.config.maxBytes) "maxEntriesPerGPU" (int64 (ternary $v.collector.maxEntriesPerGPU $v.collector.config.maxEntriesPerGPU (hasKey $v.collector "maxEntriesPerGPU"))) }}
{{- if eq $v.store.type "postgres" }}
{{- $_ := set $store "host" (include "telemetry-pipeline.db.host" $root) }}
{{- $_ := set $store "poolSize" (int64 $v.store.poolSize) }}
{{- $_ := set $store "retention" $v.store.retention }}
{{- if $v.postgresql.enabled }}
{{- $_ := set $store "port" (int64 $v.postgresql.service.port) }}
{{- $_ := set $store "database" $v.postgresql.auth.database }}
{{- $_ := set $store "user" $v.postgresql.auth.username }}
{{- $_ := set $store "sslMode" "disable" }}
{{- else }}
{{- $_ := set $store "port" (int64 $v.externalDatabase.port) }}
{{- $_ := set $store "database" $v.externalDatabase.database }}
{{- $_ := set $store "user" $v.externalDatabase.username }}
{{- $_ := set $store "sslMode" $v.externalDatabase.sslMode }}
{{- if include "telemetry-pipeline.db.ca" $root }}
{{- $_ := set $store "sslRootCert" $paths.dbCa }}
{{- end }}
{{- end }}
{{- end }}
{{- if and (eq .key "collector") (include "telemetry-pipeline.collector.checkpoints" $root) }}
{{- $_ := set $store "checkpoint" (dict "enabled" true "path" (printf "%s/checkpoint" (trimSuffix "/" $v.collector.persistence.mountPath)) "interval" $v.collector.checkpointInterval) }}
{{- end }}
{{- $_ := set $d "store" $store }}
{{- end }}
{{- $t := dict "type" $v.transport.type "sendTimeout" $v.transport.sendTimeout }}
{{- if eq $v.transport.type "clustered" }}
{{- $_ := set $t "cluster" (dict "name" (default (include "telemetry-pipeline.fullname" $root) $v.transport.cluster.name) "port" (int64 $v.transport.cluster.port)) }}
{{- end }}
{{- if eq $v.transport.type "redis" }}
{{- $r := $v.transport.redis }}
{{- $redis := dict "host" (include "telemetry-pipeline.redis.host" $root) "stream" $r.stream "group" $r.group "maxLen" (int64 $r.maxLen) "claimIdle" $r.claimIdle "maxDeliveries" (int64 $r.maxDeliveries) }}
{{- if $v.redis.enabled }}
{{- $_ := set $redis "port" (int64 $v.redis.service.port) }}
{{- $_ := set $redis "database" 0 }}
{{- $_ := set $redis "tls" (dict "enabled" false) }}
{{- else }}
{{- $x := $v.externalRedis }}
{{- $_ := set $redis "port" (int64 $x.port) }}
{{- $_ := set $redis "database" (int64 $x.database) }}
{{- $tls := dict "enabled" $x.tls.enabled "skipVerify" $x.tls.skipVerify }}
{{- if include "telemetry-pipeline.redis.ca" $root }}
{{- $_ := set $tls "caCert" $paths.redisCa }}
{{- end }}
{{- $_ := set $redis "tls" $tls }}
{{- end }}
{{- $_ := set $t "redis" $redis }}
{{- if eq .key "streamer" }}
{{- $sp := $v.mq.spool }}
{{- $_ := set $t "spool" (dict "maxBytes" (int64 $sp.maxBytes) "segmentBytes" (int64 $sp.segmentBytes) "fsync" $sp.fsync) }}
{{- end }}
{{- end }}
{{- $_ := set $d "transport" $t }}
{{- toPrettyJson $d }}
{{- end }}

{{/* Where the streamer's CSV comes from: inline (streamer.csvData), configMap (streamer.csvConfigMap.name), persistence (streamer.persistence) or empty. */}}
{{- define "telemetry-pipeline.streamer.csvSource" -}}
{{- $s := .Values.streamer }}
{{- if $s.csvData }}inline{{ else if $s.csvConfigMap.name }}configMap{{ else if $s.persistence.enabled }}persistence{{ end }}
{{- end }}

{{/* The csvPath the streamer's descriptor carries: config.csvPath as given, resolved against the CSV volume; empty for the bundled sample. */}}
{{- define "telemetry-pipeline.streamer.csvPath" -}}
{{- $s := .Values.streamer }}
{{- $paths := include "telemetry-pipeline.paths" . | fromYaml }}
{{- $source := include "telemetry-pipeline.streamer.csvSource" . }}
{{- $path := $s.config.csvPath }}
{{- if eq $source "persistence" }}
{{- $path = ternary $path (printf "%s/%s" (trimSuffix "/" $s.persistence.mountPath) (default "telemetry.csv" $path)) (hasPrefix "/" $path) }}
{{- else if $source }}
{{- $path = default $paths.csvFile $path }}
{{- end }}
{{- $path }}
{{- end }}

{{/* Whether the collector checkpoints its embedded store: "true" or empty. */}}
{{- define "telemetry-pipeline.collector.checkpoints" -}}
{{- if and .Values.collector.enabled .Values.collector.checkpointEnabled (eq .Values.store.type "memory") }}true{{ end }}
{{- end }}

{{/* Whether the streamer scrapes its own node's dcgm-exporter (DaemonSet, dcgm-exporter source, no targets): "true" or empty. */}}
{{- define "telemetry-pipeline.streamer.scrapesNode" -}}
{{- $s := .Values.streamer }}
{{- if and (eq $s.kind "DaemonSet") (eq $s.source.type "dcgm-exporter") (not $s.source.targets) }}true{{ end }}
{{- end }}

{{/* streamer.rate (alias, may be the string "20.0" that `--set streamer.rate=20.0` gives) or streamer.config.rate, as whole rows per second. */}}
{{- define "telemetry-pipeline.streamer.rate" -}}
{{- $s := .Values.streamer }}
{{- $rate := ternary $s.rate $s.config.rate (hasKey $s "rate") | float64 }}
{{- if ne $rate (floor $rate) }}
{{- fail (printf "telemetry-pipeline: streamer.rate is whole rows per second per worker (the jar's streamer.rate), got %v: round it (0 means as fast as possible)" $rate) }}
{{- end }}
{{- $rate | int64 }}
{{- end }}
