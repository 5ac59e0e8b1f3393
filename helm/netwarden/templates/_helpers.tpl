{{- define "netwarden.fullname" -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "netwarden.labels" -}}
app.kubernetes.io/name: netwarden
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
netwarden.io/roles: {{ .Values.role | replace "," "_" | quote }}
{{- end -}}

{{- define "netwarden.selectorLabels" -}}
app.kubernetes.io/name: netwarden
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Fails the install on an unknown role, naming the valid ones (as the application itself does). */}}
{{- define "netwarden.roles" -}}
{{- $valid := list "all" "agent" "dispatcher" "registry" "edge-node" "netmanager" -}}
{{- range $r := splitList "," .Values.role -}}
{{- if not (has (trim $r) $valid) -}}
{{- fail (printf "unknown role '%s'; valid roles: agent, dispatcher, registry, edge-node, netmanager, all" (trim $r)) -}}
{{- end -}}
{{- end -}}
{{- .Values.role -}}
{{- end -}}

{{- define "netwarden.tokenSecret" -}}
{{- default (printf "%s-api-token" (include "netwarden.fullname" .)) .Values.apiToken.existingSecret -}}
{{- end -}}
