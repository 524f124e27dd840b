{{/* The generated topology: services, their consumer groups, reads and writes; topics. */}}
{{- define "cs.topology" -}}
{{- .Files.Get "files/topology.json" -}}
{{- end -}}

{{- define "cs.name" -}}
{{- printf "%s-%s" .root.Release.Name .svc | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "cs.labels" -}}
app.kubernetes.io/name: careerstream
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
careerstream.io/service: {{ .svc }}
{{- if .component }}
app.kubernetes.io/component: {{ .component }}
{{- end }}
{{- end -}}

{{- define "cs.selector" -}}
app.kubernetes.io/instance: {{ .root.Release.Name }}
careerstream.io/service: {{ .svc }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "cs.image" -}}
{{- $digest := index .root.Values.image.digests .svc | default "" -}}
{{- if $digest -}}
{{ printf "%s/%s@%s" .root.Values.image.repository .svc $digest }}
{{- else -}}
{{ printf "%s/%s:%s" .root.Values.image.repository .svc .root.Values.image.tag }}
{{- end -}}
{{- end -}}

{{/* A component's settings: the global ones, overridden by overrides.<service>.<component>. */}}
{{- define "cs.settings" -}}
{{- $base := deepCopy (index .root.Values .component) -}}
{{- $over := index (default dict (index .root.Values.overrides .svc)) .component | default dict -}}
{{- toJson (mergeOverwrite $base $over) -}}
{{- end -}}

{{/* Environment of a service's containers. */}}
{{- define "cs.env" -}}
{{- $p := upper .svc -}}
{{- $v := .root.Values -}}
- name: {{ $p }}_HTTP_HOST
  value: "0.0.0.0"
- name: {{ $p }}_HTTP_PORT
  value: "8000"
- name: {{ $p }}_ENVIRONMENT
  value: {{ $v.environment | quote }}
{{- if ne .svc "console" }}
- name: {{ $p }}_DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ $v.postgres.cloudnativepg.enabled | ternary (printf "%s-app" (include "cs.name" .)) $v.postgres.existingSecret }}
      key: {{ $v.postgres.cloudnativepg.enabled | ternary "uri" (printf "%s-database-url" .svc) }}
- name: {{ $p }}_KAFKA_BOOTSTRAP_SERVERS
  value: {{ $v.kafka.bootstrapServers | quote }}
- name: CAREERSTREAM_CONSUMER_GROUP_PREFIX
  value: {{ $v.kafka.consumerGroupPrefix | quote }}
- name: CAREERSTREAM_MIGRATE_ON_START
  value: {{ $v.migrations.enabled | ternary "false" "true" | quote }}
- name: CAREERSTREAM_KAFKA_FETCH_MAX_WAIT_MS
  value: {{ $v.kafka.consumer.fetchMaxWaitMs | quote }}
- name: CAREERSTREAM_KAFKA_SESSION_TIMEOUT_MS
  value: {{ $v.kafka.consumer.sessionTimeoutMs | quote }}
- name: CAREERSTREAM_KAFKA_HEARTBEAT_INTERVAL_MS
  value: {{ $v.kafka.consumer.heartbeatIntervalMs | quote }}
{{- if $v.kafka.sasl.enabled }}
- name: CAREERSTREAM_KAFKA_SASL_MECHANISM
  value: {{ $v.kafka.sasl.mechanism | quote }}
- name: CAREERSTREAM_KAFKA_SASL_USERNAME
{{- if $v.kafka.strimzi.users }}
  value: {{ include "cs.name" . | quote }}
{{- else }}
  valueFrom:
    secretKeyRef:
      name: {{ printf "%s%s" $v.kafka.sasl.secretPrefix .svc }}
      key: username
{{- end }}
- name: CAREERSTREAM_KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $v.kafka.strimzi.users | ternary (include "cs.name" .) (printf "%s%s" $v.kafka.sasl.secretPrefix .svc) }}
      key: password
{{- end }}
{{- if $v.kafka.tls.enabled }}
- name: CAREERSTREAM_KAFKA_SSL_CAFILE
  value: /etc/careerstream/kafka-ca/ca.crt
{{- end }}
{{- end }}
- name: CAREERSTREAM_PRIVACY_URL
  value: {{ printf "http://%s-privacy:8000" .root.Release.Name | quote }}
- name: CAREERSTREAM_PRIVACY_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ $v.secrets.existingSecret }}
      key: privacy-secret
{{- if $v.auth.jwksUrl }}
- name: CAREERSTREAM_AUTH_JWKS_URL
  value: {{ $v.auth.jwksUrl | quote }}
{{- else }}
- name: CAREERSTREAM_AUTH_HS256_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ $v.secrets.existingSecret }}
      key: auth-secret
{{- end }}
{{- if $v.auth.issuer }}
- name: CAREERSTREAM_AUTH_ISSUER
  value: {{ $v.auth.issuer | quote }}
{{- end }}
- name: CAREERSTREAM_AUTH_AUDIENCE
  value: {{ $v.auth.audience | quote }}
- name: CAREERSTREAM_AUTH_ENVIRONMENT
  value: {{ $v.environment | quote }}
- name: CAREERSTREAM_PRIVACY_ENVIRONMENT
  value: {{ $v.environment | quote }}
- name: CAREERSTREAM_LOG_FORMAT
  value: json
{{- if $v.otel.endpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ $v.otel.endpoint | quote }}
- name: OTEL_SERVICE_NAME
  value: {{ printf "careerstream-%s" .svc | quote }}
{{- end }}
{{- if eq .svc "privacy" }}
- name: PRIVACY_MASTER_KEYS
  valueFrom:
    secretKeyRef:
      name: {{ $v.secrets.existingSecret }}
      key: master-keys
- name: PRIVACY_EXPORT_URLS
  value: {{ include "cs.exportUrls" .root | quote }}
{{- end }}
{{- if eq .svc "console" }}
{{- range $other := list "frameworks" "assessments" "plans" "mobility" "metrics" "hris" "privacy" "notifications" }}
- name: CONSOLE_{{ upper $other }}_URL
  value: {{ printf "http://%s-%s:8000" $.root.Release.Name $other | quote }}
{{- end }}
- name: CONSOLE_SESSION_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ $v.secrets.existingSecret }}
      key: console-session-secret
{{- end }}
{{- end -}}

{{- define "cs.exportUrls" -}}
{{- $parts := list -}}
{{- range $svc := list "frameworks" "assessments" "plans" "mobility" "metrics" "hris" "notifications" -}}
{{- $parts = append $parts (printf "%s=http://%s-%s:8000" $svc $.Release.Name $svc) -}}
{{- end -}}
{{- join "," $parts -}}
{{- end -}}

{{- define "cs.volumes" -}}
- name: tmp
  emptyDir: {}
{{- if and .root.Values.kafka.tls.enabled (ne .svc "console") }}
- name: kafka-ca
  secret:
    secretName: {{ .root.Values.kafka.tls.caSecret }}
{{- end }}
{{- end -}}

{{- define "cs.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if and .root.Values.kafka.tls.enabled (ne .svc "console") }}
- name: kafka-ca
  mountPath: /etc/careerstream/kafka-ca
  readOnly: true
{{- end }}
{{- end -}}
