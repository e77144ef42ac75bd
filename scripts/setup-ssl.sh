#!/usr/bin/env bash
# Certificates for the nginx edge (nginx.conf), in Let's Encrypt's layout:
#   $LETSENCRYPT_DIR/live/<first domain>/{fullchain,privkey}.pem and $LETSENCRYPT_DIR/ssl-dhparams.pem
#
#   scripts/setup-ssl.sh                 Let's Encrypt through certbot's webroot mode: nginx keeps
#                                        running and serves the challenge from $ACME_WEBROOT; renewal
#                                        is scheduled and reloads nginx after each new certificate.
#   scripts/setup-ssl.sh --self-signed   a local certificate, so the stack runs over HTTPS on a laptop.
#
# Safe to re-run: an existing valid certificate is kept, files are only rewritten when they change.
#
# Environment:
#   SSL_DOMAINS       space- or comma-separated names, first one names the certificate
#                     (default: "ecosyste.com www.ecosyste.com"; --self-signed: "localhost")
#   SSL_EMAIL         Let's Encrypt account e-mail (required without --self-signed)
#   LETSENCRYPT_DIR   default /etc/letsencrypt
#   ACME_WEBROOT      default /var/www/certbot (nginx serves /.well-known/acme-challenge/ from it)
#   NGINX_RELOAD_CMD  default "nginx -s reload"; with compose, for instance
#                     "docker compose -f /srv/ecosyste/docker-compose.prod.yml exec -T nginx nginx -s reload"
#   RENEW_SCHEDULER   auto (systemd timer when certbot ships one, else cron), systemd, cron or none
#   CRON_FILE         default /etc/cron.d/ecosyste-certbot
#   SSL_STAGING=1     use Let's Encrypt's staging CA (for trials: no rate limits, untrusted certificates)
set -euo pipefail

die() {
  printf 'setup-ssl: %s\n' "$*" >&2
  exit 1
}
say() { printf 'setup-ssl: %s\n' "$*"; }

mode=letsencrypt
force=0
for arg in "$@"; do
  case "$arg" in
    --self-signed) mode=self-signed ;;
    --force) force=1 ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
    *) die "unknown argument: $arg (see --help)" ;;
  esac
done

default_domains="ecosyste.com www.ecosyste.com"
[[ $mode == self-signed ]] && default_domains="localhost"
raw_domains="${SSL_DOMAINS:-$default_domains}"
read -r -a domains <<<"${raw_domains//,/ }"
((${#domains[@]})) || die "SSL_DOMAINS is empty"
for d in "${domains[@]}"; do
  [[ $d =~ ^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$ ]] || die "not a host name: $d"
done
primary="${domains[0]}"

le_dir="${LETSENCRYPT_DIR:-/etc/letsencrypt}"
webroot="${ACME_WEBROOT:-/var/www/certbot}"
live="$le_dir/live/$primary"
reload_cmd="${NGINX_RELOAD_CMD:-nginx -s reload}"

command -v openssl >/dev/null || die "openssl is required"

# Writes stdin to $1 only when the content differs, atomically, so re-runs change nothing.
write_if_changed() {
  local target=$1 mode=$2 tmp
  tmp=$(mktemp "$target.XXXXXX")
  cat >"$tmp"
  chmod "$mode" "$tmp"
  if [[ -f $target ]] && cmp -s "$tmp" "$target"; then
    rm -f "$tmp"
  else
    mv -f "$tmp" "$target"
    say "wrote $target"
  fi
}

# RFC 7919's ffdhe2048 group for the DHE suites of Mozilla's intermediate profile (a published
# constant, not a secret: nothing to generate or rotate).
ensure_dhparam() {
  mkdir -p "$le_dir"
  [[ -s $le_dir/ssl-dhparams.pem ]] && return 0
  openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048 2>/dev/null | write_if_changed "$le_dir/ssl-dhparams.pem" 644
}

# True when $live holds a certificate for every domain that is valid for 30 more days.
certificate_is_current() {
  local cert="$live/fullchain.pem" d
  [[ -s $cert && -s $live/privkey.pem ]] || return 1
  openssl x509 -in "$cert" -noout -checkend $((30 * 86400)) >/dev/null || return 1
  for d in "${domains[@]}"; do
    openssl x509 -in "$cert" -noout -checkhost "$d" | grep -q 'does match' || return 1
  done
}

# A self-signed certificate in certbot's file layout. Marked so the Let's Encrypt mode knows it
# may replace it.
make_self_signed() {
  local tmp san="" d
  for d in "${domains[@]}"; do san+="DNS:$d,"; done
  [[ " ${domains[*]} " == *" localhost "* ]] && san+="IP:127.0.0.1,IP:::1,"
  tmp=$(mktemp -d "$le_dir/.self-signed.XXXXXX")
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 -days 365 \
    -subj "/CN=$primary" -addext "subjectAltName=${san%,}" \
    -addext "basicConstraints=critical,CA:FALSE" -addext "extendedKeyUsage=serverAuth" \
    -keyout "$tmp/privkey.pem" -out "$tmp/cert.pem" 2>/dev/null
  cp "$tmp/cert.pem" "$tmp/fullchain.pem"
  : >"$tmp/chain.pem"
  touch "$tmp/.self-signed"
  chmod 600 "$tmp/privkey.pem"
  chmod 755 "$tmp"
  mkdir -p "$le_dir/live"
  rm -rf "$live"
  mv "$tmp" "$live"
  say "self-signed certificate for ${domains[*]} in $live"
}

reload_nginx() {
  if bash -c "$reload_cmd"; then
    say "nginx reloaded"
  else
    die "could not reload nginx with: $reload_cmd (is it running? set NGINX_RELOAD_CMD)"
  fi
}

if [[ $mode == self-signed ]]; then
  mkdir -p "$le_dir"
  ensure_dhparam
  if ((force == 0)) && certificate_is_current; then
    say "certificate in $live is valid for ${domains[*]}: kept (--force to replace)"
  else
    make_self_signed
  fi
  exit 0
fi

# --- Let's Encrypt ---------------------------------------------------------------------------
[[ -n ${SSL_EMAIL:-} ]] || die "SSL_EMAIL is required for Let's Encrypt (expiry notices go there)"
if ! command -v certbot >/dev/null; then
  command -v apt-get >/dev/null || die "certbot is not installed"
  say "installing certbot"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq certbot >/dev/null
fi

mkdir -p "$webroot/.well-known/acme-challenge" "$le_dir"
ensure_dhparam

# nginx refuses to start without the certificate its config names: on the first run a temporary
# self-signed one lets it start and answer the HTTP-01 challenge on port 80.
placeholder=0
if [[ ! -s $live/fullchain.pem ]]; then
  make_self_signed
fi
[[ -f $live/.self-signed ]] && placeholder=1
reload_nginx

if ((placeholder)); then
  # certbot refuses a live/ directory it did not create. nginx keeps the loaded placeholder in
  # memory; if certbot fails, the placeholder is put back so nginx can still restart.
  backup=$(mktemp -d "$le_dir/.placeholder.XXXXXX")
  mv "$live" "$backup/"
  trap '[[ -d $live ]] || mv "$backup/$primary" "$live"; rm -rf "$backup"' EXIT
fi

certbot_args=(certonly --webroot -w "$webroot" --cert-name "$primary"
  --config-dir "$le_dir" --non-interactive --agree-tos -m "$SSL_EMAIL"
  --keep-until-expiring --expand)
for d in "${domains[@]}"; do certbot_args+=(-d "$d"); done
[[ ${SSL_STAGING:-0} == 1 ]] && certbot_args+=(--staging)
certbot "${certbot_args[@]}"

# certbot runs every executable in renewal-hooks/deploy after each renewed certificate.
mkdir -p "$le_dir/renewal-hooks/deploy"
write_if_changed "$le_dir/renewal-hooks/deploy/ecosyste-reload-nginx.sh" 755 <<EOF
#!/bin/sh
# Written by scripts/setup-ssl.sh: nginx picks up a renewed certificate on reload.
exec $reload_cmd
EOF

scheduler="${RENEW_SCHEDULER:-auto}"
if [[ $scheduler == auto ]]; then
  scheduler=cron
  if command -v systemctl >/dev/null && systemctl list-unit-files certbot.timer 2>/dev/null | grep -q '^certbot.timer'; then
    scheduler=systemd
  fi
fi
case "$scheduler" in
  systemd)
    systemctl enable --now certbot.timer >/dev/null
    say "renewal: certbot.timer (systemd)"
    ;;
  cron)
    # Twice a day as Let's Encrypt advises; the minute comes from the host name, so hosts spread
    # their load on the CA and a re-run writes the same line.
    minute=$(($(hostname | cksum | cut -d' ' -f1) % 60))
    write_if_changed "${CRON_FILE:-/etc/cron.d/ecosyste-certbot}" 644 <<EOF
# Written by scripts/setup-ssl.sh: renew certificates close to expiry; the deploy hook reloads nginx.
$minute 3,15 * * * root certbot renew --quiet --config-dir $le_dir
EOF
    ;;
  none) say "renewal: not scheduled (RENEW_SCHEDULER=none)" ;;
  *) die "RENEW_SCHEDULER must be auto, systemd, cron or none" ;;
esac

reload_nginx
say "certificate for ${domains[*]} in $live"
