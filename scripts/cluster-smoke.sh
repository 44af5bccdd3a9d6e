#!/usr/bin/env bash
# Smoke test of the runnable jar on a real Spark standalone cluster, on this machine's loopback, no Docker:
# a master and two one-core workers from the Spark jars of our build (a SPARK_HOME made from Maven Central by
# `mvn dependency:copy-dependencies`), then `spark-submit` of a 2-round char-LM job exactly as bin/spark-submit
# builds it (org.apache.spark.launcher.Main, like bin/spark-class). Checks that the model was written, stops
# everything, and exits 0 on success, 1 on failure, 2 when the jar is not built.
# Build first: mvn -B -q -DskipTests package. Logs and outputs: $SMOKE_DIR (default /tmp/spark-rnn-cluster-smoke).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="$(sed -n 's:^  <version>\(.*\)</version>:\1:p' "$here/pom.xml" | head -1)"
spark_version="$(sed -n 's:.*<spark.version>\(.*\)</spark.version>.*:\1:p' "$here/pom.xml")"
scala="$(sed -n 's:.*<scala.binary.version>\(.*\)</scala.binary.version>.*:\1:p' "$here/pom.xml")"
jar="$here/jobs/target/spark-rnn-$version.jar"
smoke="${SMOKE_DIR:-/tmp/spark-rnn-cluster-smoke}"
master_port="${MASTER_PORT:-7177}"
if [[ ! -f "$jar" ]]; then
  echo "cluster-smoke: $jar not built; run: mvn -B -q -DskipTests package" >&2
  exit 2
fi
mkdir -p "$smoke"
export SPARK_HOME="$smoke/spark-home"
export SPARK_LOCAL_IP=127.0.0.1
export OMP_NUM_THREADS=1
# bin/load-spark-env.sh sets this in a distribution; Spark's launcher (submit, and workers starting executors)
# needs it.
export SPARK_SCALA_VERSION="$scala"

# A SPARK_HOME: the RELEASE file makes Spark's launcher take jars/ as the classpath (a binary distribution).
if [[ ! -f "$SPARK_HOME/RELEASE" ]]; then
  echo "cluster-smoke: building SPARK_HOME $SPARK_HOME (Spark $spark_version, Scala $scala) from Maven Central"
  mkdir -p "$SPARK_HOME/jars"
  cat >"$smoke/spark-home.pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.smoke</groupId><artifactId>spark-home</artifactId><version>1</version><packaging>pom</packaging>
  <!-- The versions of Spark's own build (its binary distribution's jars/); Maven's nearest-wins alone would
       pick older transitive ones (SLF4J 1.7 without a binding, jackson-core 2.14). -->
  <dependencyManagement><dependencies>
    <dependency><groupId>org.apache.spark</groupId><artifactId>spark-parent_$scala</artifactId>
      <version>$spark_version</version><type>pom</type><scope>import</scope></dependency>
  </dependencies></dependencyManagement>
  <dependencies>
    <dependency><groupId>org.apache.spark</groupId><artifactId>spark-core_$scala</artifactId>
      <version>$spark_version</version></dependency>
  </dependencies>
</project>
POM
  rm -rf "$SPARK_HOME/jars"
  mvn -B -q -f "$smoke/spark-home.pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$SPARK_HOME/jars"
  echo "Spark $spark_version (jars from Maven Central, for scripts/cluster-smoke.sh)" >"$SPARK_HOME/RELEASE"
fi

opens=(
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED
  --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
)
pids=()
stop() {
  for p in "${pids[@]}"; do
    kill "$p" 2>/dev/null || true
  done
  for p in "${pids[@]}"; do
    wait "$p" 2>/dev/null || true
  done
}
trap stop EXIT

wait_for() {  # file, pattern, what
  for _ in $(seq 1 120); do
    if grep -q "$2" "$1" 2>/dev/null; then
      return 0
    fi
    sleep 0.5
  done
  echo "cluster-smoke: $3 did not start; see $1" >&2
  exit 1
}

daemon() {  # log, class, args...
  local log="$1"
  shift
  java -Xmx512m "${opens[@]}" -cp "$SPARK_HOME/jars/*" "$@" >"$log" 2>&1 &
  pids+=("$!")
}

master="spark://127.0.0.1:$master_port"
daemon "$smoke/master.log" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$master_port" \
  --webui-port 0
wait_for "$smoke/master.log" "I have been elected leader" "the master"
for w in 1 2; do
  rm -rf "$smoke/work-$w"
  daemon "$smoke/worker-$w.log" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores 1 --memory 3g \
    --work-dir "$smoke/work-$w" --webui-port 0 "$master"
  wait_for "$smoke/worker-$w.log" "Successfully registered with master" "worker $w"
done
echo "cluster-smoke: master $master with 2 workers (1 core, 3 GiB each)"

# What bin/spark-submit runs: Spark's launcher prints the java command (NUL-separated), then it is executed.
out="$smoke/char-lm"
rm -rf "$out"
submit=(--master "$master" --deploy-mode client --class io.sparkrnn.jobs.Main
  --driver-java-options "-Dlog4j2.configurationFile=$here/conf/log4j2.properties"
  --conf spark.executor.memory=1g --conf spark.executor.cores=1
  "$jar" train "$here/conf/char-lm.conf" --set train.rounds=2 --set eval.every=1 --set output.dir="$out"
  --set data.train="$here/data/samples/moby-dick/moby-dick.txt")
if ! java -Xmx128m -cp "$SPARK_HOME/jars/*" org.apache.spark.launcher.Main org.apache.spark.deploy.SparkSubmit \
    "${submit[@]}" >"$smoke/submit.cmd" 2>"$smoke/launcher.err"; then
  echo "cluster-smoke: FAILED, Spark's launcher refused the submit:" >&2
  cat "$smoke/launcher.err" >&2
  exit 1
fi
# Its output: messages, a NUL and a newline, then the command's arguments, each ended by a NUL (see spark-class).
cmd=()
started=false
while IFS= read -r -d '' arg; do
  if $started; then
    cmd+=("$arg")
  else
    [[ -n "$arg" ]] && echo "$arg"
    started=true
    IFS= read -r -d '' arg
    cmd+=("${arg#$'\n'}")
  fi
done <"$smoke/submit.cmd"
echo "cluster-smoke: spark-submit ${submit[*]}"
set +e
"${cmd[@]}" >"$smoke/submit.out" 2>"$smoke/submit.err"
code=$?
set -e
cat "$smoke/submit.out"
if [[ $code -ne 0 ]]; then
  echo "cluster-smoke: FAILED, spark-submit exit code $code; stderr:" >&2
  tail -40 "$smoke/submit.err" >&2
  exit 1
fi
executors=$(ls -d "$smoke"/work-*/app-*/* 2>/dev/null | wc -l)
if [[ ! -s "$out/model/weights.safetensors" || ! -f "$out/model/model.json" || ! -f "$out/report.html" ]]; then
  echo "cluster-smoke: FAILED, no model or report in $out" >&2
  exit 1
fi
if [[ $executors -lt 2 ]]; then
  echo "cluster-smoke: FAILED, $executors executor(s) ran on the workers, expected 2" >&2
  exit 1
fi
echo "cluster-smoke: OK, $executors executors on 2 workers; model in $out/model, $(wc -l <"$out/metrics.jsonl") metrics lines"
