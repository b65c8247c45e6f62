# shellcheck shell=bash
# Selects a JDK >= 21 for Tollgate's scripts (bin/tollgate, .ci/run). Source it, then call tollgate_select_jdk:
# on success JAVA_HOME and PATH point at the chosen JDK (TOLLGATE_JAVA_VERSION holds its feature version); on failure it prints what is missing and returns 1.
#
# Order: JAVA_HOME when it is >= 21 (when it is older, say so and keep looking); else the newest JDK >= 21 among
# /usr/lib/jvm/*, /usr/java/*, /opt/java/*, /Library/Java/JavaVirtualMachines/*/Contents/Home and the `java` on PATH.

TOLLGATE_MIN_JAVA=21

# Prints the feature version (17, 21, 25, ...) of the JDK at $1, or nothing when it is not a JDK.
tollgate_jdk_version() {
  local home=$1 line version
  [[ -x "$home/bin/java" && -x "$home/bin/javac" ]] || return 0
  if [[ -r "$home/release" ]]; then
    line=$(grep -m1 '^JAVA_VERSION=' "$home/release" 2>/dev/null || true)
    version=${line#JAVA_VERSION=}
    version=${version//\"/}
  fi
  if [[ -z "${version:-}" ]]; then
    line=$("$home/bin/java" -version 2>&1 | grep -m1 -E 'version "' || true)
    version=${line#*version \"}
    version=${version%%\"*}
  fi
  version=${version#1.}          # 1.8.0_392 -> 8.0_392
  version=${version%%[.+_-]*}     # 25.0.1 -> 25, 21-ea -> 21
  [[ $version =~ ^[0-9]+$ ]] && echo "$version"
  return 0
}

# The JDK home behind the `java` on PATH, if any.
tollgate_path_jdk() {
  local java
  java=$(command -v java 2>/dev/null) || return 0
  java=$(readlink -f "$java" 2>/dev/null || echo "$java")
  dirname "$(dirname "$java")"
}

tollgate_select_jdk() {
  local candidate real version best="" best_version=0 seen="" homes=" "
  if [[ -n "${JAVA_HOME:-}" ]]; then
    version=$(tollgate_jdk_version "$JAVA_HOME")
    if [[ -n "$version" && $version -ge $TOLLGATE_MIN_JAVA ]]; then
      export PATH="$JAVA_HOME/bin:$PATH"
      export TOLLGATE_JAVA_VERSION=$version
      return 0
    fi
    echo "tollgate: JAVA_HOME=$JAVA_HOME is $([[ -n "$version" ]] && echo "Java $version" || echo "not a JDK");" \
         "Tollgate needs Java $TOLLGATE_MIN_JAVA or newer. Looking for another JDK ..." >&2
  fi
  shopt -s nullglob
  for candidate in /usr/lib/jvm/* /usr/java/* /opt/java/* /Library/Java/JavaVirtualMachines/*/Contents/Home \
                   "$(tollgate_path_jdk)"; do
    [[ -n "$candidate" && -d "$candidate" ]] || continue
    real=$(readlink -f "$candidate" 2>/dev/null || echo "$candidate")
    [[ "$homes" == *" $real "* ]] && continue   # the same JDK under another name (symlinks in /usr/lib/jvm)
    homes+="$real "
    version=$(tollgate_jdk_version "$candidate")
    [[ -n "$version" ]] || continue
    seen+="    Java $version at $candidate"$'\n'
    if [[ $version -ge $TOLLGATE_MIN_JAVA && $version -gt $best_version ]]; then
      best=$candidate
      best_version=$version
    fi
  done
  shopt -u nullglob
  if [[ -z "$best" ]]; then
    {
      echo "tollgate: no JDK $TOLLGATE_MIN_JAVA or newer found."
      if [[ -n "$seen" ]]; then
        echo "  Found only:"
        printf '%s' "$seen"
      else
        echo "  Found no JDK at all (looked at JAVA_HOME, /usr/lib/jvm, /usr/java, /opt/java and java on PATH)."
      fi
      echo "  Install a JDK $TOLLGATE_MIN_JAVA+ (Temurin 21 or 25 recommended), for example:"
      echo "    Debian 13 / Ubuntu 24.04:  sudo apt-get install openjdk-21-jdk"
      echo "    Other Debian/Ubuntu:       Adoptium's apt repository, then: sudo apt-get install temurin-21-jdk"
      echo "    macOS (Homebrew):          brew install --cask temurin@21"
      echo "    SDKMAN:                    sdk install java 21-tem"
      echo "  then run again, or point JAVA_HOME at it."
    } >&2
    return 1
  fi
  export JAVA_HOME=$best
  export PATH="$JAVA_HOME/bin:$PATH"
  export TOLLGATE_JAVA_VERSION=$best_version
  return 0
}

# Maven 3.8/3.9 still use sun.misc.Unsafe through Guava; JDK 24+ warns about it on every build. The flag that
# silences it exists from JDK 23 on (and older JDKs refuse unknown flags), so add it only there.
tollgate_maven_opts() {
  if [[ ${TOLLGATE_JAVA_VERSION:-0} -ge 23 && "${MAVEN_OPTS:-}" != *sun-misc-unsafe-memory-access* ]]; then
    export MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }--sun-misc-unsafe-memory-access=allow"
  fi
}
