#!/usr/bin/env bash
# N Streamlit processes (one per core) behind Debian's nginx, with deploy/nginx.conf's sticky sessions,
# websocket upgrade and per-client limits; Ctrl-C (or SIGTERM) stops them all.
#
#   deploy/serve.sh [N] [--listen ADDR:PORT] [--first-port P] [--no-limits] [--keep]
#
#   N              Streamlit processes (default: the number of cores, nproc)
#   --listen       where nginx listens (default 127.0.0.1:8080; 80 needs root)
#   --first-port   the processes listen on 127.0.0.1:P, P+1, ... (default 8501)
#   --no-limits    drop the per-client limits (for a load test from one address: bench/load.py)
#   --keep         keep the run folder (logs, the generated nginx config) after stopping
#
# Each process runs with the server flags the tests use (tests/tools/test_deploy.py) and the repository's
# .streamlit/config.toml. It prints one line per process ("replica 1: port 8501 pid 1234"), waits until
# every process and then the proxy answer /_stcore/health, prints "ready: http://..." and runs until stopped.
# nginx's access log (run folder, access.log) names the process each request went to (upstream=).
# A process that dies is not restarted here (systemd or Kubernetes would); its clients move to another.
set -euo pipefail
cd "$(dirname "$0")/.."

n=""
listen="127.0.0.1:8080"
first_port=8501
limits=1
keep=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --listen) listen="$2"; shift 2 ;;
    --first-port) first_port="$2"; shift 2 ;;
    --no-limits) limits=0; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    [0-9]*) n="$1"; shift ;;
    *) echo "serve.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
n="${n:-$(nproc)}"
if ! [[ "$n" =~ ^[1-9][0-9]*$ ]]; then
  echo "serve.sh: N must be a positive whole number, got '$n'" >&2
  exit 2
fi
nginx_bin="$(command -v nginx || true)"
[[ -z "$nginx_bin" && -x /usr/sbin/nginx ]] && nginx_bin=/usr/sbin/nginx
if [[ -z "$nginx_bin" ]]; then
  echo "serve.sh: nginx is not installed (Debian: sudo apt-get install nginx)" >&2
  exit 1
fi
python="${PYTHON:-python}"

run="$(mktemp -d "${TMPDIR:-/tmp}/rnnviz-serve.XXXXXX")"
chmod 755 "$run"  # nginx's workers may run as another user: they write temp files here
children=()
nginx_pid=""

stop() {
  trap - EXIT INT TERM
  # nginx first (no new requests), then every Streamlit process; each by its own pid.
  for pid in ${nginx_pid:+"$nginx_pid"} "${children[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in ${nginx_pid:+"$nginx_pid"} "${children[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [[ "$keep" == 1 ]]; then echo "run folder kept: $run"; else rm -rf "$run"; fi
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

healthy() {  # healthy URL TIMEOUT_S: wait until URL answers 200
  "$python" - "$1" "$2" <<'PY'
import sys, time, urllib.request
url, deadline = sys.argv[1], time.monotonic() + float(sys.argv[2])
while time.monotonic() < deadline:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            if r.status == 200:
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.3)
sys.exit(1)
PY
}

port_free() {  # port_free HOST PORT: nothing listens there (else a health check would pass on another program)
  "$python" -c 'import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind((sys.argv[1], int(sys.argv[2])))
except OSError:
    sys.exit(1)' "$1" "$2"
}
for ((i = 0; i < n; i++)); do
  if ! port_free 127.0.0.1 $((first_port + i)); then
    echo "serve.sh: port $((first_port + i)) is in use; choose others with --first-port" >&2
    exit 1
  fi
done
listen_port="${listen##*:}"
listen_host="${listen%:*}"
[[ "$listen_host" == "$listen" ]] && listen_host=0.0.0.0
if ! port_free "$listen_host" "$listen_port"; then
  echo "serve.sh: $listen is in use; choose another with --listen" >&2
  exit 1
fi

servers=""
for ((i = 0; i < n; i++)); do
  port=$((first_port + i))
  OMP_NUM_THREADS=1 "$python" -m streamlit run streamlit_app.py --server.port "$port" \
    --server.address 127.0.0.1 --server.headless true --browser.gatherUsageStats false \
    >"$run/replica-$port.log" 2>&1 &
  children+=("$!")
  servers+="    server 127.0.0.1:$port;\n"
  echo "replica $((i + 1)): port $port pid $!"
done

# deploy/nginx.conf with one `server` line per process and this script's listen address.
site="$(sed -e "s|^    server 127.0.0.1:8501;|$servers|" -e "s|listen 80;|listen $listen;|" -e '/listen \[::\]:80;/d' \
  deploy/nginx.conf)"
[[ "$limits" == 1 ]] || site="$(grep -v 'limit_' <<<"$site")"
printf '%s\n' "$site" >"$run/site.conf"
{
  [[ "$(id -u)" == 0 ]] && echo "user root;"
  cat <<CONF
worker_processes 1;
pid $run/nginx.pid;
error_log $run/error.log;
events { worker_connections 1024; }
http {
    log_format rnnviz '\$remote_addr "\$request" \$status upstream=\$upstream_addr cookie=\$cookie_rnnviz_replica';
    access_log $run/access.log rnnviz;
    client_body_temp_path $run/body;
    proxy_temp_path $run/proxy;
    fastcgi_temp_path $run/fastcgi;
    uwsgi_temp_path $run/uwsgi;
    scgi_temp_path $run/scgi;
    include $run/site.conf;
}
CONF
} >"$run/nginx.conf"

for ((i = 0; i < n; i++)); do
  port=$((first_port + i))
  if ! healthy "http://127.0.0.1:$port/_stcore/health" 90; then
    echo "serve.sh: replica on port $port did not start; its log:" >&2
    tail -n 30 "$run/replica-$port.log" >&2
    exit 1
  fi
done

"$nginx_bin" -t -q -p "$run" -c "$run/nginx.conf"
"$nginx_bin" -p "$run" -c "$run/nginx.conf" -g "daemon off;" &
nginx_pid="$!"
echo "nginx: pid $nginx_pid, config $run/nginx.conf"
probe="${listen/0.0.0.0/127.0.0.1}"
[[ "$probe" == *:* ]] || probe="127.0.0.1:$probe"
if ! healthy "http://$probe/_stcore/health" 20; then
  echo "serve.sh: the proxy did not answer its health check; its log:" >&2
  cat "$run/error.log" >&2
  exit 1
fi
echo "ready: http://$probe/ ($n replicas; run folder $run)"
wait "$nginx_pid"
