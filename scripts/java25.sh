# shellcheck shell=bash
# Source this file to use a JDK 25 or newer: it exports JAVA_HOME and puts $JAVA_HOME/bin first on PATH.
#
#   source scripts/java25.sh
#
# Candidates, first match wins: $JAVA_HOME, the java on PATH, /usr/lib/jvm/temurin-25-jdk-amd64, then any
# /usr/lib/jvm/* (newest first). A candidate must be a JDK (with javac: the build compiles) of version 25 or
# newer. When none is, it says what it found and exits 1 (in an interactive shell it returns 1 instead, so
# the terminal stays open).

_shmbus_java_version() {
  # Print the Java specification version of a JDK home ("25", "17", "1.8"); nothing if it is not a JDK.
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  "$1/bin/java" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9.]*\).*/\1/p' | head -n 1
}

_shmbus_find_jdk() {
  # Set _shmbus_jdk to the first suitable JDK home, or _shmbus_found to what was looked at.
  local candidates=() home version
  _shmbus_jdk=""
  _shmbus_found=""
  if [ -n "${JAVA_HOME:-}" ]; then
    candidates+=("$JAVA_HOME")
  fi
  if command -v java >/dev/null 2>&1; then
    home=$(readlink -f "$(command -v java)")
    candidates+=("${home%/bin/java}")
  fi
  candidates+=(/usr/lib/jvm/temurin-25-jdk-amd64)
  if [ -d /usr/lib/jvm ]; then
    while IFS= read -r home; do
      candidates+=("$home")
    done < <(find /usr/lib/jvm -mindepth 1 -maxdepth 1 -type d 2>/dev/null | sort -rV)
  fi

  for home in "${candidates[@]}"; do
    [ -d "$home" ] || continue
    version=$(_shmbus_java_version "$home")
    case "$version" in
      "") _shmbus_found="$_shmbus_found${_shmbus_found:+, }$home (not a JDK)"; continue ;;
      1.*) ;;
      *)
        if [ "${version%%.*}" -ge 25 ] 2>/dev/null; then
          _shmbus_jdk="$home"
          return 0
        fi
        ;;
    esac
    _shmbus_found="$_shmbus_found${_shmbus_found:+, }$home (Java $version)"
  done
  return 1
}

if _shmbus_find_jdk; then
  export JAVA_HOME="$_shmbus_jdk"
  export PATH="$JAVA_HOME/bin:$PATH"
  unset _shmbus_jdk _shmbus_found
  unset -f _shmbus_java_version _shmbus_find_jdk
else
  echo "shmbus needs JDK 25; found: ${_shmbus_found:-no JDK at all}; install Temurin 25 or set JAVA_HOME" >&2
  unset _shmbus_jdk _shmbus_found
  unset -f _shmbus_java_version _shmbus_find_jdk
  case "$-" in
    *i*) return 1 ;;
    *) exit 1 ;;
  esac
fi
