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
{{- if include "telemetry-pipeline.redis.used" . }}
{{- if and (not $v.redis.enabled) (not $v.externalRedis.host) }}
{{- fail "telemetry-pipeline: transport.type=redis needs a Redis: set externalRedis.host (edge/central clusters) or redis.enabled=true (in-cluster Redis)" }}
{{- end }}
{{- end }}
{{- if and $v.redis.enabled $v.externalRedis.host }}
{{- fail "telemetry-pipeline: both redis.enabled=true and externalRedis.host are set: choose the in-cluster Redis or the external one" }}
{{- end }}
{{- if and $v.externalRedis.password $v.externalRedis.existingSecret }}
{{- fail "telemetry-pipeline: externalRedis.password and externalRedis.existingSecret are both set: give the password once" }}
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
