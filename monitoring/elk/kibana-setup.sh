#!/usr/bin/env bash
# Imports the ECOSYSTE data view and saved searches (elk/kibana-objects.ndjson) into Kibana once it
# is up (the `kibana-setup` service of monitoring/elk-stack.yml). Overwrites: the file is the source.
set -euo pipefail

: "${ELASTIC_PASSWORD:?ELASTIC_PASSWORD is required}"
kibana=http://kibana:5601
auth="Authorization: Basic $(printf 'elastic:%s' "$ELASTIC_PASSWORD" | base64 -w0)"

for _ in $(seq 1 120); do
  if curl -fsS -H "$auth" "$kibana/api/status" 2>/dev/null | grep -q '"level":"available"'; then break; fi
  sleep 2
done
curl -fsS -H "$auth" -H 'kbn-xsrf: ecosyste' -X POST "$kibana/api/saved_objects/_import?overwrite=true" \
  --form file=@/usr/share/elk/kibana-objects.ndjson >/dev/null
echo "kibana objects imported"
