# Sourced by the scripts: selects a JDK 25 or newer for Maven and the app, or stops with a clear message.
# Honours JAVA_HOME when it already points to JDK 25+.
java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -1 | cut -d. -f1
}

select_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && [ "$(java_major "$JAVA_HOME")" -ge 25 ] 2>/dev/null; then
    export JAVA_HOME
    return 0
  fi
  local candidate
  for candidate in /usr/lib/jvm/temurin-25* /usr/lib/jvm/*-25* /usr/lib/jvm/*25* /usr/lib/jvm/*; do
    if [ -x "$candidate/bin/javac" ] && [ "$(java_major "$candidate")" -ge 25 ] 2>/dev/null; then
      export JAVA_HOME="$candidate"
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  echo "Netwarden needs a JDK 25 or newer (Temurin 25 recommended); none found under /usr/lib/jvm and JAVA_HOME is not one." >&2
  echo "Install one (e.g. the temurin-25-jdk package) or set JAVA_HOME." >&2
  return 1
}
