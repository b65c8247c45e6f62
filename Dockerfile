# syntax=docker/dockerfile:1
# Tollgate image: one image for every process; the command picks the role (admin, gateway, migrate, demo-upstream).
#   docker build -t tollgate:local .
#   docker run --rm tollgate:local help

# ---- build: Maven on a Temurin 25 JDK (the code is Java 21 language level) ----
FROM maven:3.9-eclipse-temurin-25 AS build
WORKDIR /src
COPY . .
# The cache mount keeps ~/.m2 between builds. The embedded-PostgreSQL binaries serve only `dev` on a developer
# machine; containers use a real PostgreSQL, so they are left out of the image.
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q -DskipTests package \
 && rm -f launcher/target/libs/embedded-postgres-binaries-*.jar

# ---- runtime: JRE only ----
FROM eclipse-temurin:25-jre
# curl serves the compose health checks.
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin tollgate \
 && mkdir -p /var/lib/tollgate \
 && chown tollgate /var/lib/tollgate
WORKDIR /app
COPY --from=build /src/launcher/target/libs/ /app/libs/
COPY --from=build /src/launcher/target/tollgate-launcher.jar /app/tollgate-launcher.jar
USER tollgate
# admin 8081, gateway 8080, gateway management 9901, demo upstream 8090
EXPOSE 8080 8081 9901 8090
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-cp", "/app/tollgate-launcher.jar:/app/libs/*", "io.tollgate.launcher.Main"]
CMD ["help"]
