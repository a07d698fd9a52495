{{/*
The deployment descriptor a component's pods run with (the jar's -conf file), rendered as JSON.
It holds only keys the jar's config package reads (PipelineSettings and its blocks) and never a
secret: passwords reach the pods as files (DB_PASSWORD_FILE, REDIS_PASSWORD_FILE), per-pod facts
(pod name, pod IP, StatefulSet ordinal) as environment variables.
Call with (dict "root" $ "key" "collector").
*/}}

{{/* Where the chart mounts things inside the pipeline containers. */}}
{{- define "telemetry-pipeline.paths" -}}
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
{{- $rate := ternary $v.streamer.rate $c.rate (hasKey $v.streamer "rate") }}
{{- $s := dict "loopMode" $c.loopMode "timestampMode" $c.timestampMode "rate" (int64 $rate) "workers" (int64 $workers) "batchSize" (int64 $c.batchSize) "streamInterval" $c.streamInterval "bufferSize" (int64 $c.bufferSize) "maxInFlight" (int64 $c.maxInFlight) }}
{{- if $c.csvPath }}
{{- $_ := set $s "csvPath" $c.csvPath }}
{{- end }}
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
{{- $store := dict "type" $v.store.type "maxEntriesPerGPU" (int64 (ternary $v.collector.maxEntriesPerGPU $v.collector.config.maxEntriesPerGPU (hasKey $v.collector "maxEntriesPerGPU"))) }}
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
