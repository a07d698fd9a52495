{{/* Chart name, truncated to 63 characters (a DNS label). */}}
{{- define "telemetry-pipeline.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-qualified name every resource name starts with; the release name alone when it already contains the chart name. */}}
{{- define "telemetry-pipeline.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Chart name and version, for the helm.sh/chart label. */}}
{{- define "telemetry-pipeline.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels every object of the release carries. */}}
{{- define "telemetry-pipeline.labels" -}}
helm.sh/chart: {{ include "telemetry-pipeline.chart" . }}
{{ include "telemetry-pipeline.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: telemetry-pipeline
{{- end }}

{{/* Labels that identify the release's pods; stable across upgrades, so no version here. */}}
{{- define "telemetry-pipeline.selectorLabels" -}}
app.kubernetes.io/name: {{ include "telemetry-pipeline.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels of one component's objects; call with (dict "root" $ "component" "collector"). */}}
{{- define "telemetry-pipeline.componentLabels" -}}
{{ include "telemetry-pipeline.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Selector labels of one component's pods; call with (dict "root" $ "component" "collector"). */}}
{{- define "telemetry-pipeline.componentSelectorLabels" -}}
{{ include "telemetry-pipeline.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Label of the pipeline pods that join the Hazelcast cluster (the headless service selects it). */}}
{{- define "telemetry-pipeline.clusterMemberLabel" -}}
gputelemetry.org/cluster-member: "true"
{{- end }}

{{/* Name of a component's objects: fullname plus a suffix, kept within 63 characters; call with (dict "root" $ "suffix" "collector"). */}}
{{- define "telemetry-pipeline.componentName" -}}
{{- $max := sub 62 (len .suffix) | int }}
{{- printf "%s-%s" (include "telemetry-pipeline.fullname" .root | trunc $max | trimSuffix "-") .suffix }}
{{- end }}

{{/* Facts about a pipeline component by its values key: the jar role it runs, its component label, its name suffix. */}}
{{- define "telemetry-pipeline.componentMeta" -}}
{{- if eq . "streamer" }}
role: streamer
component: streamer
{{- else if eq . "collector" }}
role: collector
component: collector
{{- else if eq . "apiGateway" }}
role: gateway
component: api-gateway
{{- else }}
{{- fail (printf "internal: unknown component %q" .) }}
{{- end }}
{{- end }}

{{/* Name of the ServiceAccount the pipeline pods run as. */}}
{{- define "telemetry-pipeline.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "telemetry-pipeline.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Image reference of a pipeline component: its own image block wins over the global one; call with (dict "root" $ "image" .Values.collector.image). */}}
{{- define "telemetry-pipeline.image" -}}
{{- $g := .root.Values.image }}
{{- $c := .image | default dict }}
{{- $repo := default $g.repository $c.repository }}
{{- $tag := default (default .root.Chart.AppVersion $g.tag) $c.tag }}
{{- printf "%s:%s" $repo $tag }}
{{- end }}

{{/* Pull policy of a pipeline component; call like telemetry-pipeline.image. */}}
{{- define "telemetry-pipeline.imagePullPolicy" -}}
{{- $c := .image | default dict }}
{{- default .root.Values.image.pullPolicy $c.pullPolicy }}
{{- end }}

{{/* Name of the headless Service Hazelcast discovers its members through. */}}
{{- define "telemetry-pipeline.hazelcastServiceName" -}}
{{- include "telemetry-pipeline.componentName" (dict "root" . "suffix" "hazelcast") }}
{{- end }}

{{/* Whether any pipeline component (streamer, collector, gateway) is enabled: "true" or empty. */}}
{{- define "telemetry-pipeline.anyPipelineComponent" -}}
{{- if or .Values.streamer.enabled .Values.collector.enabled .Values.apiGateway.enabled }}true{{ end }}
{{- end }}

{{/* Whether the enabled components use the store (collector or gateway): "true" or empty. */}}
{{- define "telemetry-pipeline.usesStore" -}}
{{- if or .Values.collector.enabled .Values.apiGateway.enabled }}true{{ end }}
{{- end }}

{{/* Whether the pods need PostgreSQL (store.type postgres and a store user enabled): "true" or empty. */}}
{{- define "telemetry-pipeline.db.used" -}}
{{- if and (eq .Values.store.type "postgres") (include "telemetry-pipeline.usesStore" .) }}true{{ end }}
{{- end }}

{{/* Whether the pods need Redis (transport.type redis and a pipeline component enabled): "true" or empty. */}}
{{- define "telemetry-pipeline.redis.used" -}}
{{- if and (eq .Values.transport.type "redis") (include "telemetry-pipeline.anyPipelineComponent" .) }}true{{ end }}
{{- end }}

{{/* PostgreSQL host the store connects to: the in-cluster StatefulSet's Service or externalDatabase.host. */}}
{{- define "telemetry-pipeline.db.host" -}}
{{- if .Values.postgresql.enabled }}
{{- include "telemetry-pipeline.componentName" (dict "root" . "suffix" "postgresql") }}
{{- else }}
{{- .Values.externalDatabase.host }}
{{- end }}
{{- end }}

{{/* Secret that holds the PostgreSQL password; empty when the store connects without one. */}}
{{- define "telemetry-pipeline.db.secretName" -}}
{{- if .Values.postgresql.enabled }}
{{- default (include "telemetry-pipeline.componentName" (dict "root" . "suffix" "postgresql")) .Values.postgresql.auth.existingSecret }}
{{- else if .Values.externalDatabase.existingSecret }}
{{- .Values.externalDatabase.existingSecret }}
{{- else if .Values.externalDatabase.password }}
{{- include "telemetry-pipeline.componentName" (dict "root" . "suffix" "external-db") }}
{{- end }}
{{- end }}

{{/* Key of the PostgreSQL password inside db.secretName. */}}
{{- define "telemetry-pipeline.db.secretKey" -}}
{{- if and .Values.postgresql.enabled .Values.postgresql.auth.existingSecret }}
{{- .Values.postgresql.auth.existingSecretPasswordKey }}
{{- else if and (not .Values.postgresql.enabled) .Values.externalDatabase.existingSecret }}
{{- .Values.externalDatabase.existingSecretPasswordKey }}
{{- else }}
{{- print "password" }}
{{- end }}
{{- end }}

{{/* Whether the pods use externalRedis (redis transport, in-cluster Redis off, externalRedis.enabled): "true" or empty. */}}
{{- define "telemetry-pipeline.redis.external" -}}
{{- if and (include "telemetry-pipeline.redis.used" .) (not .Values.redis.enabled) .Values.externalRedis.enabled }}true{{ end }}
{{- end }}

{{/* Whether the store pods use externalDatabase (postgres store, in-cluster PostgreSQL off): "true" or empty. */}}
{{- define "telemetry-pipeline.db.external" -}}
{{- if and (include "telemetry-pipeline.db.used" .) (not .Values.postgresql.enabled) }}true{{ end }}
{{- end }}

{{/* Redis host the transport connects to: the in-cluster StatefulSet's Service or externalRedis.host. */}}
{{- define "telemetry-pipeline.redis.host" -}}
{{- if .Values.redis.enabled }}
{{- include "telemetry-pipeline.componentName" (dict "root" . "suffix" "redis") }}
{{- else }}
{{- .Values.externalRedis.host }}
{{- end }}
{{- end }}

{{/* The existing Secret named for externalRedis, flat (existingSecret) or nested (auth.existingSecret); empty when neither. */}}
{{- define "telemetry-pipeline.externalRedis.existingSecret" -}}
{{- $x := .Values.externalRedis }}
{{- $x.existingSecret | default $x.auth.existingSecret }}
{{- end }}

{{/* Secret that holds the Redis password; empty when Redis has no password. */}}
{{- define "telemetry-pipeline.redis.secretName" -}}
{{- $x := .Values.externalRedis }}
{{- if .Values.redis.enabled }}
{{- default (include "telemetry-pipeline.componentName" (dict "root" . "suffix" "redis")) .Values.redis.auth.existingSecret }}
{{- else if not $x.auth.enabled }}
{{- else if include "telemetry-pipeline.externalRedis.existingSecret" . }}
{{- include "telemetry-pipeline.externalRedis.existingSecret" . }}
{{- else if $x.password }}
{{- include "telemetry-pipeline.componentName" (dict "root" . "suffix" "external-redis") }}
{{- end }}
{{- end }}

{{/* Key of the Redis password inside redis.secretName. */}}
{{- define "telemetry-pipeline.redis.secretKey" -}}
{{- $x := .Values.externalRedis }}
{{- if and .Values.redis.enabled .Values.redis.auth.existingSecret }}
{{- .Values.redis.auth.existingSecretPasswordKey }}
{{- else if and (not .Values.redis.enabled) $x.existingSecret }}
{{- $x.existingSecretPasswordKey }}
{{- else if and (not .Values.redis.enabled) $x.auth.existingSecret }}
{{- $x.auth.existingSecretPasswordKey }}
{{- else }}
{{- print "password" }}
{{- end }}
{{- end }}

{{/* Name of the ConfigMap holding the CA certificates given inline (externalRedis.tls.caCert, externalDatabase.caCert). */}}
{{- define "telemetry-pipeline.caConfigMapName" -}}
{{- include "telemetry-pipeline.componentName" (dict "root" . "suffix" "ca-certs") }}
{{- end }}

{{/* Whether the pods trust a CA certificate for externalRedis (TLS on, caCert or caCertSecret given): "true" or empty. */}}
{{- define "telemetry-pipeline.redis.ca" -}}
{{- $t := .Values.externalRedis.tls }}
{{- if and (include "telemetry-pipeline.redis.external" .) $t.enabled (or $t.caCert $t.caCertSecret) }}true{{ end }}
{{- end }}

{{/* Whether the store pods trust a CA certificate for externalDatabase (caCert or caCertSecret given): "true" or empty. */}}
{{- define "telemetry-pipeline.db.ca" -}}
{{- $x := .Values.externalDatabase }}
{{- if and (include "telemetry-pipeline.db.external" .) (or $x.caCert $x.caCertSecret) }}true{{ end }}
{{- end }}

{{/* A password for a chart-made Secret, base64: the value given, else the one already stored in the cluster (lookup), else a new random one; call with (dict "root" $ "name" secretName "value" plaintext), optionally "key" (default "password") and "length" (default 32). */}}
{{- define "telemetry-pipeline.stablePassword" -}}
{{- $key := default "password" .key }}
{{- if .value }}
{{- .value | b64enc }}
{{- else }}
{{- $existing := lookup "v1" "Secret" .root.Release.Namespace .name }}
{{- if and $existing $existing.data (index $existing.data $key) }}
{{- index $existing.data $key }}
{{- else }}
{{- randAlphaNum (default 32 .length | int) | b64enc }}
{{- end }}
{{- end }}
{{- end }}

{{/* Secret holding the gateway's accepted bearer tokens (apiGateway.auth); empty when authentication is off. */}}
{{- define "telemetry-pipeline.gatewayAuth.secretName" -}}
{{- $a := .Values.apiGateway.auth }}
{{- if $a.enabled }}
{{- default (include "telemetry-pipeline.componentName" (dict "root" . "suffix" "api-gateway-auth")) $a.existingSecret }}
{{- end }}
{{- end }}

{{/* Key of the tokens inside gatewayAuth.secretName. */}}
{{- define "telemetry-pipeline.gatewayAuth.secretKey" -}}
{{- if .Values.apiGateway.auth.existingSecret }}
{{- .Values.apiGateway.auth.existingSecretKey }}
{{- else }}
{{- print "tokens" }}
{{- end }}
{{- end }}

{{/* Scheme of the gateway's port: "https" with apiGateway.tls.enabled, else "http". */}}
{{- define "telemetry-pipeline.gatewayScheme" -}}
{{- ternary "https" "http" (and .Values.apiGateway.enabled .Values.apiGateway.tls.enabled | default false) }}
{{- end }}
