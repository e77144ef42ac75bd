#!/usr/bin/env bash
# One-shot setup of the logging stack (the `setup` service of monitoring/elk-stack.yml), safe to
# run again: TLS certificates for Elasticsearch, the kibana_system password, the logstash_writer
# role and user, the ILM policy and index template of the ECOSYSTE data streams.
set -euo pipefail

: "${ELASTIC_PASSWORD:?ELASTIC_PASSWORD is required}"
: "${KIBANA_SYSTEM_PASSWORD:?KIBANA_SYSTEM_PASSWORD is required}"
: "${LOGSTASH_WRITER_PASSWORD:?LOGSTASH_WRITER_PASSWORD is required}"

certs=/usr/share/elasticsearch/config/certs
elk=/usr/share/elk
es=https://elasticsearch:9200

# A private CA and a certificate for the elasticsearch host, once. Kibana and Logstash trust the CA.
if [[ ! -f "$certs/ca/ca.crt" ]]; then
  echo "creating the certificate authority and the elasticsearch certificate"
  bin/elasticsearch-certutil ca --silent --pem --out "$certs/ca.zip"
  unzip -oq "$certs/ca.zip" -d "$certs"
  printf 'instances:\n  - name: elasticsearch\n    dns: [elasticsearch, localhost]\n    ip: [127.0.0.1]\n' >"$certs/instances.yml"
  bin/elasticsearch-certutil cert --silent --pem --in "$certs/instances.yml" --out "$certs/certs.zip" \
    --ca-cert "$certs/ca/ca.crt" --ca-key "$certs/ca/ca.key"
  unzip -oq "$certs/certs.zip" -d "$certs"
  rm -f "$certs/ca.zip" "$certs/certs.zip"
fi
# Elasticsearch runs as uid 1000; the CA key stays readable by root only.
chown -R 1000:0 "$certs"
find "$certs" -type d -exec chmod 750 {} +
find "$certs" -type f -exec chmod 640 {} +
chmod 600 "$certs/ca/ca.key"

# Every call authenticates as elastic over TLS checked against our CA; the password travels in a
# header built here, not on a command line that `ps` would show.
api() {
  local method=$1 path=$2
  shift 2
  curl -fsS --cacert "$certs/ca/ca.crt" -X "$method" "$es$path" \
    -H "Authorization: Basic $(printf 'elastic:%s' "$ELASTIC_PASSWORD" | base64 -w0)" \
    -H 'Content-Type: application/json' "$@"
}

echo "waiting for elasticsearch"
for _ in $(seq 1 120); do
  if api GET /_cluster/health >/dev/null 2>&1; then break; fi
  sleep 2
done
api GET '/_cluster/health?wait_for_status=yellow&timeout=60s' >/dev/null

json_string() { printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g'; }

echo "setting the kibana_system password"
api POST /_security/user/kibana_system/_password -d "{\"password\":\"$(json_string "$KIBANA_SYSTEM_PASSWORD")\"}" >/dev/null

echo "installing the ILM policy and the index template"
api PUT /_ilm/policy/ecosyste-logs --data-binary "@$elk/ilm-policy.json" >/dev/null
api PUT /_index_template/ecosyste-logs --data-binary "@$elk/index-template.json" >/dev/null

echo "creating the logstash_writer role and user"
api PUT /_security/role/logstash_writer -d '{
  "cluster": ["monitor"],
  "indices": [{ "names": ["logs-ecosyste.*-*"], "privileges": ["create_doc", "auto_configure"] }]
}' >/dev/null
api PUT /_security/user/logstash_writer -d "{
  \"password\": \"$(json_string "$LOGSTASH_WRITER_PASSWORD")\",
  \"roles\": [\"logstash_writer\"],
  \"full_name\": \"Logstash (ECOSYSTE pipeline)\"
}" >/dev/null

echo "logging stack ready"
