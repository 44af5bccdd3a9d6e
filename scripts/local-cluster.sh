#!/usr/bin/env bash
# A real multi-process cluster on this machine's loopback, without Docker: a Spark standalone master and two workers,
# an HDFS NameNode and one DataNode, each its own JVM on 127.0.0.1, from the jars Maven resolves for the versions of
# the root pom (scripts/cluster/spark/pom.xml, scripts/cluster/hdfs/pom.xml). See docs/local-cluster.md.
#
# usage: scripts/local-cluster.sh start [ROLE]    start every daemon (or one) and wait until it is ready
#        scripts/local-cluster.sh stop [ROLE]     stop the recorded daemons (or one): TERM, then KILL after a timeout
#        scripts/local-cluster.sh status          each daemon alive or dead; exit 0 when all are alive, else 3
#        scripts/local-cluster.sh executors       the executor JVMs the workers started: PID WORKER APP EXECUTOR-ID
#        scripts/local-cluster.sh env             the cluster's URLs and folders as shell assignments
#        scripts/local-cluster.sh fs ARGS...      Hadoop's FsShell on the cluster's HDFS (as `hdfs dfs ARGS`)
#        scripts/local-cluster.sh submit ARGS...  spark-submit (client mode) to the cluster's master
# ROLE: namenode, datanode, master, worker-1, worker-2.
#
# Settings, from the environment (defaults in brackets), recorded in the state folder by a start with nothing
# running and used by every later command until all is stopped:
#   LOCAL_CLUSTER_DIR            state: pids, logs, configuration, HDFS storage, work dirs [<repo>/target/local-cluster]
#   LOCAL_CLUSTER_MASTER_PORT    Spark master RPC [17077]       LOCAL_CLUSTER_MASTER_UI_PORT  its web UI [17080]
#   LOCAL_CLUSTER_WORKER_PORT    worker-1 RPC, worker-2 the next [17091]
#   LOCAL_CLUSTER_WORKER_UI_PORT worker-1 web UI, worker-2 the next [17081]
#   LOCAL_CLUSTER_WORKER_CORES   cores each worker offers [1]   LOCAL_CLUSTER_WORKER_MEMORY  memory it offers [2g]
#   LOCAL_CLUSTER_NAMENODE_PORT  NameNode RPC [19820]           LOCAL_CLUSTER_NAMENODE_HTTP_PORT  web UI, JMX [19870]
#   LOCAL_CLUSTER_DATANODE_PORT  DataNode data transfer [19866] LOCAL_CLUSTER_DATANODE_HTTP_PORT  its web UI [19864]
#   LOCAL_CLUSTER_DATANODE_IPC_PORT  DataNode IPC [19867]
# Not recorded: LOCAL_CLUSTER_TIMEOUT, seconds a daemon may take to be ready [180]; LOCAL_CLUSTER_STOP_TIMEOUT,
# seconds between TERM and KILL [20].
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${LOCAL_CLUSTER_DIR:-$here/target/local-cluster}"
roles=(namenode datanode master worker-1 worker-2)
ready_timeout="${LOCAL_CLUSTER_TIMEOUT:-180}"
stop_timeout="${LOCAL_CLUSTER_STOP_TIMEOUT:-20}"

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'
}

if [[ "${1:-}" =~ ^(-h|--help|help)$ ]]; then
  usage
  exit 0
fi

die() {
  echo "local-cluster: error: $*" >&2
  exit 1
}

say() {
  echo "local-cluster: $*"
}

for tool in java mvn curl jq setsid; do
  command -v "$tool" >/dev/null || die "'$tool' is not installed (needed: java, mvn, curl, jq, setsid)"
done
mkdir -p "$dir/pids" "$dir/logs" "$dir/conf"
dir="$(cd "$dir" && pwd)"

# ---------------------------------------------------------------- settings

declare -A cfg
setting_names=(MASTER_PORT MASTER_UI_PORT WORKER_PORT WORKER_UI_PORT WORKER_CORES WORKER_MEMORY NAMENODE_PORT
  NAMENODE_HTTP_PORT DATANODE_PORT DATANODE_HTTP_PORT DATANODE_IPC_PORT)
declare -A defaults=([MASTER_PORT]=17077 [MASTER_UI_PORT]=17080 [WORKER_PORT]=17091 [WORKER_UI_PORT]=17081
  [WORKER_CORES]=1 [WORKER_MEMORY]=2g [NAMENODE_PORT]=19820 [NAMENODE_HTTP_PORT]=19870 [DATANODE_PORT]=19866
  [DATANODE_HTTP_PORT]=19864 [DATANODE_IPC_PORT]=19867)

pid_file() {
  echo "$dir/pids/$1.pid"
}

main_class() {
  case "$1" in
    namenode) echo org.apache.hadoop.hdfs.server.namenode.NameNode ;;
    datanode) echo org.apache.hadoop.hdfs.server.datanode.DataNode ;;
    master) echo org.apache.spark.deploy.master.Master ;;
    worker-*) echo org.apache.spark.deploy.worker.Worker ;;
  esac
}

# The recorded PID of a role if that process is still the daemon this state folder started (its command line
# carries the role and the folder, so a reused PID is never taken for it); nothing otherwise.
live_pid() {
  local f pid
  f="$(pid_file "$1")"
  [[ -f "$f" ]] || return 1
  pid="$(cat "$f")"
  [[ "$pid" =~ ^[0-9]+$ && -r "/proc/$pid/cmdline" ]] || return 1
  [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]] || return 1
  tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF -- "-Dlocal-cluster.id=$dir/$1" || return 1
  echo "$pid"
}

any_running() {
  local r
  for r in "${roles[@]}"; do
    if live_pid "$r" >/dev/null; then
      return 0
    fi
  done
  return 1
}

# Settings come from the environment at a start with nothing running (and are recorded); otherwise from the record.
load_settings() {
  local fresh=$1 name value env
  local record="$dir/cluster.env"
  if [[ "$fresh" == true || ! -f "$record" ]]; then
    for name in "${setting_names[@]}"; do
      env="LOCAL_CLUSTER_$name"
      cfg[$name]="${!env:-${defaults[$name]}}"
    done
  else
    while IFS='=' read -r name value; do
      [[ -n "$name" ]] && cfg[$name]="$value"
    done <"$record"
    for name in "${setting_names[@]}"; do
      env="LOCAL_CLUSTER_$name"
      [[ -n "${cfg[$name]:-}" ]] || die "$record has no $name; stop the cluster and start it again"
      if [[ -n "${!env:-}" && "${!env}" != "${cfg[$name]}" ]]; then
        echo "local-cluster: note: $env=${!env} ignored; the cluster was started with ${cfg[$name]}" \
          "(recorded in $record; stop all and start again to change it)" >&2
      fi
    done
  fi
  for name in "${setting_names[@]}"; do
    case "$name" in
      WORKER_MEMORY)
        [[ "${cfg[$name]}" =~ ^[0-9]+[mMgG]$ ]] ||
          die "LOCAL_CLUSTER_$name must be like 2g or 1536m, found '${cfg[$name]}'"
        ;;
      *) [[ "${cfg[$name]}" =~ ^[0-9]+$ ]] || die "LOCAL_CLUSTER_$name must be a number, found '${cfg[$name]}'" ;;
    esac
  done
  if [[ "$fresh" == true ]]; then
    for name in "${setting_names[@]}"; do
      echo "$name=${cfg[$name]}"
    done >"$record"
  fi
}

worker_index() {
  echo "${1#worker-}"
}

worker_port() {
  echo $((cfg[WORKER_PORT] + $(worker_index "$1") - 1))
}

worker_ui_port() {
  echo $((cfg[WORKER_UI_PORT] + $(worker_index "$1") - 1))
}

role_ports() {
  case "$1" in
    namenode) echo "NAMENODE_PORT=${cfg[NAMENODE_PORT]} NAMENODE_HTTP_PORT=${cfg[NAMENODE_HTTP_PORT]}" ;;
    datanode) echo "DATANODE_PORT=${cfg[DATANODE_PORT]} DATANODE_HTTP_PORT=${cfg[DATANODE_HTTP_PORT]}" \
      "DATANODE_IPC_PORT=${cfg[DATANODE_IPC_PORT]}" ;;
    master) echo "MASTER_PORT=${cfg[MASTER_PORT]} MASTER_UI_PORT=${cfg[MASTER_UI_PORT]}" ;;
    worker-*) echo "WORKER_PORT=$(worker_port "$1") WORKER_UI_PORT=$(worker_ui_port "$1")" ;;
  esac
}

master_url() {
  echo "spark://127.0.0.1:${cfg[MASTER_PORT]}"
}

hdfs_url() {
  echo "hdfs://127.0.0.1:${cfg[NAMENODE_PORT]}"
}

port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# ---------------------------------------------------------------- jars and configuration

# The runtime classpath of scripts/cluster/<name>/pom.xml, resolved again when a pom changes. Messages go to stderr:
# it is called inside command substitutions.
classpath() {
  local name=$1 f pom
  f="$dir/classpath/$name.txt"
  pom="$here/scripts/cluster/$name/pom.xml"
  if [[ ! -s "$f" || "$pom" -nt "$f" || "$here/pom.xml" -nt "$f" ]]; then
    say "resolving the $name jars with Maven ($pom; log: $dir/logs/mvn-$name.log)" >&2
    mkdir -p "$dir/classpath"
    if ! mvn -B -q -f "$pom" org.apache.maven.plugins:maven-dependency-plugin:3.6.1:build-classpath \
        -Dmdep.outputFile="$f.tmp" -Dmdep.includeScope=runtime >"$dir/logs/mvn-$name.log" 2>&1; then
      tail -20 "$dir/logs/mvn-$name.log" >&2
      die "Maven could not resolve $pom (log: $dir/logs/mvn-$name.log)"
    fi
    mv "$f.tmp" "$f"
  fi
  cat "$f"
}

# A SPARK_HOME as a binary distribution lays it out: jars/ (links to Maven's jars) and a RELEASE file, which makes
# Spark's launcher take jars/* as the classpath of the executors the workers start and of spark-submit.
spark_home() {
  local home="$dir/spark-home" cp jar jars
  cp="$(classpath spark)"
  if [[ ! -f "$home/RELEASE" || "$dir/classpath/spark.txt" -nt "$home/RELEASE" ]]; then
    local r
    for r in master worker-1 worker-2; do
      if live_pid "$r" >/dev/null; then
        echo "local-cluster: note: the Spark jars changed; $home keeps the old ones until master and" \
          "workers are stopped" >&2
        echo "$home"
        return 0
      fi
    done
    rm -rf "$home"
    mkdir -p "$home/jars"
    IFS=':' read -r -a jars <<<"$cp"
    for jar in "${jars[@]}"; do
      ln -s "$jar" "$home/jars/$(basename "$jar")"
    done
    echo "Spark $(spark_version) (jars from Maven Central, for scripts/local-cluster.sh)" >"$home/RELEASE"
  fi
  echo "$home"
}

spark_version() {
  sed -n 's:.*<spark.version>\(.*\)</spark.version>.*:\1:p' "$here/pom.xml"
}

scala_version() {
  sed -n 's:.*<scala.binary.version>\(.*\)</scala.binary.version>.*:\1:p' "$here/pom.xml"
}

# core-site.xml and hdfs-site.xml (on the HDFS daemons' and tools' classpath), and the Log4j 2 settings.
write_hadoop_conf() {
  local c="$dir/conf/hadoop"
  mkdir -p "$c" "$dir/hdfs"
  cat >"$c/core-site.xml" <<XML
<?xml version="1.0"?>
<!-- Written by scripts/local-cluster.sh at each start; edits are lost. -->
<configuration>
  <property><name>fs.defaultFS</name><value>$(hdfs_url)</value></property>
  <property><name>hadoop.tmp.dir</name><value>$dir/hdfs/tmp</value></property>
</configuration>
XML
  cat >"$c/hdfs-site.xml" <<XML
<?xml version="1.0"?>
<!-- Written by scripts/local-cluster.sh at each start; edits are lost. -->
<configuration>
  <property><name>dfs.namenode.name.dir</name><value>$dir/hdfs/name</value></property>
  <property><name>dfs.datanode.data.dir</name><value>$dir/hdfs/data</value></property>
  <property><name>dfs.replication</name><value>1</value></property>
  <property><name>dfs.namenode.rpc-address</name><value>127.0.0.1:${cfg[NAMENODE_PORT]}</value></property>
  <property><name>dfs.namenode.http-address</name><value>127.0.0.1:${cfg[NAMENODE_HTTP_PORT]}</value></property>
  <property><name>dfs.namenode.secondary.http-address</name><value>127.0.0.1:0</value></property>
  <property><name>dfs.datanode.address</name><value>127.0.0.1:${cfg[DATANODE_PORT]}</value></property>
  <property><name>dfs.datanode.http.address</name><value>127.0.0.1:${cfg[DATANODE_HTTP_PORT]}</value></property>
  <property><name>dfs.datanode.ipc.address</name><value>127.0.0.1:${cfg[DATANODE_IPC_PORT]}</value></property>
  <property><name>dfs.datanode.hostname</name><value>127.0.0.1</value></property>
  <property><name>dfs.namenode.datanode.registration.ip-hostname-check</name><value>false</value></property>
  <!-- Safe mode ends as soon as the blocks are reported, not 30 s later. -->
  <property><name>dfs.namenode.safemode.extension</name><value>0</value></property>
  <!-- A stopped DataNode is declared dead after 2 x 5 s + 10 x 1 s = 20 s (default 10.5 minutes), so that
       status and fault tests see the NameNode's view change. -->
  <property><name>dfs.heartbeat.interval</name><value>1</value></property>
  <property><name>dfs.namenode.heartbeat.recheck-interval</name><value>5000</value></property>
</configuration>
XML
  cat >"$dir/conf/log4j2-daemon.properties" <<'PROPS'
# The daemons' logs (stdout, redirected to logs/<role>.log by scripts/local-cluster.sh).
status = warn
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_OUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n
rootLogger.level = info
rootLogger.appenderRef.console.ref = console
PROPS
  cat >"$dir/conf/log4j2-tool.properties" <<'PROPS'
# Command line tools (fs): warnings and errors only, on stderr.
status = warn
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %-5p %c{1}: %m%n
rootLogger.level = warn
rootLogger.appenderRef.console.ref = console
logger.hadoopnative.name = org.apache.hadoop.util.NativeCodeLoader
logger.hadoopnative.level = error
PROPS
}

opens=(
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED
  --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
)

# What Spark's daemons, the executors they start (they inherit the worker's environment) and spark-submit need.
spark_env() {
  export SPARK_HOME
  SPARK_HOME="$(spark_home)"
  export SPARK_LOCAL_IP=127.0.0.1
  # bin/load-spark-env.sh sets this in a distribution; Spark's launcher (submit, and workers starting executors)
  # needs it.
  SPARK_SCALA_VERSION="$(scala_version)"
  export SPARK_SCALA_VERSION
  # One OpenMP thread per engine thread in the executors (each task is one engine thread).
  export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
}

# ---------------------------------------------------------------- starting

# Starts a role's JVM in its own session (it outlives this script), appending to logs/<role>.log; prints the PID.
launch() {
  local role=$1 heap=$2 cp=$3 log pid
  shift 3
  log="$dir/logs/$role.log"
  echo "==== $(date '+%F %T') local-cluster.sh start $role" >>"$log"
  setsid java "-Xmx$heap" "${opens[@]}" "-Dlocal-cluster.id=$dir/$role" \
    "-Dlog4j2.configurationFile=$dir/conf/log4j2-daemon.properties" -cp "$cp" "$(main_class "$role")" "$@" \
    >>"$log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$(pid_file "$role")"
  rm -f "$dir/pids/$role.stopped"
  echo "$pid"
}

# Waits until `check` succeeds; fails with the log's tail when the daemon exits or the time is up.
wait_ready() {
  local role=$1 what=$2 check=$3 deadline
  deadline=$((SECONDS + ready_timeout))
  until "$check" "$role"; do
    if ! live_pid "$role" >/dev/null; then
      tail -25 "$dir/logs/$role.log" >&2
      die "$role exited before it was ready ($what); log: $dir/logs/$role.log"
    fi
    if ((SECONDS >= deadline)); then
      tail -25 "$dir/logs/$role.log" >&2
      die "$role not ready after ${ready_timeout}s ($what); it is still running (pid $(live_pid "$role")):" \
        "see $dir/logs/$role.log, or stop it: scripts/local-cluster.sh stop $role"
    fi
    sleep 1
  done
}

nn_jmx() {  # bean name -> its JSON
  curl -sf --max-time 5 "http://127.0.0.1:${cfg[NAMENODE_HTTP_PORT]}/jmx?qry=Hadoop:service=NameNode,name=$1"
}

namenode_up() {
  nn_jmx NameNodeInfo | jq -e '.beans | length == 1' >/dev/null 2>&1
}

namenode_out_of_safe_mode() {
  nn_jmx NameNodeInfo | jq -e '.beans[0].Safemode == ""' >/dev/null 2>&1
}

# The DataNode's own view (registered with the NameNode) and the NameNode's (live).
datanode_ready() {
  curl -sf --max-time 5 \
      "http://127.0.0.1:${cfg[DATANODE_HTTP_PORT]}/jmx?qry=Hadoop:service=DataNode,name=DataNodeInfo" |
    jq -e '.beans[0].BPServiceActorInfo | fromjson | any(.ActorState == "RUNNING")' \
      >/dev/null 2>&1 || return 1
  datanode_live_at_namenode
}

datanode_live_at_namenode() {
  nn_jmx NameNodeInfo | jq -e --arg a "127.0.0.1:${cfg[DATANODE_PORT]}" \
    '.beans[0].LiveNodes | fromjson | any(.[]; .xferaddr == $a)' >/dev/null 2>&1
}

master_json() {
  curl -sf --max-time 5 "http://127.0.0.1:${cfg[MASTER_UI_PORT]}/json/"
}

master_ready() {
  port_open "${cfg[MASTER_PORT]}" && master_json | jq -e '.status == "ALIVE"' >/dev/null 2>&1
}

# The worker process logged its registration since it started, and the master lists it alive.
worker_ready() {
  local role=$1
  tail -c +"$(($(cat "$dir/logs/$role.offset") + 1))" "$dir/logs/$role.log" |
    grep -q "Successfully registered with master" || return 1
  worker_state_at_master "$role" | grep -qx ALIVE
}

worker_state_at_master() {
  master_json 2>/dev/null | jq -r --arg h 127.0.0.1 --argjson p "$(worker_port "$1")" \
    '[.workers[] | select(.host == $h and .port == $p) | .state] | if any(. == "ALIVE") then "ALIVE"
     elif length > 0 then .[-1] else "unknown" end' 2>/dev/null || echo "unknown"
}

check_ports_free() {
  local role=$1 kv name port
  for kv in $(role_ports "$role"); do
    name="${kv%%=*}"
    port="${kv#*=}"
    if port_open "$port"; then
      die "port $port on 127.0.0.1 ($role) is in use by another process; choose another with" \
        "LOCAL_CLUSTER_$name (all settings: scripts/local-cluster.sh --help)"
    fi
  done
}

start_role() {
  local role=$1 pid cp
  if pid="$(live_pid "$role")"; then
    say "$role already running (pid $pid)"
    return 0
  fi
  check_ports_free "$role"
  case "$role" in
    namenode)
      cp="$dir/conf/hadoop:$(classpath hdfs)"
      if [[ ! -f "$dir/hdfs/name/current/VERSION" ]]; then
        say "formatting the NameNode's storage $dir/hdfs/name (once; log: $dir/logs/namenode-format.log)"
        java -Xmx256m "-Dlog4j2.configurationFile=$dir/conf/log4j2-daemon.properties" -cp "$cp" \
            "$(main_class namenode)" -format -nonInteractive >"$dir/logs/namenode-format.log" 2>&1 ||
          die "formatting the NameNode failed; see $dir/logs/namenode-format.log"
      fi
      pid="$(launch namenode 512m "$cp")"
      wait_ready namenode "web UI and JMX on port ${cfg[NAMENODE_HTTP_PORT]}" namenode_up
      if live_pid datanode >/dev/null; then
        wait_ready namenode "out of safe mode" namenode_out_of_safe_mode
      fi
      ;;
    datanode)
      live_pid namenode >/dev/null || die "the datanode needs the namenode: scripts/local-cluster.sh start namenode"
      cp="$dir/conf/hadoop:$(classpath hdfs)"
      pid="$(launch datanode 256m "$cp")"
      wait_ready datanode "registered and live at the NameNode" datanode_ready
      wait_ready namenode "out of safe mode" namenode_out_of_safe_mode
      ;;
    master)
      spark_env
      pid="$(launch master 256m "$SPARK_HOME/jars/*" --host 127.0.0.1 --port "${cfg[MASTER_PORT]}" \
        --webui-port "${cfg[MASTER_UI_PORT]}")"
      wait_ready master "RPC on port ${cfg[MASTER_PORT]}, status ALIVE" master_ready
      ;;
    worker-*)
      live_pid master >/dev/null || die "$role needs the master: scripts/local-cluster.sh start master"
      spark_env
      local work="$dir/work/$role"
      mkdir -p "$work/local"
      stat -c %s "$dir/logs/$role.log" 2>/dev/null >"$dir/logs/$role.offset" || echo 0 >"$dir/logs/$role.offset"
      pid="$(SPARK_LOCAL_DIRS="$work/local" launch "$role" 256m "$SPARK_HOME/jars/*" --host 127.0.0.1 \
        --port "$(worker_port "$role")" --webui-port "$(worker_ui_port "$role")" \
        --cores "${cfg[WORKER_CORES]}" --memory "${cfg[WORKER_MEMORY]}" --work-dir "$work" "$(master_url)")"
      wait_ready "$role" "registered with the master" worker_ready
      ;;
  esac
  say "$role started (pid $pid)"
}

print_urls() {
  say "Spark master  $(master_url)   (web UI http://127.0.0.1:${cfg[MASTER_UI_PORT]})"
  say "HDFS          $(hdfs_url)   (web UI http://127.0.0.1:${cfg[NAMENODE_HTTP_PORT]})"
  say "state, logs   $dir"
}

# ---------------------------------------------------------------- stopping

# PIDs of the executor JVMs (CoarseGrainedExecutorBackend) started by a worker process.
executor_pids() {
  local worker=$1
  ps -eo pid=,ppid=,args= | awk -v w="$worker" '$2 == w && /CoarseGrainedExecutorBackend/ {print $1}'
}

# TERM, then KILL after the timeout; prints how it ended.
terminate() {
  local pid=$1 deadline
  kill -TERM "$pid" 2>/dev/null || return 0
  deadline=$((SECONDS + stop_timeout))
  while kill -0 "$pid" 2>/dev/null && [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]]; do
    if ((SECONDS >= deadline)); then
      kill -KILL "$pid" 2>/dev/null || true
      echo "killed (KILL after ${stop_timeout}s)"
      return 0
    fi
    sleep 0.5
  done
  echo "stopped (TERM)"
}

stop_role() {
  local role=$1 pid how e left=()
  if ! pid="$(live_pid "$role")"; then
    if [[ -f "$(pid_file "$role")" ]]; then
      say "$role was not running (recorded pid $(cat "$(pid_file "$role")") is gone)"
      rm -f "$(pid_file "$role")"
    else
      say "$role not running"
    fi
    return 0
  fi
  local executors=()
  if [[ "$role" == worker-* ]]; then
    mapfile -t executors < <(executor_pids "$pid")
  fi
  how="$(terminate "$pid")"
  mv "$(pid_file "$role")" "$dir/pids/$role.stopped"
  say "$role $how (pid $pid)"
  # A worker stops its executors when it is TERMed; after a KILL they would be left running.
  for e in "${executors[@]}"; do
    if kill -0 "$e" 2>/dev/null; then
      left+=("$e")
    fi
  done
  for e in "${left[@]}"; do
    say "$role's executor $(terminate "$e") (pid $e)"
  done
}

# ---------------------------------------------------------------- commands

check_role() {
  local r
  for r in "${roles[@]}"; do
    [[ "$1" == "$r" ]] && return 0
  done
  die "unknown role '$1'; roles: ${roles[*]}"
}

cmd_start() {
  if [[ $# -gt 0 ]]; then
    check_role "$1"
    if any_running; then load_settings false; else load_settings true; fi
    write_hadoop_conf
    start_role "$1"
    return
  fi
  if any_running; then
    load_settings false
  else
    load_settings true
  fi
  write_hadoop_conf
  local r
  for r in "${roles[@]}"; do
    start_role "$r"
  done
  print_urls
}

cmd_stop() {
  load_settings false
  if [[ $# -gt 0 ]]; then
    check_role "$1"
    stop_role "$1"
    return
  fi
  local i
  for ((i = ${#roles[@]} - 1; i >= 0; i--)); do
    stop_role "${roles[i]}"
  done
}

cmd_status() {
  load_settings false
  local r pid view all=0
  for r in "${roles[@]}"; do
    view=""
    if pid="$(live_pid "$r")"; then
      case "$r" in
        namenode)
          if namenode_up; then
            view="$(hdfs_url), $(namenode_out_of_safe_mode && echo "out of safe mode" || echo "in safe mode")"
          else
            view="not answering on http://127.0.0.1:${cfg[NAMENODE_HTTP_PORT]}"
          fi
          ;;
        datanode) view="$(datanode_live_at_namenode && echo "live" || echo "not live") at the namenode" ;;
        master)
          view="$(master_url), $(master_json 2>/dev/null | jq -r '.status' 2>/dev/null || echo "not answering")"
          ;;
        worker-*) view="$(worker_state_at_master "$r") at the master" ;;
      esac
      printf 'local-cluster: %-9s alive  pid %-8s %s\n' "$r" "$pid" "$view"
    else
      all=3
      case "$r" in
        datanode) live_pid namenode >/dev/null && view="; $(datanode_live_at_namenode && echo "still live" ||
          echo "dead") at the namenode" ;;
        worker-*) live_pid master >/dev/null && view="; $(worker_state_at_master "$r") at the master" ;;
      esac
      if [[ -f "$(pid_file "$r")" ]]; then
        view="recorded pid $(cat "$(pid_file "$r")") is gone$view"
      elif [[ -f "$dir/pids/$r.stopped" ]]; then
        view="pid $(cat "$dir/pids/$r.stopped") stopped by local-cluster.sh stop$view"
      else
        view="not started$view"
      fi
      printf 'local-cluster: %-9s dead   (%s)\n' "$r" "$view"
    fi
  done
  return $all
}

cmd_executors() {
  load_settings false
  local r pid e args
  for r in "${roles[@]}"; do
    [[ "$r" == worker-* ]] || continue
    pid="$(live_pid "$r")" || continue
    for e in $(executor_pids "$pid"); do
      args="$(tr '\0' ' ' <"/proc/$e/cmdline" 2>/dev/null)" || continue
      printf '%s %s %s %s\n' "$e" "$r" "$(sed -n 's/.*--app-id \([^ ]*\).*/\1/p' <<<"$args")" \
        "$(sed -n 's/.*--executor-id \([^ ]*\).*/\1/p' <<<"$args")"
    done
  done
}

cmd_env() {
  load_settings false
  echo "LOCAL_CLUSTER_SPARK_MASTER=$(master_url)"
  echo "LOCAL_CLUSTER_SPARK_UI=http://127.0.0.1:${cfg[MASTER_UI_PORT]}"
  echo "LOCAL_CLUSTER_HDFS=$(hdfs_url)"
  echo "LOCAL_CLUSTER_HDFS_UI=http://127.0.0.1:${cfg[NAMENODE_HTTP_PORT]}"
  echo "LOCAL_CLUSTER_DIR=$dir"
  echo "SPARK_HOME=$dir/spark-home"
  echo "HADOOP_CONF_DIR=$dir/conf/hadoop"
}

cmd_fs() {
  load_settings false
  [[ -f "$dir/conf/hadoop/core-site.xml" ]] || write_hadoop_conf
  live_pid namenode >/dev/null || die "the namenode is not running: scripts/local-cluster.sh start"
  local cp
  cp="$dir/conf/hadoop:$(classpath hdfs)"
  java -Xmx256m "-Dlog4j2.configurationFile=$dir/conf/log4j2-tool.properties" -cp "$cp" \
    org.apache.hadoop.fs.FsShell "$@"
}

# As bin/spark-submit: Spark's launcher prints the java command (NUL-separated), which is then executed.
cmd_submit() {
  load_settings false
  live_pid master >/dev/null || die "the master is not running: scripts/local-cluster.sh start"
  spark_env
  local out parts cmd
  out="$(mktemp "$dir/submit.XXXXXX")"
  if ! java -Xmx128m -cp "$SPARK_HOME/jars/*" org.apache.spark.launcher.Main org.apache.spark.deploy.SparkSubmit \
      --master "$(master_url)" --deploy-mode client "$@" >"$out"; then
    rm -f "$out"
    die "Spark's launcher refused the arguments"
  fi
  # Its output: messages, a NUL and a newline, then the command's arguments, each ended by a NUL.
  mapfile -d '' parts <"$out"
  rm -f "$out"
  [[ ${#parts[@]} -ge 2 ]] || die "Spark's launcher printed no command"
  if [[ -n "${parts[0]}" ]]; then
    printf '%s\n' "${parts[0]}"
  fi
  cmd=("${parts[@]:1}")
  cmd[0]="${cmd[0]#$'\n'}"
  exec "${cmd[@]}"
}

[[ $# -ge 1 ]] || { usage >&2; exit 2; }
command=$1
shift
case "$command" in
  start) cmd_start "$@" ;;
  stop) cmd_stop "$@" ;;
  status) cmd_status ;;
  executors) cmd_executors ;;
  env) cmd_env ;;
  fs) cmd_fs "$@" ;;
  submit) cmd_submit "$@" ;;
  *) echo "local-cluster: error: unknown command '$command'" >&2; usage >&2; exit 2 ;;
esac
