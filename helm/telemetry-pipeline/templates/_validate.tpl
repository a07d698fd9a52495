{{/* Cross-field checks the schema cannot express; each failure says what to change. */}}
{{- define "telemetry-pipeline.validate" -}}
{{- $v := .Values }}
{{- $s := $v.streamer }}
{{- $anyPipeline := include "telemetry-pipeline.anyPipelineComponent" . }}
{{- if not (or $anyPipeline $v.redis.enabled $v.postgresql.enabled) }}
{{- fail "telemetry-pipeline: nothing to install: enable at least one of streamer, collector, apiGateway (or redis / postgresql for a shared-infrastructure release)" }}
{{- end }}
{{- if and (eq $v.transport.type "local") (or $s.enabled $v.collector.enabled) }}
{{- fail "telemetry-pipeline: transport.type=local only works inside one JVM, but the chart runs each role in its own pods: use transport.type=clustered (one Kubernetes cluster) or transport.type=redis (across clusters)" }}
{{- end }}
{{- if and $v.apiGateway.enabled $v.apiGateway.tls.enabled (not $v.apiGateway.tls.secretName) }}
{{- fail "telemetry-pipeline: apiGateway.tls.enabled=true needs apiGateway.tls.secretName (a kubernetes.io/tls Secret with tls.crt and tls.key)" }}
{{- end }}
{{- if and $v.apiGateway.auth.token $v.apiGateway.auth.existingSecret }}
{{- fail "telemetry-pipeline: apiGateway.auth.token and apiGateway.auth.existingSecret are both set: give the token once" }}
{{- end }}
{{- $x := $v.externalRedis }}
{{- $xSecret := include "telemetry-pipeline.externalRedis.existingSecret" . }}
{{- if and $x.enabled (not $x.host) }}
{{- fail "telemetry-pipeline: externalRedis.enabled=true needs externalRedis.host (the Redis both clusters reach)" }}
{{- end }}
{{- if include "telemetry-pipeline.redis.used" . }}
{{- if and (not $v.redis.enabled) (not $x.enabled) }}
{{- if $x.host }}
{{- fail "telemetry-pipeline: externalRedis.host is set but externalRedis.enabled=false: set externalRedis.enabled=true to use that Redis (or redis.enabled=true for an in-cluster one)" }}
{{- end }}
{{- fail "telemetry-pipeline: transport.type=redis needs a Redis: set externalRedis.enabled=true and externalRedis.host (edge/central clusters) or redis.enabled=true (in-cluster Redis)" }}
{{- end }}
{{- else if and $x.enabled $anyPipeline }}
{{- fail (printf "telemetry-pipeline: externalRedis.enabled=true, but transport.type=%s does not use Redis: set transport.type=redis to carry the batches through it" $v.transport.type) }}
{{- end }}
{{- if and $v.redis.enabled $x.enabled }}
{{- fail "telemetry-pipeline: both redis.enabled=true and externalRedis.enabled=true: choose the in-cluster Redis or the external one" }}
{{- end }}
{{- if and $x.existingSecret $x.auth.existingSecret (ne $x.existingSecret $x.auth.existingSecret) }}
{{- fail "telemetry-pipeline: externalRedis.existingSecret and externalRedis.auth.existingSecret name different Secrets: give the Secret once (either spelling)" }}
{{- end }}
{{- if and $x.password $xSecret }}
{{- fail "telemetry-pipeline: externalRedis.password and externalRedis.existingSecret (or auth.existingSecret) are both set: give the password once" }}
{{- end }}
{{- if and (include "telemetry-pipeline.redis.external" .) $x.auth.enabled (not $x.password) (not $xSecret) }}
{{- fail "telemetry-pipeline: externalRedis needs a password: set externalRedis.existingSecret (a Secret whose key existingSecretPasswordKey holds it; scripts/deploy-cross-cluster.sh creates telemetry-redis-credentials) or externalRedis.password, or externalRedis.auth.enabled=false for a Redis without AUTH" }}
{{- end }}
{{- if and $x.tls.caCert (not (contains "-----BEGIN" $x.tls.caCert)) }}
{{- fail "telemetry-pipeline: externalRedis.tls.caCert holds the CA certificate itself (PEM text starting -----BEGIN CERTIFICATE-----); to trust a certificate from an existing Secret set externalRedis.tls.caCertSecret=<name> (and caCertKey) instead" }}
{{- end }}
{{- if and $x.tls.caCert $x.tls.caCertSecret }}
{{- fail "telemetry-pipeline: externalRedis.tls.caCert and externalRedis.tls.caCertSecret are both set: give the CA certificate once" }}
{{- end }}
{{- if and (include "telemetry-pipeline.redis.external" .) (not $x.tls.enabled) (or $x.tls.caCert $x.tls.caCertSecret) }}
{{- fail "telemetry-pipeline: externalRedis.tls.caCert/caCertSecret is set but externalRedis.tls.enabled=false: set externalRedis.tls.enabled=true (the certificate is only used over TLS)" }}
{{- end }}
{{- if and $v.redis.auth.password $v.redis.auth.existingSecret }}
{{- fail "telemetry-pipeline: redis.auth.password and redis.auth.existingSecret are both set: give the password once" }}
{{- end }}
{{- if include "telemetry-pipeline.db.used" . }}
{{- if and (not $v.postgresql.enabled) (not $v.externalDatabase.host) }}
{{- fail "telemetry-pipeline: store.type=postgres needs a database for the collector/apiGateway: set externalDatabase.host or postgresql.enabled=true" }}
{{- end }}
{{- end }}
{{- if and $v.postgresql.enabled $v.externalDatabase.host }}
{{- fail "telemetry-pipeline: both postgresql.enabled=true and externalDatabase.host are set: choose the in-cluster PostgreSQL or the external one" }}
{{- end }}
{{- $d := $v.externalDatabase }}
{{- if $d.user }}
{{- fail (printf "telemetry-pipeline: externalDatabase.user is now externalDatabase.username (like postgresql.auth.username): set externalDatabase.username=%s instead" $d.user) }}
{{- end }}
{{- if and $d.caCert (not (contains "-----BEGIN" $d.caCert)) }}
{{- fail "telemetry-pipeline: externalDatabase.caCert holds the CA certificate itself (PEM text starting -----BEGIN CERTIFICATE-----); to trust a certificate from an existing Secret set externalDatabase.caCertSecret=<name> (and caCertKey) instead" }}
{{- end }}
{{- if and $d.caCert $d.caCertSecret }}
{{- fail "telemetry-pipeline: externalDatabase.caCert and externalDatabase.caCertSecret are both set: give the CA certificate once" }}
{{- end }}
{{- if and $v.collector.enabled $v.collector.checkpointEnabled (ne $v.store.type "memory") }}
{{- fail (printf "telemetry-pipeline: collector.checkpointEnabled checkpoints the embedded store (store.type=memory); with store.type=%s the samples are already durable in the database: drop collector.checkpointEnabled (and size postgresql.persistence.size), or use store.type=memory with a single collector" $v.store.type) }}
{{- end }}
{{- if $s.enabled }}
{{- $csv := list }}
{{- if $s.csvData }}{{ $csv = append $csv "streamer.csvData" }}{{ end }}
{{- if $s.csvConfigMap.name }}{{ $csv = append $csv "streamer.csvConfigMap.name" }}{{ end }}
{{- if $s.persistence.enabled }}{{ $csv = append $csv "streamer.persistence.enabled" }}{{ end }}
{{- if gt (len $csv) 1 }}
{{- fail (printf "telemetry-pipeline: %s are all set, but the streamer reads one CSV: keep one of them (inline data, your own ConfigMap, or a volume for large files)" (join " and " $csv)) }}
{{- end }}
{{- if and $csv (ne $s.source.type "csv") }}
{{- fail (printf "telemetry-pipeline: %s gives the csv source a file, but streamer.source.type=%s reads no CSV: remove it or set streamer.source.type=csv" (first $csv) $s.source.type) }}
{{- end }}
{{- if and $s.source.targets (ne $s.source.type "dcgm-exporter") }}
{{- fail (printf "telemetry-pipeline: streamer.source.targets lists exporters to scrape, but streamer.source.type=%s does not scrape: set streamer.source.type=dcgm-exporter" $s.source.type) }}
{{- end }}
{{- if and (eq $s.source.type "dcgm-exporter") (not $s.source.targets) (ne $s.kind "DaemonSet") }}
{{- fail (printf "telemetry-pipeline: streamer.source.type=dcgm-exporter needs streamer.source.targets (URLs or {url, hostname}), or streamer.kind=DaemonSet so that each pod scrapes its own node's exporter (streamer.kind is %s)" $s.kind) }}
{{- end }}
{{- $sp := $s.persistence }}
{{- $manyStreamers := or (eq $s.kind "DaemonSet") (gt (int $s.replicaCount) 1) $s.autoscaling.enabled }}
{{- if and $sp.enabled $manyStreamers (not $sp.existingClaim) (not (or (has "ReadOnlyMany" $sp.accessModes) (has "ReadWriteMany" $sp.accessModes))) }}
{{- fail (printf "telemetry-pipeline: streamer.persistence is one claim shared by every streamer pod, and a %s may run them on several nodes, which a ReadWriteOnce volume cannot reach: set streamer.persistence.accessModes to [ReadOnlyMany] or [ReadWriteMany] (a StorageClass that offers it), use existingClaim, or run one streamer pod" $s.kind) }}
{{- end }}
{{- end }}
{{- if and $v.externalDatabase.password $v.externalDatabase.existingSecret }}
{{- fail "telemetry-pipeline: externalDatabase.password and externalDatabase.existingSecret are both set: give the password once" }}
{{- end }}
{{- if and $v.postgresql.auth.password $v.postgresql.auth.existingSecret }}
{{- fail "telemetry-pipeline: postgresql.auth.password and postgresql.auth.existingSecret are both set: give the password once" }}
{{- end }}
{{- if and (eq $v.store.type "memory") $v.collector.enabled $v.apiGateway.enabled }}
{{- fail "telemetry-pipeline: store.type=memory keeps samples inside each collector pod, so the apiGateway pods (separate pods) would never see them: use store.type=postgres with postgresql.enabled=true or externalDatabase.host" }}
{{- end }}
{{- if and (eq $v.store.type "memory") $v.collector.enabled (or (gt (int $v.collector.replicaCount) 1) $v.collector.autoscaling.enabled) }}
{{- fail "telemetry-pipeline: store.type=memory with more than one collector replica splits the samples between private in-memory stores: use store.type=postgres or collector.replicaCount=1" }}
{{- end }}
{{- if and $s.enabled $s.autoscaling.enabled (ne $s.kind "Deployment") }}
{{- fail (printf "telemetry-pipeline: streamer.autoscaling needs streamer.kind=Deployment (a %s is sized by %s)" $s.kind (ternary "its nodes" "streamer.replicaCount, which also fixes the static input split" (eq $s.kind "DaemonSet"))) }}
{{- end }}
{{- if and $s.enabled (include "telemetry-pipeline.usesSpool" (dict "root" . "key" "streamer")) $v.mq.persistence.enabled }}
{{- if eq $s.kind "DaemonSet" }}
{{- fail "telemetry-pipeline: mq.persistence needs one volume per streamer pod, which a DaemonSet cannot claim: use streamer.kind=StatefulSet, or mq.persistence.enabled=false (spool on an emptyDir)" }}
{{- end }}
{{- if and (eq $s.kind "Deployment") (or (gt (int $s.replicaCount) 1) $s.autoscaling.enabled) }}
{{- fail "telemetry-pipeline: mq.persistence with a streamer Deployment of more than one replica would share one spool volume between pods: use streamer.kind=StatefulSet (one spool volume per pod)" }}
{{- end }}
{{- end }}
{{- range $key := list "streamer" "collector" "apiGateway" }}
{{- $a := (index $v $key).autoscaling }}
{{- if and (index $v $key).enabled $a.enabled }}
{{- if gt (int $a.minReplicas) (int $a.maxReplicas) }}
{{- fail (printf "telemetry-pipeline: %s.autoscaling.minReplicas (%v) is greater than maxReplicas (%v)" $key $a.minReplicas $a.maxReplicas) }}
{{- end }}
{{- if not (or $a.targetCPUUtilizationPercentage $a.targetMemoryUtilizationPercentage) }}
{{- fail (printf "telemetry-pipeline: %s.autoscaling needs targetCPUUtilizationPercentage or targetMemoryUtilizationPercentage" $key) }}
{{- end }}
{{- end }}
{{- end }}
{{- if and $v.apiGateway.enabled $v.apiGateway.ingress.enabled (not $v.apiGateway.ingress.hosts) }}
{{- fail "telemetry-pipeline: apiGateway.ingress.enabled=true needs at least one entry in apiGateway.ingress.hosts" }}
{{- end }}
{{- if and $v.apiGateway.enabled $v.apiGateway.cors.enabled (not $v.apiGateway.cors.allowedOrigins) }}
{{- fail "telemetry-pipeline: apiGateway.cors.enabled=true needs apiGateway.cors.allowedOrigins (the gateway turns CORS off when the list is empty)" }}
{{- end }}
{{- end }}
