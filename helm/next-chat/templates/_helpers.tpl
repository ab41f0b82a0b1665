{{/* One named template per derived fact. */}}

{{- define "next-chat.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* <release>-<chart>, or the release name alone when it already holds the chart name. */}}
{{- define "next-chat.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "next-chat.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels of every resource; call with (dict "ctx" $ "component" "hub"). */}}
{{- define "next-chat.labels" -}}
{{ include "next-chat.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
app.kubernetes.io/part-of: next-chat
helm.sh/chart: {{ include "next-chat.chart" .ctx }}
{{- with .ctx.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Labels that select the pods of one component; never change them in an upgrade. */}}
{{- define "next-chat.selectorLabels" -}}
app.kubernetes.io/name: {{ include "next-chat.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* The label selector of the hub pods as one string (for the test pod's discovery). */}}
{{- define "next-chat.hubSelector" -}}
{{- $parts := list -}}
{{- range $k, $v := (include "next-chat.selectorLabels" (dict "ctx" . "component" "hub") | fromYaml) -}}
{{- $parts = append $parts (printf "%s=%s" $k $v) -}}
{{- end -}}
{{- join "," $parts -}}
{{- end -}}

{{- define "next-chat.annotations" -}}
{{- with .Values.commonAnnotations }}
annotations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* registry/repository:tag or @digest; call with (dict "image" .Values.hub.image "ctx" $). */}}
{{- define "next-chat.image" -}}
{{- $registry := .ctx.Values.global.imageRegistry | default .image.registry -}}
{{- $ref := printf "%s:%s" .image.repository (.image.tag | default .ctx.Chart.AppVersion | toString) -}}
{{- if .image.digest -}}
{{- $ref = printf "%s@%s" .image.repository .image.digest -}}
{{- end -}}
{{- if $registry -}}
{{- printf "%s/%s" $registry $ref -}}
{{- else -}}
{{- $ref -}}
{{- end -}}
{{- end -}}

{{- define "next-chat.imagePullSecrets" -}}
{{- with .Values.global.imagePullSecrets }}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end }}
{{- end -}}

{{- define "next-chat.hub.serviceAccountName" -}}
{{- if .Values.hub.serviceAccount.create -}}
{{- default (include "next-chat.fullname" .) .Values.hub.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.hub.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
A secret value that survives upgrades: the value given, else the one already in
the cluster's Secret, else a new random one. Returns it base64-encoded.
Call with (dict "ctx" $ "secret" "<name>" "key" "<key>" "given" <value> "length" 64).
*/}}
{{- define "next-chat.persistentSecretValue" -}}
{{- if .given -}}
{{- .given | toString | b64enc -}}
{{- else -}}
{{- $existing := lookup "v1" "Secret" .ctx.Release.Namespace .secret -}}
{{- if and $existing (hasKey ($existing.data | default dict) .key) -}}
{{- index $existing.data .key -}}
{{- else -}}
{{- randAlphaNum (int .length) | b64enc -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Secret holding the JWT secret and its key. */}}
{{- define "next-chat.auth.secretName" -}}
{{- .Values.auth.existingSecret | default (printf "%s-auth" (include "next-chat.fullname" .)) -}}
{{- end -}}
{{- define "next-chat.auth.secretKey" -}}
{{- if .Values.auth.existingSecret -}}{{ .Values.auth.existingSecretKey }}{{- else -}}jwt-secret{{- end -}}
{{- end -}}

{{/* The API Service, and the Secret and key holding NEXT_CHAT_API_KEYS (comma-separated). */}}
{{- define "next-chat.api.fullname" -}}
{{- printf "%s-api" (include "next-chat.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- define "next-chat.api.secretName" -}}
{{- .Values.api.existingSecret | default (printf "%s-api-keys" (include "next-chat.fullname" .) | trunc 63 | trimSuffix "-") -}}
{{- end -}}
{{- define "next-chat.api.secretKey" -}}
{{- if .Values.api.existingSecret -}}{{ .Values.api.existingSecretKey }}{{- else -}}api-keys{{- end -}}
{{- end -}}

{{/* Whether webhooks are on, and the Secret and key holding NEXT_CHAT_WEBHOOK_SECRET. */}}
{{- define "next-chat.webhooks.enabled" -}}
{{- if .Values.webhooks.endpoints -}}true{{- end -}}
{{- end -}}
{{- define "next-chat.webhooks.secretName" -}}
{{- .Values.webhooks.existingSecret | default (printf "%s-webhooks" (include "next-chat.fullname" .) | trunc 63 | trimSuffix "-") -}}
{{- end -}}
{{- define "next-chat.webhooks.secretKey" -}}
{{- if .Values.webhooks.existingSecret -}}{{ .Values.webhooks.existingSecretKey }}{{- else -}}webhook-secret{{- end -}}
{{- end -}}

{{/* env entries for NEXT_CHAT_API_KEYS and NEXT_CHAT_WEBHOOK_SECRET (hub only), from their Secrets: never plain values. */}}
{{- define "next-chat.env.integrationSecrets" -}}
{{- if .Values.api.enabled }}
- name: NEXT_CHAT_API_KEYS
  valueFrom:
    secretKeyRef:
      name: {{ include "next-chat.api.secretName" . }}
      key: {{ include "next-chat.api.secretKey" . }}
{{- end }}
{{- if include "next-chat.webhooks.enabled" . }}
- name: NEXT_CHAT_WEBHOOK_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ include "next-chat.webhooks.secretName" . }}
      key: {{ include "next-chat.webhooks.secretKey" . }}
{{- end }}
{{- end -}}

{{- define "next-chat.redis.fullname" -}}
{{- printf "%s-redis" (include "next-chat.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- define "next-chat.mysql.fullname" -}}
{{- printf "%s-mysql" (include "next-chat.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- define "next-chat.metrics.fullname" -}}
{{- printf "%s-metrics" (include "next-chat.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- define "next-chat.external.secretName" -}}
{{- printf "%s-external" (include "next-chat.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Secret and key holding NEXT_CHAT_REDIS_URL. */}}
{{- define "next-chat.redis.urlSecretName" -}}
{{- if .Values.redis.enabled -}}{{ include "next-chat.redis.fullname" . }}
{{- else if .Values.externalRedis.existingSecret -}}{{ .Values.externalRedis.existingSecret }}
{{- else -}}{{ include "next-chat.external.secretName" . }}{{- end -}}
{{- end -}}
{{- define "next-chat.redis.urlSecretKey" -}}
{{- if and (not .Values.redis.enabled) .Values.externalRedis.existingSecret -}}{{ .Values.externalRedis.existingSecretKey }}
{{- else -}}redis-url{{- end -}}
{{- end -}}

{{/* Redis through Sentinel: the Secret holding its passwords, and the env entries of the hub for it. */}}
{{- define "next-chat.redis.sentinelSecretName" -}}
{{- .Values.externalRedis.sentinel.existingSecret | default (include "next-chat.external.secretName" .) -}}
{{- end -}}
{{/* The keys of the Redis and the sentinels' passwords in that Secret, each empty when there is none. */}}
{{- define "next-chat.redis.sentinelPasswordKey" -}}
{{- $s := .Values.externalRedis.sentinel -}}
{{- if $s.existingSecret -}}{{ $s.existingSecretPasswordKey }}{{- else if $s.password -}}redis-password{{- end -}}
{{- end -}}
{{- define "next-chat.redis.sentinelSentinelPasswordKey" -}}
{{- $s := .Values.externalRedis.sentinel -}}
{{- if $s.existingSecret -}}{{ $s.existingSecretSentinelPasswordKey }}{{- else if $s.sentinelPassword -}}redis-sentinel-password{{- end -}}
{{- end -}}

{{/* Redis Cluster: the Secret holding the password of its nodes, and its key there (empty when there is none). */}}
{{- define "next-chat.redis.clusterSecretName" -}}
{{- .Values.externalRedis.cluster.existingSecret | default (include "next-chat.external.secretName" .) -}}
{{- end -}}
{{- define "next-chat.redis.clusterPasswordKey" -}}
{{- $c := .Values.externalRedis.cluster -}}
{{- if $c.existingSecret -}}{{ $c.existingSecretPasswordKey }}{{- else if $c.password -}}redis-password{{- end -}}
{{- end -}}
{{/* A seed node of NEXT_CHAT_REDIS_CLUSTER_NODES as the hub accepts it: the pattern of values.schema.json (tests/unit/chart/cluster.test.ts checks both are the same). */}}
{{- define "next-chat.redis.hostPortPattern" -}}
{{- `^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?):([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$` -}}
{{- end -}}

{{/* env entries for the hub's Redis: NEXT_CHAT_REDIS_URL, or (Sentinel, Cluster) the passwords; the rest of Sentinel and Cluster is in the ConfigMap. Secrets only by secretKeyRef. */}}
{{- define "next-chat.env.redis" -}}
{{- if and (not .Values.redis.enabled) .Values.externalRedis.cluster.enabled (not .Values.externalRedis.sentinel.enabled) -}}
{{- with (include "next-chat.redis.clusterPasswordKey" .) }}
- name: NEXT_CHAT_REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "next-chat.redis.clusterSecretName" $ }}
      key: {{ . }}
{{- end }}
{{- else if and (not .Values.redis.enabled) .Values.externalRedis.sentinel.enabled -}}
{{- $secret := include "next-chat.redis.sentinelSecretName" . -}}
{{- with (include "next-chat.redis.sentinelPasswordKey" .) }}
- name: NEXT_CHAT_REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ . }}
{{- end }}
{{- with (include "next-chat.redis.sentinelSentinelPasswordKey" .) }}
- name: NEXT_CHAT_REDIS_SENTINEL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ . }}
{{- end }}
{{- else }}
- name: NEXT_CHAT_REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "next-chat.redis.urlSecretName" . }}
      key: {{ include "next-chat.redis.urlSecretKey" . }}
{{- end }}
{{- end -}}

{{/* Secret and key holding NEXT_CHAT_MYSQL_URL. */}}
{{- define "next-chat.mysql.urlSecretName" -}}
{{- if .Values.mysql.enabled -}}{{ include "next-chat.mysql.fullname" . }}
{{- else if .Values.externalMysql.existingSecret -}}{{ .Values.externalMysql.existingSecret }}
{{- else -}}{{ include "next-chat.external.secretName" . }}{{- end -}}
{{- end -}}
{{- define "next-chat.mysql.urlSecretKey" -}}
{{- if and (not .Values.mysql.enabled) .Values.externalMysql.existingSecret -}}{{ .Values.externalMysql.existingSecretKey }}
{{- else -}}mysql-url{{- end -}}
{{- end -}}

{{/* env entries for NEXT_CHAT_MYSQL_URL (hub and configurator share it). */}}
{{- define "next-chat.env.mysqlUrl" -}}
- name: NEXT_CHAT_MYSQL_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "next-chat.mysql.urlSecretName" . }}
      key: {{ include "next-chat.mysql.urlSecretKey" . }}
{{- end -}}

{{/* env entry for NEXT_CHAT_JWT_SECRET (hub and test pod share it); empty in trust mode. */}}
{{- define "next-chat.env.jwtSecret" -}}
{{- if eq .Values.auth.mode "jwt" -}}
- name: NEXT_CHAT_JWT_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ include "next-chat.auth.secretName" . }}
      key: {{ include "next-chat.auth.secretKey" . }}
{{- end -}}
{{- end -}}

{{/* env entry for NEXT_CHAT_JWT_PREVIOUS_SECRET (hub only): the retired secret during a rotation, when the Secret has it. */}}
{{- define "next-chat.env.jwtPreviousSecret" -}}
{{- if eq .Values.auth.mode "jwt" -}}
- name: NEXT_CHAT_JWT_PREVIOUS_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ include "next-chat.auth.secretName" . }}
      key: {{ if .Values.auth.existingSecret }}{{ .Values.auth.existingSecretPreviousKey }}{{ else }}jwt-previous-secret{{ end }}
      optional: true
{{- end -}}
{{- end -}}

{{/* Collects every bad combination of values and fails once. */}}
{{- define "next-chat.validateValues" -}}
{{- $errors := list -}}
{{- $sentinel := .Values.externalRedis.sentinel -}}
{{- $cluster := .Values.externalRedis.cluster -}}
{{- if and (not .Values.redis.enabled) (not .Values.externalRedis.url) (not .Values.externalRedis.existingSecret) (not $sentinel.enabled) (not $cluster.enabled) -}}
{{- $errors = append $errors "redis.enabled=false needs externalRedis.url, externalRedis.existingSecret, externalRedis.sentinel.enabled=true or externalRedis.cluster.enabled=true" -}}
{{- end -}}
{{- if and $sentinel.enabled .Values.redis.enabled -}}
{{- $errors = append $errors "externalRedis.sentinel.enabled=true needs redis.enabled=false: the bundled Redis is a single node without sentinels" -}}
{{- end -}}
{{- if and $sentinel.enabled (or .Values.externalRedis.url .Values.externalRedis.existingSecret) -}}
{{- $errors = append $errors "set only one of externalRedis.url / externalRedis.existingSecret and externalRedis.sentinel.enabled=true: the hub takes a URL or sentinels, not both" -}}
{{- end -}}
{{- if and $sentinel.enabled (not $sentinel.nodes) -}}
{{- $errors = append $errors "externalRedis.sentinel.enabled=true needs externalRedis.sentinel.nodes (host:port of each sentinel)" -}}
{{- end -}}
{{- if and $cluster.enabled .Values.redis.enabled -}}
{{- $errors = append $errors "externalRedis.cluster.enabled=true needs redis.enabled=false: the bundled Redis is a single node, not a Redis Cluster" -}}
{{- end -}}
{{- if and $cluster.enabled (or .Values.externalRedis.url .Values.externalRedis.existingSecret) -}}
{{- $errors = append $errors "set only one of externalRedis.url / externalRedis.existingSecret and externalRedis.cluster.enabled=true: the hub takes a URL or cluster nodes, not both" -}}
{{- end -}}
{{- if and $cluster.enabled $sentinel.enabled -}}
{{- $errors = append $errors "set only one of externalRedis.sentinel.enabled=true and externalRedis.cluster.enabled=true: the hub takes sentinels or cluster nodes, not both" -}}
{{- end -}}
{{- if and $cluster.enabled (not $cluster.nodes) -}}
{{- $errors = append $errors "externalRedis.cluster.enabled=true needs externalRedis.cluster.nodes (host:port of one or more cluster nodes to start from)" -}}
{{- end -}}
{{- /* What the hub does not run on a cluster yet (packages/server/src/config.ts; tests/unit/chart/cluster.test.ts checks both agree). */ -}}
{{- if and $cluster.enabled (gt (int .Values.hub.config.redisWaitReplicas) 0) -}}
{{- $errors = append $errors (printf "hub.config.redisWaitReplicas=%d is not supported with externalRedis.cluster.enabled=true yet: the hub refuses NEXT_CHAT_REDIS_WAIT_REPLICAS on NEXT_CHAT_REDIS_CLUSTER_NODES (use externalRedis.sentinel for confirmed writes)" (int .Values.hub.config.redisWaitReplicas)) -}}
{{- end -}}
{{- if and $cluster.enabled (include "next-chat.webhooks.enabled" .) -}}
{{- $errors = append $errors "webhooks.endpoints is not supported with externalRedis.cluster.enabled=true yet: the hub refuses NEXT_CHAT_WEBHOOKS on NEXT_CHAT_REDIS_CLUSTER_NODES (use externalRedis.url or externalRedis.sentinel)" -}}
{{- end -}}
{{- if $cluster.enabled -}}
{{- $seenNode := dict -}}
{{- range $cluster.nodes -}}
{{- if not (regexMatch (include "next-chat.redis.hostPortPattern" $) (toString .)) -}}
{{- $errors = append $errors (printf "externalRedis.cluster.nodes: %q is not host:port (a host name or [IPv6] address, a port 1-65535)" (toString .)) -}}
{{- else if hasKey $seenNode (toString .) -}}
{{- $errors = append $errors (printf "externalRedis.cluster.nodes: %q is listed twice" (toString .)) -}}
{{- end -}}
{{- $_ := set $seenNode (toString .) true -}}
{{- end -}}
{{- end -}}
{{- if and .Values.redis.enabled (gt (int .Values.hub.config.redisWaitReplicas) 0) -}}
{{- $errors = append $errors (printf "hub.config.redisWaitReplicas=%d needs an external Redis with replicas: the bundled Redis (redis.enabled=true) has none, so every message would wait redisWaitTimeoutMs and be refused with 4503" (int .Values.hub.config.redisWaitReplicas)) -}}
{{- end -}}
{{- if and (not .Values.mysql.enabled) (not .Values.externalMysql.url) (not .Values.externalMysql.existingSecret) -}}
{{- $errors = append $errors "mysql.enabled=false needs externalMysql.url or externalMysql.existingSecret" -}}
{{- end -}}
{{- if and .Values.externalRedis.url (not (regexMatch "^rediss?://" .Values.externalRedis.url)) -}}
{{- $errors = append $errors "externalRedis.url must start with redis:// or rediss://" -}}
{{- end -}}
{{- if and .Values.externalMysql.url (not (regexMatch "^mysql://" .Values.externalMysql.url)) -}}
{{- $errors = append $errors "externalMysql.url must start with mysql://" -}}
{{- end -}}
{{- if and (eq .Values.auth.mode "jwt") .Values.auth.jwtSecret (lt (len .Values.auth.jwtSecret) 32) -}}
{{- $errors = append $errors "auth.jwtSecret must be at least 32 characters (leave it empty to generate one)" -}}
{{- end -}}
{{- if and .Values.auth.previousJwtSecret (eq .Values.auth.previousJwtSecret .Values.auth.jwtSecret) -}}
{{- $errors = append $errors "auth.previousJwtSecret must differ from auth.jwtSecret" -}}
{{- end -}}
{{- if and .Values.auth.previousJwtSecret (not .Values.auth.jwtSecret) (not .Values.auth.existingSecret) -}}
{{- $errors = append $errors "auth.previousJwtSecret is for a rotation: set the new secret in auth.jwtSecret too" -}}
{{- end -}}
{{- $drainSeconds := div (add (int .Values.hub.config.drainTimeoutMs) 999) 1000 -}}
{{- $needed := add (int .Values.hub.preStopSleepSeconds) $drainSeconds 1 -}}
{{- if lt (int .Values.hub.terminationGracePeriodSeconds) (int $needed) -}}
{{- $errors = append $errors (printf "hub.terminationGracePeriodSeconds (%d) must be at least preStopSleepSeconds + drainTimeoutMs/1000 + 1 = %d" (int .Values.hub.terminationGracePeriodSeconds) (int $needed)) -}}
{{- end -}}
{{- if eq (int .Values.hub.metrics.port) (int .Values.hub.containerPort) -}}
{{- $errors = append $errors (printf "hub.metrics.port (%d) must differ from hub.containerPort: /metrics is kept off the public port" (int .Values.hub.metrics.port)) -}}
{{- end -}}
{{- if and .Values.api.enabled (not .Values.api.keys) (not .Values.api.existingSecret) -}}
{{- $errors = append $errors "api.enabled=true needs api.keys or api.existingSecret: the API refuses every request without a key" -}}
{{- end -}}
{{- if and .Values.api.enabled (or (eq (int .Values.api.port) (int .Values.hub.containerPort)) (eq (int .Values.api.port) (int .Values.hub.metrics.port))) -}}
{{- $errors = append $errors (printf "api.port (%d) must differ from hub.containerPort and hub.metrics.port: the API is kept off the public port" (int .Values.api.port)) -}}
{{- end -}}
{{- if and (include "next-chat.webhooks.enabled" .) (not .Values.webhooks.secret) (not .Values.webhooks.existingSecret) -}}
{{- $errors = append $errors "webhooks.endpoints needs webhooks.secret or webhooks.existingSecret: every delivery is signed" -}}
{{- end -}}
{{- $seen := dict -}}
{{- range .Values.webhooks.endpoints -}}
{{- if hasKey $seen (toString .name) -}}
{{- $errors = append $errors (printf "webhooks.endpoints: the name %q is used twice (each names its own delivery queue)" (toString .name)) -}}
{{- end -}}
{{- $_ := set $seen (toString .name) true -}}
{{- end -}}
{{- if and .Values.hub.autoscaling.enabled (gt (int .Values.hub.autoscaling.minReplicas) (int .Values.hub.autoscaling.maxReplicas)) -}}
{{- $errors = append $errors "hub.autoscaling.minReplicas must not exceed hub.autoscaling.maxReplicas" -}}
{{- end -}}
{{- if $errors -}}
{{- fail (printf "\n\nVALUES VALIDATION:\n  %s\n" (join "\n  " $errors)) -}}
{{- end -}}
{{- end -}}

{{/* A data store's Service and the headless one its StatefulSet names.
Call with (dict "ctx" $ "component" "redis" "name" <fullname> "port" 6379). */}}
{{- define "next-chat.datastoreServices" -}}
{{- range $headless := list false true }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ $.name }}{{ if $headless }}-headless{{ end }}
  namespace: {{ $.ctx.Release.Namespace | quote }}
  labels:
    {{- include "next-chat.labels" (dict "ctx" $.ctx "component" $.component) | nindent 4 }}
  {{- with (include "next-chat.annotations" $.ctx) }}{{ . | trim | nindent 2 }}{{ end }}
spec:
  type: ClusterIP
  {{- if $headless }}
  clusterIP: None
  publishNotReadyAddresses: true
  {{- end }}
  selector:
    {{- include "next-chat.selectorLabels" (dict "ctx" $.ctx "component" $.component) | nindent 4 }}
  ports:
    - name: {{ $.component }}
      port: {{ $.port }}
      targetPort: {{ $.component }}
      protocol: TCP
{{- end }}
{{- end -}}

{{/* volumeClaimTemplates of a data store, or nothing when persistence is off.
Call with (dict "ctx" $ "component" "redis" "persistence" .Values.redis.persistence). */}}
{{- define "next-chat.volumeClaimTemplates" -}}
{{- if .persistence.enabled }}
volumeClaimTemplates:
  - metadata:
      name: data
      labels:
        {{- include "next-chat.selectorLabels" (dict "ctx" .ctx "component" .component) | nindent 8 }}
    spec:
      accessModes:
        {{- toYaml .persistence.accessModes | nindent 8 }}
      {{- with .persistence.storageClass }}
      storageClassName: {{ . | quote }}
      {{- end }}
      resources:
        requests:
          storage: {{ .persistence.size | quote }}
{{- end }}
{{- end -}}
