# Services the tests need, sourced by scripts/test.sh (set -euo pipefail is on there).
#
# A real CUPS daemon, without systemd, with a cups-pdf queue the printing tests print
# through: KIOSK_TEST_CUPS_QUEUE names it. cups-pdf writes root's jobs to ~root/PDF/.
# A cupsd this script starts is stopped when the test script exits; one that was
# already running is used as it is and left alone.

export KIOSK_TEST_CUPS_QUEUE=kiosk-pdf
_kiosk_cupsd_pid=""

_kiosk_stop_cupsd() {
  if [ -n "$_kiosk_cupsd_pid" ] && kill -0 "$_kiosk_cupsd_pid" 2>/dev/null; then
    kill "$_kiosk_cupsd_pid" 2>/dev/null || true
    wait "$_kiosk_cupsd_pid" 2>/dev/null || true
  fi
}

if command -v cupsd >/dev/null 2>&1 && command -v lpadmin >/dev/null 2>&1; then
  if ! LC_ALL=C lpstat -r 2>/dev/null | grep -q "scheduler is running"; then
    mkdir -p /run/cups
    cupsd -f >/dev/null 2>&1 &
    _kiosk_cupsd_pid=$!
    trap _kiosk_stop_cupsd EXIT
    for _ in $(seq 1 100); do  # ready in well under a second; give up after 10 s
      LC_ALL=C lpstat -r 2>/dev/null | grep -q "scheduler is running" && break
      sleep 0.1
    done
  fi
  if LC_ALL=C lpstat -r 2>/dev/null | grep -q "scheduler is running"; then
    lpadmin -p "$KIOSK_TEST_CUPS_QUEUE" -E -v cups-pdf:/ \
      -P /usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd 2>/dev/null \
      || echo "test services: lpadmin could not add $KIOSK_TEST_CUPS_QUEUE" >&2
    # a run that was interrupted may have left the queue rejecting or paused
    cupsaccept "$KIOSK_TEST_CUPS_QUEUE" 2>/dev/null || true
    cupsenable "$KIOSK_TEST_CUPS_QUEUE" 2>/dev/null || true
    echo "test services: CUPS scheduler running, queue $KIOSK_TEST_CUPS_QUEUE (cups-pdf)"
  else
    echo "test services: cupsd did not start; the CUPS printing tests will fail" >&2
  fi
else
  echo "test services: cupsd/lpadmin not installed; the CUPS printing tests will be skipped" >&2
fi

# A real static web server for the signed catalogue updates (tests/test_fault_bundles.py):
# Debian's nginx on 127.0.0.1 only, on a free port, serving a directory the tests write
# into (KIOSK_TEST_NGINX_ROOT) at KIOSK_TEST_NGINX_URL. Besides plain files:
#   /slow/...  the same files at 1 KB/s (a slow-drip server)
#   /away/...  a redirect to another host (localhost instead of 127.0.0.1)
#   /same/...  a redirect within the same host
# Stopped when the test script exits.
_kiosk_nginx_pid=""
_kiosk_nginx_dir=""
_kiosk_stop_nginx() {
  if [ -n "$_kiosk_nginx_pid" ] && kill -0 "$_kiosk_nginx_pid" 2>/dev/null; then
    kill "$_kiosk_nginx_pid" 2>/dev/null || true
    wait "$_kiosk_nginx_pid" 2>/dev/null || true
  fi
  if [ -n "$_kiosk_nginx_dir" ]; then rm -rf "$_kiosk_nginx_dir"; fi
}
_kiosk_pg_dir=""
_kiosk_pg_bin=""
_kiosk_pg_as() {  # run a PostgreSQL tool as the cluster's owner (postgres when we are root)
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
_kiosk_stop_pg() {
  if [ -n "$_kiosk_pg_dir" ] && [ -f "$_kiosk_pg_dir/data/postmaster.pid" ]; then
    _kiosk_pg_as "$_kiosk_pg_bin/pg_ctl" -D "$_kiosk_pg_dir/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  if [ -n "$_kiosk_pg_dir" ]; then rm -rf "$_kiosk_pg_dir"; fi
}
_kiosk_stop_services() { _kiosk_stop_cupsd; _kiosk_stop_nginx; _kiosk_stop_pg; }
if command -v nginx >/dev/null 2>&1; then
  _kiosk_nginx_dir=$(mktemp -d /tmp/kiosk-nginx.XXXXXX)
  chmod 0755 "$_kiosk_nginx_dir"
  mkdir -p "$_kiosk_nginx_dir/www" "$_kiosk_nginx_dir/tmp"
  chmod 0777 "$_kiosk_nginx_dir/www"
  _kiosk_nginx_port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  _kiosk_nginx_user=""
  if [ "$(id -u)" = 0 ]; then _kiosk_nginx_user="user root;"; fi
  cat >"$_kiosk_nginx_dir/nginx.conf" <<NGINX
$_kiosk_nginx_user
daemon off;
worker_processes 1;
pid $_kiosk_nginx_dir/nginx.pid;
error_log $_kiosk_nginx_dir/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $_kiosk_nginx_dir/tmp/body;
  proxy_temp_path $_kiosk_nginx_dir/tmp/proxy;
  fastcgi_temp_path $_kiosk_nginx_dir/tmp/fastcgi;
  uwsgi_temp_path $_kiosk_nginx_dir/tmp/uwsgi;
  scgi_temp_path $_kiosk_nginx_dir/tmp/scgi;
  types { application/json json; application/gzip gz; }
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:$_kiosk_nginx_port;
    root $_kiosk_nginx_dir/www;
    location /slow/ { alias $_kiosk_nginx_dir/www/; limit_rate 1k; }
    location /away/ { rewrite ^/away/(.*)\$ http://localhost:$_kiosk_nginx_port/\$1 redirect; }
    location /same/ { rewrite ^/same/(.*)\$ /\$1 redirect; }
  }
}
NGINX
  nginx -e "$_kiosk_nginx_dir/error.log" -c "$_kiosk_nginx_dir/nginx.conf" >/dev/null 2>&1 &
  _kiosk_nginx_pid=$!
  trap _kiosk_stop_services EXIT
  # exported even if it does not come up: the server tests then fail instead of skipping
  export KIOSK_TEST_NGINX_ROOT="$_kiosk_nginx_dir/www"
  export KIOSK_TEST_NGINX_URL="http://127.0.0.1:$_kiosk_nginx_port"
  for _ in $(seq 1 50); do  # up in well under a second; give up after 5 s
    /usr/bin/python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $_kiosk_nginx_port), 0.2)" \
      2>/dev/null && break
    sleep 0.1
  done
  if kill -0 "$_kiosk_nginx_pid" 2>/dev/null; then
    echo "test services: nginx serving $KIOSK_TEST_NGINX_ROOT at $KIOSK_TEST_NGINX_URL"
  else
    echo "test services: nginx did not start; the signed-update server tests will fail" >&2
    cat "$_kiosk_nginx_dir/error.log" >&2 2>/dev/null || true
  fi
else
  echo "test services: nginx not installed; the signed-update server tests will be skipped" >&2
fi

# A real PostgreSQL cluster for the fleet service (tests/test_fleet_*.py): Debian's
# postgresql, a throw-away cluster in a temp dir, 127.0.0.1 only on a free port, trust
# auth for its one local user; KIOSK_TEST_PG_URL names it. Stopped when the script exits.
_kiosk_pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -n "$_kiosk_pg_bin" ] && [ -x "$_kiosk_pg_bin/initdb" ]; then
  _kiosk_pg_dir=$(mktemp -d /tmp/kiosk-pg.XXXXXX)
  chmod 0755 "$_kiosk_pg_dir"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$_kiosk_pg_dir"; fi
  _kiosk_pg_port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  _kiosk_pg_user=$(if [ "$(id -u)" = 0 ]; then echo postgres; else id -un; fi)
  trap _kiosk_stop_services EXIT
  if _kiosk_pg_as "$_kiosk_pg_bin/initdb" -D "$_kiosk_pg_dir/data" -U "$_kiosk_pg_user" --auth=trust \
       -E UTF8 --locale=C.UTF-8 >"$_kiosk_pg_dir/initdb.log" 2>&1 \
     && _kiosk_pg_as "$_kiosk_pg_bin/pg_ctl" -D "$_kiosk_pg_dir/data" -l "$_kiosk_pg_dir/server.log" -w -t 30 \
       -o "-c listen_addresses=127.0.0.1 -p $_kiosk_pg_port -k $_kiosk_pg_dir -c fsync=off -c synchronous_commit=off" \
       start >/dev/null 2>&1; then
    export KIOSK_TEST_PG_URL="postgresql://$_kiosk_pg_user@127.0.0.1:$_kiosk_pg_port/postgres"
    echo "test services: PostgreSQL at $KIOSK_TEST_PG_URL"
  else
    # exported anyway: the PostgreSQL tests then fail instead of skipping
    export KIOSK_TEST_PG_URL="postgresql://$_kiosk_pg_user@127.0.0.1:$_kiosk_pg_port/postgres"
    echo "test services: PostgreSQL did not start; the fleet service tests will fail" >&2
    cat "$_kiosk_pg_dir/initdb.log" "$_kiosk_pg_dir/server.log" >&2 2>/dev/null || true
  fi
else
  echo "test services: postgresql not installed; the fleet PostgreSQL tests will be skipped" >&2
fi
