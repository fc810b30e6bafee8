# Sourced by the benchmark scripts: `bench_nginx WORK ROOT` starts a throw-away nginx on a free
# 127.0.0.1 port serving ROOT (config, pid, logs and temp files under WORK) and sets URL.
# The caller's EXIT trap stops it: kill $(cat "$WORK/nginx.pid").
bench_nginx() {
  local work=$1 root=$2 port
  port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  mkdir -p "$work/tmp"
  cat > "$work/nginx.conf" <<NGINX
daemon on;
pid $work/nginx.pid;
error_log $work/error.log;
worker_processes 1;
events { worker_connections 256; }
http {
    access_log off;
    sendfile on;
    client_body_temp_path $work/tmp; proxy_temp_path $work/tmp; fastcgi_temp_path $work/tmp;
    uwsgi_temp_path $work/tmp; scgi_temp_path $work/tmp;
    server { listen 127.0.0.1:$port; root $root; }
}
NGINX
  /usr/sbin/nginx -c "$work/nginx.conf" -p "$work"
  URL=http://127.0.0.1:$port
}
