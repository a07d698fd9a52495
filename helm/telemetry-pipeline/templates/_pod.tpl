{{/* Whether a component's pods mount the edge spool (streamer on the redis transport): "true" or empty; call with (dict "root" $ "key" "streamer"). */}}
{{- define "telemetry-pipeline.usesSpool" -}}
{{- if and (eq .key "streamer") (eq .root.Values.transport.type "redis") }}true{{ end }}
{{- end }}

{{/* Environment of a pipeline container: only variables the jar reads (EnvOverrides) plus DESCRIPTOR, JAVA_OPTS, POD_NAME and OPS_PORT; call with (dict "root" $ "key" "collector"). */}}
{{- define "telemetry-pipeline.env" -}}
{{- $root := .root }}
{{- $v := $root.Values }}
{{- $c := index $v .key }}
{{- $paths := include "telemetry-pipeline.paths" . | fromYaml -}}
- name: DESCRIPTOR
  value: {{ $paths.descriptor | quote }}
- name: JAVA_OPTS
  value: {{ $c.javaOpts | quote }}
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: INSTANCE_ID
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: CLUSTER_ID
  value: {{ $v.clusterId | quote }}
{{- if ne .key "apiGateway" }}
- name: OPS_PORT
  value: {{ $c.opsPort | int64 | quote }}
{{- end }}
{{- if eq $v.transport.type "clustered" }}
- name: CLUSTER_INTERFACE
  valueFrom:
    fieldRef:
      fieldPath: status.podIP
- name: CLUSTER_KUBERNETES
  value: "true"
- name: CLUSTER_KUBERNETES_SERVICE
  value: {{ include "telemetry-pipeline.hazelcastServiceName" $root | quote }}
{{- end }}
{{- if and (eq $v.transport.type "redis") (include "telemetry-pipeline.redis.secretName" $root) }}
- name: REDIS_PASSWORD_FILE
  value: {{ $paths.redisPassword | quote }}
{{- end }}
{{- if and (ne .key "streamer") (include "telemetry-pipeline.db.used" $root) (include "telemetry-pipeline.db.secretName" $root) }}
- name: DB_PASSWORD_FILE
  value: {{ $paths.dbPassword | quote }}
{{- end }}
{{- if and (eq .key "apiGateway") (include "telemetry-pipeline.gatewayAuth.secretName" $root) }}
- name: GATEWAY_AUTH_ENABLED
  value: "true"
- name: GATEWAY_AUTH_TOKEN_FILE
  value: {{ $paths.gatewayTokens | quote }}
{{- end }}
{{- if include "telemetry-pipeline.usesSpool" . }}
- name: SPOOL_DIR
  value: {{ $v.mq.persistence.dir | quote }}
{{- end }}
{{- if and (eq .key "streamer") (eq $v.streamer.kind "StatefulSet") }}
- name: STREAMER_INSTANCE_COUNT
  value: {{ $v.streamer.replicaCount | int64 | quote }}
- name: STREAMER_INSTANCE_INDEX
  valueFrom:
    fieldRef:
      fieldPath: metadata.labels['apps.kubernetes.io/pod-index']
{{- end }}
{{- if and (eq .key "streamer") (include "telemetry-pipeline.streamer.scrapesNode" $root) }}
{{- $ne := $v.streamer.source.nodeExporter }}
{{- /* Kubernetes expands $(VAR) of earlier entries: the pod scrapes its own node's exporter and names the samples' host after the node (HOSTNAME=URL, see streamer.source.targets) */}}
- name: HOST_IP
  valueFrom:
    fieldRef:
      fieldPath: status.hostIP
- name: NODE_NAME
  valueFrom:
    fieldRef:
      fieldPath: spec.nodeName
- name: STREAMER_SOURCE_TARGETS
  value: {{ printf "$(NODE_NAME)=%s://$(HOST_IP):%d%s" $ne.scheme (int64 $ne.port) $ne.path | quote }}
{{- end }}
{{- if and (eq .key "apiGateway") $v.apiGateway.cors.enabled }}
- name: GATEWAY_CORS_ALLOWED_ORIGINS
  value: {{ join "," $v.apiGateway.cors.allowedOrigins | quote }}
- name: GATEWAY_CORS_ALLOWED_METHODS
  value: {{ join "," $v.apiGateway.cors.allowedMethods | quote }}
{{- end }}
{{- with $c.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Projected volume sources of the password files a component needs; empty when none; call with (dict "root" $ "key" "collector"). */}}
{{- define "telemetry-pipeline.secretSources" -}}
{{- $root := .root }}
{{- if and (ne .key "streamer") (include "telemetry-pipeline.db.used" $root) (include "telemetry-pipeline.db.secretName" $root) }}
- secret:
    name: {{ include "telemetry-pipeline.db.secretName" $root }}
    items:
      - key: {{ include "telemetry-pipeline.db.secretKey" $root }}
        path: db-password
{{- end }}
{{- if and (eq $root.Values.transport.type "redis") (include "telemetry-pipeline.redis.secretName" $root) }}
- secret:
    name: {{ include "telemetry-pipeline.redis.secretName" $root }}
    items:
      - key: {{ include "telemetry-pipeline.redis.secretKey" $root }}
        path: redis-password
{{- end }}
{{- if and (eq .key "apiGateway") (include "telemetry-pipeline.gatewayAuth.secretName" $root) }}
- secret:
    name: {{ include "telemetry-pipeline.gatewayAuth.secretName" $root }}
    items:
      - key: {{ include "telemetry-pipeline.gatewayAuth.secretKey" $root }}
        path: gateway-tokens
{{- end }}
{{- end }}

{{/* Projected volume sources of the CA certificates a component needs, from caCertSecret or the chart's ConfigMap of inline PEM; empty when none; call with (dict "root" $ "key" "collector"). */}}
{{- define "telemetry-pipeline.tlsSources" -}}
{{- $root := .root }}
{{- $v := $root.Values }}
{{- if and (ne .key "streamer") (include "telemetry-pipeline.db.ca" $root) }}
{{- if $v.externalDatabase.caCertSecret }}
- secret:
    name: {{ $v.externalDatabase.caCertSecret }}
    items:
      - key: {{ $v.externalDatabase.caCertKey }}
        path: db-ca.crt
{{- else }}
- configMap:
    name: {{ include "telemetry-pipeline.caConfigMapName" $root }}
    items:
      - key: db-ca.crt
        path: db-ca.crt
{{- end }}
{{- end }}
{{- if include "telemetry-pipeline.redis.ca" $root }}
{{- if $v.externalRedis.tls.caCertSecret }}
- secret:
    name: {{ $v.externalRedis.tls.caCertSecret }}
    items:
      - key: {{ $v.externalRedis.tls.caCertKey }}
        path: redis-ca.crt
{{- else }}
- configMap:
    name: {{ include "telemetry-pipeline.caConfigMapName" $root }}
    items:
      - key: redis-ca.crt
        path: redis-ca.crt
{{- end }}
{{- end }}
{{- end }}

{{/* Pod template of a pipeline component (streamer, collector or apiGateway); call with (dict "root" $ "key" "collector"). */}}
{{- define "telemetry-pipeline.podTemplate" -}}
{{- $root := .root }}
{{- $v := $root.Values }}
{{- $c := index $v .key }}
{{- $meta := include "telemetry-pipeline.componentMeta" .key | fromYaml }}
{{- $paths := include "telemetry-pipeline.paths" . | fromYaml }}
{{- $clustered := eq $v.transport.type "clustered" }}
{{- $secretSources := include "telemetry-pipeline.secretSources" . }}
{{- $tlsSources := include "telemetry-pipeline.tlsSources" . }}
{{- $spool := include "telemetry-pipeline.usesSpool" . }}
{{- $spoolClaimTemplate := and $spool $v.mq.persistence.enabled (eq $v.streamer.kind "StatefulSet") }}
{{- $csvSource := ternary (include "telemetry-pipeline.streamer.csvSource" $root) "" (eq .key "streamer") }}
{{- $checkpoints := and (eq .key "collector") (include "telemetry-pipeline.collector.checkpoints" $root) -}}
metadata:
  annotations:
    checksum/config: {{ include "telemetry-pipeline.descriptor" . | sha256sum }}
    {{- if $tlsSources }}
    {{- /* The jar reads its CA certificates at start: a changed inline certificate rolls the pods that mount it. */}}
    {{- $caText := $tlsSources }}
    {{- if and (ne .key "streamer") (include "telemetry-pipeline.db.ca" $root) }}
    {{- $caText = print $caText $v.externalDatabase.caCert }}
    {{- end }}
    {{- if include "telemetry-pipeline.redis.ca" $root }}
    {{- $caText = print $caText $v.externalRedis.tls.caCert }}
    {{- end }}
    checksum/ca: {{ $caText | sha256sum }}
    {{- end }}
    {{- if and (eq .key "streamer") $v.streamer.csvData }}
    {{- /* the CSV is read at start: changed inline data rolls the streamer pods */}}
    checksum/csv: {{ $v.streamer.csvData | sha256sum }}
    {{- end }}
    {{- with $c.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  labels:
    {{- include "telemetry-pipeline.componentLabels" (dict "root" $root "component" $meta.component) | nindent 4 }}
    {{- if $clustered }}
    {{- include "telemetry-pipeline.clusterMemberLabel" $root | nindent 4 }}
    {{- end }}
    {{- with $c.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "telemetry-pipeline.serviceAccountName" $root }}
  {{- /* Only Hazelcast's Kubernetes discovery talks to the API server. */}}
  automountServiceAccountToken: {{ $clustered }}
  {{- with $v.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- toYaml $c.podSecurityContext | nindent 4 }}
  terminationGracePeriodSeconds: {{ $c.terminationGracePeriodSeconds }}
  {{- with $c.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $c.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- if $c.affinity }}
  affinity:
    {{- toYaml $c.affinity | nindent 4 }}
  {{- else if $c.antiAffinity }}
  {{- $term := dict "topologyKey" "kubernetes.io/hostname" "labelSelector" (dict "matchLabels" (include "telemetry-pipeline.componentSelectorLabels" (dict "root" $root "component" $meta.component) | fromYaml)) }}
  affinity:
    podAntiAffinity:
      {{- if eq $c.antiAffinity "hard" }}
      requiredDuringSchedulingIgnoredDuringExecution:
        {{- toYaml (list $term) | nindent 8 }}
      {{- else }}
      preferredDuringSchedulingIgnoredDuringExecution:
        - weight: 100
          podAffinityTerm:
            {{- toYaml $term | nindent 12 }}
      {{- end }}
  {{- end }}
  containers:
    - name: {{ $meta.component }}
      image: {{ include "telemetry-pipeline.image" (dict "root" $root "image" $c.image) | quote }}
      imagePullPolicy: {{ include "telemetry-pipeline.imagePullPolicy" (dict "root" $root "image" $c.image) }}
      securityContext:
        {{- toYaml $c.securityContext | nindent 8 }}
      env:
        {{- include "telemetry-pipeline.env" . | nindent 8 }}
      ports:
        {{- if eq .key "apiGateway" }}
        - name: http
          containerPort: {{ $v.apiGateway.port }}
          protocol: TCP
        {{- else }}
        - name: ops
          containerPort: {{ $c.opsPort }}
          protocol: TCP
        {{- end }}
        {{- if $clustered }}
        - name: hazelcast
          containerPort: {{ $v.transport.cluster.port }}
          protocol: TCP
        {{- end }}
      {{- $probePort := ternary "http" "ops" (eq .key "apiGateway") }}
      {{- $probeScheme := ternary "HTTPS" "HTTP" (and (eq .key "apiGateway") $v.apiGateway.tls.enabled) }}
      {{- with $c.livenessProbe }}
      {{- if .enabled }}
      livenessProbe:
        httpGet:
          path: /health
          port: {{ $probePort }}
          scheme: {{ $probeScheme }}
        {{- toYaml (omit . "enabled") | nindent 8 }}
      {{- end }}
      {{- end }}
      {{- with $c.readinessProbe }}
      {{- if .enabled }}
      readinessProbe:
        httpGet:
          path: /ready
          port: {{ $probePort }}
          scheme: {{ $probeScheme }}
        {{- toYaml (omit . "enabled") | nindent 8 }}
      {{- end }}
      {{- end }}
      resources:
        {{- toYaml $c.resources | nindent 8 }}
      volumeMounts:
        - name: descriptor
          mountPath: {{ $paths.descriptor }}
          subPath: descriptor.json
          readOnly: true
        - name: tmp
          mountPath: /tmp
        {{- if $secretSources }}
        - name: secrets
          mountPath: {{ $paths.secrets }}
          readOnly: true
        {{- end }}
        {{- if $tlsSources }}
        - name: tls
          mountPath: {{ $paths.tls }}
          readOnly: true
        {{- end }}
        {{- if and (eq .key "apiGateway") $v.apiGateway.tls.enabled }}
        - name: gateway-tls
          mountPath: {{ $paths.gatewayTls }}
          readOnly: true
        {{- end }}
        {{- if $spool }}
        - name: spool
          mountPath: {{ $v.mq.persistence.dir }}
        {{- end }}
        {{- if $csvSource }}
        - name: csv
          mountPath: {{ ternary $v.streamer.persistence.mountPath $paths.csvDir (eq $csvSource "persistence") }}
          readOnly: true
        {{- end }}
        {{- if $checkpoints }}
        - name: data
          mountPath: {{ $v.collector.persistence.mountPath }}
        {{- end }}
        {{- with $c.extraVolumeMounts }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
  volumes:
    - name: descriptor
      configMap:
        name: {{ include "telemetry-pipeline.componentName" (dict "root" $root "suffix" (printf "%s-config" $meta.component)) }}
    - name: tmp
      emptyDir: {}
    {{- if $secretSources }}
    - name: secrets
      projected:
        defaultMode: 0440
        sources:
          {{- $secretSources | trim | nindent 10 }}
    {{- end }}
    {{- if $tlsSources }}
    - name: tls
      projected:
        defaultMode: 0444
        sources:
          {{- $tlsSources | trim | nindent 10 }}
    {{- end }}
    {{- if and (eq .key "apiGateway") $v.apiGateway.tls.enabled }}
    - name: gateway-tls
      secret:
        secretName: {{ $v.apiGateway.tls.secretName }}
        defaultMode: 0440
        items:
          - key: tls.crt
            path: tls.crt
          - key: tls.key
            path: tls.key
    {{- end }}
    {{- if and $spool (not $spoolClaimTemplate) }}
    - name: spool
      {{- if $v.mq.persistence.enabled }}
      persistentVolumeClaim:
        claimName: {{ default (include "telemetry-pipeline.componentName" (dict "root" $root "suffix" "spool")) $v.mq.persistence.existingClaim }}
      {{- else }}
      emptyDir: {}
      {{- end }}
    {{- end }}
    {{- if eq $csvSource "inline" }}
    - name: csv
      configMap:
        name: {{ include "telemetry-pipeline.componentName" (dict "root" $root "suffix" "streamer-csv") }}
        items:
          - key: telemetry.csv
            path: telemetry.csv
    {{- else if eq $csvSource "configMap" }}
    - name: csv
      configMap:
        name: {{ $v.streamer.csvConfigMap.name }}
        items:
          - key: {{ $v.streamer.csvConfigMap.key }}
            path: telemetry.csv
    {{- else if eq $csvSource "persistence" }}
    - name: csv
      persistentVolumeClaim:
        claimName: {{ default (include "telemetry-pipeline.componentName" (dict "root" $root "suffix" "streamer-csv")) $v.streamer.persistence.existingClaim }}
        readOnly: true
    {{- end }}
    {{- if $checkpoints }}
    - name: data
      {{- if $v.collector.persistence.enabled }}
      persistentVolumeClaim:
        claimName: {{ default (include "telemetry-pipeline.componentName" (dict "root" $root "suffix" "collector-data")) $v.collector.persistence.existingClaim }}
      {{- else }}
      emptyDir: {}
      {{- end }}
    {{- end }}
    {{- with $c.extraVolumes }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end }}
